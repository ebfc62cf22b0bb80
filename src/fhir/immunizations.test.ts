import { beforeAll, beforeEach, expect, it } from 'vitest';
import type { Bundle, Immunization, OperationOutcome, RelatedPerson } from '@medplum/fhirtypes';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { proKit, traceOf } from '../records/controls-test-kit.ts';
import type { ProKit } from '../records/controls-test-kit.ts';
import { fhirBody } from './fhir-test-kit.ts';
import { documentRefId } from './documents.ts';

const GP = DEMO_PROFESSIONALS.generalPractitioner;
const NURSE = DEMO_PROFESSIONALS.nurse;

describeEngines('FHIR Immunization and RelatedPerson', (getDb) => {
  let t: TestContext;
  let pro: ProKit;
  let patient: SignedIn;
  let patientId: string;

  const get = async (url: string, ps: string | null = GP) => t.app.inject({ method: 'GET', url, headers: ps === null ? {} : await pro.headers(ps) });
  const authorize = (ps: string) =>
    t.db.query('INSERT INTO professional_relations (patient_id, id_nat_ps, authorized_since) VALUES ($1, $2, $3) ON CONFLICT (patient_id, id_nat_ps) DO UPDATE SET authorized_since = EXCLUDED.authorized_since', [patientId, ps, t.clock.now()]);
  async function vaccinate(payload: object): Promise<string> {
    const res = await t.app.inject({ method: 'POST', url: `/api/spaces/${patientId}/vaccinations`, headers: patient.headers, payload });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { vaccinationId: string }).vaccinationId;
  }
  async function contact(payload: object): Promise<string> {
    const res = await t.app.inject({ method: 'POST', url: `/api/spaces/${patientId}/entourage/contacts`, headers: patient.headers, payload });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { contactId: string }).contactId;
  }

  beforeAll(async () => {
    t = await testApp(getDb());
    await loadDemoDirectory(t.db, t.clock);
    pro = proKit(t);
  });

  beforeEach(async () => {
    const p = await insertActivePatient(t.db, { birthDate: '1980-02-02' });
    patientId = p.patientId;
    patient = await signIn(t, p.loginId, p.password);
  });

  it('reads and searches Immunization (patient, date, vaccine-code): valid R4, traced, 404 for who may not see', async () => {
    const ror = await vaccinate({ vaccineCode: 'J07BD52', vaccineName: 'Priorix', date: '1981-03-01', doseNumber: 1, lotNumber: 'AB12', route: 'SQ', site: 'LT', performer: { idNatPs: GP }, notes: 'Carnet de santé' });
    await vaccinate({ vaccineCode: 'J07BB02', date: '2025-10-20' });
    await vaccinate({ vaccineCode: 'other', vaccineName: 'Ixiaro', date: '2015-05-05' });
    const id = documentRefId(patientId, ror);

    // Not authorized: not found, and the refusal is traced.
    const denied = fhirBody<OperationOutcome>(await get(`/fhir/Immunization/${id}`, NURSE), 404);
    expect(denied.issue[0]?.code).toBe('not-found');
    expect((await traceOf(t, patientId)).at(-1)).toMatchObject({ action: 'access_denied', actor_id: NURSE, detail: { attempted: 'read', reason: 'not_authorized' } });
    fhirBody<OperationOutcome>(await get(`/fhir/Immunization?patient=${patientId}`, NURSE), 404);

    await authorize(GP);
    const imm = fhirBody<Immunization>(await get(`/fhir/Immunization/${id}`), 200);
    expect(imm).toMatchObject({
      resourceType: 'Immunization',
      id,
      status: 'completed',
      vaccineCode: { coding: [{ system: 'http://www.whocc.no/atc', code: 'J07BD52' }], text: 'Priorix' },
      patient: { reference: `Patient/${patientId}` },
      occurrenceDateTime: '1981-03-01',
      primarySource: false,
      lotNumber: 'AB12',
      route: { coding: [{ code: 'SQ' }] },
      site: { coding: [{ code: 'LT' }] },
      performer: [{ actor: { reference: `Practitioner/${GP}` } }],
      protocolApplied: [{ doseNumberPositiveInt: 1 }],
    });
    expect(imm.protocolApplied?.[0]?.targetDisease?.map((d) => d.coding?.[0]?.code)).toEqual(['14189004', '36989005', '36653000']);
    expect((await traceOf(t, patientId)).at(-1)).toMatchObject({ action: 'vaccination_read', actor_id: GP, target: `Immunization/${ror}` });

    const all = fhirBody<Bundle<Immunization>>(await get(`/fhir/Immunization?patient=Patient/${patientId}`), 200);
    expect(all.total).toBe(3);
    const byCode = fhirBody<Bundle<Immunization>>(await get(`/fhir/Immunization?patient=${patientId}&vaccine-code=http://www.whocc.no/atc|J07BB02`), 200);
    expect(byCode.entry?.map((e) => e.resource?.vaccineCode.coding?.[0]?.code)).toEqual(['J07BB02']);
    const byDate = fhirBody<Bundle<Immunization>>(await get(`/fhir/Immunization?patient=${patientId}&date=lt2000&date=ge1981`), 200);
    expect(byDate.entry?.map((e) => e.resource?.id)).toEqual([id]);
    const other = fhirBody<Bundle<Immunization>>(await get(`/fhir/Immunization?patient=${patientId}&date=2015`), 200);
    expect(other.entry?.[0]?.resource?.vaccineCode).toEqual({ text: 'Ixiaro' });
    const paged = fhirBody<Bundle<Immunization>>(await get(`/fhir/Immunization?patient=${patientId}&_count=2`), 200);
    expect(paged.entry).toHaveLength(2);
    expect(paged.link?.some((l) => l.relation === 'next')).toBe(true);

    fhirBody<OperationOutcome>(await get(`/fhir/Immunization?patient=${patientId}&date=yesterday`), 400);
    fhirBody<OperationOutcome>(await get(`/fhir/Immunization?patient=${patientId}&lot=1`), 400);
    fhirBody<OperationOutcome>(await get('/fhir/Immunization?vaccine-code=J07BB02'), 400);
    fhirBody<OperationOutcome>(await get('/fhir/Immunization/not-an-id'), 404);
    fhirBody<OperationOutcome>(await get(`/fhir/Immunization/${documentRefId(patientId, '00000000-0000-4000-8000-000000000000')}`), 404);
    fhirBody<OperationOutcome>(await get(`/fhir/Immunization/${id}`, null), 401);
  });

  it('a professional’s own entry is primary source', async () => {
    await authorize(GP);
    const res = await t.app.inject({ method: 'POST', url: `/api/pro/patients/${patientId}/vaccinations`, headers: await pro.headers(GP), payload: { vaccineCode: 'J07BK03', date: '2026-01-10', doseNumber: 1 } });
    expect(res.statusCode, res.body).toBe(201);
    const v = res.json() as { vaccinationId: string };
    const imm = fhirBody<Immunization>(await get(`/fhir/Immunization/${documentRefId(patientId, v.vaccinationId)}`), 200);
    expect(imm).toMatchObject({ primarySource: true, performer: [{ actor: { reference: `Practitioner/${GP}` } }] });
    expect(imm.reportOrigin).toBeUndefined();
  });

  it('reads and searches RelatedPerson by patient: valid R4, traced, 404 for who may not see', async () => {
    const trusted = await contact({ kind: 'trusted_person', familyName: 'Martin', givenName: 'Paul', relation: 'SPS', phone: '06 12 34 56 78', email: 'Paul.Martin@Example.org' });
    await contact({ kind: 'emergency_contact', familyName: 'Durand', relation: 'other', relationText: 'Collègue', phone: '+32 2 123 45 67' });
    const id = documentRefId(patientId, trusted);
    fhirBody<OperationOutcome>(await get(`/fhir/RelatedPerson/${id}`), 404);
    fhirBody<OperationOutcome>(await get(`/fhir/RelatedPerson?patient=${patientId}`), 404);

    await authorize(GP);
    const rp = fhirBody<RelatedPerson>(await get(`/fhir/RelatedPerson/${id}`), 200);
    expect(rp).toMatchObject({
      resourceType: 'RelatedPerson',
      patient: { reference: `Patient/${patientId}` },
      name: [{ family: 'MARTIN', given: ['Paul'] }],
      telecom: [
        { system: 'phone', value: '+33612345678' },
        { system: 'email', value: 'paul.martin@example.org' },
      ],
    });
    expect(rp.relationship?.[0]?.coding?.[0]?.code).toBe('trusted_person');
    expect(rp.relationship?.[1]?.coding?.[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'SPS' });
    expect((await traceOf(t, patientId)).at(-1)).toMatchObject({ action: 'entourage_contact_read', actor_id: GP, target: `RelatedPerson/${trusted}` });

    const bundle = fhirBody<Bundle<RelatedPerson>>(await get(`/fhir/RelatedPerson?patient=${patientId}`), 200);
    expect(bundle.total).toBe(2);
    const emergency = bundle.entry?.[1]?.resource;
    expect(emergency?.relationship?.[0]?.coding?.map((c) => c.code)).toEqual(['emergency_contact', 'C']);
    expect(emergency?.relationship?.[1]).toEqual({ text: 'Collègue' });
    fhirBody<OperationOutcome>(await get(`/fhir/RelatedPerson?patient=${patientId}&name=x`), 400);
  });
});

import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AllergyIntolerance, Bundle, Condition, Encounter, FamilyMemberHistory, MedicationStatement, Resource } from '@medplum/fhirtypes';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { ManualClock } from '../platform/clock.ts';
import { loadDemoDirectory } from '../identity/index.ts';
import { GP, NURSE, proKit } from '../records/controls-test-kit.ts';
import type { ProKit } from '../records/controls-test-kit.ts';
import { fhirBody, outcome } from './fhir-test-kit.ts';
import { PROFILE_FHIR_CAPABILITIES, parseProfileResourceId, profileResourceId } from './profile-resources.ts';

const NOW = '2026-03-10T10:00:00Z';
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

describe('FHIR ids of health history entries', () => {
  it('name the patient and the entry in 64 hex characters, both ways', () => {
    const p = '0b6f3c1e-95a3-4f7c-9f4e-0d6b1c2a3b4c';
    const e = 'aa6f3c1e-95a3-4f7c-9f4e-0d6b1c2a3b4d';
    const id = profileResourceId(p, e);
    expect(id).toMatch(FHIR_ID);
    expect(id).toHaveLength(64);
    expect(parseProfileResourceId(id)).toEqual({ patientId: p, entryId: e });
    expect(parseProfileResourceId(id.toUpperCase())).toEqual({ patientId: p, entryId: e });
    for (const bad of ['', 'x'.repeat(64), id.slice(1), `${id}0`, '../etc']) expect(parseProfileResourceId(bad)).toBeNull();
  });

  it('are described for the CapabilityStatement', () => {
    expect(PROFILE_FHIR_CAPABILITIES.map(([t]) => t)).toEqual(['Condition', 'Encounter', 'MedicationStatement', 'AllergyIntolerance', 'FamilyMemberHistory']);
    for (const [, params] of PROFILE_FHIR_CAPABILITIES) expect(params[0]?.[0]).toBe('patient');
  });
});

describeEngines('FHIR views of the health history', (getDb) => {
  let ctx: TestContext;
  let pros: ProKit;
  let holder: Awaited<ReturnType<typeof insertActivePatient>>;
  let session: SignedIn;
  const ids: Record<string, string> = {};

  const add = async (seg: string, payload: Record<string, unknown>, patientId = holder.patientId, who = session): Promise<string> => {
    const res = await ctx.app.inject({ method: 'POST', url: `/api/spaces/${patientId}/health-history/${seg}`, headers: who.headers, payload });
    expect(res.statusCode, res.body).toBe(201);
    return profileResourceId(patientId, (res.json() as { id: string }).id);
  };
  const get = async (url: string, ps: string = GP) => ctx.app.inject({ method: 'GET', url: `/fhir${url}`, headers: await pros.headers(ps) });
  const authorize = (ps: string) =>
    ctx.db.query('INSERT INTO professional_relations (patient_id, id_nat_ps, authorized_since) VALUES ($1, $2, $3) ON CONFLICT (patient_id, id_nat_ps) DO UPDATE SET authorized_since = EXCLUDED.authorized_since', [
      holder.patientId,
      ps,
      ctx.clock.now(),
    ]);
  const trace = async () =>
    ctx.db.query<{ action: string; actor_id: string | null; target: string | null; detail: Record<string, unknown> }>('SELECT action, actor_id, target, detail FROM audit_events WHERE patient_id = $1 ORDER BY seq', [
      holder.patientId,
    ]);
  const last = async () => (await trace()).at(-1);
  const search = async <T extends Resource>(query: string, ps: string = GP): Promise<T[]> => {
    const b = fhirBody<Bundle>(await get(query, ps), 200);
    expect(b.type).toBe('searchset');
    return (b.entry ?? []).map((e) => e.resource as T);
  };

  beforeAll(async () => {
    await loadDemoDirectory(getDb(), new ManualClock(NOW));
  });

  beforeEach(async () => {
    ctx = await testApp(getDb(), { clock: new ManualClock(NOW) });
    pros = proKit(ctx);
    holder = await insertActivePatient(ctx.db);
    session = await signIn(ctx, holder.loginId, holder.password);
    ids.disease = await add('conditions', { kind: 'disease', label: 'Diabète de type 2', cim10: 'E11.9', status: 'active', onsetDate: '2019', note: 'Suivi trimestriel' });
    ids.resolved = await add('conditions', { kind: 'health_topic', label: 'Grossesse', status: 'resolved', onsetDate: '2020-01', resolvedDate: '2020-10-02' });
    ids.disability = await add('disabilities', { kind: 'hearing', label: 'Surdité partielle', since: '2010' });
    ids.stay = await add('hospitalisations', { reason: 'Appendicectomie', establishment: 'Hôpital de démonstration', startDate: '2005-07-02', endDate: '2005-07-05' });
    ids.stayOpen = await add('hospitalisations', { reason: 'Bilan', startDate: '2026' });
    ids.drug = await add('treatments', { medication: 'Metformine 1000 mg', atc: 'A10BA02', dosage: '1 cp matin et soir', reason: 'Diabète', ongoing: true, startDate: '2019-06' });
    ids.drugStopped = await add('treatments', { medication: 'Amoxicilline', ongoing: false });
    ids.allergy = await add('allergies', { substance: 'Pénicilline', type: 'allergy', category: 'medication', reaction: 'Urticaire', severity: 'moderate', since: '2001' });
    ids.intolerance = await add('allergies', { substance: 'Lactose', type: 'intolerance', category: 'food' });
    ids.mother = await add('family-history', { condition: 'Cancer du sein', relation: 'MTH', ageAtOnset: 52, note: 'Traitée' });
    ids.brother = await add('family-history', { condition: 'Asthme', relation: 'BRO' });
  });

  it('an authorized professional reads every resource, valid R4 with FHIR ids, each read traced', async () => {
    await authorize(GP);
    const cases: [type: string, key: string][] = [
      ['Condition', 'disease'],
      ['Condition', 'resolved'],
      ['Condition', 'disability'],
      ['Encounter', 'stay'],
      ['Encounter', 'stayOpen'],
      ['MedicationStatement', 'drug'],
      ['MedicationStatement', 'drugStopped'],
      ['AllergyIntolerance', 'allergy'],
      ['AllergyIntolerance', 'intolerance'],
      ['FamilyMemberHistory', 'mother'],
      ['FamilyMemberHistory', 'brother'],
    ];
    for (const [type, key] of cases) {
      const id = ids[key] ?? '';
      expect(id).toMatch(FHIR_ID);
      const r = fhirBody<Resource>(await get(`/${type}/${id}`), 200);
      expect(r).toMatchObject({ resourceType: type, id });
      expect(await last()).toMatchObject({ action: 'health_history_entry_read', actor_id: GP, target: `${type}/${id}` });
    }

    const disease = fhirBody<Condition>(await get(`/Condition/${ids.disease}`), 200);
    expect(disease).toMatchObject({
      clinicalStatus: { coding: [{ code: 'active' }] },
      code: { text: 'Diabète de type 2', coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'E11.9' }] },
      subject: { reference: `Patient/${holder.patientId}` },
      onsetDateTime: '2019',
      asserter: { reference: `Patient/${holder.patientId}` },
      note: [{ text: 'Suivi trimestriel' }],
    });
    expect(fhirBody<Condition>(await get(`/Condition/${ids.resolved}`), 200)).toMatchObject({ clinicalStatus: { coding: [{ code: 'resolved' }] }, abatementDateTime: '2020-10-02' });
    expect(fhirBody<Encounter>(await get(`/Encounter/${ids.stay}`), 200)).toMatchObject({
      status: 'finished',
      class: { code: 'IMP' },
      period: { start: '2005-07-02', end: '2005-07-05' },
      reasonCode: [{ text: 'Appendicectomie' }],
      serviceProvider: { display: 'Hôpital de démonstration' },
    });
    expect(fhirBody<Encounter>(await get(`/Encounter/${ids.stayOpen}`), 200)).toMatchObject({ status: 'unknown', period: { start: '2026' } });
    expect(fhirBody<MedicationStatement>(await get(`/MedicationStatement/${ids.drug}`), 200)).toMatchObject({
      status: 'active',
      medicationCodeableConcept: { text: 'Metformine 1000 mg', coding: [{ system: 'http://www.whocc.no/atc', code: 'A10BA02' }] },
      effectivePeriod: { start: '2019-06' },
      dosage: [{ text: '1 cp matin et soir' }],
    });
    expect(fhirBody<MedicationStatement>(await get(`/MedicationStatement/${ids.drugStopped}`), 200)).toMatchObject({ status: 'completed' });
    expect(fhirBody<AllergyIntolerance>(await get(`/AllergyIntolerance/${ids.allergy}`), 200)).toMatchObject({
      type: 'allergy',
      category: ['medication'],
      code: { text: 'Pénicilline' },
      patient: { reference: `Patient/${holder.patientId}` },
      reaction: [{ manifestation: [{ text: 'Urticaire' }], severity: 'moderate' }],
    });
    expect(fhirBody<FamilyMemberHistory>(await get(`/FamilyMemberHistory/${ids.mother}`), 200)).toMatchObject({
      status: 'completed',
      relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'MTH', display: 'mother' }] },
      condition: [{ code: { text: 'Cancer du sein' }, onsetAge: { value: 52, code: 'a' } }],
    });
  });

  it('searches by patient, with each type’s parameters and paging; each search traced once', async () => {
    await authorize(GP);
    const conditions = await search<Condition>(`/Condition?patient=Patient/${holder.patientId}`);
    expect(conditions.map((c) => c.id).sort()).toEqual([ids.disease, ids.resolved, ids.disability].sort());
    expect(await last()).toMatchObject({ action: 'health_history_searched', detail: { resourceType: 'Condition', count: 3 } });
    expect((await search<Condition>(`/Condition?patient=${holder.patientId}&clinical-status=resolved`)).map((c) => c.id)).toEqual([ids.resolved]);
    expect((await search<Condition>(`/Condition?patient=${holder.patientId}&category=disability`)).map((c) => c.id)).toEqual([ids.disability]);
    expect(await search<Condition>(`/Condition?patient=${holder.patientId}&category=problem-list-item`)).toHaveLength(3);
    expect((await search<Encounter>(`/Encounter?patient=${holder.patientId}`)).map((e) => e.id).sort()).toEqual([ids.stay, ids.stayOpen].sort());
    expect((await search<MedicationStatement>(`/MedicationStatement?patient=${holder.patientId}&status=completed`)).map((m) => m.id)).toEqual([ids.drugStopped]);
    expect((await search<AllergyIntolerance>(`/AllergyIntolerance?patient=${holder.patientId}&category=food`)).map((a) => a.id)).toEqual([ids.intolerance]);
    expect((await search<AllergyIntolerance>(`/AllergyIntolerance?patient=${holder.patientId}&type=allergy`)).map((a) => a.id)).toEqual([ids.allergy]);
    expect((await search<FamilyMemberHistory>(`/FamilyMemberHistory?patient=${holder.patientId}&relationship=BRO,SIS`)).map((f) => f.id)).toEqual([ids.brother]);

    const page = fhirBody<Bundle>(await get(`/FamilyMemberHistory?patient=${holder.patientId}&_count=1`), 200);
    expect(page.total).toBe(2);
    expect(page.entry).toHaveLength(1);
    expect(page.link?.find((l) => l.relation === 'next')?.url).toContain('_offset=1');
  });

  it('a professional who may not read gets 404 OperationOutcomes, traced as refusals; so does an id of another type', async () => {
    outcome(await get(`/Condition/${ids.disease}`, NURSE), 404, 'not-found');
    expect(await last()).toMatchObject({ action: 'access_denied', actor_id: NURSE, detail: { attempted: 'read', reason: 'not_authorized' } });
    outcome(await get(`/AllergyIntolerance?patient=${holder.patientId}`, NURSE), 404, 'not-found');
    expect(await last()).toMatchObject({ action: 'access_denied', detail: { attempted: 'list' } });

    await authorize(GP);
    const before = (await trace()).length;
    outcome(await get(`/Condition/${ids.drug}`), 404, 'not-found');
    outcome(await get(`/MedicationStatement/${ids.disease}`), 404, 'not-found');
    outcome(await get('/Condition/not-one-of-ours'), 404, 'not-found');
    expect((await trace()).length).toBe(before);
  });

  it('bad searches are 400 OperationOutcomes naming the parameter', async () => {
    await authorize(GP);
    const missing = outcome(await get('/Condition'), 400, 'invalid');
    expect(JSON.stringify(missing)).toContain('patient');
    outcome(await get(`/Condition?patient=${holder.patientId}&code=E11`), 400, 'invalid');
    outcome(await get('/Condition?patient=Patient/12'), 400, 'invalid');
    outcome(await get(`/Condition?patient=${holder.patientId}&_count=1000`), 400, 'invalid');
    outcome(await get(`/Condition?patient=${holder.patientId}&category=`), 400, 'invalid');
  });

  it('without a professional’s token: 401', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/fhir/Condition?patient=${holder.patientId}` });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/fhir\+json/);
  });

  it('an entry stated by a legal representative names them as asserter', async () => {
    const child = await insertActivePatient(ctx.db, { birthDate: '2016-05-01' });
    await ctx.db.query("INSERT INTO representations (patient_id, representative_id, rank, status, created_at) VALUES ($1, $2, 1, 'active', $3)", [child.patientId, holder.patientId, NOW]);
    const id = await add('allergies', { substance: 'Arachide', type: 'allergy', category: 'food' }, child.patientId);
    await ctx.db.query('INSERT INTO professional_relations (patient_id, id_nat_ps, authorized_since) VALUES ($1, $2, $3)', [child.patientId, GP, NOW]);
    const a = fhirBody<AllergyIntolerance>(await get(`/AllergyIntolerance/${id}`), 200);
    expect(a.patient).toEqual({ reference: `Patient/${child.patientId}` });
    expect(a.asserter).toEqual({ display: 'Claire MARTIN (legal representative)' });
  });
});

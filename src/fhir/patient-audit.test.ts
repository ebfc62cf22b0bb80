import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent, Bundle, Patient } from '@medplum/fhirtypes';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { cryptoRandom } from '../platform/random.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { INS_OID } from '../identity/ins.ts';
import { registerSoftwareClient, tokenEndpointUrl } from '../pro-auth/index.ts';
import { exchange, signAssertion, softwareKey } from '../pro-auth/token-test-kit.ts';
import type { SoftwareKey } from '../pro-auth/token-test-kit.ts';
import { fhirBody } from './fhir-test-kit.ts';
import { actionCode } from './audit-event.ts';
import { ID_NAT_PS_SYSTEM } from './directory.ts';

const GP = DEMO_PROFESSIONALS.generalPractitioner; // 10/SM54, Cabinet des Lilas
const NURSE = DEMO_PROFESSIONALS.nurse;
const LILAS = '759990013';

describe('AuditEvent action codes', () => {
  it('maps trace action names to R/C/U/D/E', () => {
    expect(actionCode('document_read')).toBe('R');
    expect(actionCode('patient_identity_read')).toBe('R');
    expect(actionCode('documents_listed')).toBe('R');
    expect(actionCode('document_added')).toBe('C');
    expect(actionCode('document_deleted')).toBe('D');
    expect(actionCode('mask_all_changed')).toBe('U');
    expect(actionCode('access_denied')).toBe('E');
  });
});

describeEngines('FHIR Patient and AuditEvent', (getDb) => {
  let t: TestContext;
  let key: SoftwareKey;
  let clientId: string;
  let patient: Awaited<ReturnType<typeof insertActivePatient>>;
  const claims: Record<string, Record<string, string>> = {
    [GP]: { profession: '10', specialty: 'SM54', organisation: LILAS },
    [NURSE]: { profession: '60', organisation: LILAS },
  };

  async function bearer(ps: string): Promise<Record<string, string>> {
    const res = await exchange(t.app, await signAssertion(key, { iss: clientId, sub: ps, aud: tokenEndpointUrl(t.config), now: t.clock.now(), claims: claims[ps] ?? {} }));
    expect(res.statusCode, res.body).toBe(200);
    return { authorization: `Bearer ${(res.json() as { access_token: string }).access_token}` };
  }
  const get = async (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
  const lastActions = async (n: number) =>
    (await t.db.query<{ action: string; actor_id: string | null }>('SELECT action, actor_id FROM audit_events WHERE patient_id = $1 ORDER BY seq DESC LIMIT $2', [patient.patientId, n]));

  beforeAll(async () => {
    t = await testApp(getDb());
    await loadDemoDirectory(t.db, t.clock);
    key = await softwareKey('ES256');
    clientId = (await registerSoftwareClient(t.db, { clock: t.clock, random: cryptoRandom }, { name: 'DPI Lilas', organisationFiness: LILAS, jwks: key.jwks })).clientId;
  });

  beforeEach(async () => {
    patient = await insertActivePatient(t.db, { sex: 'F', birthDate: '1985-04-12' });
    await t.db.query('INSERT INTO professional_relations (patient_id, id_nat_ps, authorized_since) VALUES ($1, $2, $3)', [patient.patientId, GP, t.clock.now()]);
  });

  it('serves the Patient to an authorized PS, traced; 404 to a PS who may not know the patient, traced as a refusal', async () => {
    const p = fhirBody<Patient>(await get(`/fhir/Patient/${patient.patientId}`, await bearer(GP)), 200);
    expect(p.identifier?.[0]).toEqual({ use: 'official', system: `urn:oid:${INS_OID.nir}`, value: patient.matricule });
    expect(p.name?.[0]).toMatchObject({ family: 'MARTIN', given: ['Claire', 'Anne'] });
    expect(p.gender).toBe('female');
    expect(p.birthDate).toBe('1985-04-12');
    expect(p.telecom?.[0]).toMatchObject({ system: 'email', value: `${patient.matricule}@patient.mssante.fr` });
    expect(await lastActions(1)).toEqual([{ action: 'patient_identity_read', actor_id: GP }]);

    const denied = fhirBody<{ issue: { code: string }[] }>(await get(`/fhir/Patient/${patient.patientId}`, await bearer(NURSE)), 404);
    expect(denied.issue[0]?.code).toBe('not-found');
    expect(await lastActions(1)).toEqual([{ action: 'access_denied', actor_id: NURSE }]);
    fhirBody(await get('/fhir/Patient/00000000-0000-4000-8000-000000000000', await bearer(GP)), 404);
  });

  it('lets the patient search their trace as AuditEvent, paged; refuses a professional', async () => {
    const gp = await bearer(GP);
    for (let i = 0; i < 3; i++) fhirBody(await get(`/fhir/Patient/${patient.patientId}`, gp), 200);
    fhirBody(await get(`/fhir/Patient/${patient.patientId}`, await bearer(NURSE)), 404);
    const session = await signIn(t, patient.loginId, patient.password);
    const total = Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_events WHERE patient_id = $1', [patient.patientId]))[0]?.n);
    expect(total).toBeGreaterThanOrEqual(4);

    const page1 = fhirBody<Bundle<AuditEvent>>(await get(`/fhir/AuditEvent?patient=Patient/${patient.patientId}&_count=2`, { cookie: session.cookie }), 200);
    expect(page1.total).toBe(total);
    expect(page1.entry).toHaveLength(2);
    const next = page1.link?.find((l) => l.relation === 'next')?.url ?? '';
    expect(next).toContain('_offset=2');
    const page2 = fhirBody<Bundle<AuditEvent>>(await get(next.slice(next.indexOf('/fhir/')), { cookie: session.cookie }), 200);
    expect(page2.entry?.[0]?.resource?.id).not.toBe(page1.entry?.[0]?.resource?.id);

    const all = fhirBody<Bundle<AuditEvent>>(await get(`/fhir/AuditEvent?patient=${patient.patientId}&_count=100`, { cookie: session.cookie }), 200);
    const read = all.entry?.map((e) => e.resource).find((r) => r?.subtype?.[0]?.code === 'patient_identity_read');
    expect(read).toMatchObject({ action: 'R', outcome: '0', type: { code: '110110' }, entity: [{ what: { reference: `Patient/${patient.patientId}` } }] });
    expect(read?.agent[0]?.who?.identifier).toEqual({ system: ID_NAT_PS_SYSTEM, value: GP });
    expect(read?.agent[0]?.role?.[0]?.coding?.[0]?.code).toBe('10');
    const refused = all.entry?.map((e) => e.resource).find((r) => r?.subtype?.[0]?.code === 'access_denied');
    expect(refused?.outcome).toBe('4');

    const today = t.clock.now().toISOString().slice(0, 10);
    expect(fhirBody<Bundle>(await get(`/fhir/AuditEvent?patient=${patient.patientId}&date=ge${today}`, { cookie: session.cookie }), 200).total).toBeGreaterThan(0);
    expect(fhirBody<Bundle>(await get(`/fhir/AuditEvent?patient=${patient.patientId}&date=gt2999`, { cookie: session.cookie }), 200).total).toBe(0);

    // Another patient's trace, and a professional (even authorized): not found.
    const other = await insertActivePatient(t.db);
    fhirBody(await get(`/fhir/AuditEvent?patient=${other.patientId}`, { cookie: session.cookie }), 404);
    fhirBody(await get(`/fhir/AuditEvent?patient=${patient.patientId}`, gp), 404);
    expect(await lastActions(1)).toEqual([{ action: 'access_denied', actor_id: GP }]);
    fhirBody(await get(`/fhir/AuditEvent?patient=${patient.patientId}`, {}), 401);
  });
});

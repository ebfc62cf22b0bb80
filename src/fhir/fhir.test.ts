import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Bundle, DocumentReference } from '@medplum/fhirtypes';
import { describeEngines } from '../../test/engines.ts';
import { testApp } from '../../test/helpers.ts';
import type { TestContext } from '../../test/helpers.ts';
import { insertPatient } from '../../test/fixtures.ts';
import { cryptoRandom } from '../platform/random.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { registerSoftwareClient, tokenEndpointUrl } from '../pro-auth/index.ts';
import { exchange, signAssertion, softwareKey } from '../pro-auth/token-test-kit.ts';
import type { SoftwareKey } from '../pro-auth/token-test-kit.ts';
import { assertValidFhir, fhirBody, outcome } from './fhir-test-kit.ts';
import { documentRefId, LOINC_SYSTEM, TRE_A03_SYSTEM } from './documents.ts';
import { ID_NAT_PS_SYSTEM, ID_NAT_ST_SYSTEM } from './directory.ts';

const GP = DEMO_PROFESSIONALS.generalPractitioner; // 10/SM54, Cabinet des Lilas
const NURSE = DEMO_PROFESSIONALS.nurse; // 60, Cabinet des Lilas
const LILAS = '759990013';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

function form(fields: Record<string, string>): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----carnet${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cr.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), PDF, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

describe('FHIR validation kit', () => {
  it('refuses an invalid resource', () => {
    expect(() => assertValidFhir({ resourceType: 'Patient', birthDate: 'yesterday' })).toThrow(/not valid/);
    expect(() => assertValidFhir({ resourceType: 'Bundle' })).toThrow(/not valid/);
    expect(() => assertValidFhir({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Patient', foo: 1 } }] })).toThrow(/not valid/);
  });
});

describeEngines('FHIR facade', (getDb) => {
  let t: TestContext;
  let key: SoftwareKey;
  let clientId: string;
  let patientId: string;
  const claims: Record<string, Record<string, string>> = {
    [GP]: { profession: '10', specialty: 'SM54', organisation: LILAS },
    [NURSE]: { profession: '60', organisation: LILAS },
  };

  async function bearer(ps: string): Promise<Record<string, string>> {
    const res = await exchange(t.app, await signAssertion(key, { iss: clientId, sub: ps, aud: tokenEndpointUrl(t.config), now: t.clock.now(), claims: claims[ps] ?? {} }));
    expect(res.statusCode, res.body).toBe(200);
    return { authorization: `Bearer ${(res.json() as { access_token: string }).access_token}` };
  }
  const get = async (url: string, ps: string | null = GP, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers: { ...(ps === null ? {} : await bearer(ps)), ...headers } });

  async function submit(ps: string, typeCode: string, title = 'CR'): Promise<string> {
    const f = form({ typeCode, title, createdOn: '2026-01-10' });
    const res = await t.app.inject({ method: 'POST', url: `/api/pro/patients/${patientId}/documents`, headers: { ...(await bearer(ps)), ...f.headers }, payload: f.payload });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { documentId: string }).documentId;
  }
  const authorize = (ps: string) => t.db.query('INSERT INTO professional_relations (patient_id, id_nat_ps, authorized_since) VALUES ($1, $2, $3) ON CONFLICT (patient_id, id_nat_ps) DO UPDATE SET authorized_since = EXCLUDED.authorized_since', [patientId, ps, t.clock.now()]);

  beforeAll(async () => {
    t = await testApp(getDb());
    await loadDemoDirectory(t.db, t.clock);
    key = await softwareKey('ES256');
    clientId = (await registerSoftwareClient(t.db, { clock: t.clock, random: cryptoRandom }, { name: 'DPI Lilas', organisationFiness: LILAS, jwks: key.jwks })).clientId;
  });

  beforeEach(async () => {
    patientId = (await insertPatient(t.db, { status: 'active' })).patientId;
  });

  describe('metadata and errors', () => {
    it('serves a valid CapabilityStatement without authentication', async () => {
      const cs = fhirBody<{ resourceType: string; fhirVersion: string; rest: { security: { extension: { extension: { valueUri: string }[] }[] }; resource: { type: string }[] }[] }>(await get('/fhir/metadata', null), 200);
      expect(cs).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1' });
      const resources = (cs.rest[0]?.resource ?? []) as { type: string; interaction: { code: string }[] }[];
      expect(resources.map((r) => r.type)).toEqual(expect.arrayContaining(['Practitioner', 'PractitionerRole', 'Organization', 'DocumentReference', 'Binary', 'Patient', 'AuditEvent', 'Condition', 'Observation']));
      // In step with the routes: every interaction announced has its route.
      for (const r of resources) {
        for (const { code } of r.interaction) {
          const url = code === 'read' ? `/fhir/${r.type}/:id` : `/fhir/${r.type}`;
          expect(t.app.hasRoute({ method: 'GET', url }), `${code} ${r.type}`).toBe(true);
        }
      }
      expect(cs.rest[0]?.security.extension[0]?.extension[0]?.valueUri).toBe(tokenEndpointUrl(t.config));
    });

    it('answers 401 OperationOutcome without a token, 404 for an unknown route, 400 for bad parameters', async () => {
      const unauth = await get('/fhir/Practitioner/899900000011', null);
      outcome(unauth, 401, 'login');
      outcome(await get('/fhir/Patient/x'), 404, 'not-found');
      const bad = outcome(await get(`/fhir/DocumentReference?patient=${patientId}&_count=0`), 400, 'invalid');
      expect(bad.issue[0]?.details?.text).toMatch(/_count/);
      outcome(await get(`/fhir/DocumentReference?patient=${patientId}&date=yesterday`), 400, 'invalid');
      outcome(await get(`/fhir/DocumentReference?patient=${patientId}&colour=blue`), 400, 'invalid');
      outcome(await get('/fhir/DocumentReference?type=11488-4'), 400, 'invalid');
      outcome(await get('/fhir/DocumentReference?patient=Patient/not-a-uuid'), 400, 'invalid');
    });
  });

  describe('directory', () => {
    it('reads a Practitioner, its PractitionerRole and its Organization', async () => {
      const p = fhirBody<{ identifier: { system: string; value: string }[]; name: { family: string }[] }>(await get(`/fhir/Practitioner/${GP}`), 200);
      expect(p.identifier[0]).toEqual({ use: 'official', system: ID_NAT_PS_SYSTEM, value: GP });
      expect(p.name[0]?.family).toBe('BERNARD');
      const role = fhirBody<{ organization: { reference: string }; code: { coding: { code: string }[] }[]; specialty: { coding: { code: string }[] }[] }>(await get(`/fhir/PractitionerRole/${GP}`), 200);
      expect(role.organization.reference).toBe(`Organization/${LILAS}`);
      expect(role.code[0]?.coding[0]?.code).toBe('10');
      expect(role.specialty[0]?.coding[0]?.code).toBe('SM54');
      const org = fhirBody<{ identifier: { system: string; value: string }[] }>(await get(`/fhir/Organization/${LILAS}`), 200);
      expect(org.identifier).toContainEqual({ use: 'official', system: ID_NAT_ST_SYSTEM, value: `1${LILAS}` });
      outcome(await get('/fhir/Practitioner/812345678901'), 404, 'not-found');
      outcome(await get('/fhir/Organization/nope'), 404, 'not-found');
    });

    it('searches with searchset Bundles and paging', async () => {
      const byId = fhirBody<Bundle>(await get(`/fhir/Practitioner?identifier=${encodeURIComponent(`${ID_NAT_PS_SYSTEM}|${GP}`)}`), 200);
      expect(byId.entry?.map((e) => e.resource?.id)).toEqual([GP]);
      const byFamily = fhirBody<Bundle>(await get('/fhir/Practitioner?family=bern'), 200);
      expect(byFamily.entry?.map((e) => e.resource?.id)).toEqual([GP]);
      const page1 = fhirBody<Bundle>(await get('/fhir/Practitioner?_count=2'), 200);
      expect(page1.entry).toHaveLength(2);
      const next = page1.link?.find((l) => l.relation === 'next')?.url ?? '';
      expect(next).toContain('_offset=2');
      const page2 = fhirBody<Bundle>(await get(next.slice(next.indexOf('/fhir/'))), 200);
      expect(page2.entry?.[0]?.resource?.id).not.toBe(page1.entry?.[0]?.resource?.id);
      const roles = fhirBody<Bundle>(await get(`/fhir/PractitionerRole?organization=Organization/${LILAS}&role=60`), 200);
      expect(roles.entry?.map((e) => e.resource?.id)).toEqual([NURSE]);
      const orgs = fhirBody<Bundle>(await get(`/fhir/Organization?identifier=${LILAS}`), 200);
      expect(orgs.total).toBe(1);
    });
  });

  describe('documents', () => {
    it('searches DocumentReference with filters and paging; hides what the matrix hides (404); serves Binary', async () => {
      const cr = await submit(GP, '11488-4', 'CR de consultation');
      const cert = await submit(GP, '89601-9', 'Certificat médical'); // nurses do not read it (RULES §3.2)
      const synth = await submit(GP, 'SYNTH', 'Synthèse');
      await authorize(GP);
      await authorize(NURSE);

      const all = fhirBody<Bundle<DocumentReference>>(await get(`/fhir/DocumentReference?patient=Patient/${patientId}`), 200);
      expect(all.total).toBe(3);
      const doc = all.entry?.find((e) => e.resource?.id === documentRefId(patientId, cr))?.resource;
      expect(doc).toMatchObject({ status: 'current', subject: { reference: `Patient/${patientId}` }, type: { coding: [{ system: LOINC_SYSTEM, code: '11488-4' }] }, category: [{ coding: [{ system: TRE_A03_SYSTEM, code: '10' }] }] });
      expect(doc?.content[0]?.attachment).toMatchObject({ contentType: 'application/pdf', size: PDF.length, url: `Binary/${documentRefId(patientId, cr)}` });

      const page = fhirBody<Bundle>(await get(`/fhir/DocumentReference?patient=${patientId}&_count=2`), 200);
      expect(page.entry).toHaveLength(2);
      const next = page.link?.find((l) => l.relation === 'next')?.url ?? '';
      const rest = fhirBody<Bundle>(await get(next.slice(next.indexOf('/fhir/'))), 200);
      expect(rest.entry).toHaveLength(1);
      expect(rest.link?.some((l) => l.relation === 'next')).toBe(false);

      const byType = fhirBody<Bundle>(await get(`/fhir/DocumentReference?patient=${patientId}&type=${encodeURIComponent(`${LOINC_SYSTEM}|11488-4`)}`), 200);
      expect(byType.entry?.map((e) => e.resource?.id)).toEqual([documentRefId(patientId, cr)]);
      const byCategory = fhirBody<Bundle>(await get(`/fhir/DocumentReference?patient=${patientId}&category=11`), 200);
      expect(byCategory.entry?.map((e) => e.resource?.id)).toEqual([documentRefId(patientId, synth)]);
      const today = t.clock.now().toISOString().slice(0, 10);
      expect(fhirBody<Bundle>(await get(`/fhir/DocumentReference?patient=${patientId}&date=${today}`), 200).total).toBe(3);
      expect(fhirBody<Bundle>(await get(`/fhir/DocumentReference?patient=${patientId}&date=lt${today}`), 200).total).toBe(0);
      expect(fhirBody<Bundle>(await get(`/fhir/DocumentReference?patient=${patientId}&status=superseded`), 200).total).toBe(0);

      // The nurse: the certificate is hidden, in searches and by id, like a document that does not exist.
      const nurse = fhirBody<Bundle>(await get(`/fhir/DocumentReference?patient=${patientId}`, NURSE), 200);
      expect(nurse.entry?.map((e) => e.resource?.id).sort()).toEqual([documentRefId(patientId, cr), documentRefId(patientId, synth)].sort());
      outcome(await get(`/fhir/DocumentReference/${documentRefId(patientId, cert)}`, NURSE), 404, 'not-found');
      outcome(await get(`/fhir/Binary/${documentRefId(patientId, cert)}`, NURSE), 404, 'not-found');
      const denied = await t.db.query<{ action: string }>('SELECT action FROM audit_events WHERE patient_id = $1 ORDER BY seq DESC LIMIT 1', [patientId]);
      expect(denied[0]?.action).toBe('access_denied');
      outcome(await get(`/fhir/DocumentReference/${'0'.repeat(64)}`), 404, 'not-found');

      // Read by id (traced), then the content raw and as a Binary resource.
      const one = fhirBody<DocumentReference>(await get(`/fhir/DocumentReference/${documentRefId(patientId, cr)}`), 200);
      expect(one.description).toBe('CR de consultation');
      const traced = await t.db.query<{ action: string }>('SELECT action FROM audit_events WHERE patient_id = $1 ORDER BY seq DESC LIMIT 1', [patientId]);
      expect(traced[0]?.action).toBe('document_metadata_read');
      const raw = await get(`/fhir/Binary/${documentRefId(patientId, cr)}`);
      expect(raw.statusCode).toBe(200);
      expect(raw.headers['content-type']).toBe('application/pdf');
      expect(raw.rawPayload.equals(PDF)).toBe(true);
      const binary = fhirBody<{ contentType: string; data: string }>(await get(`/fhir/Binary/${documentRefId(patientId, cr)}`, GP, { accept: 'application/fhir+json' }), 200);
      expect(binary.contentType).toBe('application/pdf');
      expect(Buffer.from(binary.data, 'base64').equals(PDF)).toBe(true);
    });

    it('a professional with no access to the space gets 404 on its search', async () => {
      await submit(GP, '11488-4');
      outcome(await get(`/fhir/DocumentReference?patient=${patientId}`, NURSE), 404, 'not-found');
    });
  });
});

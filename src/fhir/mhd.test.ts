import { beforeAll, beforeEach, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, DocumentReference } from '@medplum/fhirtypes';
import { describeEngines } from '../../test/engines.ts';
import { testApp } from '../../test/helpers.ts';
import type { TestContext } from '../../test/helpers.ts';
import { insertPatient } from '../../test/fixtures.ts';
import { cryptoRandom } from '../platform/random.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { registerSoftwareClient, tokenEndpointUrl } from '../pro-auth/index.ts';
import { exchange, signAssertion, softwareKey } from '../pro-auth/token-test-kit.ts';
import type { SoftwareKey } from '../pro-auth/token-test-kit.ts';
import { fhirBody, outcome } from './fhir-test-kit.ts';
import { LOINC_SYSTEM, TRE_A03_SYSTEM } from './documents.ts';

const GP = DEMO_PROFESSIONALS.generalPractitioner; // 10/SM54, Cabinet des Lilas
const LILAS = '759990013';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** An ITI-65 bundle: SubmissionSet List, DocumentReference, Binary. */
function provideBundle(patientId: string, opts: { typeCode?: string; data?: string; url?: string } = {}): Bundle {
  const binaryUrl = `urn:uuid:${randomUUID()}`;
  const docUrl = `urn:uuid:${randomUUID()}`;
  const entry: BundleEntry[] = [
    {
      fullUrl: `urn:uuid:${randomUUID()}`,
      resource: { resourceType: 'List', status: 'current', mode: 'working', subject: { reference: `Patient/${patientId}` }, entry: [{ item: { reference: docUrl } }] },
      request: { method: 'POST', url: 'List' },
    },
    {
      fullUrl: docUrl,
      resource: {
        resourceType: 'DocumentReference',
        status: 'current',
        type: { coding: [{ system: LOINC_SYSTEM, code: opts.typeCode ?? '11488-4' }] },
        category: [{ coding: [{ system: TRE_A03_SYSTEM, code: '10' }] }],
        subject: { reference: `Patient/${patientId}` },
        description: 'CR de consultation (MHD)',
        context: { period: { start: '2026-01-10' } },
        content: [{ attachment: { contentType: 'application/pdf', url: opts.url ?? binaryUrl } }],
      },
      request: { method: 'POST', url: 'DocumentReference' },
    },
    { fullUrl: binaryUrl, resource: { resourceType: 'Binary', contentType: 'application/pdf', data: opts.data ?? PDF.toString('base64') }, request: { method: 'POST', url: 'Binary' } },
  ];
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

describeEngines('FHIR MHD Provide Document Bundle (ITI-65)', (getDb) => {
  let t: TestContext;
  let key: SoftwareKey;
  let clientId: string;
  let patientId: string;

  async function bearer(): Promise<Record<string, string>> {
    const claims = { profession: '10', specialty: 'SM54', organisation: LILAS };
    const res = await exchange(t.app, await signAssertion(key, { iss: clientId, sub: GP, aud: tokenEndpointUrl(t.config), now: t.clock.now(), claims }));
    expect(res.statusCode, res.body).toBe(200);
    return { authorization: `Bearer ${(res.json() as { access_token: string }).access_token}` };
  }
  const post = async (body: unknown, auth = true) =>
    t.app.inject({ method: 'POST', url: '/fhir', headers: { ...(auth ? await bearer() : {}), 'content-type': 'application/fhir+json' }, payload: JSON.stringify(body) });
  const get = async (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers: { ...(await bearer()), ...headers } });

  beforeAll(async () => {
    t = await testApp(getDb());
    await loadDemoDirectory(t.db, t.clock);
    key = await softwareKey('ES256');
    clientId = (await registerSoftwareClient(t.db, { clock: t.clock, random: cryptoRandom }, { name: 'DPI Lilas', organisationFiness: LILAS, jwks: key.jwks })).clientId;
  });

  beforeEach(async () => {
    patientId = (await insertPatient(t.db, { status: 'active' })).patientId;
  });

  it('creates the document; it reads back through DocumentReference and Binary with the same bytes', async () => {
    const res = fhirBody<Bundle>(await post(provideBundle(patientId)), 200);
    expect(res.type).toBe('transaction-response');
    expect(res.entry?.map((e) => e.response?.status)).toEqual(['200 OK', '201 Created', '201 Created']);
    const location = res.entry?.[1]?.response?.location ?? '';
    expect(location).toMatch(/^DocumentReference\/[0-9a-f]{64}$/);
    const id = location.split('/')[1] ?? '';
    expect(res.entry?.[2]?.response?.location).toBe(`Binary/${id}`);
    const created = await t.db.query<{ action: string }>('SELECT action FROM audit_events WHERE patient_id = $1 ORDER BY seq DESC LIMIT 1', [patientId]);
    expect(created[0]?.action).toBe('document_created');

    await t.db.query('INSERT INTO professional_relations (patient_id, id_nat_ps, authorized_since) VALUES ($1, $2, $3) ON CONFLICT (patient_id, id_nat_ps) DO NOTHING', [patientId, GP, t.clock.now()]);
    const doc = fhirBody<DocumentReference>(await get(`/fhir/${location}`), 200);
    expect(doc).toMatchObject({ description: 'CR de consultation (MHD)', subject: { reference: `Patient/${patientId}` }, type: { coding: [{ system: LOINC_SYSTEM, code: '11488-4' }] }, context: { period: { start: '2026-01-10' } } });
    expect(doc.content[0]?.attachment).toMatchObject({ contentType: 'application/pdf', size: PDF.length });
    const raw = await get(`/fhir/Binary/${id}`);
    expect(raw.statusCode).toBe(200);
    expect(raw.rawPayload.equals(PDF)).toBe(true);
  });

  it('refuses bad bundles with a 400 OperationOutcome', async () => {
    outcome(await post({ ...provideBundle(patientId), type: 'batch' }), 400, 'invalid');
    const noBinary = provideBundle(patientId);
    noBinary.entry = noBinary.entry?.slice(0, 2) ?? [];
    outcome(await post(noBinary), 400, 'invalid');
    outcome(await post(provideBundle(patientId, { url: `urn:uuid:${randomUUID()}` })), 400, 'invalid');
    const unknownType = outcome(await post(provideBundle(patientId, { typeCode: '99999-9' })), 400, 'invalid');
    expect(unknownType.issue[0]?.details?.text).toMatch(/JDV_J66/);
    outcome(await post(provideBundle(patientId, { data: 'not base64!' })), 400, 'invalid');
    outcome(await post(provideBundle(patientId, { data: Buffer.from('GIF89a not a pdf').toString('base64') })), 400, 'invalid');
    outcome(await post(provideBundle('not-a-uuid')), 400, 'invalid');
    const rows = await t.db.query<{ n: string }>('SELECT count(*)::text AS n FROM documents WHERE patient_id = $1', [patientId]);
    expect(rows[0]?.n).toBe('0');
  });

  it('answers 401 without a token and 404 for a space the professional may not feed', async () => {
    outcome(await post(provideBundle(patientId), false), 401, 'login');
    outcome(await post(provideBundle(randomUUID())), 404, 'not-found');
  });
});

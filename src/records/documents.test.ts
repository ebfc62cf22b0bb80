import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { cryptoRandom } from '../platform/random.ts';
import { createStaffAccount, DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { registerSoftwareClient } from '../pro-auth/index.ts';
import { tokenEndpointUrl } from '../pro-auth/index.ts';
import { exchange, signAssertion, softwareKey } from '../pro-auth/token-test-kit.ts';
import { form, pdf, PDF, PNG, sha } from './documents-test-kit.ts';
import type { FilePart } from './documents-test-kit.ts';
import type { SoftwareKey } from '../pro-auth/token-test-kit.ts';

const GP = DEMO_PROFESSIONALS.generalPractitioner; // 10/SM54, Cabinet des Lilas
const CARDIO = DEMO_PROFESSIONALS.cardiologist; // 10/SM04, hospital
const NURSE = DEMO_PROFESSIONALS.nurse; // 60, Cabinet des Lilas
const DENTIST = DEMO_PROFESSIONALS.dentist; // 40, attached to Lilas for the test (a token needs an organisation)
const SAMU = DEMO_PROFESSIONALS.samuRegulator; // 10/SM59, SAMU 75
const LILAS = '759990013';

describeEngines('documents of the shared record', (getDb) => {
  let t: TestContext;
  let patient: SignedIn;
  let patientId: string;
  let key: SoftwareKey;
  const clients = new Map<string, string>();
  const claims: Record<string, { profession: string; specialty?: string; organisation: string }> = {
    [GP]: { profession: '10', specialty: 'SM54', organisation: LILAS },
    [CARDIO]: { profession: '10', specialty: 'SM04', organisation: '759990021' },
    [NURSE]: { profession: '60', organisation: LILAS },
    [DENTIST]: { profession: '40', organisation: LILAS },
    [SAMU]: { profession: '10', specialty: 'SM59', organisation: '759990047' },
  };

  /** A fresh bearer token for a demo professional (tokens live 5 minutes; tests move the clock). */
  async function bearer(ps: string): Promise<Record<string, string>> {
    const c = claims[ps];
    if (!c) throw new Error(`no claims for ${ps}`);
    let clientId = clients.get(c.organisation);
    if (clientId === undefined) {
      clientId = (await registerSoftwareClient(t.db, { clock: t.clock, random: cryptoRandom }, { name: `DPI ${c.organisation}`, organisationFiness: c.organisation, jwks: key.jwks })).clientId;
      clients.set(c.organisation, clientId);
    }
    const res = await exchange(t.app, await signAssertion(key, { iss: clientId, sub: ps, aud: tokenEndpointUrl(t.config), now: t.clock.now(), claims: c }));
    expect(res.statusCode, res.body).toBe(200);
    return { authorization: `Bearer ${(res.json() as { access_token: string }).access_token}` };
  }

  const proUrl = (pid = patientId) => `/api/pro/patients/${pid}/documents`;
  const spaceUrl = (pid = patientId) => `/api/spaces/${pid}/documents`;

  async function psSubmit(ps: string, fields: Record<string, string>, file: FilePart | null = pdf(), pid = patientId): Promise<LightMyRequestResponse> {
    const f = form(fields, file ?? undefined);
    return t.app.inject({ method: 'POST', url: proUrl(pid), headers: { ...(await bearer(ps)), ...f.headers }, payload: f.payload });
  }
  async function psSubmitOk(ps: string, fields: Record<string, string> = {}, file?: FilePart): Promise<{ documentId: string; sha256: string }> {
    const res = await psSubmit(ps, { typeCode: '11488-4', title: 'CR de consultation', createdOn: '2026-01-10', ...fields }, file);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { documentId: string; sha256: string };
  }
  async function psList(ps: string, query = ''): Promise<LightMyRequestResponse> {
    return t.app.inject({ method: 'GET', url: `${proUrl()}${query}`, headers: await bearer(ps) });
  }
  async function psRead(ps: string, documentId: string, query = ''): Promise<LightMyRequestResponse> {
    return t.app.inject({ method: 'GET', url: `${proUrl()}/${documentId}/content${query}`, headers: await bearer(ps) });
  }
  async function patientUpload(fields: Record<string, string>, file?: FilePart): Promise<LightMyRequestResponse> {
    const f = form(fields, file);
    return t.app.inject({ method: 'POST', url: spaceUrl(), headers: { ...patient.headers, ...f.headers }, payload: f.payload });
  }
  const patientList = async (query = '') => t.app.inject({ method: 'GET', url: `${spaceUrl()}${query}`, headers: { cookie: patient.cookie } });
  const patientIds = async () => ((await patientList()).json() as { documents: { documentId: string }[] }).documents.map((d) => d.documentId);
  const patientRead = (id: string) => t.app.inject({ method: 'GET', url: `${spaceUrl()}/${id}/content`, headers: { cookie: patient.cookie } });

  const traceCount = async () => Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_events WHERE patient_id = $1', [patientId]))[0]?.n);
  const lastTrace = async () =>
    (await t.db.query<{ action: string; mode: string; actor_id: string; target: string | null; detail: Record<string, unknown> }>('SELECT action, mode, actor_id, target, detail FROM audit_events WHERE patient_id = $1 ORDER BY seq DESC LIMIT 1', [patientId]))[0];
  /** Runs `fn` and checks it left exactly one trace entry; returns it with fn's result. */
  async function once<T>(fn: () => Promise<T>): Promise<{ result: T; entry: NonNullable<Awaited<ReturnType<typeof lastTrace>>> }> {
    const before = await traceCount();
    const result = await fn();
    expect(await traceCount()).toBe(before + 1);
    const entry = await lastTrace();
    if (!entry) throw new Error('no trace');
    return { result, entry };
  }
  const authorize = (ps: string, column = 'authorized_since') =>
    t.db.query(`INSERT INTO professional_relations (patient_id, id_nat_ps, ${column}) VALUES ($1, $2, $3) ON CONFLICT (patient_id, id_nat_ps) DO UPDATE SET ${column} = EXCLUDED.${column}`, [
      patientId,
      ps,
      t.clock.now(),
    ]);

  beforeAll(async () => {
    t = await testApp(getDb());
    await loadDemoDirectory(t.db, t.clock);
    await t.db.query('UPDATE professionals SET organisation_finess = $2 WHERE id_nat_ps = $1', [DENTIST, LILAS]);
    key = await softwareKey('ES256');
  });

  beforeEach(async () => {
    const p = await insertActivePatient(t.db);
    patientId = p.patientId;
    patient = await signIn(t, p.loginId, p.password);
  });

  describe('submission by a PS and reading', () => {
    it('a PS (even not authorized) submits; the patient lists and reads the same bytes; content is sealed; one trace each', async () => {
      const { result: doc, entry } = await once(() => psSubmitOk(NURSE));
      expect(entry).toMatchObject({ action: 'document_created', mode: 'normal', actor_id: NURSE, target: `document:${doc.documentId}` });
      expect(doc.sha256).toBe(sha(PDF));

      const { result: list } = await once(patientList);
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json()).toMatchObject({ documents: [{ documentId: doc.documentId, typeCode: '11488-4', classCode: '10', author: { kind: 'professional', id: NURSE }, format: 'application/pdf', size: PDF.length, status: 'current' }], emergency: null });

      const { result: read, entry: readEntry } = await once(() => patientRead(doc.documentId));
      expect(read.statusCode, read.body).toBe(200);
      expect(read.rawPayload.equals(PDF)).toBe(true);
      expect(read.headers['x-carnet-sha256']).toBe(sha(read.rawPayload));
      expect(readEntry).toMatchObject({ action: 'document_read', actor_id: patientId });

      // One document's metadata, for the patient and for a PS the rules let in (traced as such).
      const { result: meta, entry: metaEntry } = await once(() => t.app.inject({ method: 'GET', url: `${spaceUrl()}/${doc.documentId}`, headers: { cookie: patient.cookie } }));
      expect(meta.json()).toMatchObject({ documentId: doc.documentId, typeCode: '11488-4', sha256: doc.sha256 });
      expect(metaEntry).toMatchObject({ action: 'document_metadata_read', actor_id: patientId, target: `document:${doc.documentId}` });
      expect((await t.app.inject({ method: 'GET', url: `${proUrl()}/${doc.documentId}`, headers: await bearer(NURSE) })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: `${proUrl()}/${doc.documentId}`, headers: await bearer(GP) })).statusCode).toBe(404);

      const blobs = await t.db.query<{ ciphertext: Uint8Array }>('SELECT ciphertext FROM blobs WHERE patient_id = $1', [patientId]);
      expect(blobs).toHaveLength(1);
      const stored = Buffer.from(blobs[0]?.ciphertext ?? []);
      expect(stored.equals(PDF)).toBe(false);
      expect(stored.includes(Buffer.from('%PDF'))).toBe(false);
    });

    it('a PS not authorized cannot list nor read (404, traced with the reason), but feeds', async () => {
      const { documentId } = await psSubmitOk(GP);
      await psSubmitOk(NURSE);
      const { result: list, entry } = await once(() => psList(NURSE));
      expect(list.statusCode).toBe(404);
      expect(entry).toMatchObject({ action: 'access_denied', detail: { attempted: 'list', reason: 'not_authorized' } });
      const { result: read, entry: e2 } = await once(() => psRead(NURSE, documentId));
      expect(read.statusCode).toBe(404);
      expect(e2).toMatchObject({ action: 'access_denied', target: `document:${documentId}`, detail: { reason: 'not_authorized' } });
    });

    it('an authorized PS reads what the matrix opens: a dentist does not read a 80788-3', async () => {
      await authorize(DENTIST);
      const plan = await psSubmitOk(GP, { typeCode: '80788-3', title: 'Projet personnalisé' });
      const cr = await psSubmitOk(GP);
      const list = await psList(DENTIST);
      expect(list.statusCode, list.body).toBe(200);
      expect((list.json() as { documents: { documentId: string }[] }).documents.map((d) => d.documentId)).toEqual([cr.documentId]);
      const { result: denied, entry } = await once(() => psRead(DENTIST, plan.documentId));
      expect(denied.statusCode).toBe(404);
      expect(entry.detail).toMatchObject({ reason: 'matrix_excludes_type' });
      expect((await psRead(DENTIST, cr.documentId)).statusCode).toBe(200);
    });

    it('a masked document is hidden from a non-administrator PS, seen by its author and by an administrator', async () => {
      await authorize(GP);
      await authorize(DENTIST, 'administrator_since');
      const doc = await psSubmitOk(CARDIO, { maskedToProfessionals: 'true' });
      expect((await psRead(GP, doc.documentId)).statusCode).toBe(404);
      expect((await psRead(CARDIO, doc.documentId)).statusCode).toBe(200);
      expect((await psRead(DENTIST, doc.documentId)).statusCode).toBe(200);
      expect(await patientIds()).toContain(doc.documentId);
    });

    it('invisible to the patient for a month; the PS is warned', async () => {
      await authorize(GP);
      const doc = await psSubmitOk(CARDIO, { invisibleToPatient: 'true' });
      expect(await patientIds()).not.toContain(doc.documentId);
      expect((await patientRead(doc.documentId)).statusCode).toBe(404);
      const ps = await psRead(GP, doc.documentId);
      expect(ps.statusCode).toBe(200);
      expect(ps.headers['x-carnet-warning']).toMatch(/^invisible-to-patient/);
      expect(((await psList(GP)).json() as { documents: { warnings: string[] }[] }).documents[0]?.warnings).toEqual(['invisible_to_patient']);

      t.clock.advanceDays(32);
      const p = await t.db.query<{ login_id: string }>('SELECT login_id FROM patients WHERE patient_id = $1', [patientId]);
      patient = await signIn(t, p[0]?.login_id ?? '', 'Correct-Horse-42');
      expect(await patientIds()).toContain(doc.documentId);
      expect((await psRead(GP, doc.documentId)).headers['x-carnet-warning']).toBeUndefined();
    });

    it('refuses masked together with invisible to the patient, an unknown type, a class mismatch, a future date, a missing file: 400 naming the field, nothing written', async () => {
      const before = await traceCount();
      const cases: [Record<string, string>, FilePart | null, string][] = [
        [{ typeCode: '11488-4', title: 'x', createdOn: '2026-01-10', maskedToProfessionals: 'true', invisibleToPatient: 'true' }, pdf(), 'body.invisibleToPatient'],
        [{ typeCode: 'NOPE', title: 'x', createdOn: '2026-01-10' }, pdf(), 'body.typeCode'],
        [{ typeCode: '11488-4', classCode: '11', title: 'x', createdOn: '2026-01-10' }, pdf(), 'body.classCode'],
        [{ typeCode: '11488-4', title: 'x', createdOn: '2027-01-10' }, pdf(), 'body.createdOn'],
        [{ typeCode: '11488-4', title: 'x', createdOn: '2026-01-10' }, null, 'body.file'],
        [{ typeCode: 'REMB', title: 'x', createdOn: '2026-01-10' }, pdf(), 'body.typeCode'],
        [{ typeCode: '11488-4', title: 'x', createdOn: '2026-01-10' }, { type: 'application/pdf', content: PNG }, 'body.file'],
      ];
      for (const [fields, file, field] of cases) {
        const res = await psSubmit(GP, fields, file);
        expect(res.statusCode, `${field}: ${res.body}`).toBe(400);
        expect((res.json() as { errors: { field: string }[] }).errors[0]?.field).toBe(field);
      }
      expect(await traceCount()).toBe(before);
      expect(await t.db.query('SELECT 1 FROM documents WHERE patient_id = $1', [patientId])).toHaveLength(0);
    });
  });

  describe('emergency access and blocking', () => {
    beforeEach(async () => {
      await t.db.query('INSERT INTO access_settings (patient_id, medecin_traitant, updated_at) VALUES ($1, $2, $3)', [patientId, GP, t.clock.now()]);
    });

    it('bris de glace needs a justification; with one it is permitted, traced with its mode, notified to the patient and the médecin traitant', async () => {
      const doc = await psSubmitOk(CARDIO);
      const { result: refused, entry } = await once(() => psList(NURSE, '?mode=bris_de_glace'));
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ errors: [{ field: 'querystring.justification' }] });
      expect(entry).toMatchObject({ action: 'access_denied', mode: 'bris_de_glace', detail: { reason: 'justification_required' } });

      const { result: list, entry: listed } = await once(() => psList(NURSE, '?mode=bris_de_glace&justification=Patient%20inconscient'));
      expect(list.statusCode, list.body).toBe(200);
      expect(list.json()).toMatchObject({ emergency: { mode: 'bris_de_glace', banner: true }, documents: [{ documentId: doc.documentId }] });
      expect(listed).toMatchObject({ action: 'documents_listed', mode: 'bris_de_glace', detail: { justification: 'Patient inconscient', medecinTraitantNotified: true } });
      const mails = await t.db.query<{ recipient: { email?: string }; params: Record<string, string> }>("SELECT recipient, params FROM outbox WHERE patient_id = $1 AND template = 'record_access' AND params->>'event' = 'emergency_access'", [patientId]);
      expect(mails).toHaveLength(2);
      expect(mails.map((m) => m.recipient.email)).toContain('sophie.bernard@demo.carnet.example');

      const read = await psRead(NURSE, doc.documentId, '?mode=bris_de_glace&justification=Patient%20inconscient');
      expect(read.statusCode).toBe(200);
      expect(read.headers['x-carnet-emergency-mode']).toBe('bris_de_glace');
    });

    it('the SAMU regulator reads without justification; another PS cannot use mode samu', async () => {
      await psSubmitOk(CARDIO);
      const { entry } = await once(async () => expect((await psList(SAMU, '?mode=samu')).statusCode).toBe(200));
      expect(entry).toMatchObject({ mode: 'samu', action: 'documents_listed' });
      expect((await psList(NURSE, '?mode=samu')).statusCode).toBe(404);
    });

    it('a blocked PS gets nothing: no list, no emergency, no feeding', async () => {
      await authorize(NURSE);
      await authorize(NURSE, 'blocked_since');
      const doc = await psSubmitOk(GP);
      expect((await psList(NURSE)).statusCode).toBe(404);
      expect((await psRead(NURSE, doc.documentId, '?mode=bris_de_glace&justification=urgence')).statusCode).toBe(404);
      const { result: fed, entry } = await once(() => psSubmit(NURSE, { typeCode: '11488-4', title: 'x', createdOn: '2026-01-10' }));
      expect(fed.statusCode).toBe(404);
      expect(entry.detail).toMatchObject({ reason: 'blocked' });
    });
  });

  describe('patient uploads', () => {
    it('accepts the listed formats, checked by their bytes, up to 5 MB', async () => {
      const ok = await once(() => patientUpload({ typeCode: 'DOCPAT03', title: 'Mon CR', createdOn: '2026-01-02' }, pdf()));
      expect(ok.result.statusCode, ok.result.body).toBe(201);
      expect(ok.result.json()).toMatchObject({ typeCode: 'DOCPAT03', classCode: '10', author: { kind: 'patient', id: patientId } });
      expect((await patientUpload({ title: 'Radio' }, { name: 'radio.png', type: 'image/png', content: PNG })).statusCode).toBe(201);
      expect((await patientUpload({ title: 'Note' }, { name: 'note.txt', type: 'text/plain', content: Buffer.from('Tension 12/8 ce matin.\n') })).statusCode).toBe(201);

      const before = await traceCount();
      const fake = await patientUpload({ title: 'Faux PDF' }, { name: 'x.pdf', type: 'application/pdf', content: Buffer.from('MZ\x90\x00binary') });
      expect(fake.statusCode).toBe(400);
      expect(fake.json()).toMatchObject({ errors: [{ field: 'body.file' }] });
      expect((await patientUpload({ title: 'Exe' }, { name: 'x.exe', type: 'application/x-msdownload', content: Buffer.from('MZ') })).statusCode).toBe(400);
      expect((await patientUpload({ title: 'XML' }, { name: 'x.xml', type: 'application/xml', content: Buffer.from('<a/>') })).statusCode).toBe(400);
      const wrongType = await patientUpload({ typeCode: '11488-4', title: 'x' }, pdf());
      expect(wrongType.statusCode).toBe(400);
      expect(wrongType.json()).toMatchObject({ errors: [{ field: 'body.typeCode' }] });
      const big = await patientUpload({ title: 'Gros' }, pdf(Buffer.concat([PDF, Buffer.alloc(5 * 1024 * 1024)])));
      expect(big.statusCode).toBe(413);
      expect(big.json()).toMatchObject({ code: 'payload_too_large', detail: expect.stringMatching(/5 MB/) });
      expect(await traceCount()).toBe(before);
    });

    it('edits and deletes only its own uploads; masks and unmasks any document', async () => {
      const own = (await patientUpload({ typeCode: 'EXPPAT_2', title: 'Avant', createdOn: '2026-01-02' }, pdf())).json() as { documentId: string };
      const ps = await psSubmitOk(GP);
      const patch = (id: string, body: unknown) => t.app.inject({ method: 'PATCH', url: `${spaceUrl()}/${id}`, headers: patient.headers, payload: body as object });

      const { result: edited, entry } = await once(() => patch(own.documentId, { title: 'Après', typeCode: 'DOCPAT07', createdOn: '2026-01-05' }));
      expect(edited.statusCode, edited.body).toBe(200);
      expect(edited.json()).toMatchObject({ title: 'Après', typeCode: 'DOCPAT07', classCode: '52', createdOn: '2026-01-05' });
      expect(entry).toMatchObject({ action: 'document_updated' });
      expect((await patch(own.documentId, { createdOn: '2030-01-01' })).statusCode).toBe(400);
      const { result: refused, entry: e2 } = await once(() => patch(ps.documentId, { title: 'Pirate' }));
      expect(refused.statusCode).toBe(403);
      expect(e2).toMatchObject({ action: 'access_denied', detail: { reason: 'not_author' } });
      expect((await t.app.inject({ method: 'DELETE', url: `${spaceUrl()}/${ps.documentId}`, headers: patient.headers })).statusCode).toBe(403);

      const mask = await once(() => t.app.inject({ method: 'POST', url: `${spaceUrl()}/${ps.documentId}/mask`, headers: patient.headers }));
      expect(mask.result.statusCode, mask.result.body).toBe(200);
      expect(mask.entry.action).toBe('document_masked');
      await authorize(NURSE);
      expect((await psRead(NURSE, ps.documentId)).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'POST', url: `${spaceUrl()}/${ps.documentId}/unmask`, headers: patient.headers })).statusCode).toBe(200);
      expect((await psRead(NURSE, ps.documentId)).statusCode).toBe(200);

      const del = await once(() => t.app.inject({ method: 'DELETE', url: `${spaceUrl()}/${own.documentId}`, headers: patient.headers }));
      expect(del.result.statusCode).toBe(204);
      expect(del.entry.action).toBe('document_deleted');
      expect((await patientRead(own.documentId)).statusCode).toBe(404);
      expect(await patientIds()).not.toContain(own.documentId);
    });

    it('needs the CSRF token and a session', async () => {
      const f = form({ title: 'x' }, pdf());
      expect((await t.app.inject({ method: 'POST', url: spaceUrl(), headers: { cookie: patient.cookie, ...f.headers }, payload: f.payload })).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'GET', url: spaceUrl() })).statusCode).toBe(401);
    });
  });

  describe('versions and deletion by the author', () => {
    it('replace makes a new version; the old one is superseded and still traced', async () => {
      const v1 = await psSubmitOk(GP);
      const f = form({ title: 'CR corrigé' }, pdf(Buffer.concat([PDF, Buffer.from('% v2\n')])));
      const { result: res, entry } = await once(async () =>
        t.app.inject({ method: 'POST', url: `${proUrl()}/${v1.documentId}/replace`, headers: { ...(await bearer(GP)), ...f.headers }, payload: f.payload }),
      );
      expect(res.statusCode, res.body).toBe(201);
      const v2 = res.json() as { documentId: string; versionOf: string; title: string; typeCode: string };
      expect(v2).toMatchObject({ versionOf: v1.documentId, title: 'CR corrigé', typeCode: '11488-4' });
      expect(entry).toMatchObject({ action: 'document_replaced', target: `document:${v2.documentId}`, detail: { replaces: v1.documentId } });
      expect(await patientIds()).toEqual([v2.documentId]);
      const all = (await patientList('?includeSuperseded=true')).json() as { documents: { documentId: string; status: string }[] };
      expect(all.documents.find((d) => d.documentId === v1.documentId)?.status).toBe('superseded');
      expect((await patientRead(v1.documentId)).statusCode).toBe(200);

      // Someone else's document: not theirs to replace.
      await authorize(NURSE);
      const g = form({}, pdf());
      expect((await t.app.inject({ method: 'POST', url: `${proUrl()}/${v2.documentId}/replace`, headers: { ...(await bearer(NURSE)), ...g.headers }, payload: g.payload })).statusCode).toBe(403);
    });

    it('the author deletes at the patient’s request only; nobody else', async () => {
      const doc = await psSubmitOk(GP);
      const del = async (ps: string, body: unknown) => t.app.inject({ method: 'DELETE', url: `${proUrl()}/${doc.documentId}`, headers: await bearer(ps), payload: body as object });
      expect((await del(GP, {})).statusCode).toBe(400);
      expect((await del(NURSE, { patientRequest: true })).statusCode).toBe(404);
      const { result, entry } = await once(() => del(GP, { patientRequest: true }));
      expect(result.statusCode).toBe(204);
      expect(entry).toMatchObject({ action: 'document_deleted', detail: { onPatientRequest: true } });
      expect(await patientIds()).not.toContain(doc.documentId);
      expect(await t.db.query('SELECT 1 FROM blobs WHERE patient_id = $1 AND blob_id = $2', [patientId, doc.documentId])).toHaveLength(0);
    });
  });

  describe('the insurer', () => {
    it('writes class 60 only and never reads', async () => {
      const { token } = await createStaffAccount(t.db, { clock: t.clock, random: cryptoRandom, config: t.config }, 'insurer', 'CPAM test');
      const post = (typeCode: string) => {
        const f = form({ typeCode, title: 'Remboursements 2025', createdOn: '2026-01-01' }, pdf());
        return t.app.inject({ method: 'POST', url: `/api/insurer/patients/${patientId}/documents`, headers: { authorization: `Bearer ${token}`, ...f.headers }, payload: f.payload });
      };
      const { result: ok, entry } = await once(() => post('REMB'));
      expect(ok.statusCode, ok.body).toBe(201);
      expect(ok.json()).toMatchObject({ classCode: '60', author: { kind: 'insurer' } });
      expect(entry).toMatchObject({ action: 'document_created', detail: { rule: 'insurer_write_reimbursement' } });
      expect((await post('11488-4')).statusCode).toBe(400);
      // No route reads for the insurer; its token is no professional's.
      expect((await t.app.inject({ method: 'GET', url: proUrl(), headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
      expect(await patientIds()).toHaveLength(1);
    });
  });
});

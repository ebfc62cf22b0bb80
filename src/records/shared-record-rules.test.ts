/**
 * RULES §3-§5 through the HTTP API, one test per rule that the other suites do not already
 * pin down (documents.test.ts, controls-routes.test.ts, consent-routes.test.ts,
 * documents-jobs.test.ts, documents-visibility.test.ts, src/audit and src/fhir): each one
 * fails if its rule is broken. Settings are changed through the patient's own API.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { ManualClock } from '../platform/clock.ts';
import { createStaffAccount, DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { cryptoRandom } from '../platform/random.ts';
import { proKit, traceOf } from './controls-test-kit.ts';
import type { ProKit } from './controls-test-kit.ts';
import { form, pdf } from './documents-test-kit.ts';

const GP = DEMO_PROFESSIONALS.generalPractitioner;
const CARDIO = DEMO_PROFESSIONALS.cardiologist;
const NURSE = DEMO_PROFESSIONALS.nurse;
const PODIATRIST = DEMO_PROFESSIONALS.podiatrist;
const SAMU = DEMO_PROFESSIONALS.samuRegulator;
const LILAS = '759990013';
const BTG = '?mode=bris_de_glace&justification=Patient%20inconscient%20aux%20urgences';

describeEngines('shared record rules (RULES §3-§5) over HTTP', (getDb) => {
  let t: TestContext;
  let pros: ProKit;
  let patientId: string;
  let patient: SignedIn;

  const proUrl = (pid = patientId) => `/api/pro/patients/${pid}/documents`;
  async function submit(ps: string, typeCode = '11488-4', pid = patientId, extra: Record<string, string> = {}): Promise<string> {
    const f = form({ typeCode, title: `Document ${typeCode}`, createdOn: '2026-01-10', ...extra }, pdf());
    const res = await t.app.inject({ method: 'POST', url: proUrl(pid), headers: { ...(await pros.headers(ps)), ...f.headers }, payload: f.payload });
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { documentId: string }).documentId;
  }
  const list = async (ps: string, query = '', pid = patientId): Promise<LightMyRequestResponse> => t.app.inject({ method: 'GET', url: `${proUrl(pid)}${query}`, headers: await pros.headers(ps) });
  const listedIds = async (ps: string, query = '', pid = patientId): Promise<string[] | number> => {
    const res = await list(ps, query, pid);
    return res.statusCode === 200 ? (res.json() as { documents: { documentId: string }[] }).documents.map((d) => d.documentId) : res.statusCode;
  };
  const idSet = async (ps: string, query = ''): Promise<Set<string>> => {
    const ids = await listedIds(ps, query);
    if (typeof ids === 'number') throw new Error(`list answered ${ids}`);
    return new Set(ids);
  };
  const read = async (ps: string, id: string, query = '') => t.app.inject({ method: 'GET', url: `${proUrl()}/${id}/content${query}`, headers: await pros.headers(ps) });
  const consent = async (ps: string, pid = patientId) => {
    const res = await t.app.inject({ method: 'POST', url: `/api/pro/patients/${pid}/consent`, headers: await pros.headers(ps), payload: { method: 'card' } });
    expect(res.statusCode, res.body).toBe(200);
  };
  const setting = async (method: 'PUT' | 'POST' | 'DELETE', path: string, payload?: Record<string, unknown>, pid = patientId, who = patient) => {
    const res = await t.app.inject({ method, url: `/api/spaces/${pid}/access${path}`, headers: who.headers, ...(payload === undefined ? {} : { payload }) });
    expect(res.statusCode, res.body).toBeLessThan(300);
  };
  const mails = (event: string, actorName = '%', pid = patientId) =>
    t.db.query<{ template: string; recipient: { email?: string } }>("SELECT template, recipient FROM outbox WHERE patient_id = $1 AND params->>'event' = $2 AND params->>'actorName' LIKE $3", [
      pid,
      event,
      actorName,
    ]);
  const newDocumentMails = async (pid = patientId) => (await t.db.query("SELECT 1 FROM outbox WHERE patient_id = $1 AND template = 'new_document'", [pid])).length;

  beforeAll(async () => {
    t = await testApp(getDb(), { clock: new ManualClock('2026-02-02T10:00:00Z') });
    await loadDemoDirectory(t.db, t.clock);
    // A token names the professional's organisation: the podiatrist practises at Les Lilas here.
    await t.db.query('UPDATE professionals SET organisation_finess = $2 WHERE id_nat_ps = $1', [PODIATRIST, LILAS]);
    pros = proKit(t);
  });

  beforeEach(async () => {
    const p = await insertActivePatient(t.db);
    patientId = p.patientId;
    patient = await signIn(t, p.loginId, p.password);
  });

  describe('§3.1 care team and consent', () => {
    it('a PS reads nothing before the patient’s consent, everything the matrix opens after it', async () => {
      const doc = await submit(CARDIO);
      expect(await listedIds(NURSE)).toBe(404);
      expect((await read(NURSE, doc)).statusCode).toBe(404);
      await consent(NURSE);
      expect(await listedIds(NURSE)).toEqual([doc]);
      expect((await read(NURSE, doc)).statusCode).toBe(200);
    });

    it('the declared médecin traitant reads without an attestation; removing the declaration ends it', async () => {
      const doc = await submit(CARDIO);
      expect(await listedIds(GP)).toBe(404);
      await setting('PUT', '/medecin-traitant', { idNatPs: GP });
      expect(await listedIds(GP)).toEqual([doc]);
      await setting('DELETE', '/medecin-traitant');
      expect(await listedIds(GP)).toBe(404);
    });
  });

  describe('§3.2 the matrix', () => {
    it('a podiatrist does not read 15508-5; a physician does not read ATTEST-RESID; the author reads both', async () => {
      const birth = await submit(GP, '15508-5');
      const resid = await submit(GP, 'ATTEST-RESID');
      const cr = await submit(GP, '11488-4');
      await consent(PODIATRIST);
      await consent(CARDIO);
      await consent(GP);
      expect(await idSet(PODIATRIST)).toEqual(new Set([resid, cr]));
      expect((await read(PODIATRIST, birth)).statusCode).toBe(404);
      expect(await idSet(CARDIO)).toEqual(new Set([birth, cr]));
      expect((await read(CARDIO, resid)).statusCode).toBe(404);
      expect(await idSet(GP)).toEqual(new Set([birth, resid, cr]));
      const refused = (await traceOf(t, patientId)).filter((r) => r.action === 'access_denied' && r.actor_id === PODIATRIST);
      expect(refused.at(-1)?.detail).toMatchObject({ reason: 'matrix_excludes_type' });
    });
  });

  describe('§3.3 emergency settings', () => {
    it('the patient refuses bris de glace: refused, traced; allowed again: permitted', async () => {
      const doc = await submit(CARDIO);
      await setting('PUT', '/emergency', { samu: true, brisDeGlace: false });
      expect(await listedIds(NURSE, BTG)).toBe(404);
      expect((await read(NURSE, doc, BTG)).statusCode).toBe(404);
      expect((await traceOf(t, patientId)).at(-1)).toMatchObject({ action: 'access_denied', detail: { reason: 'emergency_refused' } });
      await setting('PUT', '/emergency', { samu: true, brisDeGlace: true });
      expect(await listedIds(NURSE, BTG)).toEqual([doc]);
    });

    it('the patient refuses SAMU access: the regulator is refused', async () => {
      await submit(CARDIO);
      await setting('PUT', '/emergency', { samu: false, brisDeGlace: true });
      expect(await listedIds(SAMU, '?mode=samu')).toBe(404);
    });

    it('MASKED decides whether emergency access sees masked documents', async () => {
      const masked = await submit(CARDIO, '11488-4', patientId, { maskedToProfessionals: 'true' });
      const plain = await submit(CARDIO);
      await setting('PUT', '/emergency', { samu: true, brisDeGlace: true, masked: true });
      expect(await idSet(NURSE, BTG)).toEqual(new Set([masked, plain]));
      await setting('PUT', '/emergency', { samu: true, brisDeGlace: true, masked: false });
      expect(await listedIds(NURSE, BTG)).toEqual([plain]);
      expect((await read(NURSE, masked, BTG)).statusCode).toBe(404);
    });

    it('every emergency access is notified to the patient and the médecin traitant, and shown to the PS', async () => {
      await setting('PUT', '/medecin-traitant', { idNatPs: GP });
      await submit(CARDIO);
      const res = await list(SAMU, '?mode=samu');
      expect(res.json()).toMatchObject({ emergency: { mode: 'samu', banner: true } });
      const sent = await mails('emergency_access');
      expect(sent).toHaveLength(2);
      expect(sent.map((m) => m.recipient.email)).toContain('sophie.bernard@demo.carnet.example');
    });
  });

  describe('§3.4 blocking and mask-all', () => {
    it('mask-all: an authorized PS sees nothing; the author and an administrator still do; off again, all back', async () => {
      const byCardio = await submit(CARDIO);
      const byGp = await submit(GP);
      await consent(NURSE);
      await setting('PUT', `/administrators/${GP}`);
      await setting('PUT', '/mask-all', { on: true });
      expect(await listedIds(NURSE)).toEqual([]);
      expect((await read(NURSE, byCardio)).statusCode).toBe(404);
      // Not authorized: no list, but the depositor still opens what they deposited (§4.3).
      expect(await listedIds(CARDIO)).toBe(404);
      expect((await read(CARDIO, byCardio)).statusCode).toBe(200);
      expect(await idSet(GP)).toEqual(new Set([byCardio, byGp]));
      await setting('PUT', '/mask-all', { on: false });
      expect(await idSet(NURSE)).toEqual(new Set([byCardio, byGp]));
    });

    it('a blocked PS loses access; unblocking does not restore it until a new consent', async () => {
      const doc = await submit(CARDIO);
      await consent(NURSE);
      await setting('POST', `/professionals/${NURSE}/block`);
      expect(await listedIds(NURSE)).toBe(404);
      await setting('POST', `/professionals/${NURSE}/unblock`);
      expect(await listedIds(NURSE)).toBe(404);
      await consent(NURSE);
      expect(await listedIds(NURSE)).toEqual([doc]);
    });
  });

  describe('§3.5 closed space', () => {
    it('no professional access at all, not even in an emergency nor for the author', async () => {
      const doc = await submit(CARDIO);
      await consent(NURSE);
      const closed = await t.app.inject({ method: 'POST', url: `/api/spaces/${patientId}/close`, headers: patient.headers, payload: { confirm: true } });
      expect(closed.statusCode, closed.body).toBeLessThan(300);
      expect(await listedIds(NURSE)).toBe(404);
      expect(await listedIds(NURSE, BTG)).toBe(404);
      expect(await listedIds(SAMU, '?mode=samu')).toBe(404);
      expect((await read(CARDIO, doc)).statusCode).toBe(404);
      const f = form({ typeCode: '11488-4', title: 'x', createdOn: '2026-01-10' }, pdf());
      const fed = await t.app.inject({ method: 'POST', url: proUrl(), headers: { ...(await pros.headers(CARDIO)), ...f.headers }, payload: f.payload });
      expect(fed.statusCode).toBe(404);
    });
  });

  describe('§4.5 invisible to legal representatives', () => {
    it('a child’s representative never sees it; the child does; professionals do', async () => {
      const child = await insertActivePatient(t.db, { birthDate: '2011-03-01' });
      await t.db.query("INSERT INTO representations (patient_id, representative_id, rank, status, created_at) VALUES ($1, $2, 1, 'active', $3)", [child.patientId, patientId, t.clock.now()]);
      const secret = await submit(CARDIO, '11488-4', child.patientId, { invisibleToRepresentatives: 'true' });
      const shared = await submit(CARDIO, '11488-4', child.patientId);
      const asParent = await t.app.inject({ method: 'GET', url: `/api/spaces/${child.patientId}/documents`, headers: { cookie: patient.cookie } });
      expect(asParent.statusCode, asParent.body).toBe(200);
      expect((asParent.json() as { documents: { documentId: string }[] }).documents.map((d) => d.documentId)).toEqual([shared]);
      const parentRead = await t.app.inject({ method: 'GET', url: `/api/spaces/${child.patientId}/documents/${secret}/content`, headers: { cookie: patient.cookie } });
      expect(parentRead.statusCode).toBe(404);
      const minor = await signIn(t, child.loginId, child.password);
      const asChild = await t.app.inject({ method: 'GET', url: `/api/spaces/${child.patientId}/documents`, headers: { cookie: minor.cookie } });
      expect(new Set((asChild.json() as { documents: { documentId: string }[] }).documents.map((d) => d.documentId))).toEqual(new Set([secret, shared]));
    });
  });

  describe('§5 notifications', () => {
    it('a first access is always notified, once; every PS access only if the patient asked', async () => {
      await submit(CARDIO);
      await consent(NURSE); // first access: notified
      await list(NURSE);
      expect(await mails('first_access', '%MOREAU%')).toHaveLength(1);
      expect(await mails('ps_access')).toHaveLength(0);
      await setting('PUT', '/notifications', { everyPsAccess: true, newDocument: true });
      await list(NURSE);
      await list(NURSE);
      expect(await mails('ps_access', '%MOREAU%')).toHaveLength(2);
      expect(await mails('first_access', '%MOREAU%')).toHaveLength(1);
    });

    it('every new document is notified unless the patient turned it off', async () => {
      await submit(CARDIO);
      expect(await newDocumentMails()).toBe(1);
      await setting('PUT', '/notifications', { everyPsAccess: false, newDocument: false });
      await submit(CARDIO);
      expect(await newDocumentMails()).toBe(1);
    });
  });

  describe('§1 operator and insurer', () => {
    it('the operator’s token reads no document, neither as a professional nor on the patient side', async () => {
      await submit(CARDIO);
      const { token } = await createStaffAccount(t.db, { clock: t.clock, random: cryptoRandom, config: t.config }, 'operator', 'Exploitation');
      const headers = { authorization: `Bearer ${token}` };
      for (const url of [proUrl(), `/api/spaces/${patientId}/documents`, `/fhir/DocumentReference?patient=Patient/${patientId}`]) {
        const res = await t.app.inject({ method: 'GET', url, headers });
        expect([401, 403, 404], `${url}: ${res.body}`).toContain(res.statusCode);
      }
    });
  });

  describe('finding a patient by INS', () => {
    const lookup = async (ps: string, payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/pro/patients/search', headers: await pros.headers(ps), payload });

    it('finds an open space by matricule and date of birth, traced; anything else is 404 or 400', async () => {
      const p = (await t.db.query<{ matricule: string; birth_date: string; birth_name: string }>('SELECT matricule, birth_date::text AS birth_date, birth_name FROM patients WHERE patient_id = $1', [patientId]))[0];
      if (!p) throw new Error('no patient');
      const ok = await lookup(NURSE, { nir: p.matricule, birthDate: p.birth_date, birthName: p.birth_name.toLowerCase() });
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()).toMatchObject({ patientId, birthDate: p.birth_date });
      expect((await traceOf(t, patientId)).at(-1)).toMatchObject({ action: 'patient_identity_lookup', actor_id: NURSE });
      expect((await lookup(NURSE, { nir: p.matricule, birthDate: '1900-01-01' })).statusCode).toBe(404);
      expect((await lookup(NURSE, { nir: p.matricule, birthDate: p.birth_date, birthName: 'AUTRE' })).statusCode).toBe(404);
      const badKey = `${p.matricule.slice(0, 13)}${p.matricule.endsWith('00') ? '01' : '00'}`;
      const bad = await lookup(NURSE, { nir: badKey, birthDate: p.birth_date });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ errors: [{ field: 'body.nir' }] });
      expect((await lookup(NURSE, { nir: p.matricule, birthDate: 19850412 })).statusCode).toBe(400);
      const noToken = await t.app.inject({ method: 'POST', url: '/api/pro/patients/search', payload: { nir: p.matricule, birthDate: p.birth_date } });
      expect(noToken.statusCode).toBe(401);
    });
  });
});

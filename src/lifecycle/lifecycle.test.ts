import { beforeEach, describe, expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { TestContext } from '../../test/helpers.ts';
import { insertActivePatient, insertPatient, randomNir } from '../../test/fixtures.ts';
import type { PatientFixture } from '../../test/fixtures.ts';
import { ManualClock } from '../platform/clock.ts';
import type { Db } from '../storage/index.ts';
import { provisionalCodeHash } from './provisional-code.ts';
import { runLifecycleJobs } from './service.ts';
import { patientScopedTables } from './store.ts';
import { form, pdf } from '../records/documents-test-kit.ts';
import { cryptoRandom } from '../platform/random.ts';

const START = '2026-01-15T09:00:00Z';
const GOOD_PASSWORD = 'Tulipe-Rouge-2026!';

async function pendingSpace(ctx: TestContext, o: Partial<PatientFixture> & { code?: string; at?: Date } = {}): Promise<PatientFixture & { code: string }> {
  const p = await insertPatient(ctx.db, { at: ctx.clock.now(), ...o });
  const code = o.code ?? 'ABCD2345EFGH';
  await ctx.db.query("INSERT INTO provisional_codes (patient_id, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $3::timestamptz + interval '42 days')", [
    p.patientId,
    provisionalCodeHash(ctx.config.secret, code),
    ctx.clock.now(),
  ]);
  return { ...p, code };
}

async function status(db: Db, patientId: string): Promise<Record<string, unknown>> {
  const rows = await db.query('SELECT status, close_reason, purge_at, deletion_requested_at, login_id, birth_name, email FROM patients WHERE patient_id = $1', [patientId]);
  return rows[0] ?? {};
}

async function auditActions(db: Db, patientId: string): Promise<string[]> {
  const rows = await db.query<{ action: string }>('SELECT action FROM audit_events WHERE patient_id = $1 ORDER BY seq', [patientId]);
  return rows.map((r) => r.action);
}

async function lastMessage(db: Db, patientId: string, template: string): Promise<{ channel: string; params: Record<string, string>; recipient: Record<string, string> } | undefined> {
  const rows = await db.query<{ channel: string; params: Record<string, string>; recipient: Record<string, string> }>(
    'SELECT channel, params, recipient FROM outbox WHERE patient_id = $1 AND template = $2 ORDER BY created_at DESC LIMIT 1',
    [patientId, template],
  );
  return rows[0];
}

function activation(p: { matricule: string; birthDate: string; code: string }, o: Record<string, unknown> = {}) {
  return { matricule: p.matricule, birthDate: p.birthDate, code: p.code, loginId: `claire.${p.matricule.slice(7, 13)}`, password: GOOD_PASSWORD, email: 'claire@example.org', acceptTerms: true, ...o };
}

const jobDeps = (ctx: TestContext) => ({ db: ctx.db, clock: ctx.clock, random: cryptoRandom, config: ctx.config });

describeEngines('space lifecycle over HTTP', (getDb) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await testApp(getDb(), { clock: new ManualClock(START) });
  });

  describe('opposition', () => {
    it('pending -> opposed with the code, giving a proof (reference, message, trace)', async () => {
      const p = await pendingSpace(ctx);
      const res = await ctx.app.inject({ method: 'POST', url: '/api/spaces/opposition', payload: { matricule: p.matricule, birthDate: p.birthDate, code: p.code } });
      expect(res.statusCode).toBe(201);
      const proof = res.json();
      expect(proof).toMatchObject({ status: 'opposed', opposedAt: '2026-01-15T09:00:00.000Z' });
      expect(proof.reference).toMatch(/^OPP-2026-[A-Z2-9]{10}$/);
      expect(proof.matricule).not.toContain(p.matricule.slice(5, 11));
      expect(await status(ctx.db, p.patientId)).toMatchObject({ status: 'opposed' });
      const msg = await lastMessage(ctx.db, p.patientId, 'opposition_proof');
      expect(msg?.params.reference).toBe(proof.reference);
      expect(await auditActions(ctx.db, p.patientId)).toEqual(['space_opposed']);
    });

    it('pending -> opposed with NIR + carte Vitale serial number', async () => {
      const p = await pendingSpace(ctx, { cardSerial: '1234567890' });
      const res = await ctx.app.inject({ method: 'POST', url: '/api/spaces/opposition', payload: { matricule: p.matricule, birthDate: p.birthDate, cardSerial: '12345 67890' } });
      expect(res.statusCode).toBe(201);
      expect(await status(ctx.db, p.patientId)).toMatchObject({ status: 'opposed' });
    });

    it('refuses a wrong birth date or card, with one message that does not reveal whether the NIR exists', async () => {
      const p = await pendingSpace(ctx, { cardSerial: '1234567890' });
      const wrongDate = await ctx.app.inject({ method: 'POST', url: '/api/spaces/opposition', payload: { matricule: p.matricule, birthDate: '1985-04-13', code: p.code } });
      const wrongCard = await ctx.app.inject({ method: 'POST', url: '/api/spaces/opposition', payload: { matricule: p.matricule, birthDate: p.birthDate, cardSerial: '9999999999' } });
      const unknown = await ctx.app.inject({ method: 'POST', url: '/api/spaces/opposition', payload: { matricule: randomNir('F', p.birthDate), birthDate: p.birthDate, code: p.code } });
      expect([wrongDate.statusCode, wrongCard.statusCode, unknown.statusCode]).toEqual([400, 400, 400]);
      expect(wrongCard.json().detail).toBe(unknown.json().detail);
      expect(await status(ctx.db, p.patientId)).toMatchObject({ status: 'pending' });
    });

    it('open -> closed (reason opposition) with its archive; opposed twice -> 409', async () => {
      const p = await pendingSpace(ctx, { status: 'open' });
      const res = await ctx.app.inject({ method: 'POST', url: '/api/spaces/opposition', payload: { matricule: p.matricule, birthDate: p.birthDate, code: p.code } });
      expect(res.statusCode).toBe(201);
      expect(await status(ctx.db, p.patientId)).toMatchObject({ status: 'closed', close_reason: 'opposition' });
      const q = await pendingSpace(ctx);
      await ctx.app.inject({ method: 'POST', url: '/api/spaces/opposition', payload: { matricule: q.matricule, birthDate: q.birthDate, code: q.code } });
      const again = await ctx.app.inject({ method: 'POST', url: '/api/spaces/opposition', payload: { matricule: q.matricule, birthDate: q.birthDate, code: q.code } });
      expect(again.statusCode).toBe(409);
      expect(again.json().detail).toMatch(/already/);
    });

    it('rejects a malformed NIR with the reason, and bad input with the field', async () => {
      const bad = await ctx.app.inject({ method: 'POST', url: '/api/spaces/opposition', payload: { matricule: '285047512345600', birthDate: '1985-04-12', code: 'ABCD2345EFGH' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().detail).toMatch(/control key/);
      const wrongType = await ctx.app.inject({ method: 'POST', url: '/api/spaces/opposition', payload: { matricule: 285047512345, birthDate: 'yesterday' } });
      expect(wrongType.statusCode).toBe(400);
      expect(wrongType.json().errors[0].field).toMatch(/body\.(matricule|birthDate)/);
      const huge = await ctx.app.inject({ method: 'POST', url: '/api/spaces/opposition', payload: { matricule: 'x'.repeat(2_000_000), birthDate: '1985-04-12' } });
      expect(huge.statusCode).toBe(413);
    });
  });

  describe('activation', () => {
    it('pending -> active: identifier, argon2id password, code spent, trace and confirmation e-mail', async () => {
      const p = await pendingSpace(ctx);
      const res = await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation(p) });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ patientId: p.patientId, status: 'active' });
      const row = (await ctx.db.query<{ password_hash: string; terms_version: string; status: string }>('SELECT password_hash, terms_version, status FROM patients WHERE patient_id = $1', [p.patientId]))[0];
      expect(row?.password_hash).toMatch(/^\$argon2id\$/);
      expect(row?.terms_version).toBe('2026-01');
      expect(await auditActions(ctx.db, p.patientId)).toEqual(['space_activated']);
      expect((await lastMessage(ctx.db, p.patientId, 'space_activated'))?.recipient.email).toBe('claire@example.org');
      // The code is single-use.
      const again = await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation(p, { loginId: 'another.identifier' }) });
      expect(again.statusCode).toBe(400);
      expect(again.json().detail).toMatch(/already used.*sign in/);
      // And the person can now sign in.
      const s = await signIn(ctx, activation(p).loginId, GOOD_PASSWORD);
      const me = await ctx.app.inject({ method: 'GET', url: '/api/spaces/me', headers: { cookie: s.cookie } });
      expect(me.json().space).toMatchObject({ status: 'active', patientId: p.patientId });
    });

    it('open -> active and opposed -> active (a person may change their mind)', async () => {
      const open = await pendingSpace(ctx, { status: 'open' });
      expect((await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation(open) })).statusCode).toBe(201);
      const opposed = await pendingSpace(ctx, { status: 'opposed' });
      expect((await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation(opposed) })).statusCode).toBe(201);
      expect(await status(ctx.db, opposed.patientId)).toMatchObject({ status: 'active' });
    });

    it('blocks the code after 5 wrong tries, even for the right code afterwards', async () => {
      const p = await pendingSpace(ctx);
      for (let i = 1; i <= 5; i++) {
        const r = await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation(p, { code: 'WRONG2345CODE' }) });
        expect(r.statusCode).toBe(400);
        if (i < 5) expect(r.json().detail).toContain(`${5 - i} ${5 - i === 1 ? 'try' : 'tries'} left`);
      }
      const right = await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation(p) });
      expect(right.statusCode).toBe(410);
      expect(right.json().detail).toMatch(/new code/);
      expect(await status(ctx.db, p.patientId)).toMatchObject({ status: 'pending' });
    });

    it('refuses an expired code (after 6 weeks) and tells how to get a new one', async () => {
      const p = await pendingSpace(ctx);
      ctx.clock.advanceDays(43);
      const r = await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation(p) });
      expect(r.statusCode).toBe(410);
      expect(r.json()).toMatchObject({ code: 'code_expired' });
      expect(r.json().detail).toMatch(/Request a new code/);
    });

    it('enforces the password policy (RULES §6) without spending the code', async () => {
      const p = await pendingSpace(ctx);
      for (const password of ['Short1!', 'alllowercase1!', 'NoDigits-Here!', 'NoSpecial12345', 'Martin-Clair3!', 'Xx-1985-04-12-Yy']) {
        const r = await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation(p, { password }) });
        expect(r.statusCode, password).toBe(400);
        expect(r.json().errors[0].field).toBe('body.password');
      }
      expect((await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation(p) })).statusCode).toBe(201);
    });

    it('requires an identifier of 8+ characters, unique, and the acceptance of the terms', async () => {
      const p = await pendingSpace(ctx);
      expect((await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation(p, { loginId: 'short' }) })).statusCode).toBe(400);
      const terms = await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation(p, { acceptTerms: false }) });
      expect(terms.statusCode).toBe(400);
      expect(terms.json().errors[0].field).toBe('body.acceptTerms');
      await insertActivePatient(ctx.db, { loginId: 'taken.identifier' });
      const taken = await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation(p, { loginId: 'Taken.Identifier' }) });
      expect(taken.statusCode).toBe(409);
      expect(await status(ctx.db, p.patientId)).toMatchObject({ status: 'pending', login_id: null });
    });

    it('refuses self-activation of a minor', async () => {
      const p = await pendingSpace(ctx, { birthDate: '2015-06-01' });
      const r = await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation(p) });
      expect(r.statusCode).toBe(403);
      expect(r.json().detail).toMatch(/representative/);
    });
  });

  describe('code regeneration', () => {
    it('replaces an expired code with a new one sent by e-mail; the old one stops working', async () => {
      const p = await pendingSpace(ctx, { cardSerial: '555444333' });
      ctx.clock.advanceDays(50);
      const r = await ctx.app.inject({ method: 'POST', url: '/api/spaces/code', payload: { matricule: p.matricule, birthDate: p.birthDate, cardSerial: '555444333' } });
      expect(r.statusCode).toBe(202);
      expect(r.json()).toMatchObject({ channel: 'email' });
      expect(r.json().sentTo).toMatch(/^p\*\*\*@example\.org$/);
      const msg = await lastMessage(ctx.db, p.patientId, 'code_regenerated');
      const newCode = msg?.params.code ?? '';
      expect(newCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
      expect((await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation(p) })).statusCode).toBe(400);
      expect((await ctx.app.inject({ method: 'POST', url: '/api/spaces/activation', payload: activation({ ...p, code: newCode.toLowerCase() }) })).statusCode).toBe(201);
    });

    it('sends the new code by letter when no e-mail is known; refuses an active space', async () => {
      const p = await pendingSpace(ctx, { cardSerial: '555444333', email: null });
      const r = await ctx.app.inject({ method: 'POST', url: '/api/spaces/code', payload: { matricule: p.matricule, birthDate: p.birthDate, cardSerial: '555444333' } });
      expect(r.json()).toMatchObject({ channel: 'letter' });
      const a = await insertActivePatient(ctx.db, { cardSerial: '111222333' });
      const refused = await ctx.app.inject({ method: 'POST', url: '/api/spaces/code', payload: { matricule: a.matricule, birthDate: a.birthDate, cardSerial: '111222333' } });
      expect(refused.statusCode).toBe(409);
    });
  });

  describe('scheduled job', () => {
    it('opens a pending space 6 weeks after its information, not before', async () => {
      const p = await pendingSpace(ctx);
      ctx.clock.advanceDays(41);
      await runLifecycleJobs(jobDeps(ctx));
      expect(await status(ctx.db, p.patientId)).toMatchObject({ status: 'pending' });
      ctx.clock.advanceDays(1);
      expect((await runLifecycleJobs(jobDeps(ctx))).opened).toBeGreaterThanOrEqual(1);
      expect(await status(ctx.db, p.patientId)).toMatchObject({ status: 'open' });
      expect(await auditActions(ctx.db, p.patientId)).toEqual(['space_opened']);
      // Opposed spaces never open.
      const o = await pendingSpace(ctx, { status: 'opposed' });
      ctx.clock.advanceDays(100);
      await runLifecycleJobs(jobDeps(ctx));
      expect(await status(ctx.db, o.patientId)).toMatchObject({ status: 'opposed' });
    });

    it('closes the space of a deceased holder; it cannot be reopened', async () => {
      const a = await insertActivePatient(ctx.db);
      const s = await signIn(ctx, a.loginId, a.password);
      await ctx.db.query("UPDATE patients SET deceased_on = '2026-01-10' WHERE patient_id = $1", [a.patientId]);
      expect((await runLifecycleJobs(jobDeps(ctx))).closedForDeath).toBeGreaterThanOrEqual(1);
      expect(await status(ctx.db, a.patientId)).toMatchObject({ status: 'closed', close_reason: 'death' });
      const reopen = await ctx.app.inject({ method: 'POST', url: `/api/spaces/${a.patientId}/reopen`, headers: s.headers });
      expect(reopen.statusCode).toBe(409);
      expect(reopen.json().detail).toMatch(/death/);
    });

    it('purges a closed space after 10 years, leaving only a tombstone', async () => {
      const a = await insertActivePatient(ctx.db);
      const s = await signIn(ctx, a.loginId, a.password);
      // Something in every corner: a sealed document, settings.
      const f = form({ typeCode: 'DOCPAT03', title: 'Mon CR', createdOn: '2025-12-01' }, pdf());
      const up = await ctx.app.inject({ method: 'POST', url: `/api/spaces/${a.patientId}/documents`, headers: { ...s.headers, ...f.headers }, payload: f.payload });
      expect(up.statusCode, up.body).toBe(201);
      expect((await ctx.app.inject({ method: 'PUT', url: `/api/spaces/${a.patientId}/access/mask-all`, headers: s.headers, payload: { on: true } })).statusCode).toBe(200);
      expect((await ctx.app.inject({ method: 'POST', url: `/api/spaces/${a.patientId}/close`, headers: s.headers, payload: { confirm: true } })).statusCode).toBe(200);
      ctx.clock.advanceDays(365 * 10);
      await runLifecycleJobs(jobDeps(ctx));
      expect(await status(ctx.db, a.patientId)).toMatchObject({ status: 'closed' });
      ctx.clock.advanceDays(5);
      expect((await runLifecycleJobs(jobDeps(ctx))).purged).toBeGreaterThanOrEqual(1);
      expect(await status(ctx.db, a.patientId)).toMatchObject({ status: 'purged', login_id: null, birth_name: '', email: null });
      expect(await auditActions(ctx.db, a.patientId)).toEqual([]);
      expect(await ctx.db.query('SELECT 1 FROM patient_logins WHERE patient_id = $1', [a.patientId])).toHaveLength(0);
      expect(await ctx.db.query('SELECT 1 FROM sessions WHERE patient_id = $1', [a.patientId])).toHaveLength(0);
      const login = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { identifier: a.loginId, password: a.password } });
      expect(login.statusCode).toBe(401);
      const tables = await patientScopedTables(ctx.db);
      expect(tables).toEqual(expect.arrayContaining(['documents', 'blobs', 'patient_keys', 'access_settings', 'audit_events']));
      for (const table of tables) expect(await ctx.db.query(`SELECT 1 FROM ${table} WHERE patient_id = $1`, [a.patientId]), table).toHaveLength(0);
    });
  });

  describe('closure, express deletion, reopening', () => {
    it('active -> closed (archive 10 years, sign-in still possible) -> reopened as it was', async () => {
      const a = await insertActivePatient(ctx.db);
      const s = await signIn(ctx, a.loginId, a.password);
      const close = await ctx.app.inject({ method: 'POST', url: `/api/spaces/${a.patientId}/close`, headers: s.headers, payload: { confirm: true } });
      expect(close.statusCode).toBe(200);
      expect(close.json()).toMatchObject({ status: 'closed', closeReason: 'patient', purgeAt: '2036-01-15T09:00:00.000Z' });
      expect((await lastMessage(ctx.db, a.patientId, 'space_closed'))?.params.archiveUntil).toMatch(/2036/);
      const again = await signIn(ctx, a.loginId, a.password);
      const reopen = await ctx.app.inject({ method: 'POST', url: `/api/spaces/${a.patientId}/reopen`, headers: again.headers });
      expect(reopen.statusCode).toBe(200);
      expect(reopen.json()).toMatchObject({ status: 'active', purgeAt: null });
      expect(await auditActions(ctx.db, a.patientId)).toEqual(expect.arrayContaining(['space_closed', 'space_reopened']));
    });

    it('requires confirmation, the CSRF token and a session', async () => {
      const a = await insertActivePatient(ctx.db);
      const s = await signIn(ctx, a.loginId, a.password);
      expect((await ctx.app.inject({ method: 'POST', url: `/api/spaces/${a.patientId}/close`, headers: s.headers, payload: {} })).statusCode).toBe(400);
      expect((await ctx.app.inject({ method: 'POST', url: `/api/spaces/${a.patientId}/close`, headers: { cookie: s.cookie }, payload: { confirm: true } })).statusCode).toBe(403);
      expect((await ctx.app.inject({ method: 'POST', url: `/api/spaces/${a.patientId}/close`, payload: { confirm: true } })).statusCode).toBe(401);
      expect(await status(ctx.db, a.patientId)).toMatchObject({ status: 'active' });
    });

    it("another person's space is not found (404), and stays untouched", async () => {
      const a = await insertActivePatient(ctx.db);
      const b = await insertActivePatient(ctx.db);
      const s = await signIn(ctx, a.loginId, a.password);
      const r = await ctx.app.inject({ method: 'POST', url: `/api/spaces/${b.patientId}/close`, headers: s.headers, payload: { confirm: true } });
      expect(r.statusCode).toBe(404);
      expect(await status(ctx.db, b.patientId)).toMatchObject({ status: 'active' });
    });

    it('express deletion: closed at once, erased at the next job run, deadline 3 months stated', async () => {
      const a = await insertActivePatient(ctx.db);
      const s = await signIn(ctx, a.loginId, a.password);
      const r = await ctx.app.inject({ method: 'POST', url: `/api/spaces/${a.patientId}/deletion`, headers: s.headers, payload: { confirm: true } });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ status: 'closed', closeReason: 'deletion_request', deletionDeadline: '2026-04-15T09:00:00.000Z' });
      expect((await lastMessage(ctx.db, a.patientId, 'deletion_requested'))?.params.deadline).toMatch(/2026/);
      ctx.clock.advance(60_000);
      await runLifecycleJobs(jobDeps(ctx));
      expect(await status(ctx.db, a.patientId)).toMatchObject({ status: 'purged' });
    });
  });

  describe('children and legal representatives', () => {
    async function family() {
      const parent = await insertActivePatient(ctx.db, { sex: 'M', birthDate: '1980-02-02' });
      const child = await pendingSpace(ctx, { birthDate: '2016-09-09', code: 'CHLD2345CODE' });
      await ctx.db.query("INSERT INTO representations (patient_id, representative_id, rank, status, created_at) VALUES ($1, $2, 1, 'active', $3)", [child.patientId, parent.patientId, START]);
      const s = await signIn(ctx, parent.loginId, parent.password);
      return { parent, child, s };
    }

    it("the representative the child is attached to activates and manages the child's space", async () => {
      const { parent, child, s } = await family();
      const act = await ctx.app.inject({ method: 'POST', url: '/api/spaces/children/activation', headers: s.headers, payload: { matricule: child.matricule, birthDate: child.birthDate, code: child.code } });
      expect(act.statusCode).toBe(201);
      expect(await status(ctx.db, child.patientId)).toMatchObject({ status: 'active', login_id: null });
      const me = await ctx.app.inject({ method: 'GET', url: '/api/spaces/me', headers: { cookie: s.cookie } });
      expect(me.json().manages).toEqual([expect.objectContaining({ patientId: child.patientId, rank: 1, status: 'active' })]);
      const trace = await ctx.db.query<{ actor_type: string; actor_id: string }>('SELECT actor_type, actor_id FROM audit_events WHERE patient_id = $1', [child.patientId]);
      expect(trace).toEqual([{ actor_type: 'representative', actor_id: parent.patientId }]);
      const close = await ctx.app.inject({ method: 'POST', url: `/api/spaces/${child.patientId}/close`, headers: s.headers, payload: { confirm: true } });
      expect(close.statusCode).toBe(200);
    });

    it('someone else cannot activate the child’s space, even with its code', async () => {
      const { child } = await family();
      const stranger = await insertActivePatient(ctx.db);
      const t = await signIn(ctx, stranger.loginId, stranger.password);
      const r = await ctx.app.inject({ method: 'POST', url: '/api/spaces/children/activation', headers: t.headers, payload: { matricule: child.matricule, birthDate: child.birthDate, code: child.code } });
      expect(r.statusCode).toBe(400);
      expect(await status(ctx.db, child.patientId)).toMatchObject({ status: 'pending' });
    });

    it('invites a second representative, who accepts; a third is refused; an expired invitation fails', async () => {
      const { child, s } = await family();
      const second = await insertActivePatient(ctx.db, { sex: 'F', birthDate: '1982-03-03' });
      const inv = await ctx.app.inject({ method: 'POST', url: `/api/spaces/${child.patientId}/representatives`, headers: s.headers, payload: { matricule: second.matricule, birthDate: second.birthDate } });
      expect(inv.statusCode).toBe(201);
      const msg = await lastMessage(ctx.db, second.patientId, 'representative_invitation');
      const token = new URL(msg?.params.acceptUrl ?? 'http://x').searchParams.get('token') ?? '';
      const t = await signIn(ctx, second.loginId, second.password);
      const wrong = await ctx.app.inject({ method: 'POST', url: '/api/representative-invitations/answer', headers: t.headers, payload: { patientId: child.patientId, token: 'x'.repeat(32), accept: true } });
      expect(wrong.statusCode).toBe(404);
      const ok = await ctx.app.inject({ method: 'POST', url: '/api/representative-invitations/answer', headers: t.headers, payload: { patientId: child.patientId, token, accept: true } });
      expect(ok.statusCode).toBe(200);
      const me = await ctx.app.inject({ method: 'GET', url: '/api/spaces/me', headers: { cookie: t.cookie } });
      expect(me.json().manages).toEqual([expect.objectContaining({ patientId: child.patientId, rank: 2 })]);
      // Rank 2 does not manage the space (close, invite): only the one the child is attached to.
      expect((await ctx.app.inject({ method: 'POST', url: `/api/spaces/${child.patientId}/close`, headers: t.headers, payload: { confirm: true } })).statusCode).toBe(404);
      const third = await insertActivePatient(ctx.db, { birthDate: '1970-01-01' });
      const r3 = await ctx.app.inject({ method: 'POST', url: `/api/spaces/${child.patientId}/representatives`, headers: s.headers, payload: { matricule: third.matricule, birthDate: third.birthDate } });
      expect(r3.statusCode).toBe(409);
    });

    it('an invitation expires after 14 days', async () => {
      const { child, s } = await family();
      const second = await insertActivePatient(ctx.db, { birthDate: '1982-03-03' });
      await ctx.app.inject({ method: 'POST', url: `/api/spaces/${child.patientId}/representatives`, headers: s.headers, payload: { matricule: second.matricule, birthDate: second.birthDate } });
      const msg = await lastMessage(ctx.db, second.patientId, 'representative_invitation');
      const token = new URL(msg?.params.acceptUrl ?? 'http://x').searchParams.get('token') ?? '';
      ctx.clock.advanceDays(15);
      const t = await signIn(ctx, second.loginId, second.password);
      const r = await ctx.app.inject({ method: 'POST', url: '/api/representative-invitations/answer', headers: t.headers, payload: { patientId: child.patientId, token, accept: true } });
      expect(r.statusCode).toBe(404);
      expect(r.json().detail).toMatch(/14 days/);
    });
  });
});

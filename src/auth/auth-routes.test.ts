import { expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { describeEngines } from '../../test/engines.ts';
import { testApp } from '../../test/helpers.ts';
import type { TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import type { Db } from '../storage/index.ts';
import { ManualClock } from '../platform/clock.ts';
import { requirePatient } from './index.ts';

const MINUTE = 60_000;
type Patient = Awaited<ReturnType<typeof insertActivePatient>>;

function login(ctx: TestContext, identifier: string, password: string): Promise<LightMyRequestResponse> {
  return ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { identifier, password } });
}

function otp(ctx: TestContext, challengeId: string, code: string): Promise<LightMyRequestResponse> {
  return ctx.app.inject({ method: 'POST', url: '/api/auth/otp', payload: { challengeId, code } });
}

function getSession(ctx: TestContext, cookie: string): Promise<LightMyRequestResponse> {
  return ctx.app.inject({ method: 'GET', url: '/api/auth/session', cookies: { carnet_session: cookie } });
}

function logout(ctx: TestContext, cookie: string, csrfToken?: string): Promise<LightMyRequestResponse> {
  return ctx.app.inject({ method: 'POST', url: '/api/auth/logout', cookies: { carnet_session: cookie }, headers: csrfToken === undefined ? {} : { 'x-csrf-token': csrfToken } });
}

/** The code of the pending sign-in e-mail (not sent yet: it is still in the outbox), consumed. */
async function takeOtp(db: Db, patientId: string): Promise<string> {
  const rows = await db.query<{ message_id: string; params: { code: string; minutes: string } }>(
    "SELECT message_id, params FROM outbox WHERE patient_id = $1 AND template = 'login_otp'",
    [patientId],
  );
  expect(rows).toHaveLength(1);
  const row = rows[0]!;
  await db.query('DELETE FROM outbox WHERE message_id = $1', [row.message_id]);
  return row.params.code;
}

async function outboxCount(db: Db, patientId: string): Promise<number> {
  return (await db.query('SELECT 1 FROM outbox WHERE patient_id = $1', [patientId])).length;
}

async function auditActions(db: Db, patientId: string): Promise<{ action: string; actor_type: string; actor_id: string; detail: Record<string, unknown> }[]> {
  return db.query('SELECT action, actor_type, actor_id, detail FROM audit_events WHERE patient_id = $1 ORDER BY seq', [patientId]);
}

function wrongCode(code: string): string {
  return code === '000000' ? '111111' : '000000';
}

/** Password step, then the e-mailed code: a signed-in session. */
async function signIn(ctx: TestContext, p: Patient): Promise<{ cookie: string; csrfToken: string; res: LightMyRequestResponse }> {
  const step1 = await login(ctx, p.loginId, p.password);
  expect(step1.statusCode).toBe(200);
  const code = await takeOtp(ctx.db, p.patientId);
  const res = await otp(ctx, step1.json().challengeId, code);
  expect(res.statusCode).toBe(200);
  const cookie = res.cookies.find((c) => c.name === 'carnet_session');
  expect(cookie).toBeDefined();
  return { cookie: cookie!.value, csrfToken: res.json().csrfToken, res };
}

describeEngines('patient sign-in', (getDb) => {
  it('signs in with identifier, password and the e-mailed code, then reads the session', async () => {
    const ctx = await testApp(getDb());
    const p = await insertActivePatient(ctx.db);

    const step1 = await login(ctx, p.loginId, p.password);
    expect(step1.statusCode).toBe(200);
    const body = step1.json();
    expect(body.challengeId.startsWith(`${p.patientId}.`)).toBe(true);
    expect(body.sentTo).toBe(`p***@example.org`);
    expect(body.expiresAt).toBe('2026-01-15T09:10:00.000Z');

    const mails = await ctx.db.query<{ recipient: { email: string; name: string }; params: { code: string; minutes: string }; channel: string }>(
      "SELECT recipient, params, channel FROM outbox WHERE patient_id = $1 AND template = 'login_otp'",
      [p.patientId],
    );
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ channel: 'email', recipient: { email: p.email, name: 'Claire MARTIN' }, params: { minutes: '10' } });
    expect(mails[0]!.params.code).toMatch(/^[0-9]{6}$/);
    const challenges = await ctx.db.query<{ otp_hash: string }>('SELECT otp_hash FROM login_challenges WHERE patient_id = $1', [p.patientId]);
    expect(challenges).toHaveLength(1);
    expect(challenges[0]!.otp_hash).not.toContain(mails[0]!.params.code); // stored as a keyed hash only

    const code = await takeOtp(ctx.db, p.patientId);
    ctx.clock.advance(2 * MINUTE);
    const step2 = await otp(ctx, body.challengeId, code);
    expect(step2.statusCode).toBe(200);
    const s = step2.json();
    expect(s).toEqual({ patientId: p.patientId, csrfToken: expect.any(String), expiresAt: '2026-01-15T09:32:00.000Z' });
    const cookie = step2.cookies.find((c) => c.name === 'carnet_session')!;
    expect(cookie.value.startsWith(`${p.patientId}.`)).toBe(true);
    const sessions = await ctx.db.query<{ token_hash: string }>('SELECT token_hash FROM sessions WHERE patient_id = $1', [p.patientId]);
    expect(sessions).toHaveLength(1);
    expect(cookie.value).not.toContain(sessions[0]!.token_hash); // the token is stored as a keyed hash only

    const me = await getSession(ctx, cookie.value);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ patientId: p.patientId, csrfToken: s.csrfToken, expiresAt: s.expiresAt, status: 'active', displayName: 'Claire MARTIN' });

    const audit = await auditActions(ctx.db, p.patientId);
    expect(audit.map((a) => a.action)).toEqual(['sign_in']);
    expect(audit[0]).toMatchObject({ actor_type: 'patient', actor_id: p.patientId });
  });

  it('sets the session cookie httpOnly, SameSite=Lax, on the whole site, and Secure under https', async () => {
    const http = await testApp(getDb());
    const p1 = await insertActivePatient(http.db);
    const { res } = await signIn(http, p1);
    const header = String(res.headers['set-cookie']);
    expect(header).toMatch(/^carnet_session=[^;]+;/);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Lax');
    expect(header).toContain('Path=/');
    expect(header).not.toContain('Secure');

    const https = await testApp(getDb(), { config: { baseUrl: 'https://carnet.example.fr' } });
    const p2 = await insertActivePatient(https.db);
    const secure = await signIn(https, p2);
    expect(String(secure.res.headers['set-cookie'])).toContain('Secure');
  });

  it('accepts the identifier in any case', async () => {
    const ctx = await testApp(getDb());
    const p = await insertActivePatient(ctx.db, { loginId: 'claire.martin.75' });
    expect((await login(ctx, 'Claire.MARTIN.75', p.password)).statusCode).toBe(200);
  });

  it('answers an unknown identifier exactly like a wrong password', async () => {
    const ctx = await testApp(getDb());
    const p = await insertActivePatient(ctx.db);
    const wrong = await login(ctx, p.loginId, 'Wrong-Password-1');
    const unknown = await login(ctx, 'nobody-at-all', p.password);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toBe(wrong.body);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect(wrong.json()).toEqual({
      type: 'https://carnet.example/problems/invalid_credentials',
      title: 'invalid credentials',
      code: 'invalid_credentials',
      status: 401,
      detail: 'Identifier or password is incorrect.',
    });
    expect(await outboxCount(ctx.db, p.patientId)).toBe(0);
    const audit = await auditActions(ctx.db, p.patientId);
    expect(audit.map((a) => [a.action, a.detail.reason])).toEqual([['sign_in_failed', 'wrong_password']]);
  });

  it('locks the account for 15 minutes at the 5th wrong password, even for the right one, then releases it', async () => {
    const ctx = await testApp(getDb());
    const p = await insertActivePatient(ctx.db);
    for (let i = 1; i <= 4; i++) {
      expect((await login(ctx, p.loginId, `Wrong-Password-${i}`)).statusCode).toBe(401);
      const [row] = await ctx.db.query<{ failed_logins: number }>('SELECT failed_logins FROM patients WHERE patient_id = $1', [p.patientId]);
      expect(row!.failed_logins).toBe(i);
    }
    const fifth = await login(ctx, p.loginId, 'Wrong-Password-5');
    expect(fifth.statusCode).toBe(423);
    expect(fifth.headers['retry-after']).toBe('900');
    expect(fifth.json()).toMatchObject({ code: 'locked', detail: expect.stringContaining('Try again after 09:15 UTC, or reset your password') });

    ctx.clock.advance(5 * MINUTE);
    const right = await login(ctx, p.loginId, p.password);
    expect(right.statusCode).toBe(423);
    expect(right.headers['retry-after']).toBe('600');
    expect(await outboxCount(ctx.db, p.patientId)).toBe(0);

    ctx.clock.advance(10 * MINUTE - 1000);
    expect((await login(ctx, p.loginId, p.password)).statusCode).toBe(423);
    ctx.clock.advance(1000);
    expect((await login(ctx, p.loginId, p.password)).statusCode).toBe(200);
    const [row] = await ctx.db.query<{ failed_logins: number; locked_until: unknown }>('SELECT failed_logins, locked_until FROM patients WHERE patient_id = $1', [p.patientId]);
    expect(row).toEqual({ failed_logins: 0, locked_until: null });

    const actions = (await auditActions(ctx.db, p.patientId)).map((a) => `${a.action}:${String(a.detail.reason ?? '')}`);
    expect(actions).toEqual([
      ...Array(5).fill('sign_in_failed:wrong_password'),
      'account_locked:',
      'sign_in_failed:locked',
      'sign_in_failed:locked',
    ]);
  });

  it('counts consecutive failures only: a right password resets the count', async () => {
    const ctx = await testApp(getDb());
    const p = await insertActivePatient(ctx.db);
    for (let i = 0; i < 4; i++) await login(ctx, p.loginId, 'Wrong-Password-1');
    expect((await login(ctx, p.loginId, p.password)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(ctx, p.loginId, 'Wrong-Password-1')).statusCode).toBe(401);
  });

  it('refuses a space that is pending or opposed like a wrong password, and lets a closed space owner in', async () => {
    const ctx = await testApp(getDb());
    for (const status of ['pending', 'opposed']) {
      const p = await insertActivePatient(ctx.db);
      await ctx.db.query('UPDATE patients SET status = $2 WHERE patient_id = $1', [p.patientId, status]);
      const res = await login(ctx, p.loginId, p.password);
      expect(res.statusCode, status).toBe(401);
      expect(res.json().detail).toBe('Identifier or password is incorrect.');
      expect(await outboxCount(ctx.db, p.patientId)).toBe(0);
    }
    const closed = await insertActivePatient(ctx.db);
    await ctx.db.query("UPDATE patients SET status = 'closed' WHERE patient_id = $1", [closed.patientId]);
    const { cookie } = await signIn(ctx, closed);
    expect((await getSession(ctx, cookie)).json().status).toBe('closed');
  });

  it('refuses a wrong code with the tries left, and still accepts the right one', async () => {
    const ctx = await testApp(getDb());
    const p = await insertActivePatient(ctx.db);
    const { challengeId } = (await login(ctx, p.loginId, p.password)).json();
    const code = await takeOtp(ctx.db, p.patientId);
    const wrong = await otp(ctx, challengeId, wrongCode(code));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ code: 'otp_invalid', detail: 'The code is incorrect. 4 tries left.', errors: [{ field: 'body.code', reason: '4 tries left' }] });
    expect(wrong.cookies).toEqual([]);
    expect((await otp(ctx, challengeId, code)).statusCode).toBe(200);
    const actions = (await auditActions(ctx.db, p.patientId)).map((a) => `${a.action}:${String(a.detail.reason ?? '')}`);
    expect(actions).toEqual(['sign_in_failed:wrong_code', 'sign_in:']);
  });

  it('refuses an expired code (after 10 minutes)', async () => {
    const ctx = await testApp(getDb());
    const p = await insertActivePatient(ctx.db);
    const { challengeId } = (await login(ctx, p.loginId, p.password)).json();
    const code = await takeOtp(ctx.db, p.patientId);
    ctx.clock.advance(11 * MINUTE);
    const res = await otp(ctx, challengeId, code);
    expect(res.statusCode).toBe(410);
    expect(res.json()).toMatchObject({ code: 'code_expired', detail: expect.stringMatching(/expired.*Sign in again/) });
    expect(await ctx.db.query('SELECT 1 FROM sessions WHERE patient_id = $1', [p.patientId])).toHaveLength(0);
  });

  it('refuses a code used twice', async () => {
    const ctx = await testApp(getDb());
    const p = await insertActivePatient(ctx.db);
    const { challengeId } = (await login(ctx, p.loginId, p.password)).json();
    const code = await takeOtp(ctx.db, p.patientId);
    expect((await otp(ctx, challengeId, code)).statusCode).toBe(200);
    const again = await otp(ctx, challengeId, code);
    expect(again.statusCode).toBe(410);
    expect(again.json().detail).toMatch(/already been used/);
    expect(await ctx.db.query('SELECT 1 FROM sessions WHERE patient_id = $1', [p.patientId])).toHaveLength(1);
  });

  it('spends the challenge after 5 wrong codes: even the right code is then refused', async () => {
    const ctx = await testApp(getDb());
    const p = await insertActivePatient(ctx.db);
    const { challengeId } = (await login(ctx, p.loginId, p.password)).json();
    const code = await takeOtp(ctx.db, p.patientId);
    for (let left = 4; left >= 1; left--) {
      expect((await otp(ctx, challengeId, wrongCode(code))).json().detail).toBe(`The code is incorrect. ${left} ${left === 1 ? 'try' : 'tries'} left.`);
    }
    const fifth = await otp(ctx, challengeId, wrongCode(code));
    expect(fifth.statusCode).toBe(401);
    expect(fifth.json().detail).toMatch(/last try.*Sign in again with your identifier and password/);
    const right = await otp(ctx, challengeId, code);
    expect(right.statusCode).toBe(410);
    expect(right.json().detail).toMatch(/Too many wrong codes.*Sign in again/);
    expect(await ctx.db.query('SELECT 1 FROM sessions WHERE patient_id = $1', [p.patientId])).toHaveLength(0);
  });

  it('refuses an unknown challenge', async () => {
    const ctx = await testApp(getDb());
    const res = await otp(ctx, `${randomUUID()}.AAAAAAAAAAAAAAAAAAAAAA`, '123456');
    expect(res.statusCode).toBe(410);
    expect(res.json().code).toBe('code_expired');
  });

  it('ends a session after 30 minutes without activity, sliding while used', async () => {
    const ctx = await testApp(getDb());
    const p = await insertActivePatient(ctx.db);
    const { cookie } = await signIn(ctx, p); // at 09:00
    ctx.clock.advance(30 * 1000);
    const early = await getSession(ctx, cookie);
    expect(early.json().expiresAt).toBe('2026-01-15T09:30:00.000Z'); // not moved: touched at most once a minute
    ctx.clock.advance(29 * MINUTE);
    expect((await getSession(ctx, cookie)).json().expiresAt).toBe('2026-01-15T09:59:30.000Z');
    ctx.clock.advance(29 * MINUTE);
    expect((await getSession(ctx, cookie)).statusCode).toBe(200);
    ctx.clock.advance(30 * MINUTE);
    const late = await getSession(ctx, cookie);
    expect(late.statusCode).toBe(401);
    expect(late.json()).toMatchObject({ code: 'unauthenticated', detail: 'Sign in first.' });
    expect(await ctx.db.query('SELECT 1 FROM sessions WHERE patient_id = $1', [p.patientId])).toHaveLength(0);
  });

  it('ends a session 12 hours after sign-in, however active', async () => {
    const ctx = await testApp(getDb(), { clock: new ManualClock('2026-03-01T08:00:00Z') });
    const p = await insertActivePatient(ctx.db);
    const { cookie } = await signIn(ctx, p);
    for (let elapsed = 20; elapsed < 12 * 60; elapsed += 20) {
      ctx.clock.advance(20 * MINUTE);
      expect((await getSession(ctx, cookie)).statusCode, `${elapsed} min`).toBe(200);
    }
    expect((await getSession(ctx, cookie)).json().expiresAt).toBe('2026-03-01T20:00:00.000Z'); // capped at 12 h
    ctx.clock.advance(20 * MINUTE);
    expect((await getSession(ctx, cookie)).statusCode).toBe(401);
  });

  it('signs out: the old cookie no longer works, the cookie is cleared, the trace says so', async () => {
    const ctx = await testApp(getDb());
    const p = await insertActivePatient(ctx.db);
    const { cookie, csrfToken } = await signIn(ctx, p);
    const res = await logout(ctx, cookie, csrfToken);
    expect(res.statusCode).toBe(204);
    const cleared = res.cookies.find((c) => c.name === 'carnet_session');
    expect(cleared?.value).toBe('');
    expect(cleared?.expires?.getTime()).toBeLessThanOrEqual(Date.parse('1971-01-01'));
    expect(await ctx.db.query('SELECT 1 FROM sessions WHERE patient_id = $1', [p.patientId])).toHaveLength(0);
    expect((await getSession(ctx, cookie)).statusCode).toBe(401);
    expect((await logout(ctx, cookie, csrfToken)).statusCode).toBe(401);
    expect((await auditActions(ctx.db, p.patientId)).map((a) => a.action)).toEqual(['sign_in', 'sign_out']);
  });

  it('refuses a state-changing request without the right CSRF token, and changes nothing', async () => {
    const ctx = await testApp(getDb());
    const p = await insertActivePatient(ctx.db);
    const { cookie, csrfToken } = await signIn(ctx, p);
    for (const header of [undefined, 'not-the-token', `${csrfToken}x`, '']) {
      const res = await logout(ctx, cookie, header);
      expect(res.statusCode, String(header)).toBe(403);
      expect(res.json()).toMatchObject({ code: 'csrf_failed', detail: expect.stringContaining('Reload the page') });
    }
    expect((await getSession(ctx, cookie)).statusCode).toBe(200);
    expect((await auditActions(ctx.db, p.patientId)).map((a) => a.action)).toEqual(['sign_in']);
  });

  it('gives other modules requirePatient: 401 without a session, 403 without the CSRF token on writes', async () => {
    const ctx = await testApp(getDb());
    // Like another capability: its own encapsulated plugin, registered after auth.
    await ctx.app.register(async (other) => {
      other.get('/api/test/whoami', async (request) => ({ patientId: requirePatient(request).patientId }));
      other.put('/api/test/thing', async (request) => ({ patientId: requirePatient(request).patientId }));
    });
    const p = await insertActivePatient(ctx.db);
    const { cookie, csrfToken } = await signIn(ctx, p);

    const anonymous = await ctx.app.inject({ method: 'GET', url: '/api/test/whoami' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'unauthenticated', detail: 'Sign in first.' });
    for (const forged of ['garbage', `${p.patientId}.AAAAAAAAAAAAAAAAAAAAAAAAAAAA`, `${randomUUID()}.${cookie.split('.')[1]}`]) {
      expect((await ctx.app.inject({ method: 'GET', url: '/api/test/whoami', cookies: { carnet_session: forged } })).statusCode, forged).toBe(401);
    }
    const read = await ctx.app.inject({ method: 'GET', url: '/api/test/whoami', cookies: { carnet_session: cookie } });
    expect(read.json()).toEqual({ patientId: p.patientId });
    expect((await ctx.app.inject({ method: 'PUT', url: '/api/test/thing', cookies: { carnet_session: cookie } })).statusCode).toBe(403);
    const write = await ctx.app.inject({ method: 'PUT', url: '/api/test/thing', cookies: { carnet_session: cookie }, headers: { 'x-csrf-token': csrfToken } });
    expect(write.json()).toEqual({ patientId: p.patientId });
  });

  it('closes the sessions of an account that may no longer sign in', async () => {
    const ctx = await testApp(getDb());
    const p = await insertActivePatient(ctx.db);
    const { cookie } = await signIn(ctx, p);
    await ctx.db.query("UPDATE patients SET status = 'purged' WHERE patient_id = $1", [p.patientId]);
    expect((await getSession(ctx, cookie)).statusCode).toBe(401);
  });

  it('answers bad input with a 400 naming the field', async () => {
    const ctx = await testApp(getDb());
    const cases: [string, unknown, string][] = [
      ['/api/auth/login', { password: 'Correct-Horse-42' }, 'body.identifier'],
      ['/api/auth/login', { identifier: 'cmartin75' }, 'body.password'],
      ['/api/auth/login', { identifier: { $ne: null }, password: 'x' }, 'body.identifier'],
      ['/api/auth/login', { identifier: 'x'.repeat(10_240), password: 'x' }, 'body.identifier'],
      ['/api/auth/login', { identifier: 'cmartin75', password: '' }, 'body.password'],
      ['/api/auth/otp', { code: '123456' }, 'body.challengeId'],
      ['/api/auth/otp', { challengeId: "x' OR 1=1 --", code: '123456' }, 'body.challengeId'],
      ['/api/auth/otp', { challengeId: `${randomUUID()}.AAAAAAAAAAAA`, code: '12345' }, 'body.code'],
      ['/api/auth/otp', { challengeId: `${randomUUID()}.AAAAAAAAAAAA`, code: [1, 2] }, 'body.code'],
    ];
    for (const [url, payload, field] of cases) {
      const res = await ctx.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
      expect(res.statusCode, `${url} ${JSON.stringify(payload).slice(0, 60)}`).toBe(400);
      expect(res.json().code).toBe('validation_failed');
      expect(res.json().detail).toContain(field);
    }
    const extra = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { identifier: 'cmartin75', password: 'x', admin: true } });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().detail).toContain('admin');
  });

  it('limits sign-in attempts per address', async () => {
    const ctx = await testApp(getDb());
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      statuses.push((await ctx.app.inject({ method: 'POST', url: '/api/auth/otp', payload: {} })).statusCode);
    }
    expect(statuses.every((s) => s === 400)).toBe(true);
    const limited = await ctx.app.inject({ method: 'POST', url: '/api/auth/otp', payload: {} });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another route is not affected.
    expect((await ctx.app.inject({ method: 'GET', url: '/api/auth/session' })).statusCode).toBe(401);
  });

  it('describes its routes in the OpenAPI document', async () => {
    const ctx = await testApp(getDb());
    const doc = (await ctx.app.inject({ method: 'GET', url: '/docs/json' })).json();
    for (const path of ['/api/auth/login', '/api/auth/otp', '/api/auth/logout']) expect(doc.paths[path].post.tags).toEqual(['auth']);
    expect(doc.paths['/api/auth/session'].get.tags).toEqual(['auth']);
  });
});

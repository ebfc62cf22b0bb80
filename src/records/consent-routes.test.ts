import { beforeEach, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { ManualClock } from '../platform/clock.ts';
import { loadDemoDirectory } from '../identity/index.ts';
import { loadAccessFacts } from './access-facts.ts';
import { DEFAULT_MATRIX } from '../access/index.ts';
import { CARDIOLOGIST, GP, NURSE, proKit, traceOf } from './controls-test-kit.ts';
import type { ProKit } from './controls-test-kit.ts';

describeEngines('POST /api/pro/patients/:patientId/consent', (getDb) => {
  let ctx: TestContext;
  let pros: ProKit;
  let patient: Awaited<ReturnType<typeof insertActivePatient>>;

  const consent = async (idNatPs: string, payload: Record<string, unknown> = { method: 'card' }, patientId = patient.patientId) =>
    ctx.app.inject({ method: 'POST', url: `/api/pro/patients/${patientId}/consent`, headers: await pros.headers(idNatPs), payload });
  const firstAccessMessages = () =>
    ctx.db.query<{ params: Record<string, string> }>("SELECT params FROM outbox WHERE patient_id = $1 AND template = 'record_access' ORDER BY created_at", [patient.patientId]);

  beforeEach(async () => {
    ctx = await testApp(getDb(), { clock: new ManualClock('2026-01-15T09:00:00Z') });
    await loadDemoDirectory(ctx.db, ctx.clock);
    pros = proKit(ctx);
    patient = await insertActivePatient(ctx.db);
  });

  it('puts the professional on the authorized list, traces it with their profession and notifies the first access once', async () => {
    const first = await consent(GP);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ patientId: patient.patientId, authorized: true, since: '2026-01-15T09:00:00.000Z', firstAccess: true, method: 'card' });
    const facts = await loadAccessFacts(ctx.db, patient.patientId, DEFAULT_MATRIX, ctx.clock.now());
    expect(facts?.authorized[GP]?.since.toISOString()).toBe('2026-01-15T09:00:00.000Z');
    expect(facts?.lastAccess[GP]?.toISOString()).toBe('2026-01-15T09:00:00.000Z');

    ctx.clock.advance(86_400_000);
    const second = await consent(GP);
    expect(second.json()).toMatchObject({ since: '2026-01-15T09:00:00.000Z', firstAccess: false });

    const messages = await firstAccessMessages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.params).toMatchObject({ event: 'first_access', actorName: 'Dr Sophie BERNARD (Médecin)', name: 'Claire MARTIN' });

    const trace = (await traceOf(ctx, patient.patientId)).filter((r) => r.action === 'consent_attested');
    expect(trace).toHaveLength(2);
    expect(trace[0]).toMatchObject({ actor_type: 'professional', actor_id: GP, actor_name: 'Dr Sophie BERNARD', actor_profession: '10', actor_specialty: 'SM54', detail: { method: 'card', firstAccess: true, organisation: '759990013', via: 'jwt-bearer' } });
    expect(trace[1]?.detail).toMatchObject({ firstAccess: false });
  });

  it('refuses a blocked professional with a neutral 403, traced', async () => {
    await ctx.db.query('INSERT INTO professional_relations (patient_id, id_nat_ps, blocked_since) VALUES ($1, $2, $3)', [patient.patientId, NURSE, new Date()]);
    const res = await consent(NURSE);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'forbidden', detail: 'The patient does not allow your access to their record.' });
    expect(await firstAccessMessages()).toEqual([]);
    const trace = await traceOf(ctx, patient.patientId);
    expect(trace.map((r) => r.action)).toEqual(['access_denied']);
    expect(trace[0]).toMatchObject({ actor_profession: '60', detail: { reason: 'blocked' } });
  });

  it('answers 404 for a closed space (traced) and for a space that does not exist (not traced)', async () => {
    await ctx.db.query("UPDATE patients SET status = 'closed' WHERE patient_id = $1", [patient.patientId]);
    const closed = await consent(CARDIOLOGIST);
    expect(closed.statusCode).toBe(404);
    expect((await traceOf(ctx, patient.patientId)).map((r) => [r.action, r.detail.reason])).toEqual([['access_denied', 'space_closed']]);
    const nobody = randomUUID();
    expect((await consent(CARDIOLOGIST, { method: 'card' }, nobody)).statusCode).toBe(404);
    expect(await traceOf(ctx, nobody)).toEqual([]);
  });

  it('attests with the one-time code the patient gives: once, within 15 minutes, five wrong tries spend it', async () => {
    const holder = await signIn(ctx, patient.loginId, patient.password);
    const issue = async () => {
      const res = await ctx.app.inject({ method: 'POST', url: `/api/spaces/${patient.patientId}/access/consent-code`, headers: holder.headers });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { code: string; expiresAt: string };
    };
    const first = await issue();
    expect(first.code).toMatch(/^[0-9]{6}$/);
    expect(first.expiresAt).toBe('2026-01-15T09:15:00.000Z');
    const wrong = first.code === '000000' ? '000001' : '000000';
    const bad = await consent(GP, { method: 'code', code: wrong });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ errors: [{ field: 'body.code', reason: 'wrong' }] });
    expect((await loadAccessFacts(ctx.db, patient.patientId, DEFAULT_MATRIX, ctx.clock.now()))?.authorized[GP]).toBeUndefined();
    const ok = await consent(GP, { method: 'code', code: first.code });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ method: 'code', authorized: true });
    // Single use.
    expect((await consent(NURSE, { method: 'code', code: first.code })).json()).toMatchObject({ errors: [{ reason: 'used' }] });
    // Expiry.
    const second = await issue();
    ctx.clock.advance(15 * 60_000);
    expect((await consent(NURSE, { method: 'code', code: second.code })).json()).toMatchObject({ errors: [{ reason: 'expired' }] });
    // Five wrong tries spend it, even for the right code afterwards.
    const third = await issue();
    for (let i = 0; i < 5; i++) expect((await consent(NURSE, { method: 'code', code: third.code === '000000' ? '000001' : '000000' })).statusCode).toBe(400);
    expect((await consent(NURSE, { method: 'code', code: third.code })).json()).toMatchObject({ errors: [{ reason: 'spent' }] });
    const trace = await traceOf(ctx, patient.patientId);
    expect(trace.filter((r) => r.action === 'consent_code_issued')).toHaveLength(3);
    expect(JSON.stringify(trace)).not.toContain(first.code);
    expect(trace.filter((r) => r.action === 'access_denied' && r.actor_id === NURSE).map((r) => r.detail.reason)).toContain('consent_code_spent');
  });

  it('refuses bad input with a 400 naming the field, and a caller who is no professional', async () => {
    for (const [payload, field] of [
      [{ method: 'code' }, 'body.code'],
      [{ method: 'code', code: '12345' }, 'body.code'],
      [{ method: 'vitale' }, 'body.method'],
      [{}, 'body.method'],
      [{ method: 'card', code: '123456' }, 'body.code'],
    ] as const) {
      const res = await consent(GP, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect((res.json() as { errors: { field: string }[] }).errors.map((e) => e.field)).toContain(field);
    }
    const anonymous = await ctx.app.inject({ method: 'POST', url: `/api/pro/patients/${patient.patientId}/consent`, payload: { method: 'card' } });
    expect(anonymous.statusCode).toBe(401);
    expect(await traceOf(ctx, patient.patientId)).toEqual([]);
  });
});

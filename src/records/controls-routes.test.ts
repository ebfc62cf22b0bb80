import { beforeEach, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { randomUUID } from 'node:crypto';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { ManualClock } from '../platform/clock.ts';
import { loadDemoDirectory } from '../identity/index.ts';
import { verifyChains } from '../audit/index.ts';
import { CARDIOLOGIST, GP, NURSE, PHARMACIST, proKit, traceOf } from './controls-test-kit.ts';
import type { ProKit } from './controls-test-kit.ts';
import type { AccessControlsView } from './controls-service.ts';

const START = '2026-01-15T09:00:00Z';

describeEngines('patient access controls over the API', (getDb) => {
  let ctx: TestContext;
  let pros: ProKit;
  let holder: Awaited<ReturnType<typeof insertActivePatient>>;
  let session: SignedIn;

  const url = (path = '', patientId = holder.patientId) => `/api/spaces/${patientId}/access${path}`;
  const get = (patientId = holder.patientId, who: SignedIn = session) => ctx.app.inject({ method: 'GET', url: url('', patientId), headers: { cookie: who.cookie } });
  const view = async (): Promise<AccessControlsView> => {
    const res = await get();
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const write = (method: 'POST' | 'PUT' | 'DELETE', path: string, payload?: unknown, patientId = holder.patientId, who: SignedIn = session) =>
    ctx.app.inject({ method, url: url(path, patientId), headers: who.headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const consent = async (idNatPs: string, patientId = holder.patientId) =>
    ctx.app.inject({ method: 'POST', url: `/api/pro/patients/${patientId}/consent`, headers: await pros.headers(idNatPs), payload: { method: 'card' } });
  const expect400 = (res: LightMyRequestResponse, field: string) => {
    expect(res.statusCode, res.body).toBe(400);
    const body = res.json() as { detail: string; errors: { field: string }[] };
    expect(body.errors.map((e) => e.field)).toContain(field);
    expect(body.detail).toContain(field);
  };
  const actions = async (patientId = holder.patientId) => (await traceOf(ctx, patientId)).map((r) => r.action);

  beforeEach(async () => {
    ctx = await testApp(getDb(), { clock: new ManualClock(START) });
    await loadDemoDirectory(ctx.db, ctx.clock);
    pros = proKit(ctx);
    holder = await insertActivePatient(ctx.db);
    session = await signIn(ctx, holder.loginId, holder.password);
  });

  it('lists nobody at first, then the professional who attested consent, with the date of their last access', async () => {
    const empty = await view();
    expect(empty).toEqual({
      patientId: holder.patientId,
      authorized: [],
      blocked: [],
      administrators: [],
      medecinTraitant: null,
      emergency: { samu: true, brisDeGlace: true, masked: true, maskedEffective: true },
      maskAll: false,
      notifications: { everyPsAccess: false, newDocument: true },
    });
    ctx.clock.advance(10 * 60_000);
    expect((await consent(GP)).statusCode).toBe(200);
    const after = await view();
    expect(after.authorized).toEqual([
      {
        idNatPs: GP,
        name: 'Dr Sophie BERNARD',
        profession: { code: '10', label: 'Médecin' },
        specialty: { code: 'SM54', label: 'Médecine générale' },
        organisation: { finess: '759990013', name: 'Cabinet médical des Lilas' },
        since: '2026-01-15T09:10:00.000Z',
        lastAccess: '2026-01-15T09:10:00.000Z',
        consented: true,
        administrator: false,
        medecinTraitant: false,
      },
    ]);
    // Each read is traced, as the patient.
    const trace = await traceOf(ctx, holder.patientId);
    expect(trace.filter((r) => r.action === 'settings_read')).toHaveLength(2);
    expect(trace.find((r) => r.action === 'settings_read')).toMatchObject({ actor_type: 'patient', actor_id: holder.patientId, actor_name: 'Claire MARTIN' });
    expect((await verifyChains(ctx.db, { patientId: holder.patientId })).firstBroken).toBeNull();
  });

  it('blocks a professional: their later consent is refused and the list shows them blocked; unblocking does not re-authorize', async () => {
    expect((await consent(NURSE)).statusCode).toBe(200);
    ctx.clock.advance(60_000);
    const blocked = await write('POST', `/professionals/${NURSE}/block`);
    expect(blocked.statusCode, blocked.body).toBe(200);
    expect(blocked.json()).toMatchObject({ blocked: true, authorized: false, changed: true, message: expect.stringContaining('on the authorized list') });
    let v = await view();
    expect(v.authorized).toEqual([]);
    expect(v.blocked).toEqual([expect.objectContaining({ idNatPs: NURSE, name: 'Julien MOREAU', since: '2026-01-15T09:01:00.000Z', lastAccess: '2026-01-15T09:00:00.000Z' })]);

    const refused = await consent(NURSE);
    expect(refused.statusCode).toBe(403);
    expect((refused.json() as { detail: string }).detail).toBe('The patient does not allow your access to their record.');
    expect((await traceOf(ctx, holder.patientId)).at(-1)).toMatchObject({ action: 'access_denied', actor_type: 'professional', actor_id: NURSE, actor_profession: '60', detail: { reason: 'blocked', attempted: 'consent_attested' } });

    // Blocking again changes nothing and is not traced again.
    const again = await write('POST', `/professionals/${NURSE}/block`);
    expect(again.json()).toMatchObject({ changed: false });

    const unblocked = await write('POST', `/professionals/${NURSE}/unblock`);
    expect(unblocked.statusCode, unblocked.body).toBe(200);
    expect(unblocked.json()).toMatchObject({ blocked: false, authorized: false, changed: true, message: expect.stringContaining('need your consent again') });
    v = await view();
    expect(v.blocked).toEqual([]);
    expect(v.authorized).toEqual([]);
    const rel = await ctx.db.query<{ authorized_since: Date | null; blocked_since: Date | null }>('SELECT authorized_since, blocked_since FROM professional_relations WHERE patient_id = $1 AND id_nat_ps = $2', [holder.patientId, NURSE]);
    expect(rel).toEqual([{ authorized_since: null, blocked_since: null }]);

    // A new consent authorizes again.
    expect((await consent(NURSE)).statusCode).toBe(200);
    expect((await view()).authorized.map((a) => a.idNatPs)).toEqual([NURSE]);

    expect((await actions()).filter((a) => a.startsWith('professional_'))).toEqual(['professional_blocked', 'professional_unblocked']);
  });

  it('designates and removes administrators; an administrator PS can block another professional, others cannot', async () => {
    const added = await write('PUT', `/administrators/${GP}`);
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json()).toMatchObject({ changed: true, professional: { idNatPs: GP, name: 'Dr Sophie BERNARD' } });
    let v = await view();
    expect(v.administrators).toEqual([expect.objectContaining({ idNatPs: GP, since: START.replace('Z', '.000Z') })]);
    expect(v.authorized).toEqual([expect.objectContaining({ idNatPs: GP, administrator: true, consented: false })]);

    // The nurse (not an administrator) cannot block; the administrator GP can.
    const byNurse = await ctx.app.inject({ method: 'POST', url: `/api/pro/patients/${holder.patientId}/professionals/${PHARMACIST}/block`, headers: await pros.headers(NURSE) });
    expect(byNurse.statusCode).toBe(404);
    const byGp = await ctx.app.inject({ method: 'POST', url: `/api/pro/patients/${holder.patientId}/professionals/${PHARMACIST}/block`, headers: await pros.headers(GP) });
    expect(byGp.statusCode, byGp.body).toBe(200);
    expect((await view()).blocked.map((b) => b.idNatPs)).toEqual([PHARMACIST]);
    const trace = await traceOf(ctx, holder.patientId);
    expect(trace.find((r) => r.action === 'professional_blocked')).toMatchObject({ actor_type: 'professional', actor_id: GP, actor_profession: '10', actor_specialty: 'SM54', target: `Practitioner/${PHARMACIST}` });
    expect(trace.find((r) => r.action === 'access_denied')).toMatchObject({ actor_id: NURSE, detail: { reason: 'not_authorized', attempted: 'professional_blocked' } });

    // Unknown and malformed identifiers: 400 naming the field, nothing changes.
    expect400(await write('PUT', '/administrators/899999999999'), 'params.idNatPs');
    expect400(await write('PUT', '/administrators/12345'), 'params.idNatPs');
    const removed = await write('DELETE', `/administrators/${GP}`);
    expect(removed.statusCode, removed.body).toBe(200);
    v = await view();
    expect(v.administrators).toEqual([]);
    expect(v.authorized).toEqual([]);
    expect((await actions()).filter((a) => a.startsWith('administrator_'))).toEqual(['administrator_added', 'administrator_removed']);
  });

  it('declares a physician as médecin traitant, refuses a pharmacist, and removes the declaration', async () => {
    expect400(await write('PUT', '/medecin-traitant', { idNatPs: PHARMACIST }), 'body.idNatPs');
    expect((await write('PUT', '/medecin-traitant', { idNatPs: PHARMACIST })).json()).toMatchObject({ detail: expect.stringContaining('must be a physician') });
    expect400(await write('PUT', '/medecin-traitant', { idNatPs: 42 }), 'body.idNatPs');
    expect((await view()).medecinTraitant).toBeNull();

    const set = await write('PUT', '/medecin-traitant', { idNatPs: CARDIOLOGIST });
    expect(set.statusCode, set.body).toBe(200);
    const v = await view();
    expect(v.medecinTraitant).toMatchObject({ idNatPs: CARDIOLOGIST, name: 'Dr Marc LEROY', specialty: { code: 'SM04' } });
    expect(v.authorized).toEqual([expect.objectContaining({ idNatPs: CARDIOLOGIST, medecinTraitant: true, since: null, lastAccess: null })]);

    const removed = await write('DELETE', '/medecin-traitant');
    expect(removed.statusCode, removed.body).toBe(200);
    expect((await view()).medecinTraitant).toBeNull();
    expect((await actions()).filter((a) => a.startsWith('medecin_traitant'))).toEqual(['medecin_traitant_set', 'medecin_traitant_removed']);
  });

  it('applies the dependency rule of the emergency settings', async () => {
    const refused = await write('PUT', '/emergency', { samu: false, brisDeGlace: false, masked: true });
    expect400(refused, 'body.masked');
    expect((refused.json() as { detail: string }).detail).toContain('only be allowed while SAMU access or bris de glace is allowed');
    expect((await view()).emergency).toEqual({ samu: true, brisDeGlace: true, masked: true, maskedEffective: true });

    // Both off, masked left out: forced off, and said.
    const forced = await write('PUT', '/emergency', { samu: false, brisDeGlace: false });
    expect(forced.statusCode, forced.body).toBe(200);
    expect(forced.json()).toMatchObject({ emergency: { samu: false, brisDeGlace: false, masked: false, maskedEffective: false }, changed: true, notice: expect.stringContaining('now off too') });
    expect((await view()).emergency).toEqual({ samu: false, brisDeGlace: false, masked: false, maskedEffective: false });

    const samuOnly = await write('PUT', '/emergency', { samu: true, brisDeGlace: false, masked: true });
    expect(samuOnly.json()).toMatchObject({ emergency: { samu: true, brisDeGlace: false, masked: true, maskedEffective: true }, notice: null });
    expect400(await write('PUT', '/emergency', { samu: 'yes', brisDeGlace: false }), 'body.samu');
    expect400(await write('PUT', '/emergency', { samu: true }), 'body.brisDeGlace');
    const changes = (await traceOf(ctx, holder.patientId)).filter((r) => r.action === 'emergency_settings_changed');
    expect(changes.map((c) => c.detail)).toEqual([
      { before: { samu: true, brisDeGlace: true, masked: true }, after: { samu: false, brisDeGlace: false, masked: false }, maskedForcedOff: true },
      { before: { samu: false, brisDeGlace: false, masked: false }, after: { samu: true, brisDeGlace: false, masked: true }, maskedForcedOff: false },
    ]);
  });

  it('persists mask-all and notification preferences', async () => {
    expect((await write('PUT', '/mask-all', { on: true })).statusCode).toBe(200);
    expect((await write('PUT', '/notifications', { everyPsAccess: true, newDocument: false })).statusCode).toBe(200);
    const v = await view();
    expect(v.maskAll).toBe(true);
    expect(v.notifications).toEqual({ everyPsAccess: true, newDocument: false });
    expect400(await write('PUT', '/mask-all', { on: 'true' }), 'body.on');
    expect400(await write('PUT', '/notifications', { everyPsAccess: true }), 'body.newDocument');
    expect400(await write('PUT', '/notifications', { everyPsAccess: true, newDocument: true, sms: true }), 'body');
    expect((await view()).notifications).toEqual({ everyPsAccess: true, newDocument: false });
    expect((await actions()).filter((a) => a.endsWith('_changed'))).toEqual(['mask_all_changed', 'notification_preferences_changed']);
  });

  it("answers 404 on another patient's space, changes nothing and traces the attempt there", async () => {
    const other = await insertActivePatient(ctx.db);
    const before = await ctx.db.query('SELECT * FROM professional_relations WHERE patient_id = $1', [other.patientId]);
    for (const res of [
      await get(other.patientId),
      await write('POST', `/professionals/${GP}/block`, undefined, other.patientId),
      await write('PUT', `/administrators/${GP}`, undefined, other.patientId),
      await write('PUT', '/mask-all', { on: true }, other.patientId),
      await write('PUT', '/emergency', { samu: false, brisDeGlace: false }, other.patientId),
    ]) {
      expect(res.statusCode, res.body).toBe(404);
    }
    expect(await ctx.db.query('SELECT * FROM professional_relations WHERE patient_id = $1', [other.patientId])).toEqual(before);
    expect(await ctx.db.query('SELECT * FROM access_settings WHERE patient_id = $1', [other.patientId])).toEqual([]);
    const denied = (await traceOf(ctx, other.patientId)).filter((r) => r.action === 'access_denied');
    expect(denied).toHaveLength(5);
    expect(denied[0]).toMatchObject({ actor_type: 'patient', actor_id: holder.patientId, detail: { reason: 'not_authorized', attempted: 'settings_read' } });
    // A space that does not exist: 404, nothing to trace.
    expect((await get(randomUUID())).statusCode).toBe(404);
  });

  it("lets a legal representative manage a child's controls, traced as the representative", async () => {
    const child = await insertActivePatient(ctx.db, { birthDate: '2018-06-01' });
    await ctx.db.query("INSERT INTO representations (patient_id, representative_id, rank, status, created_at) VALUES ($1, $2, 1, 'active', $3)", [child.patientId, holder.patientId, START]);
    const res = await write('PUT', '/mask-all', { on: true }, child.patientId);
    expect(res.statusCode, res.body).toBe(200);
    expect((await get(child.patientId)).json()).toMatchObject({ maskAll: true });
    expect((await traceOf(ctx, child.patientId)).find((r) => r.action === 'mask_all_changed')).toMatchObject({ actor_type: 'representative', actor_id: holder.patientId });
    // The minor holder does not manage their settings (RULES §6): 403 on their own space, said.
    const minor = await signIn(ctx, child.loginId, child.password);
    const own = await write('PUT', '/mask-all', { on: false }, child.patientId, minor);
    expect(own.statusCode).toBe(403);
    expect((own.json() as { detail: string }).detail).toContain('legal representative');
  });

  it('refuses a write without the CSRF token', async () => {
    const res = await ctx.app.inject({ method: 'PUT', url: url('/mask-all'), headers: { cookie: session.cookie }, payload: { on: true } });
    expect(res.statusCode).toBe(403);
    expect((await view()).maskAll).toBe(false);
    expect(await actions()).not.toContain('mask_all_changed');
  });

  it('blocking an administrator who is médecin traitant removes both roles and says so', async () => {
    await write('PUT', '/medecin-traitant', { idNatPs: GP });
    await write('PUT', `/administrators/${GP}`);
    const res = await write('POST', `/professionals/${GP}/block`);
    expect(res.json()).toMatchObject({ changed: true, message: expect.stringContaining('declared as médecin traitant') });
    const v = await view();
    expect(v).toMatchObject({ authorized: [], administrators: [], medecinTraitant: null, blocked: [expect.objectContaining({ idNatPs: GP })] });
    expect((await write('PUT', `/administrators/${GP}`)).statusCode).toBe(409);
  });
});

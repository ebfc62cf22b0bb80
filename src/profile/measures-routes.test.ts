import { beforeAll, beforeEach, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { randomUUID } from 'node:crypto';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { ManualClock } from '../platform/clock.ts';
import { verifyChains } from '../audit/index.ts';
import { traceOf } from '../records/controls-test-kit.ts';
import type { MeasureView, MeasuresOverview, SeriesView, GrowthView } from './measures-service.ts';
import { readMeasuresSummary } from './measures-store.ts';
import { createProfileSealer } from './profile-crypto.ts';

const START = '2026-01-15T09:00:00Z';

describeEngines('measures over the API', (getDb) => {
  let ctx: TestContext;
  let holder: Awaited<ReturnType<typeof insertActivePatient>>;
  let session: SignedIn;

  const url = (path = '', patientId = holder.patientId) => `/api/spaces/${patientId}/measures${path}`;
  const add = (payload: Record<string, unknown>, who: SignedIn = session, patientId = holder.patientId) => ctx.app.inject({ method: 'POST', url: url('', patientId), headers: who.headers, payload });
  const added = async (payload: Record<string, unknown>, who: SignedIn = session, patientId = holder.patientId): Promise<MeasureView> => {
    const res = await add(payload, who, patientId);
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const get = async <T>(path: string, who: SignedIn = session, patientId = holder.patientId): Promise<T> => {
    const res = await ctx.app.inject({ method: 'GET', url: url(path, patientId), headers: { cookie: who.cookie } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const rows = async (patientId = holder.patientId) => (await ctx.db.query<{ n: number | string }>('SELECT count(*) AS n FROM measures WHERE patient_id = $1', [patientId]))[0]?.n;
  /** A refusal naming the field, with nothing stored and nothing traced. */
  const refusedUnchanged = async (res: Promise<LightMyRequestResponse>, field: string, message?: RegExp) => {
    const before = { rows: await rows(), trace: (await traceOf(ctx, holder.patientId)).length };
    const r = await res;
    expect(r.statusCode, r.body).toBe(400);
    const body = r.json() as { detail: string; errors: { field: string }[] };
    expect(body.errors.map((e) => e.field)).toContain(field);
    if (message) expect(body.detail).toMatch(message);
    expect({ rows: await rows(), trace: (await traceOf(ctx, holder.patientId)).length }).toEqual(before);
  };

  beforeAll(async () => {
    ctx = await testApp(getDb(), { clock: new ManualClock(START) });
  });

  beforeEach(async () => {
    ctx.clock.set(START);
    holder = await insertActivePatient(ctx.db, { birthDate: '1985-04-12' });
    session = await signIn(ctx, holder.loginId, holder.password);
  });

  it('adds values in the units people use, keeps them in the catalogue unit with their author, and computes the BMI', async () => {
    const w = await added({ type: 'weight', value: 154, unit: '[lb_av]', effectiveAt: '2026-01-14T07:30:00+01:00' });
    expect(w).toMatchObject({
      type: 'weight',
      value: 69.85,
      unit: 'kg',
      entered: { value: 154, unit: '[lb_av]' },
      effectiveAt: '2026-01-14T06:30:00.000Z',
      enteredAt: '2026-01-15T09:00:00.000Z',
      author: { kind: 'patient', id: holder.patientId, name: 'Claire MARTIN', appId: null },
      age: { years: 40 },
    });
    await added({ type: 'height', value: 165, unit: 'cm', effectiveAt: '2025-06-01T10:00:00Z' });
    const bp = await added({ type: 'blood_pressure', systolic: 128, diastolic: 82 });
    expect(bp).toMatchObject({ systolic: 128, diastolic: 82, unit: 'mm[Hg]', effectiveAt: '2026-01-15T09:00:00.000Z' });
    expect(bp).not.toHaveProperty('value');
    await added({ type: 'blood_glucose', value: 1.05, unit: 'g/L' });

    const overview = await get<MeasuresOverview>('');
    expect(overview.items.map((i) => i.type)).toEqual(['weight', 'height', 'bmi', 'blood_glucose', 'blood_pressure']);
    expect(overview.items.find((i) => i.type === 'blood_glucose')).toMatchObject({ value: 105, unit: 'mg/dL' });
    expect(overview.bmi).toMatchObject({ value: 25.7, whoClass: 'pre_obesity', weightId: w.measureId, effectiveAt: '2026-01-14T06:30:00.000Z' });
    expect(overview.bmiClass).toBe('pre_obesity');

    // The synthesis reads the same, with no access check of its own.
    const summary = await readMeasuresSummary(ctx.db, holder.patientId, createProfileSealer(ctx));
    expect(summary.items.find((i) => i.type === 'bmi')).toMatchObject({ value: 25.7, unit: 'kg/m2' });

    const trace = await traceOf(ctx, holder.patientId);
    expect(trace.filter((r) => r.action === 'measure_added').map((r) => r.detail.type)).toEqual(['weight', 'height', 'blood_pressure', 'blood_glucose']);
    expect(trace.find((r) => r.action === 'measure_added')).toMatchObject({ actor_type: 'patient', actor_id: holder.patientId, target: `Observation/${w.measureId}` });
    expect(trace.at(-1)?.action).toBe('measures_read');
    expect((await verifyChains(ctx.db, { patientId: holder.patientId })).firstBroken).toBeNull();
  });

  it('gives a series over a period with its statistics', async () => {
    for (const [day, v] of [['05', 72], ['08', 71.4], ['11', 70.6], ['14', 71]] as const) await added({ type: 'weight', value: v, effectiveAt: `2026-01-${day}T07:00:00Z` });
    const all = await get<SeriesView>('/series/weight');
    expect(all.values.map((v) => v.value)).toEqual([71, 70.6, 71.4, 72]);
    expect(all.stats).toEqual({ count: 4, last: 71, lastAt: '2026-01-14T07:00:00.000Z', min: 70.6, max: 72, mean: 71.25 });
    const some = await get<SeriesView>('/series/weight?from=2026-01-06&to=2026-01-11');
    expect(some.values.map((v) => v.value)).toEqual([70.6, 71.4]);
    expect(some.stats).toMatchObject({ count: 2, min: 70.6, max: 71.4, mean: 71 });
    const empty = await get<SeriesView>('/series/heart_rate');
    expect(empty.stats.count).toBe(0);

    await added({ type: 'blood_pressure', systolic: 140, diastolic: 90, effectiveAt: '2026-01-10T08:00:00Z' });
    await added({ type: 'blood_pressure', systolic: 120, diastolic: 80, effectiveAt: '2026-01-12T08:00:00Z' });
    const bp = await get<SeriesView>('/series/blood_pressure');
    expect(bp.stats).toMatchObject({ count: 2, last: 120, min: 120, max: 140, mean: 130 });
    expect(bp.diastolicStats).toMatchObject({ last: 80, mean: 85 });

    await added({ type: 'height', value: 1.6, effectiveAt: '2026-01-01T07:00:00Z' });
    const bmi = await get<SeriesView>('/series/bmi');
    expect(bmi.bmi?.map((b) => b.value)).toEqual([27.7, 27.6, 27.9, 28.1]);
    expect(bmi.bmi?.[0]?.whoClass).toBe('pre_obesity');
    expect(bmi.stats).toMatchObject({ count: 4, last: 27.7 });
    expect((await traceOf(ctx, holder.patientId)).filter((r) => r.action === 'measure_series_read').map((r) => r.target)).toEqual([
      'Observation/weight',
      'Observation/weight',
      'Observation/heart_rate',
      'Observation/blood_pressure',
      'Observation/bmi',
    ]);
  });

  it('refuses bad input with a 400 naming the field, and stores and traces nothing', async () => {
    await refusedUnchanged(add({ type: 'weight', value: 900 }), 'body.value', /^900 kg is outside the possible range for a weight \(0\.3-400 kg\); check the value and the unit/);
    await refusedUnchanged(add({ type: 'weight', value: 70, unit: 'stone' }), 'body.unit', /not a unit for a weight/);
    await refusedUnchanged(add({ type: 'weight', value: '70' }), 'body.value');
    await refusedUnchanged(add({ type: 'weight' }), 'body.value', /required/);
    await refusedUnchanged(add({ type: 'weight', value: 70, colour: 'blue' }), 'body');
    await refusedUnchanged(add({ type: 'cholesterol', value: 2 }), 'body.type', /not a type of measure/);
    await refusedUnchanged(add({ type: 'bmi', value: 22 }), 'body.type', /computed from your last weight and height/);
    await refusedUnchanged(add({ type: 'height', value: 172 }), 'body.value', /172 m is outside/);
    await refusedUnchanged(add({ type: 'pain', value: 4.5 }), 'body.value', /whole number/);
    await refusedUnchanged(add({ type: 'blood_pressure', systolic: 80, diastolic: 120 }), 'body.systolic', /not swapped/);
    await refusedUnchanged(add({ type: 'blood_pressure', systolic: 120 }), 'body.diastolic');
    await refusedUnchanged(add({ type: 'blood_pressure', value: 120 }), 'body.value');
    await refusedUnchanged(add({ type: 'heart_rate', value: 70, effectiveAt: '2026-01-15T09:10:00Z' }), 'body.effectiveAt', /in the future/);
    await refusedUnchanged(add({ type: 'heart_rate', value: 70, effectiveAt: '1985-04-11T12:00:00+02:00' }), 'body.effectiveAt', /before the date of birth/);
    await refusedUnchanged(add({ type: 'heart_rate', value: 70, effectiveAt: 'yesterday' }), 'body.effectiveAt');
    // A few minutes of clock skew are allowed.
    expect((await add({ type: 'heart_rate', value: 70, effectiveAt: '2026-01-15T09:04:00Z' })).statusCode).toBe(201);
    // The writes need the CSRF header.
    const noCsrf = await ctx.app.inject({ method: 'POST', url: url(), headers: { cookie: session.cookie }, payload: { type: 'weight', value: 70 } });
    expect(noCsrf.statusCode).toBe(403);
    expect(await rows()).toBe(1);
  });

  it('does not let anyone else in: another patient gets 404 (traced), a professional has no session here', async () => {
    const other = await insertActivePatient(ctx.db);
    const otherSession = await signIn(ctx, other.loginId, other.password);
    const res = await add({ type: 'weight', value: 70 }, otherSession);
    expect(res.statusCode).toBe(404);
    const read = await ctx.app.inject({ method: 'GET', url: url(), headers: { cookie: otherSession.cookie } });
    expect(read.statusCode).toBe(404);
    expect(await rows()).toBe(0);
    expect((await traceOf(ctx, holder.patientId)).map((r) => [r.action, r.actor_id, r.detail.reason])).toEqual([
      ['access_denied', other.patientId, 'not_authorized'],
      ['access_denied', other.patientId, 'not_authorized'],
    ]);
    const unknown = await ctx.app.inject({ method: 'GET', url: url('', randomUUID()), headers: { cookie: session.cookie } });
    expect(unknown.statusCode).toBe(404);
    const anonymous = await ctx.app.inject({ method: 'GET', url: url() });
    expect(anonymous.statusCode).toBe(401);
  });

  it('edits and deletes a value; the edit keeps the author and records who changed it', async () => {
    const m = await added({ type: 'body_temperature', value: 38.4, effectiveAt: '2026-01-15T06:00:00Z' });
    const put = (id: string, payload: Record<string, unknown>) => ctx.app.inject({ method: 'PUT', url: url(`/values/${id}`), headers: session.headers, payload });
    ctx.clock.advance(60_000);
    const edited = await put(m.measureId, { value: 101.3, unit: '[degF]' });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ value: 38.5, effectiveAt: '2026-01-15T06:00:00.000Z', author: { id: holder.patientId }, updatedAt: '2026-01-15T09:01:00.000Z', updatedBy: { kind: 'patient' } });
    await refusedUnchanged(put(m.measureId, { value: 50 }), 'body.value', /outside the possible range for a body temperature \(25-45 °C\)/);
    await refusedUnchanged(put(m.measureId, { value: 37, type: 'weight' }), 'body');
    expect((await put(randomUUID(), { value: 37 })).statusCode).toBe(404);

    const del = await ctx.app.inject({ method: 'DELETE', url: url(`/values/${m.measureId}`), headers: session.headers });
    expect(del.statusCode, del.body).toBe(200);
    expect(await rows()).toBe(0);
    expect((await ctx.app.inject({ method: 'DELETE', url: url(`/values/${m.measureId}`), headers: session.headers })).statusCode).toBe(404);
    expect((await traceOf(ctx, holder.patientId)).map((r) => r.action)).toEqual(['measure_added', 'measure_updated', 'measure_deleted']);
  });

  it('sets an HbA1c target and says whether each value is within it', async () => {
    const put = (type: string, payload: Record<string, unknown>) => ctx.app.inject({ method: 'PUT', url: url(`/targets/${type}`), headers: session.headers, payload });
    await refusedUnchanged(put('hba1c', { low: 8, high: 7 }), 'body.low', /must be below/);
    await refusedUnchanged(put('hba1c', { high: 70 }), 'body.high', /outside the possible range for an HbA1c/);
    await refusedUnchanged(put('weight', { high: 70 }), 'params.type', /No target/);
    const set = await put('hba1c', { high: 7 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ type: 'hba1c', low: null, high: 7, setBy: { kind: 'patient', id: holder.patientId } });
    await added({ type: 'hba1c', value: 6.8, effectiveAt: '2025-10-01T08:00:00Z' });
    const above = await added({ type: 'hba1c', value: 64, unit: 'mmol/mol', effectiveAt: '2026-01-10T08:00:00Z' });
    expect(above).toMatchObject({ value: 8, target: 'above' });
    const series = await get<SeriesView>('/series/hba1c');
    expect(series.values.map((v) => [v.value, v.target])).toEqual([
      [8, 'above'],
      [6.8, 'within'],
    ]);
    expect(series.target).toMatchObject({ high: 7 });
    expect((await get<MeasuresOverview>('')).targets).toEqual([expect.objectContaining({ type: 'hba1c', high: 7 })]);
    const removed = await ctx.app.inject({ method: 'DELETE', url: url('/targets/hba1c'), headers: session.headers });
    expect(removed.json()).toEqual({ removed: true });
    expect((await get<SeriesView>('/series/hba1c')).target).toBeNull();
  });

  it('gives a child’s growth curves to the legal representative, and lets an accepted aidant add values', async () => {
    const child = await insertActivePatient(ctx.db, { birthDate: '2016-05-10', sex: 'M' });
    await ctx.db.query("INSERT INTO representations (patient_id, representative_id, rank, status, created_at) VALUES ($1, $2, 1, 'active', $3)", [child.patientId, holder.patientId, START]);
    await added({ type: 'height', value: 50, unit: 'cm', effectiveAt: '2016-05-10T12:00:00Z' }, session, child.patientId);
    await added({ type: 'weight', value: 3.45, effectiveAt: '2016-05-10T12:00:00Z' }, session, child.patientId);
    await added({ type: 'head_circumference', value: 35, effectiveAt: '2016-05-10T12:00:00Z' }, session, child.patientId);
    await added({ type: 'height', value: 138.2, unit: 'cm', effectiveAt: '2025-11-10T12:00:00Z' }, session, child.patientId);
    await added({ type: 'weight', value: 31.5, effectiveAt: '2025-11-10T12:00:00Z' }, session, child.patientId);
    const growth = await get<GrowthView>('/growth', session, child.patientId);
    expect(growth).toMatchObject({ birthDate: '2016-05-10', sex: 'M' });
    expect(growth.height.map((p) => [p.value, p.age.months])).toEqual([
      [0.5, 0],
      [1.382, 114],
    ]);
    expect(growth.weight.map((p) => p.value)).toEqual([3.45, 31.5]);
    expect(growth.headCircumference.map((p) => p.age.days)).toEqual([0]);
    expect(growth.bmi.map((p) => p.value)).toEqual([13.8, 16.5]);
    // No WHO adult class for a child.
    expect((await get<MeasuresOverview>('', session, child.patientId)).bmi).toMatchObject({ value: 16.5, whoClass: null });
    await refusedUnchanged(add({ type: 'weight', value: 3, effectiveAt: '2016-05-09T12:00:00Z' }, session, child.patientId), 'body.effectiveAt', /before the date of birth \(2016-05-10\)/);
    expect((await traceOf(ctx, child.patientId)).find((r) => r.action === 'measure_added')).toMatchObject({ actor_type: 'representative', actor_id: holder.patientId });

    const helper = await insertActivePatient(ctx.db);
    await ctx.db.query(
      "INSERT INTO aidant_invitations (patient_id, invitation_id, aidant_id, login_id, invited_by, status, invited_at, expires_at, answered_at) VALUES ($1, $2, $3, $4, $1, 'accepted', $5, $6, $5)",
      [holder.patientId, randomUUID(), helper.patientId, helper.loginId.toLowerCase(), START, '2026-02-01T00:00:00Z'],
    );
    const aidant = await signIn(ctx, helper.loginId, helper.password);
    const byAidant = await added({ type: 'steps', value: 8200 }, aidant);
    expect(byAidant.author).toMatchObject({ kind: 'aidant', id: helper.patientId });
  });

  it('serves series from the (patient_id, type, effective_at) index', async () => {
    for (let i = 1; i <= 5; i++) for (const type of ['weight', 'steps']) await added({ type, value: 60 + i, effectiveAt: `2026-01-0${i}T07:00:00Z` });
    // The query listMeasures makes for one type over a period.
    const plan = await ctx.db.tx(async (q) => {
      await q.query('SET LOCAL enable_seqscan = off');
      return q.query<Record<string, string>>('EXPLAIN SELECT measure_id FROM measures WHERE patient_id = $1 AND type = $2 AND effective_at >= $3 ORDER BY effective_at DESC, measure_id DESC', [
        holder.patientId,
        'weight',
        new Date('2026-01-02T00:00:00Z'),
      ]);
    });
    expect(plan.map((r) => Object.values(r).join(' ')).join('\n')).toMatch(/measures_series/);
  });
});

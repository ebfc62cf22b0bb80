import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { randomUUID } from 'node:crypto';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { ManualClock } from '../platform/clock.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { verifyChains } from '../audit/index.ts';
import { CARDIOLOGIST, GP, NURSE, proKit } from '../records/controls-test-kit.ts';
import type { ProKit } from '../records/controls-test-kit.ts';
import { readHealthHistory } from './health-history-routes.ts';
import { createProfileSealer } from './profile-crypto.ts';

const SAMU = DEMO_PROFESSIONALS.samuRegulator;
const NOW = '2026-03-10T10:00:00Z';
const TODAY = '2026-03-10';

const CONDITION = { kind: 'disease', label: 'Diabète de type 2', cim10: 'E11.9', status: 'active', onsetDate: '2019' };
const TREATMENT = { medication: 'Metformine 1000 mg', atc: 'A10BA02', dosage: '1 comprimé matin et soir', reason: 'Diabète', ongoing: true, startDate: '2019-06' };
const HOSPITALISATION = { reason: 'Appendicectomie', establishment: 'Hôpital de démonstration', startDate: '2005-07-02', endDate: '2005-07-05' };
const DISABILITY = { kind: 'hearing', label: 'Surdité partielle gauche', since: '2010' };
const ALLERGY = { substance: 'Pénicilline', type: 'allergy', category: 'medication', reaction: 'Urticaire', severity: 'moderate' };
const FAMILY = { condition: 'Cancer du sein', relation: 'MTH', ageAtOnset: 52 };

describeEngines('health history over the API', (getDb) => {
  let ctx: TestContext;
  let pros: ProKit;
  let holder: Awaited<ReturnType<typeof insertActivePatient>>;
  let session: SignedIn;

  const url = (path = '', patientId = holder.patientId) => `/api/spaces/${patientId}/health-history${path}`;
  const read = (patientId = holder.patientId, who: SignedIn = session) => ctx.app.inject({ method: 'GET', url: url('', patientId), headers: { cookie: who.cookie } });
  const write = (method: 'POST' | 'PUT' | 'DELETE', path: string, payload?: unknown, patientId = holder.patientId, who: SignedIn = session) =>
    ctx.app.inject({ method, url: url(path, patientId), headers: who.headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  const add = async (seg: string, payload: unknown, patientId = holder.patientId, who: SignedIn = session): Promise<{ id: string } & Record<string, unknown>> => {
    const res = await write('POST', `/${seg}`, payload, patientId, who);
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  /** The trace of a space, oldest first (sign-ins left out). */
  const traceOf = async (patientId: string) =>
    (
      await ctx.db.query<{ action: string; actor_type: string; actor_id: string | null; target: string | null; mode: string; detail: Record<string, unknown> }>(
        'SELECT action, actor_type, actor_id, target, mode, detail FROM audit_events WHERE patient_id = $1 ORDER BY seq',
        [patientId],
      )
    ).filter((r) => !r.action.startsWith('login') && !r.action.startsWith('sign'));
  const traceCount = async (patientId = holder.patientId) => (await traceOf(patientId)).length;
  const last = async (patientId = holder.patientId) => (await traceOf(patientId)).at(-1);
  const rowCount = async (patientId = holder.patientId) =>
    Number((await ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM health_history_entries WHERE patient_id = $1', [patientId]))[0]?.n);
  const expect400 = (res: LightMyRequestResponse, field: string) => {
    expect(res.statusCode, res.body).toBe(400);
    const body = res.json() as { detail: string; errors: { field: string }[] };
    expect(body.errors.map((e) => e.field)).toContain(field);
  };
  const authorize = (ps: string, column = 'authorized_since', patientId = holder.patientId) =>
    ctx.db.query(`INSERT INTO professional_relations (patient_id, id_nat_ps, ${column}) VALUES ($1, $2, $3) ON CONFLICT (patient_id, id_nat_ps) DO UPDATE SET ${column} = EXCLUDED.${column}`, [
      patientId,
      ps,
      ctx.clock.now(),
    ]);
  const proRead = async (ps: string, query = '', patientId = holder.patientId) =>
    ctx.app.inject({ method: 'GET', url: `/api/pro/patients/${patientId}/health-history${query}`, headers: await pros.headers(ps) });

  beforeAll(async () => {
    await loadDemoDirectory(getDb(), new ManualClock(NOW));
  });

  beforeEach(async () => {
    // A fresh app per test (same database): sign-in rate limits are per app.
    ctx = await testApp(getDb(), { clock: new ManualClock(NOW) });
    pros = proKit(ctx);
    holder = await insertActivePatient(ctx.db);
    session = await signIn(ctx, holder.loginId, holder.password);
  });

  describe('the patient', () => {
    it('adds an entry to each list, reads them back grouped, one trace per action', async () => {
      const before = await traceCount();
      const added = {
        conditions: await add('conditions', CONDITION),
        treatments: await add('treatments', TREATMENT),
        hospitalisations: await add('hospitalisations', HOSPITALISATION),
        disabilities: await add('disabilities', DISABILITY),
        allergies: await add('allergies', ALLERGY),
        familyHistory: await add('family-history', FAMILY),
      };
      expect(added.conditions).toMatchObject({ ...CONDITION, recordedBy: { kind: 'patient', id: holder.patientId }, createdAt: new Date(NOW).toISOString() });
      expect(await traceCount()).toBe(before + 6);
      expect(await last()).toMatchObject({ action: 'health_history_entry_added', target: `health_history/familyHistory/${added.familyHistory.id}`, actor_type: 'patient', detail: { section: 'familyHistory' } });

      const res = await read();
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as Record<string, { notConcerned: unknown; entries: Record<string, unknown>[] }>;
      expect(body.conditions).toEqual({ notConcerned: null, entries: [expect.objectContaining({ id: added.conditions.id, ...CONDITION })] });
      expect(body.treatments?.entries).toEqual([expect.objectContaining(TREATMENT)]);
      expect(body.hospitalisations?.entries).toEqual([expect.objectContaining(HOSPITALISATION)]);
      expect(body.disabilities?.entries).toEqual([expect.objectContaining(DISABILITY)]);
      expect(body.allergies?.entries).toEqual([expect.objectContaining(ALLERGY)]);
      expect(body.familyHistory?.entries).toEqual([expect.objectContaining(FAMILY)]);
      expect(body.bloodGroup).toBeNull();
      expect(body).not.toHaveProperty('lifestyle');
      expect(await last()).toMatchObject({ action: 'health_history_read', actor_type: 'patient' });
      expect(await traceCount()).toBe(before + 7);

      // What the synthesis reads: the same, lifestyle included.
      const all = await readHealthHistory(ctx.db, holder.patientId, createProfileSealer(ctx));
      expect(all.allergies.entries.map((e) => e.id)).toEqual([added.allergies.id]);
      expect(all.lifestyle).toBeNull();
      expect((await verifyChains(ctx.db, { patientId: holder.patientId })).firstBroken).toBeNull();
    });

    it('edits (whole entry) and deletes an entry; an unknown or mis-sectioned id is 404 and traces nothing', async () => {
      const t = await add('treatments', TREATMENT);
      ctx.clock.set('2026-03-10T10:10:00Z');
      const stopped = { ...TREATMENT, ongoing: false, endDate: '2026-02' };
      const res = await write('PUT', `/treatments/${t.id}`, stopped);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ id: t.id, ...stopped, createdAt: new Date(NOW).toISOString(), updatedAt: '2026-03-10T10:10:00.000Z' });
      expect(await last()).toMatchObject({ action: 'health_history_entry_updated', target: `health_history/treatments/${t.id}` });

      const n = await traceCount();
      expect((await write('PUT', `/conditions/${t.id}`, CONDITION)).statusCode).toBe(404);
      expect((await write('DELETE', `/allergies/${t.id}`)).statusCode).toBe(404);
      expect((await write('PUT', `/treatments/${randomUUID()}`, TREATMENT)).statusCode).toBe(404);
      expect(await traceCount()).toBe(n);

      expect((await write('DELETE', `/treatments/${t.id}`)).statusCode).toBe(204);
      expect(await last()).toMatchObject({ action: 'health_history_entry_deleted', target: `health_history/treatments/${t.id}` });
      expect(await rowCount()).toBe(0);
      expect((await write('DELETE', `/treatments/${t.id}`)).statusCode).toBe(404);
    });

    it('“not concerned”: dated, refused with 409 while entries exist, cleared by a new entry, withdrawn', async () => {
      const said = await write('PUT', '/allergies/not-concerned');
      expect(said.statusCode, said.body).toBe(200);
      expect(said.json()).toEqual({ section: 'allergies', notConcerned: { statedOn: TODAY } });
      expect(await last()).toMatchObject({ action: 'health_history_not_concerned_stated', target: 'health_history/allergies' });
      expect(((await read()).json() as { allergies: unknown }).allergies).toEqual({ notConcerned: { statedOn: TODAY }, entries: [] });

      const a = await add('allergies', ALLERGY);
      expect(await last()).toMatchObject({ action: 'health_history_entry_added', detail: { section: 'allergies', notConcernedCleared: true } });
      expect(((await read()).json() as { allergies: { notConcerned: unknown } }).allergies.notConcerned).toBeNull();

      const n = await traceCount();
      const refused = await write('PUT', '/allergies/not-concerned');
      expect(refused.statusCode, refused.body).toBe(409);
      expect((refused.json() as { detail: string }).detail).toMatch(/1 entry.*Delete it first/);
      expect(await traceCount()).toBe(n);
      const state = await ctx.db.query<{ n: string | null }>("SELECT to_char(not_concerned_on, 'YYYY-MM-DD') AS n FROM health_history_sections WHERE patient_id = $1 AND section = 'allergies'", [holder.patientId]);
      expect(state[0]?.n).toBeNull();

      // Other lists are independent; withdrawing works once.
      expect((await write('PUT', '/family-history/not-concerned')).statusCode).toBe(200);
      expect((await write('DELETE', '/family-history/not-concerned')).statusCode).toBe(204);
      expect(await last()).toMatchObject({ action: 'health_history_not_concerned_withdrawn' });
      expect((await write('DELETE', '/family-history/not-concerned')).statusCode).toBe(404);
      expect(a.id).toBeTruthy();
    });

    it('an entry and “not concerned” sent at once never both hold', async () => {
      for (let i = 0; i < 3; i++) {
        const [added, said] = await Promise.all([write('POST', '/disabilities', DISABILITY), write('PUT', '/disabilities/not-concerned')]);
        expect(added.statusCode, added.body).toBe(201);
        expect([200, 409]).toContain(said.statusCode);
        const section = ((await read()).json() as { disabilities: { notConcerned: unknown; entries: unknown[] } }).disabilities;
        expect(section.notConcerned).toBeNull();
        expect(section.entries).toHaveLength(i + 1);
      }
    });

    it('blood group: one value with its date, replaced, removed', async () => {
      const set = await write('PUT', '/blood-group', { abo: 'A', rh: 'positive', statedOn: '2010-05-03' });
      expect(set.statusCode, set.body).toBe(200);
      expect(set.json()).toMatchObject({ value: { abo: 'A', rh: 'positive', statedOn: '2010-05-03' }, recordedBy: { kind: 'patient' } });
      expect(await last()).toMatchObject({ action: 'blood_group_stated', target: 'health_history/bloodGroup' });
      await write('PUT', '/blood-group', { abo: 'O', rh: 'negative' });
      expect(((await read()).json() as { bloodGroup: unknown }).bloodGroup).toMatchObject({ value: { abo: 'O', rh: 'negative', statedOn: TODAY } });
      expect((await write('DELETE', '/blood-group')).statusCode).toBe(204);
      expect(await last()).toMatchObject({ action: 'blood_group_deleted' });
      expect(((await read()).json() as { bloodGroup: unknown }).bloodGroup).toBeNull();
      expect((await write('DELETE', '/blood-group')).statusCode).toBe(404);
    });

    it('lifestyle: stated, read, removed, on its own address (patient side only)', async () => {
      const life = `/api/spaces/${holder.patientId}/lifestyle`;
      expect((await ctx.app.inject({ method: 'GET', url: life, headers: { cookie: session.cookie } })).json()).toEqual({ lifestyle: null });
      const body = { tobacco: { status: 'former', quitYear: 2015 }, alcohol: { status: 'occasional', drinksPerWeek: 2 }, physicalActivity: { level: 'moderate', minutesPerWeek: 150 }, diet: { kinds: ['vegetarian'] } };
      const put = await ctx.app.inject({ method: 'PUT', url: life, headers: session.headers, payload: body });
      expect(put.statusCode, put.body).toBe(200);
      expect(await last()).toMatchObject({ action: 'lifestyle_stated' });
      const got = await ctx.app.inject({ method: 'GET', url: life, headers: { cookie: session.cookie } });
      expect(got.json()).toMatchObject({ lifestyle: { value: { ...body, statedOn: TODAY } } });
      expect(await last()).toMatchObject({ action: 'lifestyle_read' });
      expect((await readHealthHistory(ctx.db, holder.patientId, createProfileSealer(ctx))).lifestyle?.value.tobacco).toEqual({ status: 'former', quitYear: 2015 });
      expect((await ctx.app.inject({ method: 'DELETE', url: life, headers: session.headers })).statusCode).toBe(204);
      expect((await ctx.app.inject({ method: 'PUT', url: life, headers: session.headers, payload: { tobacco: { status: 'smoker' } } })).statusCode).toBe(400);
    });
  });

  describe('bad input changes nothing: 4xx naming the field, no row, no trace', () => {
    const cases: [name: string, seg: string, payload: unknown, field: string][] = [
      ['wrong type', 'treatments', { ...TREATMENT, ongoing: 'true' }, 'body.ongoing'],
      ['number for text', 'conditions', { ...CONDITION, label: 12 }, 'body.label'],
      ['unknown kind', 'conditions', { ...CONDITION, kind: 'illness' }, 'body.kind'],
      ['unknown relation code', 'family-history', { ...FAMILY, relation: 'BFF' }, 'body.relation'],
      ['unknown severity', 'allergies', { ...ALLERGY, severity: 'fatal' }, 'body.severity'],
      ['unknown category', 'allergies', { ...ALLERGY, category: 'pollen' }, 'body.category'],
      ['age out of range', 'family-history', { ...FAMILY, ageAtOnset: 131 }, 'body.ageAtOnset'],
      ['missing field', 'hospitalisations', { reason: 'x' }, 'body.startDate'],
      ['unknown field', 'disabilities', { ...DISABILITY, severity: 'mild' }, 'body'],
      ['date in the future', 'hospitalisations', { ...HOSPITALISATION, startDate: '2026-03-11', endDate: undefined }, 'body.startDate'],
      ['end before start', 'hospitalisations', { ...HOSPITALISATION, endDate: '2005-07-01' }, 'body.endDate'],
      ['impossible date', 'conditions', { ...CONDITION, onsetDate: '2019-02-29' }, 'body.onsetDate'],
      ['malformed date', 'conditions', { ...CONDITION, onsetDate: '10/03/2019' }, 'body.onsetDate'],
      ['before birth (checked in the transaction)', 'conditions', { ...CONDITION, onsetDate: '1980' }, 'body.onsetDate'],
      ['huge label', 'conditions', { ...CONDITION, label: 'x'.repeat(201) }, 'body.label'],
      ['huge note', 'disabilities', { ...DISABILITY, note: 'x'.repeat(1001) }, 'body.note'],
      ['blank label', 'conditions', { ...CONDITION, label: '   ' }, 'body.label'],
      ['bad CIM-10', 'conditions', { ...CONDITION, cim10: 'DIAB' }, 'body.cim10'],
      ['bad ATC', 'treatments', { ...TREATMENT, atc: 'XX' }, 'body.atc'],
      ['end of an ongoing treatment', 'treatments', { ...TREATMENT, endDate: '2020' }, 'body.endDate'],
    ];
    it.each(cases)('%s', async (_name, seg, payload, field) => {
      const n = await traceCount();
      expect400(await write('POST', `/${seg}`, payload), field);
      expect(await rowCount()).toBe(0);
      expect(await traceCount()).toBe(n);
    });

    it('the same on edit: the entry keeps its content', async () => {
      const c = await add('conditions', CONDITION);
      const n = await traceCount();
      expect400(await write('PUT', `/conditions/${c.id}`, { ...CONDITION, onsetDate: '2027' }), 'body.onsetDate');
      expect400(await write('PUT', '/blood-group', { abo: 'C', rh: 'positive' }), 'body.abo');
      expect400(await write('PUT', '/blood-group', { abo: 'A', rh: 'positive', statedOn: '2030-01-01' }), 'body.statedOn');
      expect(await traceCount()).toBe(n);
      expect((await readHealthHistory(ctx.db, holder.patientId, createProfileSealer(ctx))).conditions.entries[0]).toMatchObject(CONDITION);
    });

    it('a write without the CSRF token is refused', async () => {
      const res = await ctx.app.inject({ method: 'POST', url: url('/conditions'), headers: { cookie: session.cookie }, payload: CONDITION });
      expect(res.statusCode).toBe(403);
      expect(await rowCount()).toBe(0);
    });

    it('someone else’s space: 404, nothing written there, the attempt traced there', async () => {
      const other = await insertActivePatient(ctx.db);
      const otherSession = await signIn(ctx, other.loginId, other.password);
      await add('conditions', CONDITION, other.patientId, otherSession);
      expect((await write('POST', '/conditions', CONDITION, other.patientId)).statusCode).toBe(404);
      expect((await read(other.patientId)).statusCode).toBe(404);
      expect((await write('PUT', '/allergies/not-concerned', undefined, other.patientId)).statusCode).toBe(404);
      expect(await rowCount(other.patientId)).toBe(1);
      expect(await last(other.patientId)).toMatchObject({ action: 'access_denied', actor_id: holder.patientId });
      expect((await write('POST', '/conditions', CONDITION, randomUUID())).statusCode).toBe(404);
    });
  });

  describe('legal representatives', () => {
    it('the representative of a minor writes and reads the child’s health history', async () => {
      const child = await insertActivePatient(ctx.db, { birthDate: '2016-05-01' });
      await ctx.db.query("INSERT INTO representations (patient_id, representative_id, rank, status, created_at) VALUES ($1, $2, 1, 'active', $3)", [child.patientId, holder.patientId, NOW]);
      const a = await add('allergies', { ...ALLERGY, since: '2018' }, child.patientId);
      expect(a).toMatchObject({ recordedBy: { kind: 'representative', id: holder.patientId } });
      expect(await last(child.patientId)).toMatchObject({ action: 'health_history_entry_added', actor_type: 'representative' });
      expect(((await read(child.patientId)).json() as { allergies: { entries: unknown[] } }).allergies.entries).toHaveLength(1);
      // A date before the child's birth is refused.
      expect400(await write('POST', '/conditions', { ...CONDITION, onsetDate: '2015' }, child.patientId), 'body.onsetDate');
    });
  });

  describe('professionals', () => {
    beforeEach(async () => {
      await add('conditions', CONDITION);
      await add('allergies', ALLERGY);
      await write('PUT', '/blood-group', { abo: 'B', rh: 'positive' });
      await ctx.app.inject({ method: 'PUT', url: `/api/spaces/${holder.patientId}/lifestyle`, headers: session.headers, payload: { tobacco: { status: 'current', cigarettesPerDay: 5 } } });
    });

    it('an authorized PS reads the health history (never the lifestyle); an unauthorized one gets 404, traced', async () => {
      const refused = await proRead(GP);
      expect(refused.statusCode).toBe(404);
      expect(await last()).toMatchObject({ action: 'access_denied', actor_id: GP, detail: { attempted: 'list', reason: 'not_authorized' } });

      await authorize(GP);
      const res = await proRead(GP);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as Record<string, unknown>;
      expect(body).toMatchObject({ conditions: { entries: [expect.objectContaining(CONDITION)] }, allergies: { entries: [expect.objectContaining(ALLERGY)] }, bloodGroup: { value: { abo: 'B', rh: 'positive' } }, emergency: null });
      expect(body).not.toHaveProperty('lifestyle');
      expect(JSON.stringify(body)).not.toContain('cigarettes');
      expect(res.headers['x-carnet-emergency-mode']).toBeUndefined();
      expect(await last()).toMatchObject({ action: 'health_history_read', actor_type: 'professional', actor_id: GP, mode: 'normal', detail: { rule: 'ps_authorized_matrix' } });
      // No professional route writes it.
      expect((await ctx.app.inject({ method: 'POST', url: `/api/pro/patients/${holder.patientId}/health-history/conditions`, headers: await pros.headers(GP), payload: CONDITION })).statusCode).toBe(404);
    });

    it('a blocked PS gets nothing, even in an emergency', async () => {
      await authorize(NURSE);
      await authorize(NURSE, 'blocked_since');
      expect((await proRead(NURSE)).statusCode).toBe(404);
      expect((await proRead(NURSE, '?mode=bris_de_glace&justification=Patient%20inconscient')).statusCode).toBe(404);
      expect(await last()).toMatchObject({ action: 'access_denied', detail: { reason: 'blocked' } });
    });

    it('emergency modes: SAMU regulator without justification, bris de glace with one; both shown and traced', async () => {
      const samu = await proRead(SAMU, '?mode=samu');
      expect(samu.statusCode, samu.body).toBe(200);
      expect(samu.headers['x-carnet-emergency-mode']).toBe('samu');
      expect(samu.json()).toMatchObject({ emergency: { mode: 'samu', banner: true }, allergies: { entries: [expect.objectContaining({ substance: 'Pénicilline' })] } });
      expect(await last()).toMatchObject({ action: 'health_history_read', mode: 'samu', actor_id: SAMU });
      expect((await proRead(NURSE, '?mode=samu')).statusCode).toBe(404);

      const missing = await proRead(NURSE, '?mode=bris_de_glace');
      expect(missing.statusCode).toBe(400);
      const btg = await proRead(NURSE, '?mode=bris_de_glace&justification=Patient%20inconscient');
      expect(btg.statusCode, btg.body).toBe(200);
      expect(btg.headers['x-carnet-emergency-mode']).toBe('bris_de_glace');
      expect(await last()).toMatchObject({ action: 'health_history_read', mode: 'bris_de_glace', detail: { justification: 'Patient inconscient' } });
    });

    it('the matrix rules: a profession it closes the health history to gets 404', async () => {
      // Occupational medicine (SM25) reads nothing of the record (CSP L. 1111-18).
      await ctx.db.query("UPDATE professionals SET specialty_code = 'SM25' WHERE id_nat_ps = $1", [CARDIOLOGIST]);
      try {
        await authorize(CARDIOLOGIST);
        expect((await proRead(CARDIOLOGIST)).statusCode).toBe(404);
        expect(await last()).toMatchObject({ action: 'access_denied', detail: { reason: 'matrix_excludes_type' } });
      } finally {
        await ctx.db.query("UPDATE professionals SET specialty_code = 'SM04' WHERE id_nat_ps = $1", [CARDIOLOGIST]);
      }
    });
  });
});

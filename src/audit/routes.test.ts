import { beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient, insertPatient } from '../../test/fixtures.ts';
import { ManualClock } from '../platform/clock.ts';
import { appendAudit } from './audit-log.ts';
import type { AuditEntry } from './audit-log.ts';
import { verifyChains } from './verify.ts';
import type { TraceEntry, TracePage } from './trace.ts';

const START = '2026-01-15T09:00:00Z';
const GP: AuditEntry['actor'] = { type: 'professional', id: '810001234567', name: 'Dr Paul BERNARD', profession: '10', specialty: 'SM54' };
const NURSE: AuditEntry['actor'] = { type: 'professional', id: '810009876543', name: 'Inès LEROY', profession: '60' };

describeEngines('GET /api/spaces/:patientId/trace', (getDb) => {
  let ctx: TestContext;
  let holder: Awaited<ReturnType<typeof insertActivePatient>>;
  let session: SignedIn;

  const get = (patientId: string, query = '', who: SignedIn = session) => ctx.app.inject({ method: 'GET', url: `/api/spaces/${patientId}/trace${query}`, headers: { cookie: who.cookie } });
  const page = async (patientId: string, query = '', who: SignedIn = session): Promise<TracePage> => {
    const res = await get(patientId, query, who);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  /** Every entry, following nextCursor page by page. */
  const all = async (patientId: string, query: string, limit: number): Promise<TraceEntry[]> => {
    const out: TraceEntry[] = [];
    let cursor: string | null = null;
    do {
      const p: TracePage = await page(patientId, `?limit=${limit}${query}${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(p.entries.length).toBeLessThanOrEqual(limit);
      out.push(...p.entries);
      cursor = p.nextCursor;
    } while (cursor !== null);
    return out;
  };

  beforeEach(async () => {
    ctx = await testApp(getDb(), { clock: new ManualClock(START) });
    holder = await insertActivePatient(ctx.db);
    session = await signIn(ctx, holder.loginId, holder.password);
    // 30 events in March 2026, one every 6 hours from 1 March 00:00 UTC; 1 in 3 by the GP,
    // 1 in 3 by the nurse, the rest by the system; the 10th in emergency mode.
    for (let i = 0; i < 30; i++) {
      const actor = i % 3 === 0 ? GP : i % 3 === 1 ? NURSE : ({ type: 'system' } as const);
      await ctx.db.tx((q) =>
        appendAudit(q, holder.patientId, new Date(Date.parse('2026-03-01T00:00:00Z') + i * 6 * 3600_000), {
          actor,
          action: `action_${i}`,
          target: actor.type === 'professional' ? `DocumentReference/doc-${i}` : undefined,
          mode: i === 9 ? 'bris_de_glace' : 'normal',
          detail: { i },
        }),
      );
    }
  });

  it('shows the holder their trace newest first, with actor, profession, action, target and mode', async () => {
    const first = await page(holder.patientId);
    expect(first.entries).toHaveLength(20);
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first.entries[0]).toEqual({
      seq: expect.any(Number),
      at: '2026-03-08T06:00:00.000Z',
      actorType: 'system',
      actorName: null,
      actorProfession: null,
      action: 'action_29',
      target: null,
      mode: 'normal',
    });
    const gp = first.entries.find((e) => e.action === 'action_27');
    expect(gp).toMatchObject({ actorType: 'professional', actorName: 'Dr Paul BERNARD', actorProfession: { code: '10', label: expect.any(String), specialty: { code: 'SM54', label: expect.any(String) } }, target: 'DocumentReference/doc-27' });
    expect(first.entries.find((e) => e.action === 'action_28')?.actorProfession).toMatchObject({ code: '60', specialty: null });
    const seqs = first.entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    // Sign-in events are there too, oldest of all.
    const everything = await all(holder.patientId, '', 100);
    expect(everything.at(-1)).toMatchObject({ seq: 1, actorType: 'patient' });
    expect(everything.find((e) => e.action === 'action_9')?.mode).toBe('bris_de_glace');
    expect((await verifyChains(ctx.db, { patientId: holder.patientId })).firstBroken).toBeNull();
  });

  it('pages with the cursor cover every event exactly once, at any page size, even while events are appended', async () => {
    const total = (await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE patient_id = $1', [holder.patientId]))[0]?.n ?? 0;
    for (const limit of [1, 7, 20, 100]) {
      const entries = await all(holder.patientId, '', limit);
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, k) => total - k));
    }
    const p1 = await page(holder.patientId, '?limit=5');
    await ctx.db.tx((q) => appendAudit(q, holder.patientId, new Date('2026-04-01T00:00:00Z'), { actor: GP, action: 'later' }));
    const p2 = await page(holder.patientId, `?limit=5&cursor=${p1.nextCursor}`);
    expect(p2.entries[0]?.seq).toBe((p1.entries.at(-1)?.seq ?? 0) - 1);
  });

  it('filters by date range (days in Europe/Paris, inclusive) and actor type, with pagination', async () => {
    // 2 March 2026 in Paris (UTC+1) = 1 March 23:00 UTC .. 2 March 23:00 UTC: events at
    // 2 March 00:00, 06:00, 12:00, 18:00 UTC (i = 4..7).
    const day = await all(holder.patientId, '&from=2026-03-02&to=2026-03-02', 3);
    expect(day.map((e) => e.action)).toEqual(['action_7', 'action_6', 'action_5', 'action_4']);
    const fromOnly = await all(holder.patientId, '&from=2026-03-08', 100);
    // action_28 is at 8 March 00:00 UTC (01:00 in Paris), action_27 at 7 March 18:00 UTC.
    expect(fromOnly.map((e) => e.action)).toEqual(['action_29', 'action_28']);
    const toOnly = await all(holder.patientId, '&to=2026-02-28', 100);
    expect(toOnly.every((e) => e.at < '2026-03-01')).toBe(true);
    expect(toOnly.length).toBeGreaterThan(0);

    const gps = await all(holder.patientId, '&actorType=professional', 4);
    expect(gps).toHaveLength(20);
    expect(gps.every((e) => e.actorType === 'professional')).toBe(true);
    const both = await all(holder.patientId, '&actorType=system&from=2026-03-01&to=2026-03-01', 100);
    expect(both.map((e) => e.action)).toEqual(['action_2']);
    expect(await page(holder.patientId, '?actorType=insurer')).toEqual({ entries: [], nextCursor: null });

    // 20 March 23:30 UTC is 21 March 00:30 in Paris: the day the patient sees.
    await ctx.db.tx((q) => appendAudit(q, holder.patientId, new Date('2026-03-20T23:30:00Z'), { actor: { type: 'insurer', name: 'Assurance Maladie' }, action: 'late' }));
    expect((await page(holder.patientId, '?from=2026-03-21&to=2026-03-21')).entries.map((e) => e.action)).toEqual(['late']);
    expect((await page(holder.patientId, '?from=2026-03-20&to=2026-03-20')).entries).toEqual([]);
  });

  it("another space is not found, whatever exists; a rank-2 representative reads the child's trace", async () => {
    const other = await insertActivePatient(ctx.db);
    await ctx.db.tx((q) => appendAudit(q, other.patientId, new Date(START), { actor: { type: 'system' }, action: 'space_opened' }));
    const notMine = await get(other.patientId);
    expect(notMine.statusCode).toBe(404);
    const nobody = await get('00000000-0000-4000-8000-000000000000');
    expect(nobody.statusCode).toBe(404);
    expect(nobody.json()).toEqual({ ...notMine.json() });

    const child = await insertPatient(ctx.db, { birthDate: '2018-05-01', status: 'active' });
    await ctx.db.tx((q) => appendAudit(q, child.patientId, new Date(START), { actor: GP, action: 'document_added', target: 'DocumentReference/vaccins' }));
    const second = await insertActivePatient(ctx.db);
    const secondSession = await signIn(ctx, second.loginId, second.password);
    const represent = (rep: string, rank: number, status: string) =>
      ctx.db.query('INSERT INTO representations (patient_id, representative_id, rank, status, created_at) VALUES ($1, $2, $3, $4, $5)', [child.patientId, rep, rank, status, START]);

    await represent(second.patientId, 2, 'invited');
    expect((await get(child.patientId, '', secondSession)).statusCode).toBe(404);
    await ctx.db.query("UPDATE representations SET status = 'active' WHERE patient_id = $1 AND representative_id = $2", [child.patientId, second.patientId]);
    expect((await page(child.patientId, '', secondSession)).entries).toMatchObject([{ action: 'document_added', actorName: 'Dr Paul BERNARD' }]);

    await represent(holder.patientId, 1, 'active');
    expect((await page(child.patientId)).entries).toHaveLength(1);
    await ctx.db.query("UPDATE representations SET status = 'revoked' WHERE patient_id = $1 AND representative_id = $2", [child.patientId, holder.patientId]);
    expect((await get(child.patientId)).statusCode).toBe(404);

    expect((await ctx.app.inject({ method: 'GET', url: `/api/spaces/${holder.patientId}/trace` })).statusCode).toBe(401);
  });

  it('an accepted aidant reads the trace of the person they help (decide()); a pending one does not', async () => {
    const helped = await insertActivePatient(ctx.db);
    await ctx.db.tx((q) => appendAudit(q, helped.patientId, new Date(START), { actor: GP, action: 'document_added' }));
    const aidant = await insertActivePatient(ctx.db);
    const session = await signIn(ctx, aidant.loginId, aidant.password);
    const invite = (status: string) =>
      ctx.db.query(
        `INSERT INTO aidant_invitations (patient_id, invitation_id, aidant_id, login_id, invited_by, status, invited_at, expires_at)
         VALUES ($1, gen_random_uuid(), $2, 'someone', $1, $3, $4, $5)
         ON CONFLICT (patient_id, aidant_id) WHERE status IN ('pending', 'accepted') AND aidant_id IS NOT NULL DO UPDATE SET status = EXCLUDED.status`,
        [helped.patientId, aidant.patientId, status, START, '2099-01-01T00:00:00Z'],
      );
    await invite('pending');
    expect((await get(helped.patientId, '', session)).statusCode).toBe(404);
    await invite('accepted');
    expect((await page(helped.patientId, '', session)).entries.map((e) => e.action)).toContain('document_added');
  });

  it('bad parameters are a 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['?limit=0', 'querystring.limit'],
      ['?limit=101', 'querystring.limit'],
      ['?limit=ten', 'querystring.limit'],
      ['?cursor=garbage!', 'querystring.cursor'],
      [`?cursor=${Buffer.from('t1.0').toString('base64url')}`, 'querystring.cursor'],
      [`?cursor=${Buffer.from('t1.12abc').toString('base64url')}`, 'querystring.cursor'],
      ['?from=2026-02-30', 'querystring.from'],
      ['?from=01/03/2026', 'querystring.from'],
      ['?to=2026-3-1', 'querystring.to'],
      ['?from=2026-03-05&to=2026-03-01', 'querystring.to'],
      ['?actorType=hacker', 'querystring.actorType'],
      ['?sort=asc', 'querystring'],
    ];
    for (const [query, field] of cases) {
      const res = await get(holder.patientId, query);
      expect(res.statusCode, query).toBe(400);
      const body = res.json() as { errors: { field: string }[]; detail: string };
      expect(body.errors[0]?.field, query).toBe(field);
      expect(body.detail, query).toContain(field);
    }
    const badId = await get('not-a-uuid');
    expect(badId.statusCode).toBe(400);
    expect(badId.json()).toMatchObject({ errors: [{ field: 'params.patientId' }] });
  });
});

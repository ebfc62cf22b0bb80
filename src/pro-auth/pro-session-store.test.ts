import { randomBytes } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { ManualClock } from '../platform/clock.ts';
import { cryptoRandom } from '../platform/random.ts';
import type { Db } from '../storage/index.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import {
  createProSession,
  deleteProSession,
  findProSession,
  parseProSessionCookie,
  PRO_SESSION_IDLE_MS,
  PRO_SESSION_MAX_MS,
  PRO_SESSION_TOUCH_MS,
  purgeExpiredProfessionalSessions,
} from './pro-session-store.ts';

const NURSE = DEMO_PROFESSIONALS.nurse; // Julien Moreau, 60, Cabinet médical des Lilas
const MINUTE = 60_000;

describeEngines('professional sessions', (getDb) => {
  let db: Db;
  const secret = randomBytes(32);
  const clock = new ManualClock('2026-03-02T08:00:00Z');
  const deps = { clock, secret, random: cryptoRandom };

  beforeAll(async () => {
    db = getDb();
    await loadDemoDirectory(db, clock);
  });

  it('designates the professional as the directory has them, with the CSRF token', async () => {
    const s = await createProSession(db, deps, NURSE);
    expect(s.cookieValue.startsWith(`${NURSE}.`)).toBe(true);
    const found = await findProSession(db, deps, s.cookieValue);
    expect(found?.principal).toEqual({
      idNatPs: NURSE,
      rpps: NURSE.slice(1),
      familyName: 'MOREAU',
      givenName: 'Julien',
      professionCode: '60',
      specialtyCode: null,
      organisationFiness: '759990013',
      via: 'oidc',
      csrfToken: s.csrfToken,
    });
    expect(found?.expiresAt.getTime()).toBe(clock.now().getTime() + PRO_SESSION_IDLE_MS);
  });

  it('refuses unknown, malformed and forged cookies', async () => {
    const s = await createProSession(db, deps, NURSE);
    const token = s.cookieValue.split('.')[1] ?? '';
    expect(await findProSession(db, deps, `${NURSE}.${token}x`)).toBeNull();
    expect(await findProSession(db, deps, `${DEMO_PROFESSIONALS.generalPractitioner}.${token}`)).toBeNull();
    expect(await findProSession(db, { ...deps, secret: randomBytes(32) }, s.cookieValue)).toBeNull();
    for (const bad of ['', 'x', `${NURSE}`, `${NURSE}.short`, `12345.${token}`, `${NURSE}.${token};`]) {
      expect(parseProSessionCookie(bad)).toBeNull();
      expect(await findProSession(db, deps, bad)).toBeNull();
    }
  });

  it('ends after 30 minutes idle; activity slides the deadline (at most one write a minute)', async () => {
    const s = await createProSession(db, deps, NURSE);
    clock.advance(20 * MINUTE);
    const touched = await findProSession(db, deps, s.cookieValue);
    expect(touched?.expiresAt.getTime()).toBe(clock.now().getTime() + PRO_SESSION_IDLE_MS);
    clock.advance(PRO_SESSION_TOUCH_MS / 2);
    expect((await findProSession(db, deps, s.cookieValue))?.expiresAt).toEqual(touched?.expiresAt); // not rewritten
    clock.advance(PRO_SESSION_IDLE_MS);
    expect(await findProSession(db, deps, s.cookieValue)).toBeNull();
    // Deleted on sight: going back in time does not revive it.
    clock.advance(-PRO_SESSION_IDLE_MS);
    expect(await findProSession(db, deps, s.cookieValue)).toBeNull();
  });

  it('ends 12 hours after sign-in whatever the activity', async () => {
    const s = await createProSession(db, deps, NURSE);
    const start = clock.now().getTime();
    for (let elapsed = 0; elapsed < PRO_SESSION_MAX_MS - 20 * MINUTE; elapsed += 20 * MINUTE) {
      clock.advance(20 * MINUTE);
      const found = await findProSession(db, deps, s.cookieValue);
      expect(found).not.toBeNull();
      expect(found?.expiresAt.getTime()).toBeLessThanOrEqual(start + PRO_SESSION_MAX_MS);
    }
    clock.set(new Date(start + PRO_SESSION_MAX_MS));
    expect(await findProSession(db, deps, s.cookieValue)).toBeNull();
  });

  it('stops working when the professional is deactivated in the directory', async () => {
    const s = await createProSession(db, deps, NURSE);
    await db.query('UPDATE professionals SET active = false WHERE id_nat_ps = $1', [NURSE]);
    try {
      expect(await findProSession(db, deps, s.cookieValue)).toBeNull();
    } finally {
      await db.query('UPDATE professionals SET active = true WHERE id_nat_ps = $1', [NURSE]);
    }
  });

  it('ends on sign-out, once', async () => {
    const s = await createProSession(db, deps, NURSE);
    expect(await deleteProSession(db, secret, s.cookieValue)).toBe(true);
    expect(await deleteProSession(db, secret, s.cookieValue)).toBe(false);
    expect(await findProSession(db, deps, s.cookieValue)).toBeNull();
  });

  it('purges sessions past their deadline and keeps live ones', async () => {
    const old = await createProSession(db, deps, NURSE);
    clock.advance(PRO_SESSION_IDLE_MS + MINUTE);
    const live = await createProSession(db, deps, NURSE);
    const purged = await purgeExpiredProfessionalSessions(db, clock.now());
    expect(purged).toBeGreaterThanOrEqual(1);
    const left = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM professional_sessions WHERE expires_at <= $1', [clock.now().toISOString()]);
    expect(left[0]?.n).toBe(0);
    expect(await findProSession(db, deps, live.cookieValue)).not.toBeNull();
    expect(await deleteProSession(db, secret, old.cookieValue)).toBe(false);
  });
});

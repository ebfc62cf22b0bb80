import type { Queryable } from '../storage/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { Random } from '../platform/random.ts';
import { keyedHash } from '../platform/secrets.ts';
import type { ProfessionalPrincipal } from './professional-principal.ts';

/**
 * Professionals' browser sessions, designed like patients' (src/auth/session-store.ts): a
 * random token in an httpOnly cookie, stored only as a keyed hash; a CSRF token; 30 minutes
 * idle, 12 hours at most. Rows are keyed by the professional (id_nat_ps) first.
 */

/** A session ends after 30 minutes without a request... */
export const PRO_SESSION_IDLE_MS = 30 * 60 * 1000;
/** ...and 12 hours after sign-in whatever happens. */
export const PRO_SESSION_MAX_MS = 12 * 60 * 60 * 1000;
/** The idle deadline moves at most once a minute: one write per minute, not per request. */
export const PRO_SESSION_TOUCH_MS = 60 * 1000;

const ID_NAT_PS = /^8\d{11}$/;
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

export interface NewProSession {
  idNatPs: string;
  csrfToken: string;
  expiresAt: Date;
  /** The cookie value `<idNatPs>.<token>`. */
  cookieValue: string;
}

/** The principal a live session designates (always an active professional of the directory). */
export interface ActiveProSession {
  principal: ProfessionalPrincipal;
  expiresAt: Date;
}

export interface ProSessionDeps {
  clock: Clock;
  secret: Buffer;
}

function tokenHash(secret: Buffer, token: string): string {
  return keyedHash(secret, 'pro-session', token);
}

/** `<idNatPs>.<token>` -> its parts, or null when the value cannot be a session cookie. */
export function parseProSessionCookie(value: string): { idNatPs: string; token: string } | null {
  const dot = value.indexOf('.');
  if (dot < 0) return null;
  const idNatPs = value.slice(0, dot);
  const token = value.slice(dot + 1);
  if (!ID_NAT_PS.test(idNatPs) || !TOKEN.test(token)) return null;
  return { idNatPs, token };
}

const toDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

/** Opens a session for a professional of the directory (the caller checked they are active). */
export async function createProSession(q: Queryable, deps: ProSessionDeps & { random: Random }, idNatPs: string): Promise<NewProSession> {
  const now = deps.clock.now();
  const token = deps.random.token(32);
  const csrfToken = deps.random.token(32);
  const expiresAt = new Date(now.getTime() + PRO_SESSION_IDLE_MS);
  await q.query(
    `INSERT INTO professional_sessions (id_nat_ps, token_hash, csrf_token, created_at, expires_at, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $4)`,
    [idNatPs, tokenHash(deps.secret, token), csrfToken, now.toISOString(), expiresAt.toISOString()],
  );
  return { idNatPs, csrfToken, expiresAt, cookieValue: `${idNatPs}.${token}` };
}

interface SessionRow {
  csrf_token: string;
  created_at: Date | string;
  expires_at: Date | string;
  last_seen_at: Date | string;
  rpps: string;
  family_name: string;
  given_name: string;
  profession_code: string;
  specialty_code: string | null;
  organisation_finess: string | null;
  active: boolean;
}

/**
 * The live session a cookie designates, sliding its idle deadline (at most once a minute,
 * never beyond the absolute lifetime), with the professional as the directory has them now;
 * null when unknown, expired, or when the professional is no longer active in the directory.
 * An expired session row is deleted on sight.
 */
export async function findProSession(q: Queryable, deps: ProSessionDeps, cookieValue: string): Promise<ActiveProSession | null> {
  const parsed = parseProSessionCookie(cookieValue);
  if (!parsed) return null;
  const hash = tokenHash(deps.secret, parsed.token);
  const rows = await q.query<SessionRow>(
    `SELECT s.csrf_token, s.created_at, s.expires_at, s.last_seen_at,
            p.rpps, p.family_name, p.given_name, p.profession_code, p.specialty_code, p.organisation_finess, p.active
       FROM professional_sessions s JOIN professionals p ON p.id_nat_ps = s.id_nat_ps
      WHERE s.id_nat_ps = $1 AND s.token_hash = $2`,
    [parsed.idNatPs, hash],
  );
  const row = rows[0];
  if (!row) return null;
  const now = deps.clock.now().getTime();
  const absoluteEnd = toDate(row.created_at).getTime() + PRO_SESSION_MAX_MS;
  let expiresAt = toDate(row.expires_at);
  if (now >= expiresAt.getTime() || now >= absoluteEnd) {
    await deleteRow(q, parsed.idNatPs, hash);
    return null;
  }
  if (!row.active) return null;
  if (now - toDate(row.last_seen_at).getTime() >= PRO_SESSION_TOUCH_MS) {
    expiresAt = new Date(Math.min(now + PRO_SESSION_IDLE_MS, absoluteEnd));
    await q.query('UPDATE professional_sessions SET last_seen_at = $3, expires_at = $4 WHERE id_nat_ps = $1 AND token_hash = $2', [
      parsed.idNatPs,
      hash,
      new Date(now).toISOString(),
      expiresAt.toISOString(),
    ]);
  }
  return {
    expiresAt,
    principal: {
      idNatPs: parsed.idNatPs,
      rpps: row.rpps,
      familyName: row.family_name,
      givenName: row.given_name,
      professionCode: row.profession_code,
      specialtyCode: row.specialty_code,
      organisationFiness: row.organisation_finess,
      via: 'oidc',
      csrfToken: row.csrf_token,
    },
  };
}

/** Ends the session a cookie designates; true when there was one. */
export async function deleteProSession(q: Queryable, secret: Buffer, cookieValue: string): Promise<boolean> {
  const parsed = parseProSessionCookie(cookieValue);
  if (!parsed) return false;
  return deleteRow(q, parsed.idNatPs, tokenHash(secret, parsed.token));
}

async function deleteRow(q: Queryable, idNatPs: string, hash: string): Promise<boolean> {
  const rows = await q.query('DELETE FROM professional_sessions WHERE id_nat_ps = $1 AND token_hash = $2 RETURNING id_nat_ps', [idNatPs, hash]);
  return rows.length > 0;
}

/**
 * Removes professionals' sessions past their idle deadline (for the scheduled jobs): an ended
 * session is otherwise only deleted when its cookie comes back. Sessions past their absolute
 * end always are past their idle deadline too (it never moves beyond it).
 */
export async function purgeExpiredProfessionalSessions(q: Queryable, now: Date): Promise<number> {
  const rows = await q.query('DELETE FROM professional_sessions WHERE expires_at <= $1 RETURNING id_nat_ps', [now.toISOString()]);
  return rows.length;
}

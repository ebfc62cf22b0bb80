import type { Queryable } from '../storage/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { Random } from '../platform/random.ts';
import { keyedHash } from '../platform/secrets.ts';

/** A session ends after 30 minutes without a request... */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
/** ...and 12 hours after sign-in whatever happens. */
export const SESSION_MAX_MS = 12 * 60 * 60 * 1000;
/** The idle deadline moves at most once a minute: one write per minute, not per request. */
export const SESSION_TOUCH_MS = 60 * 1000;

/** Statuses whose owner may sign in: a closed space's owner must be able to reopen it. */
export const SIGN_IN_STATUSES: readonly string[] = ['active', 'closed'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface ActiveSession {
  patientId: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface NewSession extends ActiveSession {
  /** The cookie value `<patientId>.<token>`: the token is only ever stored as a keyed hash. */
  cookieValue: string;
}

function tokenHash(secret: Buffer, token: string): string {
  return keyedHash(secret, 'session', token);
}

/** `<patientId>.<token>` -> its parts, or null when the value cannot be a session cookie. */
export function parseSessionCookie(value: string): { patientId: string; token: string } | null {
  const dot = value.indexOf('.');
  if (dot < 0) return null;
  const patientId = value.slice(0, dot);
  const token = value.slice(dot + 1);
  if (!UUID.test(patientId) || !/^[A-Za-z0-9_-]{16,128}$/.test(token)) return null;
  return { patientId, token };
}

function toDate(v: Date | string): Date {
  return v instanceof Date ? v : new Date(v);
}

export async function createSession(q: Queryable, deps: { clock: Clock; random: Random; secret: Buffer }, patientId: string): Promise<NewSession> {
  const now = deps.clock.now();
  const token = deps.random.token(32);
  const csrfToken = deps.random.token(32);
  const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS);
  await q.query(
    `INSERT INTO sessions (patient_id, token_hash, csrf_token, created_at, expires_at, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $4)`,
    [patientId, tokenHash(deps.secret, token), csrfToken, now.toISOString(), expiresAt.toISOString()],
  );
  return { patientId, csrfToken, expiresAt, cookieValue: `${patientId}.${token}` };
}

/**
 * The live session a cookie designates, sliding its idle deadline (at most once a minute,
 * never beyond the absolute lifetime); null when unknown, expired, or when the account may no
 * longer sign in. An expired session row is deleted on sight.
 */
export async function findSession(q: Queryable, deps: { clock: Clock; secret: Buffer }, cookieValue: string): Promise<ActiveSession | null> {
  const parsed = parseSessionCookie(cookieValue);
  if (!parsed) return null;
  const hash = tokenHash(deps.secret, parsed.token);
  const rows = await q.query<{ csrf_token: string; created_at: Date | string; expires_at: Date | string; last_seen_at: Date | string; status: string }>(
    `SELECT s.csrf_token, s.created_at, s.expires_at, s.last_seen_at, p.status
       FROM sessions s JOIN patients p ON p.patient_id = s.patient_id
      WHERE s.patient_id = $1 AND s.token_hash = $2`,
    [parsed.patientId, hash],
  );
  const row = rows[0];
  if (!row) return null;
  const now = deps.clock.now();
  const createdAt = toDate(row.created_at);
  let expiresAt = toDate(row.expires_at);
  const absoluteEnd = createdAt.getTime() + SESSION_MAX_MS;
  if (now.getTime() >= expiresAt.getTime() || now.getTime() >= absoluteEnd) {
    await deleteSessionRow(q, parsed.patientId, hash);
    return null;
  }
  if (!SIGN_IN_STATUSES.includes(row.status)) return null;
  if (now.getTime() - toDate(row.last_seen_at).getTime() >= SESSION_TOUCH_MS) {
    expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, absoluteEnd));
    await q.query('UPDATE sessions SET last_seen_at = $3, expires_at = $4 WHERE patient_id = $1 AND token_hash = $2', [
      parsed.patientId,
      hash,
      now.toISOString(),
      expiresAt.toISOString(),
    ]);
  }
  return { patientId: parsed.patientId, csrfToken: row.csrf_token, expiresAt };
}

/** Ends the session a cookie designates; true when there was one. */
export async function deleteSession(q: Queryable, secret: Buffer, cookieValue: string): Promise<boolean> {
  const parsed = parseSessionCookie(cookieValue);
  if (!parsed) return false;
  return deleteSessionRow(q, parsed.patientId, tokenHash(secret, parsed.token));
}

async function deleteSessionRow(q: Queryable, patientId: string, hash: string): Promise<boolean> {
  const rows = await q.query('DELETE FROM sessions WHERE patient_id = $1 AND token_hash = $2 RETURNING patient_id', [patientId, hash]);
  return rows.length > 0;
}

/**
 * Removes sessions past their end and sign-in challenges older than a day (scheduled job):
 * an expired session is otherwise only deleted when its cookie is presented again.
 */
export async function purgeExpiredSignIns(q: Queryable, now: Date): Promise<{ sessions: number; challenges: number }> {
  const sessions = await q.query('DELETE FROM sessions WHERE expires_at <= $1 RETURNING patient_id', [now]);
  const challenges = await q.query("DELETE FROM login_challenges WHERE expires_at <= $1::timestamptz - interval '1 day' RETURNING patient_id", [now]);
  return { sessions: sessions.length, challenges: challenges.length };
}

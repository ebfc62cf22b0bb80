/** The SQL of aidants (migration 010), private to this folder. */
import type { Queryable } from '../storage/index.ts';
import type { InvitationStatus } from './invitation-state.ts';

export interface InvitationRow {
  patientId: string;
  invitationId: string;
  aidantId: string | null;
  loginId: string;
  invitedBy: string;
  status: InvitationStatus;
  invitedAt: Date;
  expiresAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
}

interface Raw {
  patient_id: string;
  invitation_id: string;
  aidant_id: string | null;
  login_id: string;
  invited_by: string;
  status: InvitationStatus;
  invited_at: Date | string;
  expires_at: Date | string;
  answered_at: Date | string | null;
  ended_at: Date | string | null;
}

const COLUMNS = 'patient_id, invitation_id, aidant_id, login_id, invited_by, status, invited_at, expires_at, answered_at, ended_at';
const date = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
const dateOrNull = (v: Date | string | null): Date | null => (v === null ? null : date(v));

function rowOf(r: Raw): InvitationRow {
  return {
    patientId: r.patient_id,
    invitationId: r.invitation_id,
    aidantId: r.aidant_id,
    loginId: r.login_id,
    invitedBy: r.invited_by,
    status: r.status,
    invitedAt: date(r.invited_at),
    expiresAt: date(r.expires_at),
    answeredAt: dateOrNull(r.answered_at),
    endedAt: dateOrNull(r.ended_at),
  };
}

/** Serialises changes to one space's aidants (the 3-place count): the space's row lock, held until commit. */
export async function lockSpace(q: Queryable, patientId: string): Promise<void> {
  await q.query('SELECT 1 FROM patients WHERE patient_id = $1 FOR NO KEY UPDATE', [patientId]);
}

export async function invitationsOf(q: Queryable, patientId: string): Promise<InvitationRow[]> {
  const rows = await q.query<Raw>(`SELECT ${COLUMNS} FROM aidant_invitations WHERE patient_id = $1 ORDER BY invited_at DESC, invitation_id`, [patientId]);
  return rows.map(rowOf);
}

export async function findInvitation(q: Queryable, patientId: string, invitationId: string): Promise<InvitationRow | null> {
  const rows = await q.query<Raw>(`SELECT ${COLUMNS} FROM aidant_invitations WHERE patient_id = $1 AND invitation_id = $2 FOR UPDATE`, [patientId, invitationId]);
  const r = rows[0];
  return r ? rowOf(r) : null;
}

/** The live invitation (pending or accepted) of a person for a space, if any. */
export async function liveInvitationOf(q: Queryable, patientId: string, aidantId: string): Promise<InvitationRow | null> {
  const rows = await q.query<Raw>(`SELECT ${COLUMNS} FROM aidant_invitations WHERE patient_id = $1 AND aidant_id = $2 AND status IN ('pending', 'accepted') FOR UPDATE`, [patientId, aidantId]);
  const r = rows[0];
  return r ? rowOf(r) : null;
}

export async function insertInvitation(q: Queryable, inv: InvitationRow): Promise<void> {
  await q.query(
    `INSERT INTO aidant_invitations (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [inv.patientId, inv.invitationId, inv.aidantId, inv.loginId, inv.invitedBy, inv.status, inv.invitedAt, inv.expiresAt, inv.answeredAt, inv.endedAt],
  );
  if (inv.aidantId !== null) {
    await q.query('INSERT INTO aidant_links (patient_id, aide_id, invitation_id, status, expires_at) VALUES ($1, $2, $3, $4, $5)', [inv.aidantId, inv.patientId, inv.invitationId, inv.status, inv.expiresAt]);
  }
}

/**
 * Persists a transition: the invitation's new status (answered_at for an answer, ended_at for
 * an end), and its look-up row on the aidant's side: kept while live, removed once it ends.
 */
export async function saveStatus(q: Queryable, inv: InvitationRow, status: InvitationStatus, now: Date): Promise<InvitationRow> {
  const answered = status === 'accepted' || status === 'refused';
  const ended = status === 'expired' || status === 'revoked' || status === 'withdrawn' || status === 'refused';
  await q.query(
    `UPDATE aidant_invitations SET status = $3, answered_at = CASE WHEN $4::boolean THEN $6::timestamptz ELSE answered_at END, ended_at = CASE WHEN $5::boolean THEN $6::timestamptz ELSE ended_at END
     WHERE patient_id = $1 AND invitation_id = $2`,
    [inv.patientId, inv.invitationId, status, answered, ended, now],
  );
  if (inv.aidantId !== null) {
    if (status === 'pending' || status === 'accepted') {
      await q.query('UPDATE aidant_links SET status = $3 WHERE patient_id = $1 AND aide_id = $2', [inv.aidantId, inv.patientId, status]);
    } else {
      await q.query('DELETE FROM aidant_links WHERE patient_id = $1 AND aide_id = $2 AND invitation_id = $3', [inv.aidantId, inv.patientId, inv.invitationId]);
    }
  }
  return { ...inv, status, answeredAt: answered ? now : inv.answeredAt, endedAt: ended ? now : inv.endedAt };
}

/** Pending invitations of a space past their date, locked (the lazy expiry). */
export async function duePending(q: Queryable, patientId: string, now: Date): Promise<InvitationRow[]> {
  const rows = await q.query<Raw>(`SELECT ${COLUMNS} FROM aidant_invitations WHERE patient_id = $1 AND status = 'pending' AND expires_at <= $2 FOR UPDATE`, [patientId, now]);
  return rows.map(rowOf);
}

/** Spaces with pending invitations past their date (the scheduled job), a batch at a time. */
export async function spacesWithDuePending(q: Queryable, now: Date, limit: number): Promise<string[]> {
  const rows = await q.query<{ patient_id: string }>(
    `SELECT DISTINCT patient_id FROM (SELECT patient_id FROM aidant_invitations WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT $2) due`,
    [now, limit],
  );
  return rows.map((r) => r.patient_id);
}

export async function countLive(q: Queryable, patientId: string): Promise<number> {
  const rows = await q.query<{ n: number | string }>("SELECT count(*) AS n FROM aidant_invitations WHERE patient_id = $1 AND status IN ('pending', 'accepted')", [patientId]);
  return Number(rows[0]?.n ?? 0);
}

export interface LinkRow {
  aideId: string;
  invitationId: string;
  status: 'pending' | 'accepted';
  expiresAt: Date;
}

/** The aidant's side: the spaces they help or are invited to help. */
export async function linksOf(q: Queryable, aidantId: string): Promise<LinkRow[]> {
  const rows = await q.query<{ aide_id: string; invitation_id: string; status: 'pending' | 'accepted'; expires_at: Date | string }>(
    'SELECT aide_id, invitation_id, status, expires_at FROM aidant_links WHERE patient_id = $1 ORDER BY expires_at',
    [aidantId],
  );
  return rows.map((r) => ({ aideId: r.aide_id, invitationId: r.invitation_id, status: r.status, expiresAt: date(r.expires_at) }));
}

/** Serialises an aidant's acceptances (their 5-place count): their own row lock. */
export const lockAidant = lockSpace;

export async function countAccepted(q: Queryable, aidantId: string): Promise<number> {
  const rows = await q.query<{ n: number | string }>("SELECT count(*) AS n FROM aidant_links WHERE patient_id = $1 AND status = 'accepted'", [aidantId]);
  return Number(rows[0]?.n ?? 0);
}

export interface PersonRow {
  patientId: string;
  birthDate: string;
  status: string;
  name: string;
}

/** The person a sign-in identifier names (look-up, then their row), or null. */
export async function personByLogin(q: Queryable, loginId: string): Promise<PersonRow | null> {
  const logins = await q.query<{ patient_id: string }>('SELECT patient_id FROM patient_logins WHERE login_id = $1', [loginId]);
  const id = logins[0]?.patient_id;
  return id === undefined ? null : person(q, id);
}

export async function person(q: Queryable, patientId: string): Promise<PersonRow | null> {
  const rows = await q.query<{ birth_date: string; status: string; birth_given_names: string; birth_name: string; used_name: string | null }>(
    'SELECT birth_date, status, birth_given_names, birth_name, used_name FROM patients WHERE patient_id = $1',
    [patientId],
  );
  const p = rows[0];
  if (!p) return null;
  return { patientId, birthDate: p.birth_date, status: p.status, name: `${p.birth_given_names.split(' ')[0] ?? ''} ${p.used_name ?? p.birth_name}`.trim() };
}

/**
 * The children a person represents (lifecycle's table, read only: the switch lists them).
 * Lifecycle exports no reader for it; this select is the one place aidants reads it.
 */
export async function representedBy(q: Queryable, representativeId: string): Promise<{ patientId: string; rank: 1 | 2 }[]> {
  const rows = await q.query<{ patient_id: string; rank: number }>("SELECT patient_id, rank FROM representations WHERE representative_id = $1 AND status = 'active'", [representativeId]);
  return rows.map((r) => ({ patientId: r.patient_id, rank: r.rank === 1 ? 1 : 2 }));
}

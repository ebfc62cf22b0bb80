import type { Queryable } from '../storage/index.ts';
import type { CloseReason, SpaceState, SpaceStatus } from './space-lifecycle.ts';

/** A patient's space as the lifecycle sees it: its state, identity checks and contact. */
export interface SpaceRow extends SpaceState {
  patientId: string;
  matricule: string;
  birthName: string;
  birthGivenNames: string;
  usedName: string | null;
  birthDate: string;
  cardSerial: string | null;
  email: string | null;
  address: string | null;
  postalCode: string | null;
  city: string | null;
  deceasedOn: string | null;
  loginId: string | null;
  oppositionRef: string | null;
  opposedAt: Date | null;
}

interface Raw {
  patient_id: string;
  matricule: string;
  birth_name: string;
  birth_given_names: string;
  used_name: string | null;
  birth_date: string;
  card_serial: string | null;
  email: string | null;
  address: string | null;
  postal_code: string | null;
  city: string | null;
  deceased_on: string | null;
  login_id: string | null;
  status: SpaceStatus;
  opens_at: Date | null;
  closed_at: Date | null;
  close_reason: CloseReason | null;
  purge_at: Date | null;
  deletion_requested_at: Date | null;
  status_before_close: SpaceStatus | null;
  activated_at: Date | null;
  opposition_ref: string | null;
  opposed_at: Date | null;
}

const COLUMNS = `patient_id, matricule, birth_name, birth_given_names, used_name, birth_date, card_serial, email, address, postal_code, city,
  deceased_on, login_id, status, opens_at, closed_at, close_reason, purge_at, deletion_requested_at, status_before_close, activated_at,
  opposition_ref, opposed_at`;

const d = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

function toRow(r: Raw): SpaceRow {
  return {
    patientId: r.patient_id,
    matricule: r.matricule,
    birthName: r.birth_name,
    birthGivenNames: r.birth_given_names,
    usedName: r.used_name,
    birthDate: r.birth_date,
    cardSerial: r.card_serial,
    email: r.email,
    address: r.address,
    postalCode: r.postal_code,
    city: r.city,
    deceasedOn: r.deceased_on,
    loginId: r.login_id,
    status: r.status,
    opensAt: d(r.opens_at),
    closedAt: d(r.closed_at),
    closeReason: r.close_reason,
    purgeAt: d(r.purge_at),
    deletionRequestedAt: d(r.deletion_requested_at),
    statusBeforeClose: r.status_before_close,
    activatedAt: d(r.activated_at),
    oppositionRef: r.opposition_ref,
    opposedAt: d(r.opposed_at),
  };
}

/** Loads a space, locking its row for the rest of the transaction when `lock` is set. */
export async function loadSpace(q: Queryable, patientId: string, lock = false): Promise<SpaceRow | null> {
  const rows = await q.query<Raw>(`SELECT ${COLUMNS} FROM patients WHERE patient_id = $1${lock ? ' FOR UPDATE' : ''}`, [patientId]);
  return rows[0] ? toRow(rows[0]) : null;
}

export async function loadSpaceByMatricule(q: Queryable, matricule: string, lock = false): Promise<SpaceRow | null> {
  const ids = await q.query<{ patient_id: string }>('SELECT patient_id FROM patient_ins WHERE matricule = $1', [matricule]);
  return ids[0] ? loadSpace(q, ids[0].patient_id, lock) : null;
}

/** Persists the state the pure machine computed. */
export async function saveState(q: Queryable, patientId: string, s: SpaceState, now: Date): Promise<void> {
  await q.query(
    `UPDATE patients SET status = $2, opens_at = $3, closed_at = $4, close_reason = $5, purge_at = $6, deletion_requested_at = $7,
       status_before_close = $8, activated_at = $9, status_changed_at = CASE WHEN status = $2 THEN status_changed_at ELSE $10 END, updated_at = $10
     WHERE patient_id = $1`,
    [patientId, s.status, s.opensAt, s.closedAt, s.closeReason, s.purgeAt, s.deletionRequestedAt, s.statusBeforeClose, s.activatedAt, now],
  );
}

export interface CodeRow {
  codeHash: string;
  expiresAt: Date;
  failedAttempts: number;
  usedAt: Date | null;
}

export async function loadCode(q: Queryable, patientId: string): Promise<CodeRow | null> {
  const rows = await q.query<{ code_hash: string; expires_at: Date; failed_attempts: number; used_at: Date | null }>(
    'SELECT code_hash, expires_at, failed_attempts, used_at FROM provisional_codes WHERE patient_id = $1 FOR UPDATE',
    [patientId],
  );
  const r = rows[0];
  return r ? { codeHash: r.code_hash, expiresAt: new Date(r.expires_at), failedAttempts: r.failed_attempts, usedAt: d(r.used_at) } : null;
}

export async function countFailedCodeAttempt(q: Queryable, patientId: string): Promise<number> {
  const rows = await q.query<{ failed_attempts: number }>(
    'UPDATE provisional_codes SET failed_attempts = failed_attempts + 1 WHERE patient_id = $1 RETURNING failed_attempts',
    [patientId],
  );
  return rows[0]?.failed_attempts ?? 0;
}

export async function markCodeUsed(q: Queryable, patientId: string, now: Date): Promise<void> {
  await q.query('UPDATE provisional_codes SET used_at = $2 WHERE patient_id = $1', [patientId, now]);
}

export async function replaceCode(q: Queryable, patientId: string, codeHash: string, now: Date, expiresAt: Date): Promise<void> {
  await q.query(
    `INSERT INTO provisional_codes (patient_id, code_hash, created_at, expires_at, failed_attempts, used_at) VALUES ($1, $2, $3, $4, 0, NULL)
     ON CONFLICT (patient_id) DO UPDATE SET code_hash = EXCLUDED.code_hash, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
       failed_attempts = 0, used_at = NULL`,
    [patientId, codeHash, now, expiresAt],
  );
}

export async function recordOpposition(q: Queryable, patientId: string, reference: string, now: Date): Promise<void> {
  await q.query('UPDATE patients SET opposition_ref = $2, opposed_at = $3 WHERE patient_id = $1', [patientId, reference, now]);
}

/** Takes a sign-in identifier; false when somebody already has it. */
export async function claimLoginId(q: Queryable, loginId: string, patientId: string): Promise<boolean> {
  const rows = await q.query('INSERT INTO patient_logins (login_id, patient_id) VALUES ($1, $2) ON CONFLICT (login_id) DO NOTHING RETURNING login_id', [loginId, patientId]);
  return rows.length === 1;
}

export async function saveAccount(
  q: Queryable,
  patientId: string,
  a: { loginId: string; passwordHash: string; email: string; phone: string | null; termsVersion: string },
  now: Date,
): Promise<void> {
  await q.query(
    `UPDATE patients SET login_id = $2, password_hash = $3, email = $4, phone = $5, terms_version = $6, terms_accepted_at = $7, failed_logins = 0,
       locked_until = NULL, updated_at = $7 WHERE patient_id = $1`,
    [patientId, a.loginId, a.passwordHash, a.email, a.phone, a.termsVersion, now],
  );
}

/** What a purge keeps: the tombstone (patients, patient_ins) and the outbox rows, emptied below. */
const KEPT_ON_PURGE: ReadonlySet<string> = new Set(['patients', 'patient_ins', 'outbox']);

/**
 * The tables with a `patient_id` column in the current schema, those referencing others first
 * (foreign keys between them), so deleting in this order never trips a constraint.
 */
export async function patientScopedTables(q: Queryable): Promise<string[]> {
  const tables = (
    await q.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.columns WHERE column_name = 'patient_id' AND table_schema = current_schema() ORDER BY table_name",
    )
  )
    .map((r) => r.table_name)
    .filter((t) => !KEPT_ON_PURGE.has(t));
  const fks = await q.query<{ child: string; parent: string }>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent FROM pg_constraint c
      WHERE c.contype = 'f' AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())`,
  );
  const bare = (name: string) => name.replace(/^.*\./, '').replaceAll('"', '');
  const parentsOf = new Map<string, Set<string>>();
  for (const fk of fks) {
    const child = bare(fk.child);
    const parent = bare(fk.parent);
    if (child !== parent) parentsOf.set(parent, (parentsOf.get(parent) ?? new Set()).add(child));
  }
  // Depth-first: a table comes after every table that references it.
  const ordered: string[] = [];
  const seen = new Set<string>();
  const visit = (t: string) => {
    if (seen.has(t)) return;
    seen.add(t);
    for (const child of parentsOf.get(t) ?? []) if (tables.includes(child)) visit(child);
    ordered.push(t);
  };
  for (const t of tables) visit(t);
  return ordered;
}

/** Erases a space at the end of its archive (or on express deletion). A tombstone stays
 *  (patient id, matricule, status purged) so the next beneficiary import does not recreate it. */
export async function purgeSpace(q: Queryable, patientId: string, now: Date): Promise<void> {
  // Every patient-scoped table, found in the catalogue so a capability added later cannot be
  // forgotten here (documents, sealed content and keys, settings, profile, aidants...).
  for (const table of await patientScopedTables(q)) {
    await q.query(`DELETE FROM ${table} WHERE patient_id = $1`, [patientId]);
  }
  await q.query('UPDATE representations SET status = $2 WHERE representative_id = $1 AND status <> $2', [patientId, 'revoked']);
  await q.query('DELETE FROM patient_logins WHERE patient_id = $1', [patientId]);
  await q.query("UPDATE outbox SET params = '{}'::json, recipient = '{}'::json, status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END, last_error = CASE WHEN status = 'pending' THEN 'space purged' ELSE last_error END WHERE patient_id = $1", [patientId]);
  await q.query(
    `UPDATE patients SET birth_name = '', birth_given_names = '', used_name = NULL, birthplace_code = NULL, card_serial = NULL, email = NULL,
       phone = NULL, address = NULL, postal_code = NULL, city = NULL, representative_matricule = NULL, login_id = NULL, password_hash = NULL,
       terms_version = NULL, terms_accepted_at = NULL, opposition_ref = NULL, status = 'purged', status_changed_at = $2, updated_at = $2,
       opens_at = NULL, closed_at = NULL, close_reason = NULL, purge_at = NULL, deletion_requested_at = NULL, status_before_close = NULL
     WHERE patient_id = $1`,
    [patientId, now],
  );
}

/** Spaces a job must move: pending past their opening date, deaths to apply, archives due. */
export async function dueForOpening(q: Queryable, now: Date, limit: number): Promise<string[]> {
  const rows = await q.query<{ patient_id: string }>("SELECT patient_id FROM patients WHERE status = 'pending' AND opens_at <= $1 LIMIT $2", [now, limit]);
  return rows.map((r) => r.patient_id);
}

export async function dueForDeath(q: Queryable, limit: number): Promise<string[]> {
  const rows = await q.query<{ patient_id: string }>(
    "SELECT patient_id FROM patients WHERE deceased_on IS NOT NULL AND (status IN ('pending', 'opposed', 'open', 'active') OR (status = 'closed' AND close_reason <> 'death')) LIMIT $1",
    [limit],
  );
  return rows.map((r) => r.patient_id);
}

export async function dueForPurge(q: Queryable, now: Date, limit: number): Promise<string[]> {
  const rows = await q.query<{ patient_id: string }>("SELECT patient_id FROM patients WHERE status = 'closed' AND purge_at <= $1 LIMIT $2", [now, limit]);
  return rows.map((r) => r.patient_id);
}

export interface Representation {
  patientId: string;
  representativeId: string;
  rank: 1 | 2;
  status: 'active' | 'invited' | 'revoked';
}

export async function representationsOf(q: Queryable, representativeId: string): Promise<(Representation & { name: string; spaceStatus: SpaceStatus; birthDate: string })[]> {
  const rows = await q.query<{ patient_id: string; rank: 1 | 2; status: 'active'; birth_given_names: string; birth_name: string; used_name: string | null; sstatus: SpaceStatus; birth_date: string }>(
    `SELECT r.patient_id, r.rank, r.status, p.birth_given_names, p.birth_name, p.used_name, p.status AS sstatus, p.birth_date
     FROM representations r JOIN patients p ON p.patient_id = r.patient_id
     WHERE r.representative_id = $1 AND r.status = 'active' ORDER BY p.birth_date`,
    [representativeId],
  );
  return rows.map((r) => ({
    patientId: r.patient_id,
    representativeId,
    rank: r.rank,
    status: r.status,
    name: `${r.birth_given_names.split(' ')[0] ?? ''} ${r.used_name ?? r.birth_name}`.trim(),
    spaceStatus: r.sstatus,
    birthDate: r.birth_date,
  }));
}

export async function findRepresentation(q: Queryable, patientId: string, representativeId: string): Promise<(Representation & { inviteHash: string | null; inviteExpiresAt: Date | null }) | null> {
  const rows = await q.query<{ rank: 1 | 2; status: Representation['status']; invite_hash: string | null; invite_expires_at: Date | null }>(
    'SELECT rank, status, invite_hash, invite_expires_at FROM representations WHERE patient_id = $1 AND representative_id = $2 FOR UPDATE',
    [patientId, representativeId],
  );
  const r = rows[0];
  return r ? { patientId, representativeId, rank: r.rank, status: r.status, inviteHash: r.invite_hash, inviteExpiresAt: d(r.invite_expires_at) } : null;
}

export async function saveInvitation(q: Queryable, patientId: string, representativeId: string, inviteHash: string, expiresAt: Date, now: Date): Promise<void> {
  await q.query(
    `INSERT INTO representations (patient_id, representative_id, rank, status, invite_hash, invite_expires_at, created_at)
     VALUES ($1, $2, 2, 'invited', $3, $4, $5)
     ON CONFLICT (patient_id, representative_id) DO UPDATE SET rank = 2, status = 'invited', invite_hash = EXCLUDED.invite_hash,
       invite_expires_at = EXCLUDED.invite_expires_at, accepted_at = NULL`,
    [patientId, representativeId, inviteHash, expiresAt, now],
  );
}

export async function answerInvitationRow(q: Queryable, patientId: string, representativeId: string, accept: boolean, now: Date): Promise<void> {
  await q.query(
    'UPDATE representations SET status = $3, accepted_at = $4, invite_hash = NULL, invite_expires_at = NULL WHERE patient_id = $1 AND representative_id = $2',
    [patientId, representativeId, accept ? 'active' : 'revoked', accept ? now : null],
  );
}

export async function otherActiveRepresentative(q: Queryable, patientId: string, rank: 1 | 2): Promise<string | null> {
  const rows = await q.query<{ representative_id: string }>(
    "SELECT representative_id FROM representations WHERE patient_id = $1 AND rank = $2 AND status IN ('active', 'invited')",
    [patientId, rank],
  );
  return rows[0]?.representative_id ?? null;
}

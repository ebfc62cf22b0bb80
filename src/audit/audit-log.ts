import { createHash } from 'node:crypto';
import type { Queryable } from '../storage/index.ts';

export const ACTOR_TYPES = ['patient', 'representative', 'aidant', 'professional', 'insurer', 'operator', 'system', 'app'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const ACCESS_MODES = ['normal', 'samu', 'bris_de_glace'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

export interface Actor {
  type: ActorType;
  id?: string | undefined;
  /** The name shown to the patient ("Dr Paul BERNARD", "Assurance Maladie"). */
  name?: string | undefined;
  /** Professionals: TRE_G15 profession code ("10" physician, "60" nurse...). */
  profession?: string | undefined;
  /** Physicians: specialty code (e.g. "SM54" general medicine). */
  specialty?: string | undefined;
}

export interface AuditEntry {
  actor: Actor;
  action: string;
  target?: string | undefined;
  mode?: AccessMode | undefined;
  detail?: Record<string, unknown> | undefined;
}

export const GENESIS_HASH = '0'.repeat(64);

/** One stored event: every column of audit_events but the hash itself. */
export interface HashedFields {
  patientId: string;
  seq: number;
  /** ISO 8601 UTC with milliseconds, as Date.toISOString() writes it. */
  at: string;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  actorProfession: string | null;
  actorSpecialty: string | null;
  action: string;
  target: string | null;
  mode: string;
  detail: unknown;
  prevHash: string;
}

/**
 * JSON with object keys sorted (UTF-16 code-unit order) at every level, `undefined` members
 * dropped as JSON.stringify does. The detail is stored as jsonb, which reorders keys: the
 * hash must not depend on the order the caller wrote them in, nor on the one jsonb returns.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value);
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * Hash of one event: SHA-256 over every stored field (the actor's name and profession
 * included: they are what the patient reads) and the previous event's hash, which makes the
 * chain. The input is a JSON array, so no two different events share an input.
 */
export function eventHash(e: HashedFields): string {
  return createHash('sha256')
    .update(
      JSON.stringify([e.patientId, e.seq, e.at, e.actorType, e.actorId, e.actorName, e.actorProfession, e.actorSpecialty, e.action, e.target, e.mode, e.prevHash]),
    )
    .update(canonicalJson(e.detail))
    .digest('hex');
}

/**
 * Appends an event to the patient's trace, inside the caller's transaction, so the trace and
 * the action commit together. Concurrent appends for one patient are serialised by the lock
 * on the patient's chain head (audit_heads), held until commit.
 */
export async function appendAudit(q: Queryable, patientId: string, at: Date, entry: AuditEntry): Promise<void> {
  // Lock the chain head (created at the first event): concurrent appends for this patient
  // wait here, then read the head their predecessor updated.
  // Competitors of this process queue in memory rather than on the row lock (keyed-mutex.ts).
  await q.holdUntilEnd?.(`audit-head:${patientId}`);
  // One round trip: the no-op update takes the row lock and RETURNING reads the head under it.
  const heads = await q.query<{ seq: number | string; hash: string }>(
    'INSERT INTO audit_heads (patient_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (patient_id) DO UPDATE SET seq = audit_heads.seq RETURNING seq, hash',
    [patientId, GENESIS_HASH],
  );
  const last = heads[0] && Number(heads[0].seq) > 0 ? [{ seq: Number(heads[0].seq), hash: heads[0].hash }] : [];
  const row: HashedFields = {
    patientId,
    seq: (last[0]?.seq ?? 0) + 1,
    at: at.toISOString(),
    actorType: entry.actor.type,
    actorId: entry.actor.id ?? null,
    actorName: entry.actor.name ?? null,
    actorProfession: entry.actor.profession ?? null,
    actorSpecialty: entry.actor.specialty ?? null,
    action: entry.action,
    target: entry.target ?? null,
    mode: entry.mode ?? 'normal',
    // What jsonb will give back: undefined members dropped.
    detail: JSON.parse(JSON.stringify(entry.detail ?? {})) as unknown,
    prevHash: last[0]?.hash ?? GENESIS_HASH,
  };
  const hash = eventHash(row);
  // The event and the new head in one statement (one round trip).
  await q.query(
    `WITH event AS (
       INSERT INTO audit_events (patient_id, seq, at, actor_type, actor_id, actor_name, actor_profession, actor_specialty, action, target, mode, detail, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14))
     UPDATE audit_heads SET seq = $2, hash = $14 WHERE patient_id = $1`,
    [
      patientId,
      row.seq,
      row.at,
      row.actorType,
      row.actorId,
      row.actorName,
      row.actorProfession,
      row.actorSpecialty,
      row.action,
      row.target,
      row.mode,
      JSON.stringify(row.detail),
      row.prevHash,
      hash,
    ],
  );
}

import { createHash } from 'node:crypto';
import type { Queryable } from '../storage/index.ts';

export const ACTOR_TYPES = ['patient', 'representative', 'aidant', 'professional', 'insurer', 'operator', 'system', 'app'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export interface Actor {
  type: ActorType;
  id?: string | undefined;
  name?: string | undefined;
}

export interface AuditEntry {
  actor: Actor;
  action: string;
  target?: string | undefined;
  mode?: 'normal' | 'samu' | 'bris_de_glace' | undefined;
  detail?: Record<string, unknown> | undefined;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Hash of one event over its canonical fields and the previous hash (the chain). */
export function eventHash(e: { patientId: string; seq: number; at: string; actorType: string; actorId: string | null; action: string; target: string | null; mode: string; detail: unknown; prevHash: string }): string {
  return createHash('sha256')
    .update(JSON.stringify([e.patientId, e.seq, e.at, e.actorType, e.actorId, e.action, e.target, e.mode, e.detail, e.prevHash]))
    .digest('hex');
}

/**
 * Appends an event to the patient's trace, inside the caller's transaction, so the trace and
 * the action commit together. Concurrent appends for one patient are serialised by the
 * primary key (patient_id, seq): a loser fails and its whole transaction retries or fails.
 */
export async function appendAudit(q: Queryable, patientId: string, at: Date, entry: AuditEntry): Promise<void> {
  const last = await q.query<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_events WHERE patient_id = $1 ORDER BY seq DESC LIMIT 1 FOR UPDATE',
    [patientId],
  );
  const seq = (last[0]?.seq ?? 0) + 1;
  const prevHash = last[0]?.hash ?? GENESIS_HASH;
  const atIso = at.toISOString();
  const detail = entry.detail ?? {};
  const row = {
    patientId,
    seq,
    at: atIso,
    actorType: entry.actor.type,
    actorId: entry.actor.id ?? null,
    action: entry.action,
    target: entry.target ?? null,
    mode: entry.mode ?? 'normal',
    detail,
    prevHash,
  };
  const hash = eventHash(row);
  await q.query(
    `INSERT INTO audit_events (patient_id, seq, at, actor_type, actor_id, actor_name, action, target, mode, detail, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [patientId, seq, atIso, row.actorType, row.actorId, entry.actor.name ?? null, row.action, row.target, row.mode, JSON.stringify(detail), prevHash, hash],
  );
}

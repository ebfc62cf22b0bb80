import type { Queryable, SqlParam } from '../storage/index.ts';
import { eventHash, GENESIS_HASH } from './audit-log.ts';

export const BREAK_REASONS = ['hash_mismatch', 'prev_hash_mismatch', 'seq_gap', 'tail_missing', 'chain_missing'] as const;
/**
 * - hash_mismatch: the event's fields no longer give its stored hash (a field was edited);
 * - prev_hash_mismatch: the event does not hold the hash of the one before (a link was cut,
 *   or an edited event's hash was recomputed);
 * - seq_gap: a sequence number is missing (an event was deleted);
 * - tail_missing: the chain ends before the head the appends recorded (audit_heads): its last
 *   events were deleted (or the last one edited);
 * - chain_missing: a head is recorded for a patient whose events are all gone.
 * The heads are a second witness in the same database: an attacker who rewrites both goes
 * unseen. Anchoring the heads outside (signed, published) is the next step.
 */
export type BreakReason = (typeof BREAK_REASONS)[number];

export interface BrokenLink {
  patientId: string;
  /** The first event of that chain that fails (for a gap: the event found after it). */
  seq: number;
  reason: BreakReason;
  /** Date of that event (for a missing chain: null). */
  at: Date | null;
  /** For a gap: the sequence number that was expected there; for a missing tail: the recorded head's. */
  expectedSeq?: number;
}

export interface VerifyReport {
  /** Chains (patients) read. */
  patients: number;
  events: number;
  /** The first broken link, in (patient_id, seq) order; null when every chain holds. */
  firstBroken: BrokenLink | null;
  /** Chains with at least one broken link (the rest of a broken chain is not checked further). */
  brokenChains: number;
  durationMs: number;
}

export interface VerifyOptions {
  /** Verify this patient's chain only. */
  patientId?: string | undefined;
  /** Events read per query (keyset pagination: memory stays flat). Default 5000. */
  pageSize?: number | undefined;
  /** Called after each page with the running counts. */
  onProgress?: ((p: { patients: number; events: number }) => void) | undefined;
}

interface Row {
  patient_id: string;
  seq: number;
  at: Date;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_profession: string | null;
  actor_specialty: string | null;
  action: string;
  target: string | null;
  mode: string;
  detail: unknown;
  prev_hash: string;
  hash: string;
}

const COLUMNS = 'patient_id, seq, at, actor_type, actor_id, actor_name, actor_profession, actor_specialty, action, target, mode, detail, prev_hash, hash';

/** The next page after (patientId, seq), or from the start when `after` is null. */
function page(q: Queryable, after: { patientId: string; seq: number } | null, only: string | undefined, size: number): Promise<Row[]> {
  const params: SqlParam[] = [];
  const where: string[] = [];
  if (only !== undefined) {
    params.push(only);
    where.push(`patient_id = $${params.length}`);
    if (after) {
      params.push(after.seq);
      where.push(`seq > $${params.length}`);
    }
  } else if (after) {
    params.push(after.patientId, after.seq);
    where.push(`(patient_id, seq) > ($${params.length - 1}::uuid, $${params.length})`);
  }
  params.push(size);
  return q.query<Row>(`SELECT ${COLUMNS} FROM audit_events ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY patient_id, seq LIMIT $${params.length}`, params);
}

/** The recorded heads of the chains in `rows`, keeping the one of the chain still being walked. */
async function loadHeads(q: Queryable, rows: Row[], current: string | null, previous: Map<string, { seq: number; hash: string }>): Promise<Map<string, { seq: number; hash: string }>> {
  const ids = [...new Set(rows.map((r) => r.patient_id))];
  const heads = new Map<string, { seq: number; hash: string }>();
  const carried = current === null ? undefined : previous.get(current);
  if (current !== null && carried !== undefined) heads.set(current, carried);
  if (ids.length === 0) return heads;
  const found = await q.query<{ patient_id: string; seq: number | string; hash: string }>('SELECT patient_id, seq, hash FROM audit_heads WHERE patient_id = ANY($1::uuid[])', [ids]);
  for (const h of found) heads.set(h.patient_id, { seq: Number(h.seq), hash: h.hash });
  return heads;
}

/**
 * Recomputes every hash chain (or one patient's) and reports the first broken link. Events
 * are read in (patient_id, seq) order, a page at a time by keyset on the primary key; the
 * next page is requested before the current one is hashed, so the database and the hashing
 * overlap. Deleting a chain's LAST events, or a whole chain, is not detectable from the
 * chain itself: each chain's end is compared with the head its appends recorded.
 */
export async function verifyChains(q: Queryable, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const size = opts.pageSize ?? 5000;
  let patients = 0;
  let events = 0;
  let brokenChains = 0;
  let firstBroken: BrokenLink | null = null;
  // State of the chain being walked.
  let current: string | null = null;
  let lastSeq = 0;
  let lastHash = GENESIS_HASH;
  let broken = false;

  let lastAt: Date | null = null;
  let heads = new Map<string, { seq: number; hash: string }>();
  const breakAt = (link: BrokenLink) => {
    brokenChains++;
    firstBroken ??= link;
  };
  /** A chain that held to its end must end at its recorded head. */
  const endChain = () => {
    if (current === null || broken) return;
    const head = heads.get(current);
    if (head !== undefined && (head.seq !== lastSeq || head.hash !== lastHash)) breakAt({ patientId: current, seq: lastSeq, reason: 'tail_missing', at: lastAt, expectedSeq: head.seq });
  };

  let next: Promise<Row[]> | null = page(q, null, opts.patientId, size);
  while (next !== null) {
    const rows: Row[] = await next;
    const tail = rows.at(-1);
    next = tail !== undefined && rows.length === size ? page(q, { patientId: tail.patient_id, seq: tail.seq }, opts.patientId, size) : null;
    // Keep the prefetch from surfacing as an unhandled rejection while this page is hashed.
    next?.catch(() => undefined);
    heads = await loadHeads(q, rows, current, heads);

    for (const r of rows) {
      events++;
      if (r.patient_id !== current) {
        endChain();
        current = r.patient_id;
        patients++;
        lastSeq = 0;
        lastHash = GENESIS_HASH;
        broken = false;
      }
      if (broken) continue;
      let reason: BreakReason | null = null;
      if (r.seq !== lastSeq + 1) reason = 'seq_gap';
      else if (r.prev_hash !== lastHash) reason = 'prev_hash_mismatch';
      else {
        const hash = eventHash({
          patientId: r.patient_id,
          seq: r.seq,
          at: r.at.toISOString(),
          actorType: r.actor_type,
          actorId: r.actor_id,
          actorName: r.actor_name,
          actorProfession: r.actor_profession,
          actorSpecialty: r.actor_specialty,
          action: r.action,
          target: r.target,
          mode: r.mode,
          detail: r.detail,
          prevHash: r.prev_hash,
        });
        if (hash !== r.hash) reason = 'hash_mismatch';
      }
      if (reason !== null) {
        broken = true;
        breakAt({ patientId: r.patient_id, seq: r.seq, reason, at: r.at, ...(reason === 'seq_gap' ? { expectedSeq: lastSeq + 1 } : {}) });
      }
      lastSeq = r.seq;
      lastHash = r.hash;
      lastAt = r.at;
    }
    opts.onProgress?.({ patients, events });
  }
  endChain();
  const orphans = await q.query<{ patient_id: string; seq: number | string }>(
    `SELECT h.patient_id, h.seq FROM audit_heads h WHERE ${opts.patientId === undefined ? '' : 'h.patient_id = $1 AND '}NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.patient_id = h.patient_id) ORDER BY h.patient_id`,
    opts.patientId === undefined ? [] : [opts.patientId],
  );
  for (const o of orphans) {
    patients++;
    const link: BrokenLink = { patientId: o.patient_id, seq: 0, reason: 'chain_missing', at: null, expectedSeq: Number(o.seq) };
    // Keep "the first broken link in (patient, seq) order".
    brokenChains++;
    if (firstBroken === null || o.patient_id < firstBroken.patientId) firstBroken = link;
  }
  return { patients, events, firstBroken, brokenChains, durationMs: performance.now() - started };
}

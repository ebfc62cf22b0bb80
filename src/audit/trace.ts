import type { Queryable, SqlParam } from '../storage/index.ts';
import { AppError } from '../platform/errors.ts';
import { isIsoDate, professionLabel, specialtyLabel } from '../identity/index.ts';
import type { ActorType } from './audit-log.ts';

/** Dates of the filters are calendar days in this zone (the patient's, as in every message). */
export const TRACE_TIME_ZONE = 'Europe/Paris';
export const TRACE_DEFAULT_LIMIT = 20;
export const TRACE_MAX_LIMIT = 100;

export interface TraceQuery {
  /** First day included, YYYY-MM-DD. */
  from?: string | undefined;
  /** Last day included, YYYY-MM-DD. */
  to?: string | undefined;
  actorType?: ActorType | undefined;
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor?: string | undefined;
  limit?: number | undefined;
}

export interface TraceEntry {
  /** Position in the patient's trace (1 = oldest). */
  seq: number;
  /** Date and time, ISO 8601 UTC. */
  at: string;
  actorType: string;
  actorName: string | null;
  /** Professionals: TRE_G15 profession and, for physicians, the specialty, with their labels. */
  actorProfession: { code: string; label: string | null; specialty: { code: string; label: string | null } | null } | null;
  action: string;
  /** What the action was on (a document, a setting...), when not the space itself. */
  target: string | null;
  mode: string;
}

export interface TracePage {
  entries: TraceEntry[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const CURSOR_PREFIX = 't1.';

export function encodeCursor(seq: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${seq}`).toString('base64url');
}

function bad(field: string, reason: string): AppError {
  return new AppError('validation_failed', `Invalid input: ${field} ${reason}.`, { details: [{ field, reason }] });
}

/** The sequence number a cursor points after, or a 400 naming the field. */
export function decodeCursor(cursor: string): number {
  const text = /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const m = /^t1\.([1-9][0-9]{0,15})$/.exec(text);
  const seq = m?.[1] === undefined ? NaN : Number(m[1]);
  if (!Number.isSafeInteger(seq)) throw bad('querystring.cursor', 'is not a cursor this API returned (use nextCursor of the previous page)');
  return seq;
}

function checkDate(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !isIsoDate(value)) throw bad(field, 'must be a date YYYY-MM-DD');
  return value;
}

/**
 * Whether the signed-in account `viewerId` may read the trace of `patientId`: decided by the
 * records capability with decide() (holder, legal representative, accepted aidant), given to
 * the trace's routes by routes.ts (the audit module sits below records and cannot ask it).
 */
export type TraceReadCheck = (q: Queryable, viewerId: string, patientId: string, now: Date) => Promise<boolean>;

interface Row {
  seq: number;
  at: Date;
  actor_type: string;
  actor_name: string | null;
  actor_profession: string | null;
  actor_specialty: string | null;
  action: string;
  target: string | null;
  mode: string;
}

function entry(r: Row): TraceEntry {
  return {
    seq: r.seq,
    at: r.at.toISOString(),
    actorType: r.actor_type,
    actorName: r.actor_name,
    actorProfession:
      r.actor_profession === null
        ? null
        : {
            code: r.actor_profession,
            label: professionLabel(r.actor_profession),
            specialty: r.actor_specialty === null ? null : { code: r.actor_specialty, label: specialtyLabel(r.actor_specialty) },
          },
    action: r.action,
    target: r.target,
    mode: r.mode,
  };
}

/**
 * A page of a patient's trace, newest first, for the holder or a representative; anything
 * else is not found (the existence of the space does not leak). Pagination is by keyset on
 * the sequence number (stable while events are appended: new ones never enter older pages).
 *
 * Reading the trace is not itself traced: every look at the history would add to it, and
 * the history would fill with the patient reading it.
 */
export async function readTrace(q: Queryable, mayRead: TraceReadCheck, now: Date, viewerId: string, patientId: string, query: TraceQuery): Promise<TracePage> {
  const limit = query.limit ?? TRACE_DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > TRACE_MAX_LIMIT) throw bad('querystring.limit', `must be an integer from 1 to ${TRACE_MAX_LIMIT}`);
  const from = checkDate('querystring.from', query.from);
  const to = checkDate('querystring.to', query.to);
  if (from !== undefined && to !== undefined && from > to) throw bad('querystring.to', `must not be before from (${from})`);
  const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);

  if (!(await mayRead(q, viewerId, patientId, now))) throw new AppError('not_found', 'No such space among those you can see.');

  const params: SqlParam[] = [patientId];
  const where = ['patient_id = $1'];
  const add = (sql: (n: string) => string, value: SqlParam) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (before !== undefined) add((n) => `seq < ${n}`, before);
  if (from !== undefined) add((n) => `at >= (${n}::date::timestamp AT TIME ZONE '${TRACE_TIME_ZONE}')`, from);
  if (to !== undefined) add((n) => `at < ((${n}::date + 1)::timestamp AT TIME ZONE '${TRACE_TIME_ZONE}')`, to);
  if (query.actorType !== undefined) add((n) => `actor_type = ${n}`, query.actorType);
  params.push(limit + 1);
  const rows = await q.query<Row>(
    `SELECT seq, at, actor_type, actor_name, actor_profession, actor_specialty, action, target, mode
     FROM audit_events WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT $${params.length}`,
    params,
  );
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown.at(-1);
  return { entries: shown.map(entry), nextCursor: more && last !== undefined ? encodeCursor(last.seq) : null };
}

/** The whole trace of a space, oldest first (the export of a space: the caller has decided). */
export async function readWholeTrace(q: Queryable, patientId: string): Promise<TraceEntry[]> {
  const rows = await q.query<Row>(
    'SELECT seq, at, actor_type, actor_name, actor_profession, actor_specialty, action, target, mode FROM audit_events WHERE patient_id = $1 ORDER BY seq',
    [patientId],
  );
  return rows.map(entry);
}

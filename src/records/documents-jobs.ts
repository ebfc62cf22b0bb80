/**
 * Scheduled job of documents provisionally invisible to the patient (RULES §4.4, CSP R. 1111-53):
 * - 2 weeks after submission, still invisible (no announcement consultation lifted it): the
 *   patient is told a new document awaits and invited to see a doctor ("document_awaiting");
 * - once `invisible_to_patient_until` (submission + 1 month) has passed, the document is
 *   visible (decide() computes that from the date; nothing to change) and the patient is told
 *   once ("document_visible").
 * Each notice is claimed by setting its column (migration 008) in the transaction that writes
 * the message to the outbox and the trace: never twice, even with several servers running the
 * jobs at once (rows are claimed with FOR UPDATE SKIP LOCKED, re-checked by the UPDATE).
 * Only documents still current, in a space that is open or active, are notified; a document
 * replaced or deleted meanwhile gets no notice.
 */
import { patientRecipient } from './patient-recipient.ts';
import { appendAudit } from '../audit/index.ts';
import type { Actor as AuditActor } from '../audit/index.ts';
import { addDays } from '../platform/clock.ts';
import type { Clock } from '../platform/clock.ts';
import { channelFor, enqueueMessage } from '../platform/mail/outbox.ts';
import type { TemplateName } from '../platform/mail/outbox.ts';
import type { Random } from '../platform/random.ts';
import type { Db, Queryable } from '../storage/index.ts';

/** Days after submission before the patient is told a document awaits (RULES §4.4). */
export const AWAITING_NOTICE_DAYS = 14;
const BATCH = 200;
const SYSTEM: AuditActor = { type: 'system', name: 'Carnet' };

export interface DocumentNoticeReport {
  documentsAwaitingNotified: number;
  documentsVisibleNotified: number;
}

interface Claimed {
  patient_id: string;
  document_id: string;
  submitted_at: Date | string;
  invisible_to_patient_until: Date | string;
}

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();

const OPEN_SPACE = `EXISTS (SELECT 1 FROM patients p WHERE p.patient_id = d.patient_id AND p.status IN ('open', 'active'))`;

/** Claims up to BATCH documents owing one notice, marking them sent at `now`. */
function claim(q: Queryable, notice: 'awaiting' | 'visible', now: Date): Promise<Claimed[]> {
  const due =
    notice === 'awaiting'
      ? `d.patient_notified_at IS NULL AND d.invisible_to_patient_until > $1 AND d.submitted_at <= $2`
      : `d.visible_notified_at IS NULL AND d.invisible_to_patient_until <= $1`;
  const column = notice === 'awaiting' ? 'patient_notified_at' : 'visible_notified_at';
  const params = notice === 'awaiting' ? [now, addDays(now, -AWAITING_NOTICE_DAYS)] : [now];
  return q.query<Claimed>(
    `UPDATE documents SET ${column} = $1
     WHERE (patient_id, document_id) IN (
       SELECT d.patient_id, d.document_id FROM documents d
       WHERE d.invisible_to_patient_until IS NOT NULL AND d.status = 'current' AND ${due} AND ${OPEN_SPACE}
       ORDER BY d.invisible_to_patient_until LIMIT ${BATCH} FOR UPDATE OF d SKIP LOCKED)
     RETURNING patient_id, document_id, submitted_at, invisible_to_patient_until`,
    params,
  );
}


async function notify(deps: { db: Db; clock: Clock; random: Random }, notice: 'awaiting' | 'visible'): Promise<number> {
  const template: TemplateName = notice === 'awaiting' ? 'document_awaiting' : 'document_visible';
  let total = 0;
  for (;;) {
    const now = deps.clock.now();
    const n = await deps.db.tx(async (q) => {
      const rows = await claim(q, notice, now);
      for (const row of rows) {
        const recipient = await patientRecipient(q, row.patient_id);
        const params: Record<string, string> = { at: iso(row.submitted_at), ...(notice === 'awaiting' ? { visibleOn: iso(row.invisible_to_patient_until) } : {}) };
        if (recipient !== null) {
          await enqueueMessage(q, deps, { patientId: row.patient_id, template, channel: channelFor(recipient), recipient, params: { name: recipient.name, ...params } });
        }
        await appendAudit(q, row.patient_id, now, {
          actor: SYSTEM,
          action: notice === 'awaiting' ? 'document_awaiting_notified' : 'document_visible_notified',
          target: `document:${row.document_id}`,
          detail: { rule: 'RULES §4.4', notified: recipient !== null },
        });
      }
      return rows.length;
    });
    total += n;
    if (n < BATCH) return total;
  }
}

/** Runs both notices; wired into runScheduledJobs. */
export async function runDocumentNoticeJobs(deps: { db: Db; clock: Clock; random: Random }): Promise<DocumentNoticeReport> {
  // The visible notice first: a document past its month gets "now visible", never a late "awaits".
  const documentsVisibleNotified = await notify(deps, 'visible');
  const documentsAwaitingNotified = await notify(deps, 'awaiting');
  return { documentsAwaitingNotified, documentsVisibleNotified };
}

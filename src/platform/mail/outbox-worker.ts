import { join } from 'node:path';
import type { Config } from '../../config.ts';
import type { Db } from '../../storage/index.ts';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { MailTransport } from './mail-transport.ts';
import { createSmtpTransport } from './mail-transport.ts';
import { createFileMailbox } from './file-mailbox.ts';
import type { LetterSink } from './letter-folder.ts';
import { createLetterFolder } from './letter-folder.ts';
import type { Recipient } from './outbox.ts';
import { composeMessage, isTemplateName, renderMessage } from './templates.ts';

const MINUTE = 60_000;

/** After this many failed attempts a message is given up (`failed`). */
export const MAX_ATTEMPTS = 8;
/** Wait before the next attempt after the 1st, 2nd... failed one (about 45 hours in all). */
export const RETRY_DELAYS_MS = [1, 5, 30, 120, 360, 720, 1440].map((m) => m * MINUTE);
/**
 * A claimed message is not due again before this: long enough to send a batch (SMTP timeouts
 * are 30-60 s), short enough that a message claimed by a worker that died is retried soon.
 */
export const CLAIM_LEASE_MS = 15 * MINUTE;

export interface OutboxDeps {
  db: Db;
  clock: Clock;
  config: Pick<Config, 'mailFrom'>;
  transport: MailTransport;
  letters: LetterSink;
}

export interface DrainResult {
  sent: number;
  retried: number;
  failed: number;
}

interface OutboxRow {
  message_id: string;
  template: string;
  channel: string;
  recipient: Recipient;
  params: Record<string, string>;
  attempts: number;
}

type Outcome = { id: string; ok: true } | { id: string; ok: false; attempts: number; error: string };

/**
 * Sends the messages that are due, oldest first, and records the outcome of each.
 *
 * Delivery is at-least-once. Rows are claimed in a short transaction (`FOR UPDATE SKIP
 * LOCKED`, so concurrent workers on PostgreSQL take disjoint rows) that also counts the attempt
 * and pushes `next_attempt_at` a lease ahead; the sending happens after commit, without holding
 * locks or a connection while a mail server answers. A worker that dies between sending and
 * recording leaves the row to be claimed again when the lease ends, and the message may then
 * go out twice: better than a provisional code never sent. (Letters are files named by
 * message id, so a second rendering replaces the first.)
 */
export async function drainOutbox(deps: OutboxDeps, opts: { limit?: number; concurrency?: number } = {}): Promise<DrainResult> {
  const limit = opts.limit ?? 100;
  const now = deps.clock.now();
  const claimed = await deps.db.tx(async (q) => {
    // Ordered by next_attempt_at, which the partial index outbox_due serves: a new message is
    // due when created, so this is oldest first without sorting a million-row backlog.
    const rows = await q.query<OutboxRow>(
      `SELECT message_id, template, channel, recipient, params, attempts FROM outbox
        WHERE status = 'pending' AND next_attempt_at <= $1
        ORDER BY next_attempt_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED`,
      [now.toISOString(), limit],
    );
    if (rows.length > 0) {
      await q.query(`UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2 WHERE message_id = ANY($1::uuid[])`, [
        rows.map((r) => r.message_id),
        new Date(now.getTime() + CLAIM_LEASE_MS).toISOString(),
      ]);
    }
    return rows;
  });
  if (claimed.length === 0) return { sent: 0, retried: 0, failed: 0 };

  const outcomes = await mapLimit(claimed, opts.concurrency ?? 10, (row) => deliver(deps, row, now));
  return record(deps, outcomes);
}

async function deliver(deps: OutboxDeps, row: OutboxRow, now: Date): Promise<Outcome> {
  const attempts = row.attempts + 1;
  try {
    if (!isTemplateName(row.template)) throw new Error(`unknown template "${row.template}"`);
    const locale = row.recipient.locale === 'en' ? 'en' : 'fr';
    if (row.channel === 'email') {
      if (!row.recipient.email) throw new Error('the recipient has no e-mail address');
      const m = renderMessage(row.template, row.params, locale);
      await deps.transport.send({ to: row.recipient.email, from: deps.config.mailFrom, ...m, messageId: row.message_id, date: now });
    } else if (row.channel === 'letter') {
      const m = composeMessage(row.template, row.params, locale);
      await deps.letters.send({ messageId: row.message_id, date: now, recipient: row.recipient, subject: m.subject, blocks: m.blocks, locale });
    } else {
      throw new Error(`unknown channel "${row.channel}"`);
    }
    return { id: row.message_id, ok: true };
  } catch (e) {
    return { id: row.message_id, ok: false, attempts, error: shortError(e, row.params) };
  }
}

/** Records the outcomes of a batch in one transaction: a statement for the sent, one for the rest. */
async function record(deps: OutboxDeps, outcomes: Outcome[]): Promise<DrainResult> {
  const now = deps.clock.now();
  const sent = outcomes.filter((o) => o.ok).map((o) => o.id);
  const failures = outcomes.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok);
  const result: DrainResult = { sent: sent.length, retried: 0, failed: 0 };
  const ids: string[] = [];
  const errors: string[] = [];
  const nexts: string[] = [];
  const statuses: string[] = [];
  for (const f of failures) {
    const giveUp = f.attempts >= MAX_ATTEMPTS;
    const delay = RETRY_DELAYS_MS[Math.min(f.attempts, RETRY_DELAYS_MS.length) - 1] ?? 0;
    ids.push(f.id);
    errors.push(f.error);
    nexts.push(new Date(now.getTime() + (giveUp ? 0 : delay)).toISOString());
    statuses.push(giveUp ? 'failed' : 'pending');
    if (giveUp) result.failed++;
    else result.retried++;
  }
  await deps.db.tx(async (q) => {
    if (sent.length > 0) {
      // The codes a message carried must not stay in clear once it is out: keep the keys
      // (what was sent), drop the values.
      await q.query(
        `UPDATE outbox SET status = 'sent', sent_at = $2, last_error = NULL, params = ${scrubbed('$3')}
          WHERE message_id = ANY($1::uuid[]) AND status = 'pending'`,
        [sent, now.toISOString(), '[sent]'],
      );
    }
    if (ids.length > 0) {
      // A message given up is scrubbed too: its code is never sent again (the owner asks for a
      // new one, code_regenerated), so it has no reason to stay readable.
      await q.query(
        `UPDATE outbox o SET last_error = f.error, next_attempt_at = f.next_at, status = f.status,
                params = CASE WHEN f.status = 'failed' THEN ${scrubbed('$5')} ELSE o.params END
           FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[]) AS f(id, error, next_at, status)
          WHERE o.message_id = f.id AND o.status = 'pending'`,
        [ids, errors, nexts, statuses, '[not sent]'],
      );
    }
  });
  return result;
}

/** SQL replacing every value of `params` with the marker in parameter `ref` ($3...), keeping the keys. */
function scrubbed(ref: string): string {
  return `COALESCE((SELECT json_object_agg(k, ${ref}::text) FROM json_object_keys(params) AS k), '{}'::json)`;
}

/**
 * What goes to `last_error`: one short line, without the message's parameters (a code could be
 * echoed in an error) or credentials of a connection URL.
 */
function shortError(e: unknown, params: Record<string, string>): string {
  const err = e as { message?: unknown; code?: unknown; responseCode?: unknown };
  let s = typeof err.message === 'string' ? err.message : String(e);
  const code = typeof err.code === 'string' ? err.code : undefined;
  if (code !== undefined && !s.includes(code)) s = `${code}: ${s}`;
  for (const v of Object.values(params)) {
    if (typeof v === 'string' && v.length >= 4) s = s.split(v).join('[redacted]');
  }
  s = s.replace(/\/\/[^@\s/]*@/g, '//***@').replace(/\s+/g, ' ').trim();
  return s.length > 300 ? `${s.slice(0, 299)}…` : s;
}

/** Runs `fn` over `items`, at most `n` at a time, keeping the order of results. */
async function mapLimit<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(n, items.length)) }, lane));
  return results;
}

// ---------------------------------------------------------------------------------------

export interface MailDelivery {
  transport: MailTransport;
  letters: LetterSink;
  close(): Promise<void>;
}

/**
 * SMTP when `config.smtpUrl` is set; otherwise the development mailbox (.eml files under
 * `<dataDir>/mail`, listed at /dev/mail), which production refuses. Letters always go to
 * `<dataDir>/letters`, where a print provider collects them.
 */
export function createMailDelivery(config: Pick<Config, 'env' | 'smtpUrl' | 'dataDir'>): MailDelivery {
  if (config.smtpUrl === undefined && config.env === 'production') {
    throw new AppError('refused_in_production', 'No SMTP_URL: the local mailbox is for development. Set SMTP_URL in production.');
  }
  const transport = config.smtpUrl !== undefined ? createSmtpTransport(config.smtpUrl) : createFileMailbox(join(config.dataDir, 'mail'));
  return {
    transport,
    letters: createLetterFolder(join(config.dataDir, 'letters')),
    close: async () => {
      await transport.close?.();
    },
  };
}

export interface OutboxWorkerOptions {
  intervalMs: number;
  limit?: number;
  concurrency?: number;
  /** Called when a drain fails (database unreachable...); the worker carries on. */
  onError?: (e: unknown) => void;
}

/**
 * Drains the outbox every `intervalMs`, and at once again while batches come back full (a
 * national import leaves a large backlog). Returns a function that stops it and waits for the
 * drain in progress.
 */
export function startOutboxWorker(deps: OutboxDeps, opts: OutboxWorkerOptions): () => Promise<void> {
  const limit = opts.limit ?? 100;
  const onError = opts.onError ?? ((e: unknown) => console.error(`[carnet] outbox worker: ${(e as Error).message}`));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = tick();
    }, ms);
    // Do not keep a process alive for this timer alone (the CLI, tests).
    timer.unref();
  };
  const tick = async () => {
    let full = false;
    try {
      const r = await drainOutbox(deps, { limit, ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }) });
      full = r.sent + r.retried + r.failed >= limit;
    } catch (e) {
      onError(e);
    }
    schedule(full ? 0 : opts.intervalMs);
  };

  schedule(0);
  return async () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    await running;
  };
}

/**
 * The server's mail: the delivery its configuration selects and a worker draining the outbox.
 * Returns a function that stops the worker and closes the connections.
 */
export function startMailWorker(deps: { db: Db; clock: Clock; config: Config }, opts: Partial<OutboxWorkerOptions> = {}): () => Promise<void> {
  const delivery = createMailDelivery(deps.config);
  const stop = startOutboxWorker({ ...deps, ...delivery }, { intervalMs: 2_000, ...opts });
  return async () => {
    await stop();
    await delivery.close();
  };
}

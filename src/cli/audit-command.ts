import type { Command } from 'commander';
import { isInteractive, withDatabase } from './context.ts';
import { AppError } from '../platform/errors.ts';
import { createProgress } from '../platform/records/index.ts';
import { verifyChains } from '../audit/index.ts';
import type { BrokenLink, BreakReason, VerifyReport } from '../audit/index.ts';
import type { Queryable } from '../storage/index.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const EXPLAIN: Record<BreakReason, string> = {
  hash_mismatch: 'its content no longer matches its hash: a field of this event was modified',
  prev_hash_mismatch: 'it does not hold the hash of the event before it: the chain was cut or an earlier event rewritten',
  seq_gap: 'events are missing before it: they were deleted',
  tail_missing: 'the chain stops before the last event recorded for it: its latest events were deleted',
  chain_missing: 'every event of this patient’s trace is gone, though a trace was recorded',
};

export function formatBroken(b: BrokenLink): string[] {
  return [
    'First broken link:',
    `  patient  ${b.patientId}`,
    `  seq      ${b.seq}${b.expectedSeq === undefined ? '' : ` (expected ${b.expectedSeq})`}`,
    `  reason   ${b.reason}: ${EXPLAIN[b.reason]}`,
    `  date     ${b.at === null ? '-' : b.at.toISOString()}`,
  ];
}

export function formatSummary(r: VerifyReport): string {
  const secs = r.durationMs / 1000;
  const rate = secs > 0 ? Math.round(r.events / secs) : r.events;
  return `Verified ${r.events} event(s) in ${r.patients} chain(s) in ${secs.toFixed(1)} s (${rate} events/s): ${r.firstBroken === null ? 'every chain holds.' : `${r.brokenChains} broken chain(s).`}`;
}

/** How many events there are, for the progress bar: the planner's estimate on a big table. */
async function estimateEvents(q: Queryable, patientId: string | undefined): Promise<number> {
  if (patientId !== undefined) return (await q.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE patient_id = $1', [patientId]))[0]?.n ?? 0;
  const est = (await q.query<{ n: number }>("SELECT reltuples::bigint AS n FROM pg_class WHERE oid = 'audit_events'::regclass"))[0]?.n ?? -1;
  if (est >= 1_000_000) return est;
  return (await q.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events'))[0]?.n ?? 0;
}

export function register(program: Command): void {
  const audit = program.command('audit').description("The patients' traces (hash-chained, append-only).");

  audit
    .command('verify')
    .description('Recompute every hash chain of the traces and name the first broken link (exit code 1 when one is broken).')
    .option('--patient <id>', "verify this patient's chain only (patient id, a UUID)")
    .action(async (opts: { patient?: string }) => {
      if (opts.patient !== undefined && !UUID.test(opts.patient)) {
        throw new AppError('validation_failed', `--patient must be a patient id (a UUID), not "${opts.patient}".`);
      }
      await withDatabase(async ({ db }) => {
        const interactive = isInteractive();
        const total = interactive ? await estimateEvents(db, opts.patient) : 0;
        const progress = createProgress(total, interactive);
        let report: VerifyReport;
        try {
          report = await verifyChains(db, {
            patientId: opts.patient,
            onProgress: ({ patients, events }) => progress.update(Math.min(events, total), { rows: events, chains: patients }),
          });
        } finally {
          progress.stop();
        }
        if (opts.patient !== undefined && report.events === 0) {
          console.log(`No trace for patient ${opts.patient}.`);
          return;
        }
        console.log(formatSummary(report));
        if (report.firstBroken !== null) {
          for (const line of formatBroken(report.firstBroken)) console.log(line);
          process.exitCode = 1;
        }
      });
    });
}

import type { Readable } from 'node:stream';
import type { Db } from '../storage/index.ts';
import type { Clock } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { inBatches, readRecords } from '../platform/records/index.ts';
import type { RecordFormat } from '../platform/records/index.ts';
import { checkDirectoryRow, REQUIRED_COLUMNS } from './directory.ts';
import type { ProfessionalInput } from './directory.ts';
import { deactivateProfessionals, upsertOrganisations, upsertProfessionals } from './directory-store.ts';

/** One problem of one line of the file. A line may have several. */
export interface ImportProblem {
  line: number;
  /** A column of the file, or `line` when the line itself could not be read. */
  field: string;
  /** The value found (empty when missing or unreadable). */
  value: string;
  reason: string;
}

export interface ImportCounts {
  /** Data lines read (good and bad). */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Lines refused (each has at least one problem). */
  errors: number;
}

export interface ImportSummary extends ImportCounts {
  /** Professionals marked inactive because a full extract no longer lists them. */
  deactivated: number;
  /** Problems found, several per line at times. */
  problems: number;
  /** The first problems, in file order (for a quick look; `onProblem` gets them all). */
  firstProblems: ImportProblem[];
  organisations: { created: number; updated: number };
  durationMs: number;
}

export interface ImportOptions {
  /**
   * The file is a full extract of the national directory: professionals it does not list
   * become inactive. Professionals on a refused line whose RPPS is readable count as listed.
   */
  full?: boolean;
  /** Rows per database round trip. */
  batchSize?: number;
  /** How many problems `firstProblems` keeps. */
  keepProblems?: number;
  /** Called for every problem, in file order (e.g. to write a report); awaited. */
  onProblem?: (problem: ImportProblem) => void | Promise<void>;
  /** Called after each batch with the bytes read so far and the counts. */
  onProgress?: (bytesRead: number, counts: ImportCounts) => void;
}

/**
 * Imports a directory file (CSV or NDJSON, columns of DIRECTORY_COLUMNS) into the directory:
 * streams it, validates every line, reports bad lines without stopping, and upserts the
 * good ones in batches (organisations first). Running it twice changes nothing the second
 * time. Each batch is its own transaction: an interrupted import can simply be run again.
 */
export async function importProfessionals(db: Db, clock: Clock, input: Readable, format: RecordFormat, opts: ImportOptions = {}): Promise<ImportSummary> {
  const started = clock.now();
  const batchSize = opts.batchSize ?? 1000;
  const keepProblems = opts.keepProblems ?? 20;
  const counts: ImportCounts = { rows: 0, created: 0, updated: 0, unchanged: 0, errors: 0 };
  const organisations = { created: 0, updated: 0 };
  const firstProblems: ImportProblem[] = [];
  let problems = 0;
  let bytesRead = 0;
  let headerChecked = format !== 'csv';
  // RPPS seen in the file, as numbers (11 digits < 2^53): about 25 MB for the whole country.
  const seen = new Set<number>();

  const report = async (p: ImportProblem) => {
    problems++;
    if (firstProblems.length < keepProblems) firstProblems.push(p);
    await opts.onProblem?.(p);
  };

  const records = readRecords(input, format, { onBytes: (n) => (bytesRead = n) });
  for await (const batch of inBatches(records, batchSize)) {
    const good: ProfessionalInput[] = [];
    for (const rec of batch) {
      counts.rows++;
      if (rec.error !== undefined) {
        counts.errors++;
        await report({ line: rec.line, field: 'line', value: '', reason: rec.error });
        continue;
      }
      if (!headerChecked) {
        const missing = REQUIRED_COLUMNS.filter((c) => !(c in rec.fields));
        if (missing.length > 0) {
          throw new AppError('validation_failed', `The file lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: its first line must name the columns (rpps, family_name, given_name, profession_code, ...).`, {
            details: missing.map((c) => ({ field: c, reason: 'column missing from the header line' })),
          });
        }
        headerChecked = true;
      }
      const check = checkDirectoryRow(rec.fields);
      const rpps = check.ok ? check.row.rpps : check.rpps;
      if (rpps !== undefined) {
        if (seen.has(Number(rpps))) {
          counts.errors++;
          await report({ line: rec.line, field: 'rpps', value: rpps, reason: 'appears on an earlier line of the file: this line is ignored' });
          continue;
        }
        seen.add(Number(rpps));
      }
      if (!check.ok) {
        counts.errors++;
        for (const p of check.problems) await report({ line: rec.line, field: p.field, value: valueOf(rec.fields[p.field]), reason: p.reason });
        continue;
      }
      good.push(check.row);
    }
    if (good.length > 0) {
      const now = clock.now();
      const [orgs, pros] = await db.tx(async (q) => {
        const o = await upsertOrganisations(q, good.flatMap((r) => (r.organisation ? [r.organisation] : [])), now);
        const p = await upsertProfessionals(q, good, now);
        return [o, p] as const;
      });
      organisations.created += orgs.created;
      organisations.updated += orgs.updated;
      counts.created += pros.created;
      counts.updated += pros.updated;
      counts.unchanged += good.length - pros.created - pros.updated;
    }
    opts.onProgress?.(bytesRead, { ...counts });
  }

  let deactivated = 0;
  if (opts.full) {
    // An empty or wholly unreadable file is not an extract where everyone left.
    if (seen.size === 0) throw new AppError('validation_failed', 'The file lists no valid professional: refusing to treat it as a full extract (nothing was deactivated).');
    deactivated = await deactivateProfessionals(db, (rpps) => seen.has(Number(rpps)), clock.now());
  }

  return { ...counts, deactivated, problems, firstProblems, organisations, durationMs: clock.now().getTime() - started.getTime() };
}

function valueOf(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** The summary line printed at the end of an import. */
export function formatImportSummary(s: ImportSummary): string {
  return (
    `${s.rows} rows: ${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged, ${s.deactivated} deactivated, ` +
    `${s.errors} errors, in ${(s.durationMs / 1000).toFixed(1)} s (organisations: ${s.organisations.created} created, ${s.organisations.updated} updated)`
  );
}

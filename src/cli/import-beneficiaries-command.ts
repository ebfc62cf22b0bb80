import { closeSync, createReadStream, openSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import { AppError } from '../platform/errors.ts';
import { createProgress, detectFormat } from '../platform/records/index.ts';
import type { RecordFormat } from '../platform/records/index.ts';
import { BENEFICIARY_COLUMNS, DEFAULT_BATCH_SIZE, importBeneficiaries, REQUIRED_COLUMNS } from '../beneficiaries/index.ts';
import type { ImportDeps, ImportSummary, LineError } from '../beneficiaries/index.ts';
import { isInteractive, withDatabase } from './context.ts';

/** Errors printed on the terminal; all of them go to the report. */
export const PRINTED_ERRORS = 20;

export interface ImportCommandOptions {
  format?: RecordFormat | undefined;
  batchSize?: number | undefined;
  errorsOut?: string | undefined;
}

export interface CommandOutput {
  /** Summary lines (stdout). */
  log(line: string): void;
  /** Problems (stderr). */
  error(line: string): void;
  /** A progress bar makes sense (a terminal). */
  interactive: boolean;
}

export function register(program: Command): void {
  program
    .command('import-beneficiaries')
    .description(
      "Create the spaces of the insurer's beneficiary file: a pending space, a provisional code (valid 6 weeks) and an " +
        'information message (e-mail, else letter) for every new person; the changed traits of known people are updated. ' +
        'Idempotent: running the same file again creates nothing. Bad lines are reported and skipped.',
    )
    .argument('<file>', 'the beneficiary file: CSV with a header line (, or ; separated) or NDJSON (one JSON object a line)')
    .addOption(new Option('--format <format>', 'file format (default: from the file name, .ndjson/.jsonl = ndjson, else csv)').choices(['csv', 'ndjson']))
    .option('--batch-size <n>', 'rows written per statement and transaction', parseBatchSize, DEFAULT_BATCH_SIZE)
    .option('--errors-out <file>', 'CSV report of the rejected lines (default: <file name>.errors.csv next to the file)')
    .addHelpText(
      'after',
      `
Columns (CSV header names, NDJSON keys):
  ${BENEFICIARY_COLUMNS.slice(0, 8).join(', ')},
  ${BENEFICIARY_COLUMNS.slice(8).join(', ')}
Required: ${REQUIRED_COLUMNS.join(', ')};
  representative_matricule for a minor (under 18): the legal representative's NIR;
  address, postal_code and city when there is no email (the information goes by letter).
Dates are YYYY-MM-DD, sex is M, F or U, oid defaults to INS-NIR (1.2.250.1.213.1.4.8).
A matricule twice in the file: the last line wins. A purged space is never filled again;
contact details stop following the file once the person has activated their space.

Exit code 0 when the file was read to its end, even with rejected lines (see the report);
1 when the file cannot be read or the database fails (committed batches stay: run again).

Example:
  carnet import-beneficiaries beneficiaires-2026-01.csv
  carnet import-beneficiaries delta.ndjson --errors-out /var/log/carnet/delta-errors.csv`,
    )
    .action(async (file: string, opts: ImportCommandOptions) => {
      const out: CommandOutput = { log: (l) => console.log(l), error: (l) => console.error(l), interactive: isInteractive() };
      await withDatabase((ctx) => runImportBeneficiaries(ctx, file, opts, out));
    });
}

function parseBatchSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50_000) throw new InvalidArgumentError('must be a whole number from 1 to 50000.');
  return n;
}

/** The report's default path: `people.csv` -> `people.errors.csv`, in the same folder. */
export function defaultReportPath(file: string): string {
  const abs = resolve(file);
  return join(dirname(abs), `${basename(abs, extname(abs))}.errors.csv`);
}

/** Runs the import of `file` and prints its progress, first errors and summary. */
export async function runImportBeneficiaries(deps: ImportDeps, file: string, opts: ImportCommandOptions, out: CommandOutput): Promise<ImportSummary> {
  const path = resolve(file);
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('it is not a file');
    size = st.size;
  } catch (e) {
    throw new AppError('bad_request', `Cannot read ${path}: ${describeFsError(e)}.`, { cause: e });
  }
  const format = opts.format ?? detectFormat(path);
  const reportPath = resolve(opts.errorsOut ?? defaultReportPath(path));
  const report = openReport(reportPath);
  const progress = createProgress(size, out.interactive);
  const printed: LineError[] = [];
  let problems = 0;
  let summary: ImportSummary;
  try {
    summary = await importBeneficiaries(deps, createReadStream(path), format, {
      batchSize: opts.batchSize ?? DEFAULT_BATCH_SIZE,
      onProgress: (p) => progress.update(p.bytesRead, { rows: p.rows, created: p.created, updated: p.updated, errors: p.errors }),
      onError: (e) => {
        problems++;
        if (printed.length < PRINTED_ERRORS) printed.push(e);
        report.write(e);
      },
    });
  } finally {
    progress.stop();
    report.close();
    for (const e of printed) out.error(formatLineError(e));
    if (problems > printed.length) out.error(`... and ${fmt(problems - printed.length)} more problems in the report.`);
  }
  const secs = summary.durationMs / 1000;
  out.log(
    `Imported ${fmt(summary.rows)} lines of ${basename(path)} in ${secs < 10 ? secs.toFixed(2) : secs.toFixed(1)} s (${fmt(Math.round(summary.rows / Math.max(secs, 0.001)))} rows/s): ` +
      `${fmt(summary.created)} created, ${fmt(summary.updated)} updated, ${fmt(summary.unchanged)} unchanged, ` +
      `${fmt(summary.skipped)} skipped (deceased, unknown), ${fmt(summary.errors)} rejected.`,
  );
  out.log(`Minors: ${fmt(summary.linked)} newly linked to their representative, ${fmt(summary.revoked)} former representatives revoked, ${fmt(summary.unlinked)} with a representative not known yet.`);
  out.log(summary.errors > 0 ? `${fmt(summary.errors)} lines rejected (${fmt(problems)} problems): see ${reportPath}` : `No line rejected (report: ${reportPath}).`);
  return summary;
}

/** "line 12, birth_date: month does not match the matricule (05)" */
export function formatLineError(e: LineError): string {
  return e.field === null ? `line ${e.line}: ${e.reason}` : `line ${e.line}, ${e.field}: ${e.reason}`;
}

const fmt = (n: number) => n.toLocaleString('en-US');

function describeFsError(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  return e instanceof Error ? e.message : String(e);
}

/**
 * The CSV report (line, field, reason), written synchronously in 64 KiB chunks: memory
 * stays flat even when every line of a huge file is wrong.
 */
function openReport(path: string): { write(e: LineError): void; close(): void } {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw new AppError('bad_request', `Cannot write the error report ${path}: ${describeFsError(e)}. Choose another path with --errors-out.`, { cause: e });
  }
  let buffer = 'line,field,reason\n';
  const flush = () => {
    if (buffer.length > 0) writeSync(fd, buffer);
    buffer = '';
  };
  return {
    write(e) {
      buffer += `${e.line},${csvCell(e.field ?? '')},${csvCell(e.reason)}\n`;
      if (buffer.length >= 64 * 1024) flush();
    },
    close() {
      flush();
      closeSync(fd);
    },
  };
}

function csvCell(s: string): string {
  return /[",;\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

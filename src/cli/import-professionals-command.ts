import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, extname, join } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { withDatabase, isInteractive } from './context.ts';
import { AppError } from '../platform/errors.ts';
import { createProgress, detectFormat, RECORD_FORMATS } from '../platform/records/index.ts';
import type { RecordFormat } from '../platform/records/index.ts';
import { formatImportSummary, importProfessionals } from '../identity/index.ts';
import type { ImportProblem } from '../identity/index.ts';

/** Problems printed on the terminal; all of them go to the report file. */
const SHOWN_PROBLEMS = 20;

/** Where the error report of `file` goes: beside it, `<name>.errors.csv`. */
export function errorReportPath(file: string): string {
  return join(dirname(file), `${basename(file, extname(file))}.errors.csv`);
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r;]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Writes problems to a CSV file, created at the first problem only. */
class ErrorReport {
  #out: WriteStream | undefined;
  constructor(readonly path: string) {}
  async add(p: ImportProblem): Promise<void> {
    if (this.#out === undefined) {
      this.#out = createWriteStream(this.path, { encoding: 'utf8' });
      this.#out.write('line,field,value,reason\n');
    }
    if (!this.#out.write(`${[p.line, p.field, p.value, p.reason].map(csvCell).join(',')}\n`)) await once(this.#out, 'drain');
  }
  get written(): boolean {
    return this.#out !== undefined;
  }
  async close(): Promise<void> {
    if (this.#out === undefined) return;
    const out = this.#out;
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}

export function register(program: Command): void {
  program
    .command('import-professionals')
    .description(
      'Import the professional directory from a CSV or NDJSON file (columns: rpps, family_name, given_name, profession_code, specialty_code, email, finess, organisation_name, organisation_kind, siret, city). ' +
        'Bad lines are reported (first 20 on screen, all in <name>.errors.csv beside the file, replaced at each run) and skipped; running it again changes nothing. ' +
        'Exit code 0: all lines imported; 2: imported, some lines refused; 1: failed.',
    )
    .argument('<file>', 'the directory file')
    .addOption(new Option('--format <format>', 'file format (default: from the file name)').choices(RECORD_FORMATS))
    .option('--full', 'the file is a full extract of the national directory: professionals it does not list become inactive')
    .action(async (file: string, opts: { format?: RecordFormat; full?: boolean }) => {
      let size: number;
      try {
        size = statSync(file).size;
      } catch {
        throw new AppError('not_found', `Cannot read the file ${file}.`);
      }
      const format = opts.format ?? detectFormat(file);
      const report = new ErrorReport(errorReportPath(file));
      // A report left by an earlier run would describe a file that is no longer there.
      rmSync(report.path, { force: true });
      const summary = await withDatabase(async ({ db, clock }) => {
        const progress = createProgress(size, isInteractive());
        try {
          return await importProfessionals(db, clock, createReadStream(file), format, {
            full: opts.full === true,
            keepProblems: SHOWN_PROBLEMS,
            onProblem: (p) => report.add(p),
            onProgress: (bytes, counts) => progress.update(bytes, { rows: counts.rows, created: counts.created, updated: counts.updated, errors: counts.errors }),
          });
        } finally {
          progress.stop();
          await report.close();
        }
      });
      for (const p of summary.firstProblems) console.error(`line ${p.line}, ${p.field}: ${p.reason}${p.value === '' ? '' : ` (value: ${p.value})`}`);
      if (summary.problems > summary.firstProblems.length) console.error(`... and ${summary.problems - summary.firstProblems.length} more problems.`);
      if (report.written) console.error(`${summary.errors} lines refused (${summary.problems} problems); the full list is in ${report.path}`);
      console.log(`import-professionals ${basename(file)}: ${formatImportSummary(summary)}`);
      if (summary.errors > 0) process.exitCode = 2;
    });
}

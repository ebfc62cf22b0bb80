/**
 * Beneficiary import: rows per second and peak memory for a generated file, on PostgreSQL
 * and on PGlite, with the ratio to a bare baseline (the same rows parsed and inserted with
 * one plain multi-row INSERT ... SELECT FROM unnest per batch into a bare table with the
 * same columns: no validation, no codes, no outbox).
 *
 *   npm run bench -- import-beneficiaries [--rows 1000000] [--pglite-rows 200000]
 *     [--batch-size 5000] [--engines postgres,pglite] [--no-rerun]
 *
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a
 * fresh schema dropped afterwards. PGlite: a temporary data folder. Each engine runs in a
 * child process of its own, so its peak RSS is its own.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { withNirKey } from '../src/identity/ins.ts';
import { createPgDb, createPgliteDb, migrate } from '../src/storage/index.ts';
import type { Db } from '../src/storage/index.ts';
import { systemClock } from '../src/platform/clock.ts';
import { cryptoRandom } from '../src/platform/random.ts';
import { inBatches, readRecords } from '../src/platform/records/index.ts';
import { BENEFICIARY_COLUMNS, DEFAULT_BATCH_SIZE, importBeneficiaries } from '../src/beneficiaries/index.ts';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';
const ENGINES = ['postgres', 'pglite'] as const;
type BenchEngine = (typeof ENGINES)[number];

interface Phase {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** RSS when the phase started (the process with its modules and, for PGlite, the database). */
  startRssMb: number;
  peakRssMb: number;
}

interface EngineResult {
  engine: BenchEngine;
  rows: number;
  batchSize: number;
  import: Phase & { created: number; errors: number; linked: number };
  rerun: (Phase & { created: number; updated: number; unchanged: number }) | null;
  baseline: Phase;
  /** process.resourceUsage().maxRSS after the import (before the baseline), and at the end. */
  maxRssAfterImportMb: number;
  maxRssEndMb: number;
}

// ---------------------------------------------------------------------------------------
// Parent: generate the file, run each engine in a child, print the figures.

export async function run(args: string[]): Promise<void> {
  const opt = parseArgs(args);
  console.log(`Node ${process.version}, ${availableParallelism()} CPUs, batch ${opt.batchSize}; the database server shares the machine.`);
  const dir = mkdtempSync(join(tmpdir(), 'carnet-bench-'));
  try {
    const results: EngineResult[] = [];
    for (const engine of opt.engines) {
      const rows = engine === 'postgres' ? opt.rows : opt.pgliteRows;
      const file = join(dir, `beneficiaries-${rows}.csv`);
      if (!existsFile(file)) {
        const t0 = performance.now();
        await generateFile(file, rows);
        console.log(`generated ${rows.toLocaleString('en-US')} rows (${mb(statSync(file).size)} MB) in ${secs(t0)} s: ${file}`);
      }
      if (engine === 'pglite' && opt.pgliteRows < opt.rows) {
        console.log(`PGlite runs on ${opt.pgliteRows.toLocaleString('en-US')} rows (--pglite-rows): single-threaded WASM, 1M rows would take minutes.`);
      }
      const r = await runChild(engine, file, rows, opt.batchSize, opt.rerun);
      print(r);
      results.push(r);
    }
    const target = results.find((r) => r.engine === 'postgres');
    if (target) {
      const ok = target.import.rowsPerSecond >= 50_000 && target.maxRssAfterImportMb < 300;
      console.log(`\ntarget (PostgreSQL >= 50,000 rows/s, peak RSS < 300 MB): ${ok ? 'MET' : 'NOT MET'}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseArgs(args: string[]): { rows: number; pgliteRows: number; batchSize: number; engines: BenchEngine[]; rerun: boolean } {
  const value = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const int = (name: string, d: number): number => {
    const v = value(name);
    const n = v === undefined ? d : Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number`);
    return n;
  };
  const rows = int('--rows', 1_000_000);
  const engines = (value('--engines') ?? ENGINES.join(',')).split(',') as BenchEngine[];
  for (const e of engines) if (!ENGINES.includes(e)) throw new Error(`--engines: unknown engine ${e}`);
  return { rows, pgliteRows: int('--pglite-rows', Math.min(rows, 200_000)), batchSize: int('--batch-size', DEFAULT_BATCH_SIZE), engines, rerun: !args.includes('--no-rerun') };
}

function print(r: EngineResult): void {
  const line = (name: string, p: Phase, extra = '') =>
    console.log(`  ${name.padEnd(9)} ${p.rows.toLocaleString('en-US').padStart(10)} rows in ${p.seconds.toFixed(1).padStart(6)} s = ${Math.round(p.rowsPerSecond).toLocaleString('en-US').padStart(7)} rows/s, peak RSS ${p.peakRssMb} MB (${p.startRssMb} MB at start)${extra}`);
  console.log(`\n${r.engine} (batch ${r.batchSize}):`);
  line('import', r.import, ` (${r.import.created} created, ${r.import.errors} errors, ${r.import.linked} minors linked)`);
  if (r.rerun) line('re-run', r.rerun, ` (${r.rerun.created} created, ${r.rerun.updated} updated, ${r.rerun.unchanged} unchanged)`);
  line('baseline', r.baseline);
  console.log(`  ratio import/baseline: ${(r.import.rowsPerSecond / r.baseline.rowsPerSecond).toFixed(2)} of the bare insert's speed (${(r.baseline.rowsPerSecond / r.import.rowsPerSecond).toFixed(2)}x slower)`);
  console.log(`  maxRSS (process.resourceUsage): ${r.maxRssAfterImportMb} MB after the import, ${r.maxRssEndMb} MB at the end`);
}

async function runChild(engine: BenchEngine, file: string, rows: number, batchSize: number, rerun: boolean): Promise<EngineResult> {
  const child = fork(fileURLToPath(import.meta.url), ['--child', engine, file, String(rows), String(batchSize), rerun ? '1' : '0'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  let result: EngineResult | undefined;
  child.on('message', (m) => (result = m as EngineResult));
  child.stdout?.pipe(process.stdout);
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0 || result === undefined) throw new Error(`the ${engine} run failed (exit code ${code})`);
  return result;
}

// ---------------------------------------------------------------------------------------
// The file: N valid rows, streamed to disk. One row in five is a minor whose legal
// representative is the row before; 70 % have an e-mail, the others an address.

const NAMES = ['MARTIN', 'BERNARD', 'THOMAS', 'PETIT', 'ROBERT', 'RICHARD', 'DURAND', 'DUBOIS', 'MOREAU', 'LAURENT', 'SIMON', 'MICHEL', 'LEFÈVRE', 'LEROY', 'ROUX', 'DAVID', 'BERTRAND', 'MOREL', 'FOURNIER', "N'DIAYE"];
const GIVEN = ['Jean', 'Marie', 'Léa', 'Lucas', 'Chloé', 'Hugo', 'Emma', 'Louis', 'Inès', 'Gabriel', 'Zoé', 'Jules', 'Anne-Sophie', 'Noé', 'Éloïse', 'Adam', 'Manon', 'Paul', 'Camille', 'Raphaël'];

export function beneficiaryLine(i: number, thisYear: number, previousMatricule: string): { line: string; matricule: string } {
  const minor = i % 5 === 4;
  const sex = i % 2 === 0 ? 'M' : 'F';
  const year = minor ? thisYear - 2 - (i % 15) : 1940 + (i % 65);
  const month = (i % 12) + 1;
  const day = (i % 28) + 1;
  const order = (i % 999) + 1;
  const commune = (Math.floor(i / 999) % 999) + 1;
  const dept = (Math.floor(i / 998_001) % 95) + 1;
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const matricule = withNirKey(`${sex === 'M' ? 1 : 2}${pad(year % 100, 2)}${pad(month, 2)}${pad(dept, 2)}${pad(commune, 3)}${pad(order, 3)}`);
  const email = i % 10 < 7 ? `p${i}@example.org` : '';
  const address = email === '' ? `${(i % 200) + 1} rue de la République` : '';
  const postal = email === '' ? `${pad(dept, 2)}100` : '';
  const city = email === '' ? 'Villeneuve' : '';
  const phone = i % 2 === 0 ? `06${pad(i % 100_000_000, 8)}` : '';
  const given = `${GIVEN[i % 20]} ${GIVEN[(i * 7) % 20]}`;
  const cols = [
    matricule,
    '',
    NAMES[i % 20],
    given,
    i % 9 === 0 ? NAMES[(i + 3) % 20] : '',
    `${year}-${pad(month, 2)}-${pad(day, 2)}`,
    sex,
    `${pad(dept, 2)}${pad(commune, 3)}`,
    pad(i, 10),
    email,
    phone,
    address,
    postal,
    city,
    minor ? previousMatricule : '',
    '',
  ];
  return { line: cols.map((c) => (c?.includes(',') ? `"${c}"` : (c ?? ''))).join(','), matricule };
}

export async function generateFile(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  const thisYear = new Date().getUTCFullYear();
  let chunk = `${BENEFICIARY_COLUMNS.join(',')}\n`;
  let previous = '';
  for (let i = 0; i < rows; i++) {
    const { line, matricule } = beneficiaryLine(i, thisYear, previous);
    previous = matricule;
    chunk += `${line}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

function existsFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Child: one engine.

const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));
const secs = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

/** Peak RSS sampled every 100 ms during `fn`. */
async function measured<T>(rows: (r: T) => number, fn: () => Promise<T>): Promise<{ value: T; phase: Phase }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const t0 = performance.now();
  try {
    const value = await fn();
    const seconds = (performance.now() - t0) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);
    const n = rows(value);
    return { value, phase: { rows: n, seconds, rowsPerSecond: n / seconds, startRssMb: mb(start), peakRssMb: mb(peak) } };
  } finally {
    clearInterval(timer);
  }
}

const BASELINE_COLUMNS = BENEFICIARY_COLUMNS.map((c) => (c === 'birth_date' || c === 'deceased_on' ? `${c} date` : `${c} text`));

/** The bare baseline: parse, then one INSERT ... SELECT FROM unnest per batch, overlapping like the import. */
async function baseline(db: Db, file: string, batchSize: number): Promise<number> {
  await db.exec(`DROP TABLE IF EXISTS bench_baseline; CREATE TABLE bench_baseline (${BASELINE_COLUMNS.join(', ')})`);
  const casts = BENEFICIARY_COLUMNS.map((c, i) => `$${i + 1}::${c === 'birth_date' || c === 'deceased_on' ? 'date' : 'text'}[]`);
  const sql = `INSERT INTO bench_baseline (${BENEFICIARY_COLUMNS.join(', ')}) SELECT * FROM unnest(${casts.join(', ')})`;
  let rows = 0;
  let writing: Promise<unknown> | undefined;
  for await (const batch of inBatches(readRecords(createReadStream(file), 'csv'), batchSize)) {
    const cols = BENEFICIARY_COLUMNS.map(() => [] as (string | null)[]);
    for (const r of batch) {
      if (r.fields === undefined) continue;
      BENEFICIARY_COLUMNS.forEach((c, i) => {
        const v = r.fields[c];
        cols[i]?.push(typeof v === 'string' && v !== '' ? v : null);
      });
      rows++;
    }
    if (writing) await writing;
    writing = db.tx((q) => q.query(sql, cols));
  }
  if (writing) await writing;
  return rows;
}

async function child(engine: BenchEngine, file: string, rows: number, batchSize: number, rerun: boolean): Promise<EngineResult> {
  let db: Db;
  let cleanup: () => Promise<void>;
  if (engine === 'postgres') {
    const url = process.env.BENCH_DATABASE_URL || DEFAULT_URL;
    const schema = `bench_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    db = createPgDb({ connectionString: url, schema, max: 4 });
    cleanup = async () => {
      await db.close();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    };
    console.log(`postgres: ${url.replace(/\/\/[^@]*@/, '//***@')}, schema ${schema} (dropped afterwards)`);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-bench-pglite-'));
    db = await createPgliteDb(dir);
    cleanup = async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    };
    console.log(`pglite: data folder ${dir} (removed afterwards)`);
  }
  try {
    await migrate(db);
    const deps = { db, clock: systemClock, random: cryptoRandom, config: { secret: randomBytes(32), baseUrl: 'https://carnet.example.fr' } };
    const imp = await measured(
      (s) => s.rows,
      () => importBeneficiaries(deps, createReadStream(file), 'csv', { batchSize }),
    );
    console.log(`  ${engine}: import done in ${imp.phase.seconds.toFixed(1)} s`);
    const maxRssAfterImportMb = Math.round(process.resourceUsage().maxRSS / 1024);
    let again: EngineResult['rerun'] = null;
    if (rerun) {
      const r = await measured(
        (s) => s.rows,
        () => importBeneficiaries(deps, createReadStream(file), 'csv', { batchSize }),
      );
      again = { ...r.phase, created: r.value.created, updated: r.value.updated, unchanged: r.value.unchanged };
      console.log(`  ${engine}: re-run done in ${r.phase.seconds.toFixed(1)} s`);
    }
    const base = await measured(
      (n) => n,
      () => baseline(db, file, batchSize),
    );
    if (imp.value.created !== rows || imp.value.errors !== 0) throw new Error(`expected ${rows} created and no error, got ${JSON.stringify(imp.value)}`);
    return {
      engine,
      rows,
      batchSize,
      import: { ...imp.phase, created: imp.value.created, errors: imp.value.errors, linked: imp.value.linked },
      rerun: again,
      baseline: base.phase,
      maxRssAfterImportMb,
      maxRssEndMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await cleanup();
  }
}

if (process.argv[2] === '--child') {
  const [, , , engine, file, rows, batchSize, rerun] = process.argv;
  const r = await child(engine as BenchEngine, file as string, Number(rows), Number(batchSize), rerun === '1');
  process.send?.(r);
}

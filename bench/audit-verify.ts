/**
 * `carnet audit verify`: events per second and peak memory of verifyChains over generated
 * traces on PostgreSQL, with the ratio to a bare baseline: the same rows read by the same
 * keyset pagination, each row's text hashed with SHA-256, and nothing else (no field
 * parsing, no chain logic).
 *
 *   npm run bench -- audit-verify [--events 1000000] [--patients 100000] [--page-size 5000]
 *
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a
 * fresh schema dropped afterwards. The events are inserted directly (unnest batches), their
 * hashes computed in JS by the same eventHash as appendAudit.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import pg from 'pg';
import { createPgDb, migrate } from '../src/storage/index.ts';
import type { Db } from '../src/storage/index.ts';
import { ACTOR_TYPES, eventHash, GENESIS_HASH, verifyChains } from '../src/audit/index.ts';
import type { HashedFields } from '../src/audit/index.ts';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';
const INSERT_BATCH = 10_000;

interface Options {
  events: number;
  patients: number;
  pageSize: number;
}

function parseArgs(args: string[]): Options {
  const num = (name: string, dflt: number) => {
    const i = args.indexOf(`--${name}`);
    if (i < 0) return dflt;
    const v = Number(args[i + 1]);
    if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
    return v;
  };
  const o = { events: num('events', 1_000_000), patients: num('patients', 100_000), pageSize: num('page-size', 5000) };
  if (o.patients > o.events) o.patients = o.events;
  return o;
}

/** Runs `fn`, sampling RSS every 50 ms. */
async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; seconds: number; startRssMb: number; peakRssMb: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, seconds: (performance.now() - t0) / 1000, startRssMb: start / 2 ** 20, peakRssMb: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

const ACTIONS = ['document_read', 'document_added', 'sign_in', 'settings_changed', 'space_opened'];

/** Inserts `events` events over `patients` chains, hashes computed as appendAudit does. */
async function generate(db: Db, o: Options): Promise<void> {
  const perPatient = Math.floor(o.events / o.patients);
  let extra = o.events - perPatient * o.patients;
  const cols: unknown[][] = Array.from({ length: 14 }, () => []);
  const flush = async () => {
    if (cols[0]?.length === 0) return;
    await db.query(
      `INSERT INTO audit_events (patient_id, seq, at, actor_type, actor_id, actor_name, actor_profession, actor_specialty, action, target, mode, detail, prev_hash, hash)
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::jsonb[], $13::text[], $14::text[])`,
      cols as unknown[][] as string[][],
    );
    for (const c of cols) c.length = 0;
  };
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  for (let p = 0; p < o.patients; p++) {
    const patientId = randomUUID();
    const n = perPatient + (extra-- > 0 ? 1 : 0);
    let prevHash = GENESIS_HASH;
    for (let seq = 1; seq <= n; seq++) {
      const pro = seq % 2 === 0;
      const e: HashedFields = {
        patientId,
        seq,
        at: new Date(t0 + p * 1000 + seq * 3_600_000).toISOString(),
        actorType: pro ? 'professional' : (ACTOR_TYPES[seq % ACTOR_TYPES.length] ?? 'system'),
        actorId: pro ? `8100${String(p % 1e7).padStart(7, '0')}` : patientId,
        actorName: pro ? 'Dr Paul BERNARD' : 'Claire MARTIN',
        actorProfession: pro ? '10' : null,
        actorSpecialty: pro ? 'SM54' : null,
        action: ACTIONS[seq % ACTIONS.length] ?? 'x',
        target: pro ? `DocumentReference/${randomUUID()}` : null,
        mode: 'normal',
        detail: pro ? { purpose: 'care', organisation: '759990013' } : {},
        prevHash,
      };
      const hash = eventHash(e);
      const row = [e.patientId, e.seq, e.at, e.actorType, e.actorId, e.actorName, e.actorProfession, e.actorSpecialty, e.action, e.target, e.mode, JSON.stringify(e.detail), e.prevHash, hash];
      row.forEach((v, i) => cols[i]?.push(v));
      prevHash = hash;
      if ((cols[0]?.length ?? 0) >= INSERT_BATCH) await flush();
    }
  }
  await flush();
  // The heads appends keep (verify checks each chain ends at its head).
  await db.exec('INSERT INTO audit_heads (patient_id, seq, hash) SELECT DISTINCT ON (patient_id) patient_id, seq, hash FROM audit_events ORDER BY patient_id, seq DESC');
  await db.exec('VACUUM ANALYZE audit_events');
  await db.exec('VACUUM ANALYZE audit_heads');
}

/** The baseline: the same keyset scan, SHA-256 of each row's text, nothing else. */
async function baseline(db: Db, pageSize: number): Promise<number> {
  let rows = 0;
  let after: { p: string; s: number } | null = null;
  for (;;) {
    const page: { patient_id: string; seq: number; t: string }[] = await db.query(
      `SELECT patient_id, seq, e::text AS t FROM audit_events e ${after ? 'WHERE (patient_id, seq) > ($2::uuid, $3)' : ''} ORDER BY patient_id, seq LIMIT $1`,
      after ? [pageSize, after.p, after.s] : [pageSize],
    );
    for (const r of page) createHash('sha256').update(r.t).digest('hex');
    rows += page.length;
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) return rows;
    after = { p: last.patient_id, s: last.seq };
  }
}

export async function run(args: string[]): Promise<void> {
  const o = parseArgs(args);
  const url = process.env.BENCH_DATABASE_URL || DEFAULT_URL;
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const db = createPgDb({ connectionString: url, schema, max: 4 });
  console.log(`Node ${process.version}, ${availableParallelism()} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}; the database server shares the machine.`);
  console.log(`postgres: ${url.replace(/\/\/[^@]*@/, '//***@')}, schema ${schema} (dropped afterwards); ${o.events} events over ${o.patients} patients, pages of ${o.pageSize}`);
  try {
    await migrate(db);
    const gen = await measured(() => generate(db, o));
    console.log(`generated and inserted in ${gen.seconds.toFixed(1)} s (${Math.round(o.events / gen.seconds)} events/s, hashes included)`);
    await db.query('SELECT count(*) FROM audit_events'); // warm the cache for both runs alike

    const base = await measured(() => baseline(db, o.pageSize));
    const verify = await measured(() => verifyChains(db, { pageSize: o.pageSize }));
    const r = verify.result;
    if (r.events !== o.events || r.patients !== o.patients || r.firstBroken !== null) throw new Error(`unexpected report: ${JSON.stringify(r)}`);
    if (base.result !== o.events) throw new Error(`baseline read ${base.result} rows`);

    const rate = (n: number, s: number) => Math.round(n / s);
    const line = (label: string, m: { seconds: number; startRssMb: number; peakRssMb: number }, n: number, ratio: string) =>
      console.log(
        `${label.padEnd(46)} ${String(rate(n, m.seconds)).padStart(9)} events/s  ${m.seconds.toFixed(1).padStart(6)} s   RSS ${m.startRssMb.toFixed(0)} -> peak ${m.peakRssMb.toFixed(0)} MB   ${ratio}`,
      );
    line('baseline: keyset scan + SHA-256 of row text', base, base.result, 'x1.00');
    line('verifyChains (hash + links + seq)', verify, r.events, `x${(rate(r.events, verify.seconds) / rate(base.result, base.seconds)).toFixed(2)} baseline throughput`);
    console.log(`process maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await db.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

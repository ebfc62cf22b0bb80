/**
 * Documents of the shared record under load, on PostgreSQL: a professional (the patient's
 * authorized GP, bearer token from /oauth/token) lists the patient's 50 documents, reads a
 * 100 KB document, and submits a 100 KB document, each request authenticated, decided and
 * traced by the real app (`buildApp`, listening on 127.0.0.1). Baseline, run in the same
 * benchmark on the same database: a bare Fastify app whose one route does the same indexed
 * SELECT of the patient's current documents and one INSERT into a scratch table.
 *
 *   npm run bench -- documents [--duration 10] [--warmup 2] [--connections 50]
 *     [--loadgen worker|inline] [--only baseline,list,read,submit] [--patients 1]
 *
 * --patients N spreads the requests over N patients (each with the same 50 documents; each
 * connection cycles through them): the issue's scenario is one patient, where every request
 * appends to the same trace chain and so queues for its head; real traffic is spread.
 *
 * Load: autocannon's programmatic API, in a worker thread by default (its own event loop,
 * so the load generator does not take turns with the server on one thread; --loadgen inline
 * runs it on the server's thread to show the difference). Every response that is not the
 * expected 2xx is counted and reported; a sample request is checked before each run.
 *
 * PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a
 * fresh schema dropped afterwards; both apps get a pool of `--connections` clients.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Config } from '../src/config.ts';
import { systemClock } from '../src/platform/clock.ts';
import { cryptoRandom } from '../src/platform/random.ts';
import { createPgDb, migrate } from '../src/storage/index.ts';
import type { Db } from '../src/storage/index.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../src/identity/index.ts';
import { registerSoftwareClient, tokenEndpointUrl } from '../src/pro-auth/index.ts';
import { exchange, signAssertion, softwareKey } from '../src/pro-auth/token-test-kit.ts';
import type { SoftwareKey } from '../src/pro-auth/token-test-kit.ts';
import { insertActivePatient } from '../test/fixtures.ts';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';
const GP = DEMO_PROFESSIONALS.generalPractitioner;
const CARDIO = DEMO_PROFESSIONALS.cardiologist;
const CLAIMS: Record<string, { profession: string; specialty?: string; organisation: string }> = {
  [GP]: { profession: '10', specialty: 'SM54', organisation: '759990013' },
  [CARDIO]: { profession: '10', specialty: 'SM04', organisation: '759990021' },
};
const KB100 = 100 * 1024;
/** The same columns as the repository's list (documents-repository.ts COLUMNS). */
const COLUMNS = `patient_id, document_id, version_of, type_code, class_code, title, created_on::text AS created_on, submitted_at, author_kind, author_id,
  author_name, author_profession, author_organisation, format, size, sha256, blob_id, status, masked_to_professionals, invisible_to_patient_until, invisible_to_representatives`;

interface Options {
  duration: number;
  warmup: number;
  connections: number;
  loadgen: 'worker' | 'inline';
  only: string[];
  patients: number;
}

function parseArgs(args: string[]): Options {
  const value = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i < 0 ? undefined : args[i + 1];
  };
  const num = (name: string, d: number, min: number) => {
    const v = value(name);
    const n = v === undefined ? d : Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}`);
    return n;
  };
  const loadgen = value('loadgen') ?? 'worker';
  if (loadgen !== 'worker' && loadgen !== 'inline') throw new Error('--loadgen must be worker or inline');
  const only = (value('only') ?? 'baseline,list,read,submit').split(',');
  for (const s of only) if (!['baseline', 'list', 'read', 'submit'].includes(s)) throw new Error(`--only: unknown scenario ${s}`);
  return { duration: num('duration', 10, 1), warmup: num('warmup', 2, 0), connections: num('connections', 50, 1), loadgen, only, patients: num('patients', 1, 1) };
}

// ---------------------------------------------------------------------------------------
// Load generation: autocannon, in a worker thread or inline.

interface LoadRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: Buffer;
  /** Several patients: the paths each connection cycles through (same method, headers, body). */
  paths?: string[];
  connections: number;
  duration: number;
}

interface LoadResult {
  seconds: number;
  requests: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  p50: number;
  p99: number;
  max: number;
}

const require = createRequire(import.meta.url);
const AUTOCANNON = require.resolve('autocannon');

type AutocannonResult = {
  duration: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  requests: { total: number };
  latency: { p50: number; p99: number; max: number };
  statusCodeStats?: Record<string, { count: number }>;
};

function summarize(r: AutocannonResult): LoadResult {
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = s.count;
  return {
    seconds: r.duration,
    requests: r.requests.total,
    ok2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
  };
}

function autocannonOpts(l: LoadRequest): Record<string, unknown> {
  const requests = l.paths === undefined ? undefined : l.paths.map((path) => ({ path, method: l.method }));
  return { url: l.url, method: l.method, headers: l.headers, body: l.body, connections: l.connections, duration: l.duration, pipelining: 1, timeout: 10, ...(requests ? { requests } : {}) };
}

/** The worker: imports autocannon, runs one load, posts the raw result back. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.autocannonUrl).then(async (m) => {
  const autocannon = m.default ?? m;
  const opts = workerData.opts;
  if (opts.body) opts.body = Buffer.from(opts.body);
  // Off the main thread autocannon answers raw histograms: aggregate them as its own workers do.
  const r = autocannon.aggregateResult([await autocannon(opts)], opts);
  parentPort.postMessage({ duration: r.duration, '2xx': r['2xx'], non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
    requests: { total: r.requests.total }, latency: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max }, statusCodeStats: r.statusCodeStats });
}).catch((e) => { throw e; });
`;

async function load(l: LoadRequest, mode: Options['loadgen']): Promise<LoadResult> {
  if (mode === 'inline') {
    const autocannon = require('autocannon') as (o: Record<string, unknown>) => Promise<AutocannonResult>;
    return summarize(await autocannon(autocannonOpts(l)));
  }
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { autocannonUrl: pathToFileURL(AUTOCANNON).href, opts: autocannonOpts(l) } });
  return new Promise<LoadResult>((resolve, reject) => {
    let done = false;
    worker.once('message', (m: AutocannonResult) => {
      done = true;
      resolve(summarize(m));
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`load worker exited (${code}) without a result`));
    });
  });
}

// ---------------------------------------------------------------------------------------
// Setup helpers.

/** A multipart/form-data body (the shape a professional's software sends). */
function form(fields: Record<string, string>, file: { name: string; type: string; content: Buffer }): { body: Buffer; contentType: string } {
  const boundary = `----carnetbench${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.content, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A PDF-looking file of `size` bytes (printable filler between the header and %%EOF). */
function pdfOf(size: number, seed: string): Buffer {
  const head = `%PDF-1.4\n% carnet bench ${seed}\n1 0 obj << /Type /Catalog >> endobj\n`;
  const tail = 'trailer << /Root 1 0 R >>\n%%EOF\n';
  const fillLen = Math.max(0, size - head.length - tail.length);
  const line = 'BT /F1 12 Tf 72 712 Td (Compte rendu de consultation, examen clinique normal.) Tj ET\n';
  return Buffer.from(head + line.repeat(Math.ceil(fillLen / line.length)).slice(0, fillLen) + tail);
}

const TYPES = ['11488-4', '18748-4', '11502-2', '34133-9', '57833-6', '18776-5', '80565-5', '11369-6', '34112-3', '60591-5'];

interface Fixture {
  patientId: string;
  /** Every patient set up (the first is patientId), with the 100 KB document of each. */
  patients: { patientId: string; readDocumentId: string }[];
  gpAuth: () => Promise<string>;
  readDocumentId: string;
  submitted: number;
  visibleToGp: number;
}

async function setUp(app: FastifyInstance, db: Db, config: Config, patientCount: number): Promise<Fixture> {
  await loadDemoDirectory(db, systemClock);
  const key: SoftwareKey = await softwareKey('ES256');
  const clients = new Map<string, string>();
  const bearer = async (ps: string): Promise<string> => {
    const c = CLAIMS[ps];
    if (c === undefined) throw new Error(`no claims for ${ps}`);
    let clientId = clients.get(c.organisation);
    if (clientId === undefined) {
      clientId = (await registerSoftwareClient(db, { clock: systemClock, random: cryptoRandom }, { name: `DPI bench ${c.organisation}`, organisationFiness: c.organisation, jwks: key.jwks })).clientId;
      clients.set(c.organisation, clientId);
    }
    const res = await exchange(app, await signAssertion(key, { iss: clientId, sub: ps, aud: tokenEndpointUrl(config), now: systemClock.now(), claims: c }));
    if (res.statusCode !== 200) throw new Error(`/oauth/token answered ${res.statusCode}: ${res.body}`);
    return `Bearer ${(res.json() as { access_token: string }).access_token}`;
  };

  // 50 documents: 40 by the GP, 10 by a cardiologist; ten types; PDF, text and XML; flags
  // cycled (masked to professionals, invisible to the patient, invisible to representatives).
  const auth = { [GP]: await bearer(GP), [CARDIO]: await bearer(CARDIO) };
  const patients: Fixture['patients'] = [];
  let visibleToGp = 0;
  for (let n = 0; n < patientCount; n++) {
  const p = await insertActivePatient(db);
  const patientId = p.patientId;
  await db.query('INSERT INTO professional_relations (patient_id, id_nat_ps, authorized_since) VALUES ($1, $2, $3)', [patientId, GP, systemClock.now()]);
  let readDocumentId = '';
  for (let i = 0; i < 50; i++) {
    const ps = i % 5 === 4 ? CARDIO : GP;
    const fields: Record<string, string> = { typeCode: TYPES[i % TYPES.length] ?? '11488-4', title: `Document ${i + 1} du dossier`, createdOn: `2025-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}` };
    if (i % 4 === 1) fields.maskedToProfessionals = 'true';
    if (i % 4 === 2) fields.invisibleToPatient = 'true';
    if (i % 4 === 3) fields.invisibleToRepresentatives = 'true';
    const file =
      i === 0
        ? { name: 'cr-100k.pdf', type: 'application/pdf', content: pdfOf(KB100, 'read') }
        : i % 3 === 1
          ? { name: `note-${i}.txt`, type: 'text/plain', content: Buffer.from(`Note ${i}\n`.repeat(50 + i * 20)) }
          : i % 3 === 2
            ? { name: `cda-${i}.xml`, type: 'application/xml', content: Buffer.from(`<?xml version="1.0"?>\n<ClinicalDocument>${'<entry>observation</entry>'.repeat(40 + i * 10)}</ClinicalDocument>\n`) }
            : { name: `cr-${i}.pdf`, type: 'application/pdf', content: pdfOf(2048 + i * 512, String(i)) };
    const f = form(fields, file);
    const res = await app.inject({ method: 'POST', url: `/api/pro/patients/${patientId}/documents`, headers: { authorization: auth[ps] ?? '', 'content-type': f.contentType }, payload: f.body });
    if (res.statusCode !== 201) throw new Error(`setting up document ${i}: ${res.statusCode} ${res.body}`);
    if (i === 0) readDocumentId = (res.json() as { documentId: string }).documentId;
  }
  const list = await app.inject({ method: 'GET', url: `/api/pro/patients/${patientId}/documents`, headers: { authorization: auth[GP] ?? '' } });
  if (list.statusCode !== 200) throw new Error(`setting up: list answered ${list.statusCode} ${list.body}`);
  visibleToGp = (list.json() as { documents: unknown[] }).documents.length;
  patients.push({ patientId, readDocumentId });
  }
  await db.exec('ANALYZE');
  const first = patients[0];
  if (first === undefined) throw new Error('no patient set up');
  return { patientId: first.patientId, patients, gpAuth: () => bearer(GP), readDocumentId: first.readDocumentId, submitted: 50, visibleToGp };
}

/** The bare baseline: the list's indexed SELECT and one INSERT into a scratch table. */
async function baselineApp(db: Db): Promise<FastifyInstance> {
  await db.exec('CREATE TABLE bench_scratch (id bigserial PRIMARY KEY, patient_id uuid NOT NULL, at timestamptz NOT NULL, detail jsonb NOT NULL)');
  const app = Fastify({ logger: false });
  app.get<{ Params: { patientId: string } }>('/baseline/:patientId', async (req) => {
    const rows = await db.query(`SELECT ${COLUMNS} FROM documents WHERE patient_id = $1 AND status = ANY($2) ORDER BY submitted_at DESC, document_id`, [req.params.patientId, ['current']]);
    await db.query('INSERT INTO bench_scratch (patient_id, at, detail) VALUES ($1, $2, $3)', [req.params.patientId, new Date(), JSON.stringify({ count: rows.length })]);
    return { documents: rows };
  });
  return app;
}

const baseUrl = (app: FastifyInstance) => {
  const a = app.server.address();
  if (a === null || typeof a === 'string') throw new Error('not listening');
  return `http://127.0.0.1:${a.port}`;
};

// ---------------------------------------------------------------------------------------

interface Scenario {
  name: 'baseline' | 'list' | 'read' | 'submit';
  label: string;
  request: () => Promise<Omit<LoadRequest, 'connections' | 'duration'>>;
  /** Checks one sample response; throws with what is wrong. */
  check: (res: Response, body: Buffer) => void;
}

interface Row {
  s: Scenario;
  r: LoadResult;
  uptime: string;
}

export async function run(args: string[]): Promise<void> {
  const o = parseArgs(args);
  const url = process.env.BENCH_DATABASE_URL || DEFAULT_URL;
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-bench-docs-'));
  // The app's Db, counting the database errors its transactions throw (the app logs nothing).
  const dbErrors = new Map<string, number>();
  const pgDb = createPgDb({ connectionString: url, schema, max: o.connections });
  const counted = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (e) {
      const err = e as { code?: string; message?: string; name?: string };
      // AppErrors (refusals: 404, 403) are the app's answers, not failures.
      if (err.name !== 'AppError') {
        const k = `${err.code ?? err.name ?? '?'} ${(err.message ?? '').slice(0, 90)}`;
        dbErrors.set(k, (dbErrors.get(k) ?? 0) + 1);
      }
      throw e;
    }
  };
  const appDb: Db = { ...pgDb, tx: (fn) => counted(pgDb.tx(fn)), query: (sql, params) => counted(pgDb.query(sql, params)) };
  const baseDb = createPgDb({ connectionString: url, schema, max: o.connections });
  const load1 = () => loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`Node ${process.version}, ${availableParallelism()} CPUs, load ${load1()}; the database server and the load generator share the machine.`);
  console.log(
    `postgres: ${url.replace(/\/\/[^@]*@/, '//***@')}, schema ${schema} (dropped afterwards); ${o.connections} connections, pools of ${o.connections}; ${o.warmup} s warm-up + ${o.duration} s per scenario; load generator: ${o.loadgen === 'worker' ? 'autocannon in a worker thread' : 'autocannon inline (same thread as the servers)'}`,
  );
  let app: FastifyInstance | undefined;
  let base: FastifyInstance | undefined;
  let baseDbOpen = true;
  try {
    await migrate(appDb);
    const config = loadConfig({ NODE_ENV: 'test', CARNET_DATA_DIR: dataDir, CARNET_SECRET: randomBytes(32).toString('base64'), CARNET_DEMO: '0', LOG_LEVEL: 'silent' });
    app = await buildApp({ config, db: appDb, clock: systemClock, random: cryptoRandom });
    const t0 = performance.now();
    const fx = await setUp(app, appDb, config, o.patients);
    console.log(`set up in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${o.patients === 1 ? `patient ${fx.patientId}` : `${o.patients} patients`}, ${fx.submitted} documents${o.patients === 1 ? '' : ' each'} (10 types, PDF/text/XML, flags cycled), ${fx.visibleToGp} listed to the GP`);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const baseApp = await baselineApp(baseDb);
    base = baseApp;
    await baseApp.listen({ host: '127.0.0.1', port: 0 });
    const appUrl = baseUrl(app);
    const docsUrl = `${appUrl}/api/pro/patients/${fx.patientId}/documents`;
    // With several patients, each connection cycles through their paths.
    const spread = (path: (p: Fixture['patients'][number]) => string): { paths?: string[] } => (o.patients === 1 ? {} : { paths: fx.patients.map(path) });
    const docsPath = (p: Fixture['patients'][number]) => `/api/pro/patients/${p.patientId}/documents`;
    const submitForm = form({ typeCode: '11488-4', title: 'CR de consultation (bench)', createdOn: '2025-06-01', invisibleToRepresentatives: 'false' }, { name: 'cr.pdf', type: 'application/pdf', content: pdfOf(KB100, 'submit') });

    const json = (b: Buffer) => JSON.parse(b.toString('utf8')) as Record<string, unknown>;
    const scenarios: Scenario[] = [
      {
        name: 'baseline',
        label: 'baseline: bare SELECT + INSERT',
        request: async () => ({ url: `${baseUrl(baseApp)}/baseline/${fx.patientId}`, method: 'GET', headers: {}, ...spread((p) => `/baseline/${p.patientId}`) }),
        check: (res, b) => {
          if (res.status !== 200) throw new Error(`status ${res.status}`);
          const n = (json(b).documents as unknown[]).length;
          if (n < fx.visibleToGp) throw new Error(`${n} rows`);
        },
      },
      {
        name: 'list',
        label: 'PS lists the documents',
        request: async () => ({ url: docsUrl, method: 'GET', headers: { authorization: await fx.gpAuth() }, ...spread(docsPath) }),
        check: (res, b) => {
          if (res.status !== 200) throw new Error(`status ${res.status}: ${b.toString().slice(0, 300)}`);
          const n = (json(b).documents as unknown[]).length;
          if (n !== fx.visibleToGp) throw new Error(`${n} documents listed, expected ${fx.visibleToGp}`);
        },
      },
      {
        name: 'read',
        label: 'PS reads a 100 KB document',
        request: async () => ({ url: `${docsUrl}/${fx.readDocumentId}/content`, method: 'GET', headers: { authorization: await fx.gpAuth() }, ...spread((p) => `${docsPath(p)}/${p.readDocumentId}/content`) }),
        check: (res, b) => {
          if (res.status !== 200) throw new Error(`status ${res.status}: ${b.toString().slice(0, 300)}`);
          if (b.length !== KB100 || !b.subarray(0, 5).equals(Buffer.from('%PDF-'))) throw new Error(`content of ${b.length} bytes`);
        },
      },
      {
        name: 'submit',
        label: 'PS submits a 100 KB document',
        request: async () => ({ url: docsUrl, method: 'POST', headers: { authorization: await fx.gpAuth(), 'content-type': submitForm.contentType }, body: submitForm.body, ...spread(docsPath) }),
        check: (res, b) => {
          if (res.status !== 201) throw new Error(`status ${res.status}: ${b.toString().slice(0, 300)}`);
          const d = json(b);
          if (typeof d.documentId !== 'string' || d.size !== KB100) throw new Error(`unexpected answer ${JSON.stringify(d).slice(0, 300)}`);
        },
      },
    ];

    const rows: Row[] = [];
    for (const s of scenarios) {
      if (!o.only.includes(s.name)) continue;
      const req = await s.request(); // a fresh token per scenario (they live 5 minutes)
      const sample = await fetch(req.url, { method: req.method, headers: req.headers, ...(req.body ? { body: req.body } : {}) });
      const sampleBody = Buffer.from(await sample.arrayBuffer());
      try {
        s.check(sample, sampleBody);
      } catch (e) {
        throw new Error(`${s.name}: the sample request is not what the scenario measures (${(e as Error).message})`, { cause: e });
      }
      const countBefore = s.name === 'submit' ? await docCount(appDb, fx.patients.map((p) => p.patientId)) : 0;
      if (o.warmup > 0) await load({ ...req, connections: o.connections, duration: o.warmup }, o.loadgen);
      const uptime = load1();
      const elu0 = performance.eventLoopUtilization();
      const r = await load({ ...req, connections: o.connections, duration: o.duration }, o.loadgen);
      const elu = performance.eventLoopUtilization(elu0).utilization;
      rows.push({ s, r, uptime });
      printRow(s.label, r, uptime, elu);
      for (const [k, n] of dbErrors) console.log(`    errors thrown by the app's database calls (warm-up + run): ${n} x ${k}`);
      dbErrors.clear();
      if (s.name === 'baseline') {
        // Its 50 connections would leave the app short of PostgreSQL's max_connections (100 by default).
        await baseApp.close();
        await baseDb.close();
        base = undefined;
        baseDbOpen = false;
      }
      if (s.name === 'submit') {
        const created = (await docCount(appDb, fx.patients.map((p) => p.patientId))) - countBefore;
        console.log(`    submit check: ${created} documents created during warm-up + run`);
      }
    }

    // Ratios and targets.
    const rate = (name: string) => {
      const row = rows.find((x) => x.s.name === name);
      return row ? row.r.ok2xx / row.r.seconds : undefined;
    };
    const p99 = (name: string) => rows.find((x) => x.s.name === name)?.r.p99;
    const clean = (name: string) => {
      const r = rows.find((x) => x.s.name === name)?.r;
      return r !== undefined && r.non2xx === 0 && r.errors === 0 && r.timeouts === 0;
    };
    const b = rate('baseline');
    const l = rate('list');
    console.log('');
    if (b !== undefined && l !== undefined) console.log(`ratio list/baseline: ${(l / b).toFixed(2)} of the bare route's throughput (${(b / l).toFixed(2)}x slower)`);
    const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
    if (b !== undefined && l !== undefined) {
      const lp99 = p99('list') ?? Infinity;
      console.log(`target list >= 60 % of baseline, p99 < 50 ms, no errors: ${verdict(l / b >= 0.6 && lp99 < 50 && clean('list'))} (${((100 * l) / b).toFixed(0)} %, p99 ${lp99} ms)`);
    }
    const rr = rate('read');
    if (rr !== undefined) console.log(`target read 100 KB >= 1,000 req/s, no errors: ${verdict(rr >= 1000 && clean('read'))} (${Math.round(rr)} req/s)`);
    const sr = rate('submit');
    if (sr !== undefined) console.log(`target submit 100 KB >= 300 req/s, no errors: ${verdict(sr >= 300 && clean('submit'))} (${Math.round(sr)} req/s)`);
    console.log('(req/s counts 2xx answers only; a scenario with non-2xx or errors does not meet its target)');
  } finally {
    await app?.close();
    await base?.close();
    await appDb.close();
    if (baseDbOpen) await baseDb.close();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function docCount(db: Db, patientIds: string[]): Promise<number> {
  const r = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM documents WHERE patient_id = ANY($1::uuid[])', [patientIds]);
  return r[0]?.n ?? 0;
}

/** `elu`: the servers' event loop utilisation during the run (main thread; 1 = never idle). */
function printRow(label: string, r: LoadResult, uptime: string, elu: number): void {
  const codes = Object.entries(r.statusCodes)
    .map(([c, n]) => `${c}:${n}`)
    .join(' ');
  console.log(
    `${label.padEnd(32)} ${String(Math.round(r.ok2xx / r.seconds)).padStart(6)} req/s (2xx)  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms  max ${String(r.max).padStart(5)} ms  ` +
      `${r.requests} requests, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts} [${codes}]  server ELU ${elu.toFixed(2)}  load ${uptime}`,
  );
}

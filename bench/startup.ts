/**
 * Start-up time: from launching `npm start`'s command (tsx src/main.ts) on an EMPTY data
 * folder to the first successful /health (migrations and demo data included), then a second
 * start on the same folder. Baseline: a bare Fastify server with one route, launched the same
 * way (tsx) in the same run. Prints median of `--runs` (default 3).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSX = join(ROOT, 'node_modules/.bin/tsx');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Launches `script`, polls /health every 25 ms, returns ms to the first 200, then stops it. */
async function timeToHealth(script: string, env: Record<string, string>): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(TSX, [script], { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${stderr.slice(-500)}`);
      if (performance.now() - t0 > 120_000) throw new Error('no /health after 120 s');
      try {
        const r = await fetch(`http://127.0.0.1:${port}/health`);
        if (r.ok) return performance.now() - t0;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    // An exited child emits no further 'exit': waiting for it would drain the event loop.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function run(args: string[]): Promise<void> {
  const runsArg = args.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;
  const work = mkdtempSync(join(tmpdir(), 'carnet-bench-startup-'));
  const bare = join(work, 'bare.mts');
  writeFileSync(
    bare,
    `import Fastify from '${join(ROOT, 'node_modules/fastify/fastify.js')}';\nconst app = Fastify();\napp.get('/health', async () => ({ status: 'ok' }));\nawait app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });\n`,
  );
  const first: number[] = [];
  const second: number[] = [];
  const baseline: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const dataDir = join(work, `data-${i}`);
      const env = { CARNET_DATA_DIR: dataDir, NODE_ENV: 'development', DATABASE_URL: '', SMTP_URL: '' };
      first.push(await timeToHealth(join(ROOT, 'src/main.ts'), env));
      second.push(await timeToHealth(join(ROOT, 'src/main.ts'), env));
      baseline.push(await timeToHealth(bare, {}));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const b = median(baseline);
  const row = (label: string, xs: number[]) => console.log(`${label.padEnd(44)} ${String(Math.round(median(xs))).padStart(6)} ms   x${(median(xs) / b).toFixed(1)} baseline   (runs: ${xs.map(Math.round).join(', ')})`);
  console.log(`start-up to first /health, PGlite, median of ${runs}:`);
  row('bare Fastify + tsx (baseline)', baseline);
  row('carnet, empty data folder (migrate + demo)', first);
  row('carnet, second start (same folder)', second);
}

/**
 * Builds the portal (web/) into web/dist when it is missing or older than its sources, so that
 * `npm start` serves it on a fresh clone and stays quick when the build is fresh. Run by the
 * `prestart` script, by `npm run build:portal` (add --force to rebuild anyway) and by the
 * tests' global setup. Steps, as react-dsfr documents its Vite setup:
 *   1. `react-dsfr copy-static-assets`: the DSFR's CSS, fonts and favicons into web/public/dsfr;
 *   2. `react-dsfr update-icons`: only the icons the code uses, in the icons stylesheet;
 *   3. `vite build`: hashed, route-split bundles into web/dist;
 *   4. gzip and brotli siblings of the text files, which the server sends to browsers that accept them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const WEB_DIR = join(ROOT, 'web');
export const DIST_INDEX = join(WEB_DIR, 'dist', 'index.html');
const DSFR_BIN = join(ROOT, 'node_modules', '@codegouvfr', 'react-dsfr', 'bin', 'react-dsfr.js');

/** The newest modification time under `path` (a file or a folder), 0 when absent. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)));
  return max;
}

/** Why the build is needed, or null when web/dist is at least as new as every source. */
export function staleReason(): string | null {
  if (!existsSync(DIST_INDEX)) return 'web/dist is missing';
  const built = statSync(DIST_INDEX).mtimeMs;
  const sources = [join(WEB_DIR, 'src'), join(WEB_DIR, 'index.html'), join(WEB_DIR, 'vite.config.ts'), join(ROOT, 'node_modules', '@codegouvfr', 'react-dsfr', 'package.json')];
  for (const s of sources) if (newest(s) > built) return `${relative(ROOT, s)} changed since the last build`;
  if (!existsSync(join(WEB_DIR, 'public', 'dsfr', 'dsfr.min.css'))) return 'the DSFR assets are missing';
  return null;
}

function run(what: string, args: string[]): void {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`${what} failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
}

const COMPRESSIBLE = new Set(['.js', '.css', '.svg', '.json', '.webmanifest', '.txt', '.map']);

/** Writes FILE.gz and FILE.br beside every compressible file under `dir`; returns the count. */
function precompress(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      n += precompress(path);
      continue;
    }
    if (!COMPRESSIBLE.has(extname(name))) continue;
    const content = readFileSync(path);
    if (content.length < 1024) continue;
    writeFileSync(`${path}.gz`, gzipSync(content, { level: 9 }));
    writeFileSync(`${path}.br`, brotliCompressSync(content, { params: { [zlib.BROTLI_PARAM_QUALITY]: 10, [zlib.BROTLI_PARAM_SIZE_HINT]: content.length } }));
    n++;
  }
  return n;
}

/** Builds web/dist if needed (or when forced); says what it does. */
export async function buildPortal(opts: { force?: boolean; log?: (msg: string) => void } = {}): Promise<'built' | 'fresh'> {
  const log = opts.log ?? ((m: string) => console.log(`[carnet] ${m}`));
  const reason = opts.force ? 'rebuild asked' : staleReason();
  if (reason === null) {
    log('portal build is up to date (web/dist)');
    return 'fresh';
  }
  const t0 = performance.now();
  log(`building the portal (${reason}): DSFR assets, icons, vite build...`);
  run('react-dsfr copy-static-assets', [DSFR_BIN, 'copy-static-assets', '--projectDir', WEB_DIR]);
  run('react-dsfr update-icons', [DSFR_BIN, 'update-icons', '--projectDir', WEB_DIR, '--silent']);
  const { build } = await import('vite');
  // Always React's production build: under the tests NODE_ENV is "test", and Vite would then
  // bundle React's development build (bigger, and StrictMode runs every effect twice).
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(WEB_DIR, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  const compressed = precompress(join(WEB_DIR, 'dist', 'assets')) + precompress(join(WEB_DIR, 'dist', 'dsfr'));
  log(`${compressed} files pre-compressed (gzip, brotli)`);
  log(`portal built into web/dist in ${Math.round(performance.now() - t0)} ms`);
  return 'built';
}

if (process.argv[1] && /build-portal\.ts$/.test(process.argv[1])) {
  buildPortal({ force: process.argv.includes('--force') }).catch((e: unknown) => {
    console.error(`[carnet] cannot build the portal: ${(e as Error).message}`);
    process.exit(1);
  });
}

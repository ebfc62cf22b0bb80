import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.ts';
import type { App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Config } from '../src/config.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { cryptoRandom } from '../src/platform/random.ts';
import type { Db } from '../src/storage/index.ts';

export interface TestContext {
  app: App;
  config: Config;
  clock: ManualClock;
  db: Db;
}

/** A test configuration: a fresh temporary data folder, a fixed secret, no demo data. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-test-'));
  return loadConfig({ NODE_ENV: 'test', CARNET_DATA_DIR: dataDir, CARNET_SECRET: randomBytes(32).toString('base64'), CARNET_DEMO: '0' }, overrides);
}

export async function testApp(db: Db, opts: { clock?: ManualClock; config?: Partial<Config> } = {}): Promise<TestContext> {
  const clock = opts.clock ?? new ManualClock();
  const config = testConfig(opts.config);
  const app = await buildApp({ config, db, clock, random: cryptoRandom });
  return { app, config, clock, db };
}

export interface SignedIn {
  cookie: string;
  csrf: string;
  patientId: string;
  /** Headers for a state-changing request: the session cookie and the CSRF token. */
  headers: Record<string, string>;
}

/** Signs a patient in over HTTP: password, then the one-time code read from the outbox. */
export async function signIn(ctx: Pick<TestContext, 'app' | 'db'>, identifier: string, password: string): Promise<SignedIn> {
  const login = await ctx.app.inject({ method: 'POST', url: '/api/auth/login', payload: { identifier, password } });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.statusCode} ${login.body}`);
  const { challengeId } = login.json() as { challengeId: string };
  const patientId = challengeId.split('.')[0] ?? '';
  const rows = await ctx.db.query<{ params: { code: string } }>(
    "SELECT params FROM outbox WHERE patient_id = $1 AND template = 'login_otp' AND status = 'pending' ORDER BY created_at DESC, message_id LIMIT 5",
    [patientId],
  );
  for (const row of rows) {
    const otp = await ctx.app.inject({ method: 'POST', url: '/api/auth/otp', payload: { challengeId, code: row.params.code } });
    if (otp.statusCode === 200) {
      const setCookie = ([] as string[]).concat(otp.headers['set-cookie'] ?? []);
      const cookie = (setCookie.find((c) => c.startsWith('carnet_session=')) ?? '').split(';')[0] ?? '';
      const { csrfToken } = otp.json() as { csrfToken: string };
      return { cookie, csrf: csrfToken, patientId, headers: { cookie, 'x-csrf-token': csrfToken } };
    }
  }
  throw new Error('no one-time code in the outbox worked');
}

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

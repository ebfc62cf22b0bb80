import { loadConfig } from '../config.ts';
import type { Config } from '../config.ts';
import { migrate, openDatabase } from '../storage/index.ts';
import type { Db } from '../storage/index.ts';
import { systemClock } from '../platform/clock.ts';
import type { Clock } from '../platform/clock.ts';
import { cryptoRandom } from '../platform/random.ts';
import type { Random } from '../platform/random.ts';

export interface CliContext {
  config: Config;
  db: Db;
  clock: Clock;
  random: Random;
}

/**
 * Opens the configured database (migrated) for one CLI command and closes it afterwards,
 * releasing the data folder's lock even when the command fails.
 */
export async function withDatabase<T>(fn: (ctx: CliContext) => Promise<T>, env: Record<string, string | undefined> = process.env): Promise<T> {
  const config = loadConfig(env);
  const opened = await openDatabase(config);
  try {
    await migrate(opened.db);
    return await fn({ config, db: opened.db, clock: systemClock, random: cryptoRandom });
  } finally {
    await opened.close();
  }
}

/** True when progress bars and colours make sense (a terminal, not CI or a pipe). */
export function isInteractive(): boolean {
  return Boolean(process.stderr.isTTY) && !process.env.CI;
}

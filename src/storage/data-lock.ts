import { mkdirSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { AppError } from '../platform/errors.ts';

/**
 * PGlite does not lock its folder and two processes on it would corrupt it: Carnet takes
 * a lock first. A lock left by a crashed process goes stale after `stale` ms and is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  mkdirSync(dataDir, { recursive: true });
  try {
    return await lockfile.lock(dataDir, { lockfilePath: `${dataDir}/.carnet.lock`, stale: 15_000, update: 5_000, realpath: false });
  } catch (e) {
    if ((e as { code?: string }).code === 'ELOCKED') {
      throw new AppError(
        'unavailable',
        `Another Carnet process is using the data folder ${dataDir}. Stop it first (or point this one to another folder with CARNET_DATA_DIR, or use DATABASE_URL for a PostgreSQL server that many processes can share).`,
      );
    }
    throw e;
  }
}

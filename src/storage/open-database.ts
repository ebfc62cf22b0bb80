import { join } from 'node:path';
import type { Config } from '../config.ts';
import type { Db } from './db.ts';
import { createPgDb } from './pg-db.ts';
import { createPgliteDb } from './pglite-db.ts';
import { lockDataDir } from './data-lock.ts';

export interface OpenedDatabase {
  db: Db;
  /** Closes the database and releases the data folder's lock. */
  close(): Promise<void>;
}

/** PostgreSQL when DATABASE_URL is set, else embedded PGlite under dataDir/pg (locked). */
export async function openDatabase(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<OpenedDatabase> {
  if (config.databaseUrl !== undefined) {
    const db = createPgDb({ connectionString: config.databaseUrl });
    return { db, close: () => db.close() };
  }
  const release = await lockDataDir(config.dataDir);
  try {
    const db = await createPgliteDb(join(config.dataDir, 'pg'));
    return {
      db,
      async close() {
        await db.close();
        await release();
      },
    };
  } catch (e) {
    await release();
    throw e;
  }
}

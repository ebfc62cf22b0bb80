import pg from 'pg';
import type { Db, Queryable, SqlParam } from './db.ts';
import { createKeyedMutex } from './keyed-mutex.ts';

/** Longest wait for a process-local key before going on to the database's own lock. */
const HOLD_TIMEOUT_MS = 2000;

// Dates, timestamps and int8 as the API wants them: dates stay 'YYYY-MM-DD' strings (no
// timezone shift), bigint counts become numbers (they stay far below 2^53 here).
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface PgDbOptions {
  connectionString: string;
  /** Schema to use (tests run each suite in its own schema). */
  schema?: string;
  max?: number;
}

export function createPgDb(opts: PgDbOptions): Db {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 20,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  const mutex = createKeyedMutex();
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);

  const q = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T extends object>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
      const r = await client.query<T>(sql, params as unknown[]);
      return r.rows;
    },
  });

  return {
    engine: 'postgres',
    ...q(pool),
    async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let release: (() => void) | null = null;
      const inTx: Queryable = {
        ...q(client),
        async holdUntilEnd(key: string): Promise<void> {
          // One key per transaction: a second one could make two transactions wait for each other here, out of the database's sight.
          if (release !== null) return;
          release = await mutex.acquire(key, HOLD_TIMEOUT_MS);
        },
      };
      try {
        await client.query('BEGIN');
        const result = await fn(inTx);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
        (release as (() => void) | null)?.();
      }
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}

import { PGlite, types } from '@electric-sql/pglite';
import type { Db, Queryable, SqlParam } from './db.ts';

// Same value shapes as the pg driver (see pg-db.ts).
const parsers = {
  [types.DATE]: (v: string) => v,
  [types.INT8]: (v: string) => Number(v),
};

/** Embedded PostgreSQL: `dataDir` on disk, or in memory when undefined (tests). */
export async function createPgliteDb(dataDir: string | undefined): Promise<Db> {
  const pglite = await PGlite.create(dataDir === undefined ? { parsers } : { dataDir, parsers });

  const q = (conn: Pick<PGlite, 'query'>): Queryable => ({
    async query<T extends object>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
      const r = await conn.query<T>(sql, params as unknown[]);
      return r.rows;
    },
  });

  return {
    engine: 'pglite',
    ...q(pglite),
    // PGlite has one connection; its transaction() holds it exclusively, so concurrent
    // requests queue instead of interleaving statements.
    tx: <T>(fn: (q: Queryable) => Promise<T>) => pglite.transaction((t) => fn(q(t))),
    async exec(sql: string): Promise<void> {
      await pglite.exec(sql);
    },
    async close(): Promise<void> {
      await pglite.close();
    },
  };
}

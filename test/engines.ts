import { afterAll, beforeAll, describe } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPgDb, createPgliteDb, migrate } from '../src/storage/index.ts';
import type { Db, Engine } from '../src/storage/index.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;

/**
 * Runs a suite once per engine: embedded PGlite always, PostgreSQL when TEST_DATABASE_URL is
 * set (CI sets it). Each PostgreSQL suite gets a schema of its own, dropped afterwards, so
 * test files run in parallel without seeing each other's rows.
 */
export function describeEngines(name: string, body: (getDb: () => Db, engine: Engine) => void): void {
  for (const engine of ['pglite', 'postgres'] as const) {
    const run = engine === 'postgres' && TEST_DATABASE_URL === undefined ? describe.skip : describe;
    run(`${name} [${engine}]`, () => {
      let db: Db | undefined;
      let schema: string | undefined;
      beforeAll(async () => {
        if (engine === 'pglite') {
          db = await createPgliteDb(undefined);
        } else {
          schema = `t_${randomBytes(6).toString('hex')}`;
          const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
          await admin.connect();
          await admin.query(`CREATE SCHEMA ${schema}`);
          await admin.end();
          db = createPgDb({ connectionString: TEST_DATABASE_URL as string, schema, max: 10 });
        }
        await migrate(db);
      }, 60_000);
      afterAll(async () => {
        await db?.close();
        if (schema !== undefined) {
          const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
          await admin.connect();
          await admin.query(`DROP SCHEMA ${schema} CASCADE`);
          await admin.end();
        }
      });
      body(() => {
        if (db === undefined) throw new Error('database not ready');
        return db;
      }, engine);
    });
  }
}

export type { Db, Engine, Queryable, SqlParam } from './db.ts';
export { createPgDb } from './pg-db.ts';
export { createPgliteDb } from './pglite-db.ts';
export { migrate, migrationLevel, latestMigration } from './migrate.ts';
export { lockDataDir } from './data-lock.ts';
export { openDatabase } from './open-database.ts';

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { Db } from './db.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.slice(4, -4), sql: readFileSync(join(dir, f), 'utf8') }));
}

export async function migrationLevel(db: Db): Promise<number> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  const rows = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return rows[0]?.v ?? 0;
}

/**
 * Applies pending migrations, each as one script run in a single implicit transaction (so a
 * failing one leaves nothing behind). The row in schema_migrations is written first: a second
 * process migrating at the same time fails on its primary key, rolls back, and re-reads.
 */
export async function migrate(db: Db, onApplied?: (m: Migration) => void): Promise<{ from: number; to: number }> {
  const from = await migrationLevel(db);
  for (const m of listMigrations()) {
    if (m.version <= from) continue;
    try {
      await db.exec(`INSERT INTO schema_migrations (version, name) VALUES (${m.version}, '${m.name}');\n${m.sql}`);
      onApplied?.(m);
    } catch (e) {
      const level = await migrationLevel(db);
      if (level >= m.version) continue; // applied by another process meanwhile
      throw new Error(`Migration ${m.version}_${m.name} failed: ${(e as Error).message}`, { cause: e });
    }
  }
  return { from, to: await migrationLevel(db) };
}

export function latestMigration(): number {
  return listMigrations().at(-1)?.version ?? 0;
}

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { latestMigration, lockDataDir, migrate, migrationLevel } from './index.ts';

describeEngines('migrations', (getDb) => {
  it('are applied once: a second run changes nothing', async () => {
    const db = getDb();
    expect(await migrationLevel(db)).toBe(latestMigration());
    expect(await migrate(db)).toEqual({ from: latestMigration(), to: latestMigration() });
  });

  it('key every patient-scoped table by patient_id first', async () => {
    const rows = await getDb().query<{ table_name: string; column_name: string }>(
      `SELECT tc.table_name, kcu.column_name FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
       WHERE tc.constraint_type = 'PRIMARY KEY' AND kcu.ordinal_position = 1 AND tc.table_schema = current_schema()`,
    );
    const firstKey = Object.fromEntries(rows.map((r) => [r.table_name, r.column_name]));
    // Look-up, reference and professional-side tables are keyed otherwise on purpose (see the migrations).
    const notPatientScoped = [
      'organisations',
      'professionals',
      'staff_accounts',
      'patient_ins',
      'patient_logins',
      'outbox',
      'schema_migrations',
      'professional_sessions',
      'software_clients',
      'assertion_jtis',
      'access_tokens',
    ];
    const scoped = Object.keys(firstKey).filter((t) => !notPatientScoped.includes(t));
    expect(scoped.length).toBeGreaterThanOrEqual(6);
    for (const t of scoped) expect(firstKey[t], t).toBe('patient_id');
  });
});

describe('data folder lock', () => {
  it('refuses a second holder with a clear message, and frees the folder on release', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-lock-'));
    const release = await lockDataDir(dir);
    await expect(lockDataDir(dir)).rejects.toThrow(/Another Carnet process is using the data folder/);
    await release();
    const again = await lockDataDir(dir);
    await again();
  });

  it('makes a second `carnet migrate` process on the same folder exit with the message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carnet-lock-'));
    const release = await lockDataDir(dir);
    try {
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['bin/carnet.js', 'migrate'], { env: { ...process.env, CARNET_DATA_DIR: dir, NODE_ENV: 'development', DATABASE_URL: '' } });
        let stderr = '';
        child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(code).toBe(1);
      expect(stderr).toMatch(/Another Carnet process is using the data folder/);
    } finally {
      await release();
    }
  }, 30_000);
});

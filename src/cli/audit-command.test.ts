import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TEST_DATABASE_URL } from '../../test/engines.ts';
import { carnet } from '../../test/cli.ts';
import { loadConfig } from '../config.ts';
import { migrate, openDatabase } from '../storage/index.ts';
import type { Db } from '../storage/index.ts';
import { appendAudit } from '../audit/index.ts';

// The CLI opens the database the environment names: an embedded one in a fresh data folder,
// or a PostgreSQL schema of its own (when TEST_DATABASE_URL is set).
for (const engine of ['pglite', 'postgres'] as const) {
  const run = engine === 'postgres' && TEST_DATABASE_URL === undefined ? describe.skip : describe;
  run(`carnet audit verify [${engine}]`, () => {
    let dir: string;
    let databaseUrl = '';
    let schema: string | undefined;
    const env = () => ({ NODE_ENV: 'test', CARNET_DATA_DIR: join(dir, 'data'), CARNET_SECRET: process.env.CARNET_SECRET, DATABASE_URL: databaseUrl });

    async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
      const opened = await openDatabase(loadConfig(env()));
      try {
        await migrate(opened.db);
        return await fn(opened.db);
      } finally {
        await opened.close();
      }
    }

    beforeAll(async () => {
      if (engine === 'postgres') {
        schema = `t_${randomBytes(6).toString('hex')}`;
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(`CREATE SCHEMA ${schema}`);
        await admin.end();
        const url = new URL(TEST_DATABASE_URL as string);
        url.searchParams.set('options', `-c search_path=${schema}`);
        databaseUrl = url.toString();
      }
    });
    afterAll(async () => {
      if (schema !== undefined) {
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      }
    });
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'carnet-cli-'));
      vi.stubEnv('CARNET_SECRET', randomBytes(32).toString('base64'));
      for (const [k, v] of Object.entries(env())) vi.stubEnv(k, v);
    });
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('verifies every chain, then names the first broken link and exits 1 after a row is edited', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      await withDb(async (db) => {
        await db.query('DELETE FROM audit_events');
        for (const p of [a, b]) {
          for (let i = 0; i < 4; i++) {
            await db.tx((q) =>
              appendAudit(q, p, new Date(Date.UTC(2026, 2, 1 + i, 10)), {
                actor: { type: 'professional', id: '810001234567', name: 'Dr Paul BERNARD', profession: '10', specialty: 'SM54' },
                action: 'document_read',
                target: `DocumentReference/${i}`,
                detail: { i },
              }),
            );
          }
        }
      });

      const ok = await carnet('audit', 'verify');
      expect(ok.err).toBe('');
      expect(ok.code).toBe(0);
      expect(ok.out).toMatch(/^Verified 8 event\(s\) in 2 chain\(s\) in \d+\.\d s \(\d+ events\/s\): every chain holds\.$/);

      await withDb((db) => db.query(`UPDATE audit_events SET detail = '{"i": 99}' WHERE patient_id = $1 AND seq = 3`, [b]));
      const broken = await carnet('audit', 'verify');
      expect(broken.code).toBe(1);
      expect(broken.out).toContain('1 broken chain(s).');
      expect(broken.out).toContain(['First broken link:', `  patient  ${b}`, '  seq      3', '  reason   hash_mismatch: its content no longer matches its hash: a field of this event was modified', '  date     2026-03-03T10:00:00.000Z'].join('\n'));

      const one = await carnet('audit', 'verify', '--patient', a);
      expect(one).toMatchObject({ code: 0, out: expect.stringMatching(/^Verified 4 event\(s\) in 1 chain\(s\).*every chain holds\.$/) });

      await withDb((db) => db.query('DELETE FROM audit_events WHERE patient_id = $1 AND seq = 2', [a]));
      const gap = await carnet('audit', 'verify');
      expect(gap.code).toBe(1);
      expect(gap.out).toContain('2 broken chain(s).');
      // The first in (patient id, seq) order.
      const first = [a, b].sort()[0] as string;
      expect(gap.out).toContain(`  patient  ${first}`);
      const onlyA = await carnet('audit', 'verify', '--patient', a);
      expect(onlyA.code).toBe(1);
      expect(onlyA.out).toContain(['  seq      3 (expected 2)', '  reason   seq_gap: events are missing before it: they were deleted'].join('\n'));
    }, 120_000);

    it('--patient: a patient without a trace, an id that is not one', async () => {
      const none = randomUUID();
      expect(await carnet('audit', 'verify', '--patient', none)).toMatchObject({ code: 0, out: `No trace for patient ${none}.` });
      expect(await carnet('audit', 'verify', '--patient', '42')).toMatchObject({ code: 1, err: 'carnet: --patient must be a patient id (a UUID), not "42".' });
    }, 120_000);
  });
}

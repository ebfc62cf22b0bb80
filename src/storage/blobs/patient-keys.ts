import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import type { Queryable } from '../db.ts';
import { LruCache } from './lru-cache.ts';
import type { MasterKeyRing } from './master-key-ring.ts';
import { generateKey, toBuffer } from './seal.ts';

/**
 * Each patient's data key: 32 random bytes created on first use, stored only wrapped by the
 * master key (table patient_keys), unwrapped in memory when content is sealed or opened.
 */
export interface PatientKeys {
  readonly ring: MasterKeyRing;
  /** The patient's data key, created and stored (wrapped) in `q`'s transaction on first use. */
  dataKeyFor(q: Queryable, patientId: string): Promise<Buffer>;
  /** The data key from a patient_keys row already read (e.g. joined with a blob). */
  unwrapRow(patientId: string, keyVersion: string, wrappedKey: unknown): Buffer;
  /** Re-wraps the patient's data key under the current master key (rotation); false if it has none. */
  rewrap(q: Queryable, patientId: string): Promise<boolean>;
}

export interface PatientKeysOptions {
  ring: MasterKeyRing;
  clock: Clock;
  /** Unwrapped data keys kept in memory (default 1000). */
  cacheEntries?: number;
  /** How long an unwrapped data key stays in memory (default 60 s). */
  cacheTtlMs?: number;
}

interface KeyRow {
  key_version: string;
  wrapped_key: unknown;
}

export function createPatientKeys(opts: PatientKeysOptions): PatientKeys {
  const { ring, clock } = opts;
  // Why a cache: a patient opening their record reads many documents in a burst, and each
  // read would unwrap the same data key again. Locally that costs microseconds, but unwrap
  // is where a KMS or HSM will sit (a network round trip, rate-limited, often billed). Why
  // small and brief: clear data keys should not pile up in the heap; a few hundred recent
  // patients for a minute cover the bursts. Entries are keyed by the wrapped bytes as well
  // as the patient, so a cached key only ever serves the exact row it was unwrapped from:
  // a key created in a rolled-back transaction, or a re-wrapped one, is never served stale.
  const cache = new LruCache<{ keyVersion: string; wrapped: Buffer; dataKey: Buffer }>({
    maxEntries: opts.cacheEntries ?? 1000,
    ttlMs: opts.cacheTtlMs ?? 60_000,
    clock,
  });

  function unwrapRow(patientId: string, keyVersion: string, wrappedKey: unknown): Buffer {
    const wrapped = toBuffer(wrappedKey);
    const id = patientId.toLowerCase();
    const hit = cache.get(id);
    if (hit !== undefined && hit.keyVersion === keyVersion && hit.wrapped.equals(wrapped)) return hit.dataKey;
    const dataKey = ring.unwrap(id, keyVersion, wrapped);
    if (dataKey === undefined) {
      throw new AppError('integrity_failed', `The data key of patient ${id} failed its integrity check: its stored wrapping was altered or belongs to another patient.`);
    }
    cache.set(id, { keyVersion, wrapped: Buffer.from(wrapped), dataKey });
    return dataKey;
  }

  async function read(q: Queryable, patientId: string, forUpdate = false): Promise<KeyRow | undefined> {
    const rows = await q.query<KeyRow>(`SELECT key_version, wrapped_key FROM patient_keys WHERE patient_id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [patientId]);
    return rows[0];
  }

  return Object.freeze({
    ring,
    unwrapRow,
    async dataKeyFor(q: Queryable, patientId: string): Promise<Buffer> {
      let row = await read(q, patientId);
      if (row === undefined) {
        const dataKey = generateKey();
        const { keyVersion, wrapped } = ring.wrap(patientId, dataKey);
        // Two first uses at once: the second insert waits for the first and does nothing;
        // it then reads the committed row, so both seal under the same key.
        const inserted = await q.query<KeyRow>(
          `INSERT INTO patient_keys (patient_id, key_version, wrapped_key, created_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (patient_id) DO NOTHING RETURNING key_version, wrapped_key`,
          [patientId, keyVersion, wrapped, clock.now()],
        );
        row = inserted[0] ?? (await read(q, patientId));
        if (row === undefined) throw new AppError('internal', `The data key of patient ${patientId} could not be created.`);
      }
      return unwrapRow(patientId, row.key_version, row.wrapped_key);
    },
    async rewrap(q: Queryable, patientId: string): Promise<boolean> {
      const row = await read(q, patientId, true);
      if (row === undefined) return false;
      if (row.key_version === ring.currentVersion) return true;
      const dataKey = unwrapRow(patientId, row.key_version, row.wrapped_key);
      const { keyVersion, wrapped } = ring.wrap(patientId, dataKey);
      await q.query('UPDATE patient_keys SET key_version = $2, wrapped_key = $3 WHERE patient_id = $1', [patientId, keyVersion, wrapped]);
      return true;
    },
  });
}

import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { describeEngines } from '../../../test/engines.ts';
import { ManualClock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import type { Queryable } from '../db.ts';
import { createMasterKeyRing, createPatientKeys, createRecordSealer, generateKey } from './index.ts';
import type { MasterKeyRing, PatientRecordSealer } from './index.ts';
import { IV_BYTES, TAG_BYTES } from './seal.ts';

const clock = new ManualClock();
const sealerOf = (ring: MasterKeyRing) => createRecordSealer({ keys: createPatientKeys({ ring, clock }) });

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

async function failureOf(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

describeEngines('sealed JSON of table rows', (getDb) => {
  const masterKey = generateKey();
  const sealer = sealerOf(createMasterKeyRing(masterKey));
  const VALUE = { substance: 'Pénicilline', reactions: ['urticaire'], severity: 'high', dose: 2.5, none: null };
  const inTx = <T>(fn: (q: Queryable) => Promise<T>) => getDb().tx(fn);

  it('round-trips a JSON value; the packed bytes are iv | tag | ciphertext, with no clear text', async () => {
    const patient = randomUUID();
    const row = randomUUID();
    const packed = await inTx(async (q) => (await sealer.forPatient(q, patient)).seal('health_history_entries', row, VALUE));
    expect(packed.length).toBeGreaterThan(IV_BYTES + TAG_BYTES);
    expect(packed.includes(Buffer.from('Pénicilline'))).toBe(false);
    expect(packed.includes(Buffer.from('urticaire'))).toBe(false);
    expect(await inTx(async (q) => (await sealer.forPatient(q, patient)).open('health_history_entries', row, packed))).toEqual(VALUE);
    // Outside a transaction too, and through a Uint8Array (PGlite's bytea).
    expect((await sealer.forPatient(getDb(), patient)).open('health_history_entries', row, new Uint8Array(packed))).toEqual(VALUE);
    // Scalars and arrays are JSON too; two seals of one value differ (random IV).
    const s = await sealer.forPatient(getDb(), patient);
    expect(s.open('t', 'r', s.seal('t', 'r', 69.9))).toBe(69.9);
    expect(s.open('t', 'r', s.seal('t', 'r', ['a', 'b']))).toEqual(['a', 'b']);
    expect(s.seal('t', 'r', VALUE).equals(s.seal('t', 'r', VALUE))).toBe(false);
  });

  it('fetches the data key once per transaction and patient', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const fetched: string[] = [];
    await inTx(async (q) => {
      const spy: Queryable = {
        query: async (sql, params) => {
          if (/patient_keys/.test(sql)) fetched.push(String(params?.[0]));
          return q.query(sql, params);
        },
      };
      const s1 = await sealer.forPatient(spy, a);
      const s2 = await sealer.forPatient(spy, a.toUpperCase());
      await sealer.forPatient(spy, b);
      expect(s2).toBe(s1);
    });
    // a: select + insert (first use), b: select + insert.
    expect(fetched.filter((p) => p === a)).toHaveLength(2);
    expect(fetched.filter((p) => p === b)).toHaveLength(2);
  });

  it('refuses an altered value, and a value moved to another row, table or patient (integrity_failed, ids only in the message)', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const row = randomUUID();
    const [sa, sb] = await inTx(async (q): Promise<[PatientRecordSealer, PatientRecordSealer]> => [await sealer.forPatient(q, a), await sealer.forPatient(q, b)]);
    const packed = sa.seal('measures', row, { value: 69.9 });

    for (let i = 0; i < packed.length; i += 7) {
      const altered = Buffer.from(packed);
      altered[i] = (altered[i] ?? 0) ^ 0x01;
      expect(failure(() => sa.open('measures', row, altered)).code).toBe('integrity_failed');
    }
    expect(failure(() => sa.open('measures', row, packed.subarray(0, IV_BYTES + TAG_BYTES - 1))).code).toBe('integrity_failed');
    expect(failure(() => sa.open('measures', row, 'not bytes')).code).toBe('integrity_failed');

    const moved = failure(() => sa.open('measures', randomUUID(), packed));
    expect(moved.code).toBe('integrity_failed');
    expect(moved.status).toBe(500);
    expect(moved.message).toContain(a);
    expect(moved.message).not.toContain('69.9');
    expect(failure(() => sa.open('measure_targets', row, packed)).code).toBe('integrity_failed');
    expect(failure(() => sb.open('measures', row, packed)).code).toBe('integrity_failed');
  });

  it('does not open under another key: another data key for the patient, another master key', async () => {
    const patient = randomUUID();
    const row = randomUUID();
    const packed = await inTx(async (q) => (await sealer.forPatient(q, patient)).seal('vaccinations', row, { lot: 'AB123' }));

    // The patient's data key replaced by another one, validly wrapped (say, from another backup): the value does not open.
    const ring = createMasterKeyRing(masterKey);
    const { keyVersion, wrapped } = ring.wrap(patient, generateKey());
    await getDb().query('UPDATE patient_keys SET key_version = $2, wrapped_key = $3 WHERE patient_id = $1', [patient, keyVersion, wrapped]);
    const fresh = sealerOf(ring);
    expect((await failureOf(inTx(async (q) => (await fresh.forPatient(q, patient)).open('vaccinations', row, packed)))).code).toBe('integrity_failed');
    // Another patient's wrapping copied in does not even unwrap (bound to its patient).
    const other = randomUUID();
    await inTx(async (q) => sealer.forPatient(q, other));
    await getDb().query('UPDATE patient_keys SET wrapped_key = (SELECT wrapped_key FROM patient_keys WHERE patient_id = $2) WHERE patient_id = $1', [patient, other]);
    expect((await failureOf(inTx(async (q) => (await sealerOf(ring).forPatient(q, patient)).open('vaccinations', row, packed)))).code).toBe('integrity_failed');

    // A ring without the master key version the data key was wrapped with: a clear refusal naming the versions.
    const third = randomUUID();
    const sealed3 = await inTx(async (q) => (await sealer.forPatient(q, third)).seal('vaccinations', row, { lot: 'AB123' }));
    const stranger = sealerOf(createMasterKeyRing(generateKey()));
    const e = await failureOf(inTx(async (q) => (await stranger.forPatient(q, third)).open('vaccinations', row, sealed3)));
    expect(e.code).toBe('internal');
    expect(e.message).toMatch(/master key version [0-9a-f]{16}, which is not configured/);

    // The same data key under a rotated ring (new current master key, the old one kept) still opens.
    const rotated = sealerOf(createMasterKeyRing(generateKey(), [masterKey]));
    expect(await inTx(async (q) => (await rotated.forPatient(q, third)).open('vaccinations', row, sealed3))).toEqual({ lot: 'AB123' });
  });
});

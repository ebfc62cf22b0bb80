import { AppError } from '../../platform/errors.ts';
import type { Queryable } from '../db.ts';
import type { PatientKeys } from './patient-keys.ts';
import { IV_BYTES, TAG_BYTES, aad, open, seal, toBuffer } from './seal.ts';

/**
 * Sealing of structured health content kept in table rows (Invariant 4): a JSON value becomes
 * one bytea, IV (12) | GCM tag (16) | ciphertext, under the patient's data key, with an AAD
 * naming the table, the patient and the row. A sealed value copied to another row, another
 * patient or another table does not open, and neither does an altered one: both throw
 * AppError('integrity_failed'), whose message names ids only, never content.
 *
 * What queries must filter or sort on (patient, ids, dates, kinds) stays in clear columns
 * beside the sealed one; everything else is opened in code after the rows are read.
 */
export interface RecordSealer {
  /**
   * The sealer of one patient in one transaction: the data key is fetched (created on first
   * use) once per transaction and patient, however many rows are then sealed or opened.
   */
  forPatient(q: Queryable, patientId: string): Promise<PatientRecordSealer>;
}

export interface PatientRecordSealer {
  readonly patientId: string;
  /** `value` as JSON, sealed for this patient's row `rowId` of `table`. */
  seal(table: string, rowId: string, value: unknown): Buffer;
  /** The value sealed for this row; throws integrity_failed if it was altered, moved or sealed under another key. */
  open<T>(table: string, rowId: string, packed: unknown): T;
}

const recordAad = (table: string, patientId: string, rowId: string) => aad('carnet:record:v1', table, patientId, rowId);

function patientSealer(patientId: string, dataKey: Buffer): PatientRecordSealer {
  const integrity = (table: string, rowId: string) =>
    new AppError('integrity_failed', `The sealed content of ${table} row ${rowId} of patient ${patientId} failed its integrity check: it was altered, moved from another row or sealed under another key.`);
  return Object.freeze({
    patientId,
    seal(table: string, rowId: string, value: unknown): Buffer {
      const json = JSON.stringify(value);
      if (json === undefined) throw new AppError('internal', `Nothing to seal for ${table} row ${rowId}.`);
      const s = seal(dataKey, recordAad(table, patientId, rowId), Buffer.from(json, 'utf8'));
      return Buffer.concat([s.iv, s.tag, s.ciphertext]);
    },
    open<T>(table: string, rowId: string, packed: unknown): T {
      let bytes: Buffer;
      try {
        bytes = toBuffer(packed);
      } catch {
        throw integrity(table, rowId);
      }
      if (bytes.length < IV_BYTES + TAG_BYTES) throw integrity(table, rowId);
      const clear = open(dataKey, recordAad(table, patientId, rowId), {
        iv: bytes.subarray(0, IV_BYTES),
        tag: bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
        ciphertext: bytes.subarray(IV_BYTES + TAG_BYTES),
      });
      if (clear === undefined) throw integrity(table, rowId);
      return JSON.parse(clear.toString('utf8')) as T;
    },
  });
}

export function createRecordSealer(opts: { keys: PatientKeys }): RecordSealer {
  const { keys } = opts;
  // One data-key fetch per transaction and patient: the transaction's Queryable (a fresh
  // object per transaction on both engines) carries the sealers it already built, and they
  // go when it goes. The Db itself (it has `tx`) is never remembered: outside a transaction
  // each call reads the key again, so a deleted key (crypto-shredding) is not served on.
  const perTx = new WeakMap<Queryable, Map<string, Promise<PatientRecordSealer>>>();
  return Object.freeze({
    forPatient(q: Queryable, patientId: string): Promise<PatientRecordSealer> {
      const pid = patientId.toLowerCase();
      const make = async () => patientSealer(pid, await keys.dataKeyFor(q, pid));
      if ('tx' in q) return make();
      const m = perTx.get(q) ?? new Map<string, Promise<PatientRecordSealer>>();
      perTx.set(q, m);
      let s = m.get(pid);
      if (s === undefined) {
        s = make();
        m.set(pid, s);
        // A failed fetch is not remembered (the transaction is going to fail anyway).
        s.catch(() => m.delete(pid));
      }
      return s;
    },
  });
}

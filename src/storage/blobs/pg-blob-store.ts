import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import type { Queryable } from '../db.ts';
import type { BlobContent, BlobInfo, BlobStore } from './blob-store.ts';
import type { PatientKeys } from './patient-keys.ts';
import { aad, open, seal, sha256, toBuffer } from './seal.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BLOB_ID = /^[A-Za-z0-9._:-]{1,128}$/;
// A media type with optional parameters, printable ASCII only (it is also bound into the AAD).
const CONTENT_TYPE = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

interface BlobRow {
  content_type: string;
  size: number;
  sha256: unknown;
  iv: unknown;
  tag: unknown;
  ciphertext: unknown;
  key_version: string | null;
  wrapped_key: unknown;
}

function check(patientId: string, blobId: string): string {
  if (!UUID.test(patientId)) throw new AppError('validation_failed', 'A blob belongs to a patient: patientId must be a UUID.', { details: [{ field: 'patientId', reason: 'not a UUID' }] });
  if (!BLOB_ID.test(blobId)) throw new AppError('validation_failed', 'blobId must be 1 to 128 characters among letters, digits and . _ : -', { details: [{ field: 'blobId', reason: 'invalid' }] });
  return patientId.toLowerCase();
}

// The ciphertext is bound to its patient, its id and its content type: a row copied to
// another patient or id, or relabelled (say, a PDF served as text/html), does not open.
const blobAad = (patientId: string, blobId: string, contentType: string) => aad('carnet:blob:v1', patientId, blobId, contentType);

/** BlobStore in the `blobs` table of the caller's database (PostgreSQL or PGlite). */
export function createPgBlobStore(opts: { keys: PatientKeys; clock: Clock }): BlobStore {
  const { keys, clock } = opts;
  const integrity = (patientId: string, blobId: string, what: string) =>
    new AppError('integrity_failed', `Blob ${blobId} of patient ${patientId} failed its integrity check (${what}): it was altered, moved or sealed under another key.`);

  return Object.freeze({
    async put(q: Queryable, patientId: string, blobId: string, content: Buffer, contentType: string): Promise<BlobInfo> {
      const pid = check(patientId, blobId);
      if (!CONTENT_TYPE.test(contentType)) throw new AppError('validation_failed', 'contentType must be a media type such as application/pdf.', { details: [{ field: 'contentType', reason: 'invalid' }] });
      const clear = toBuffer(content);
      const digest = sha256(clear);
      const dataKey = await keys.dataKeyFor(q, pid);
      const s = seal(dataKey, blobAad(pid, blobId, contentType), clear);
      const rows = await q.query(
        `INSERT INTO blobs (patient_id, blob_id, content_type, size, sha256, iv, tag, ciphertext, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (patient_id, blob_id) DO NOTHING RETURNING blob_id`,
        [pid, blobId, contentType, clear.length, digest, s.iv, s.tag, s.ciphertext, clock.now()],
      );
      if (rows.length === 0) throw new AppError('conflict', `Blob ${blobId} of patient ${pid} already exists: blobs are never overwritten, store a new version under a new id.`);
      return { sha256: digest.toString('hex'), size: clear.length };
    },

    async get(q: Queryable, patientId: string, blobId: string): Promise<BlobContent | null> {
      const pid = check(patientId, blobId);
      // One round trip: the blob and its patient's wrapped key (same patient_id: co-located when distributed).
      const rows = await q.query<BlobRow>(
        `SELECT b.content_type, b.size, b.sha256, b.iv, b.tag, b.ciphertext, k.key_version, k.wrapped_key
         FROM blobs b LEFT JOIN patient_keys k ON k.patient_id = b.patient_id
         WHERE b.patient_id = $1 AND b.blob_id = $2`,
        [pid, blobId],
      );
      const row = rows[0];
      if (row === undefined) return null;
      if (row.key_version === null) throw integrity(pid, blobId, 'its patient has no data key');
      const dataKey = keys.unwrapRow(pid, row.key_version, row.wrapped_key);
      const clear = open(dataKey, blobAad(pid, blobId, row.content_type), { iv: toBuffer(row.iv), tag: toBuffer(row.tag), ciphertext: toBuffer(row.ciphertext) });
      if (clear === undefined) throw integrity(pid, blobId, 'authentication tag');
      const expected = toBuffer(row.sha256);
      const actual = sha256(clear);
      if (expected.length !== actual.length || !timingSafeEqual(expected, actual) || clear.length !== Number(row.size)) throw integrity(pid, blobId, 'SHA-256 or size');
      return { content: clear, contentType: row.content_type, sha256: actual.toString('hex'), size: clear.length };
    },

    async delete(q: Queryable, patientId: string, blobId: string): Promise<boolean> {
      const pid = check(patientId, blobId);
      const rows = await q.query('DELETE FROM blobs WHERE patient_id = $1 AND blob_id = $2 RETURNING blob_id', [pid, blobId]);
      return rows.length > 0;
    },
  });
}

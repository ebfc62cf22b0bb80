import type { Queryable } from '../db.ts';

/** What is kept in clear about a blob: the SHA-256 of its clear content (hex) and its size in bytes. */
export interface BlobInfo {
  readonly sha256: string;
  readonly size: number;
}

export interface BlobContent extends BlobInfo {
  readonly content: Buffer;
  readonly contentType: string;
}

/**
 * Document content, sealed (Invariant 4): encrypted under the patient's data key, its
 * SHA-256 kept and checked on read. Every method works inside the caller's transaction, so
 * a blob is written, or deleted, with the record that points to it. Stored in PostgreSQL
 * today; object storage later, behind the same interface.
 */
export interface BlobStore {
  /** Seals and stores new content; a blob is never overwritten (an existing id is a conflict). */
  put(q: Queryable, patientId: string, blobId: string, content: Buffer, contentType: string): Promise<BlobInfo>;
  /** The clear content, or null when there is no such blob. Fails with `integrity_failed` if it does not open or its SHA-256 differs. */
  get(q: Queryable, patientId: string, blobId: string): Promise<BlobContent | null>;
  /** True if a blob was deleted. */
  delete(q: Queryable, patientId: string, blobId: string): Promise<boolean>;
}

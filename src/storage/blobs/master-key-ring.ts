import { createHmac } from 'node:crypto';
import { AppError } from '../../platform/errors.ts';
import { IV_BYTES, KEY_BYTES, TAG_BYTES, aad, open, seal } from './seal.ts';

/**
 * The master keys that wrap patients' data keys (envelope encryption). The ring holds the
 * current key, which wraps new data keys, and previous ones, which still unwrap the data
 * keys they wrapped until those are re-wrapped: that is how the master key is rotated.
 *
 * A master key's version is a fingerprint of the key itself (an HMAC of a fixed label, not
 * the key), so operators never number keys by hand and a wrongly numbered key cannot
 * silently shadow another. The keys stay inside this closure: nothing exposes them, so
 * nothing can log them.
 */
export interface MasterKeyRing {
  /** Version (fingerprint) of the key new data keys are wrapped with. */
  readonly currentVersion: string;
  /** Every version this ring unwraps, current first. */
  readonly versions: readonly string[];
  /** The data key wrapped for this patient under the current master key. */
  wrap(patientId: string, dataKey: Buffer): { keyVersion: string; wrapped: Buffer };
  /** The data key, or undefined when the wrapped bytes do not authenticate (altered, or another patient's). */
  unwrap(patientId: string, keyVersion: string, wrapped: Buffer): Buffer | undefined;
}

/** Wrapped data key layout: IV (12) | tag (16) | ciphertext (32) = 60 bytes. */
export const WRAPPED_KEY_BYTES = IV_BYTES + TAG_BYTES + KEY_BYTES;

/** 16 hex characters identifying a master key without revealing it. */
export function masterKeyVersion(key: Buffer): string {
  return createHmac('sha256', key).update('carnet master key version v1').digest('hex').slice(0, 16);
}

// The wrapped key is bound to its patient and to the master key version: a wrapped key
// copied to another patient's row does not unwrap.
const wrapAad = (patientId: string, keyVersion: string) => aad('carnet:patient-data-key:v1', patientId.toLowerCase(), keyVersion);

export function createMasterKeyRing(current: Buffer, previous: readonly Buffer[] = []): MasterKeyRing {
  const keys = new Map<string, Buffer>();
  for (const k of [current, ...previous]) {
    if (k.length !== KEY_BYTES) throw new AppError('internal', `A master key must be ${KEY_BYTES} bytes.`);
    const v = masterKeyVersion(k);
    if (!keys.has(v)) keys.set(v, Buffer.from(k));
  }
  const currentVersion = masterKeyVersion(current);
  const versions = Object.freeze([...keys.keys()]);

  return Object.freeze({
    currentVersion,
    versions,
    wrap(patientId: string, dataKey: Buffer) {
      const s = seal(keys.get(currentVersion) as Buffer, wrapAad(patientId, currentVersion), dataKey);
      return { keyVersion: currentVersion, wrapped: Buffer.concat([s.iv, s.tag, s.ciphertext]) };
    },
    unwrap(patientId: string, keyVersion: string, wrapped: Buffer) {
      const key = keys.get(keyVersion);
      if (key === undefined) {
        throw new AppError(
          'internal',
          `The data key of patient ${patientId} is wrapped by master key version ${keyVersion}, which is not configured (configured: ${versions.join(', ')}). Give the previous master key back until every data key is re-wrapped.`,
        );
      }
      if (wrapped.length !== WRAPPED_KEY_BYTES) return undefined;
      const iv = wrapped.subarray(0, IV_BYTES);
      const tag = wrapped.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
      const ciphertext = wrapped.subarray(IV_BYTES + TAG_BYTES);
      return open(key, wrapAad(patientId, keyVersion), { iv, tag, ciphertext });
    },
  });
}

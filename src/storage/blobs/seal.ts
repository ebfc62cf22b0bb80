import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM from node:crypto, nothing hand-made: a random 96-bit IV per message (the size
 * GCM is specified for), a full 128-bit tag, and additional authenticated data (AAD) that
 * binds the ciphertext to where it belongs, so a copy elsewhere fails to open.
 */
export const KEY_BYTES = 32;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

export interface Sealed {
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

/** 32 random bytes: a data key or a master key. */
export function generateKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

export function seal(key: Buffer, aad: Buffer, clear: Buffer): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(clear), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ciphertext };
}

/**
 * The clear bytes, or undefined when the message does not authenticate (altered, moved,
 * or sealed under another key). The IV and tag lengths are checked first: GCM would accept
 * other IV sizes and, without `authTagLength`, truncated tags.
 */
export function open(key: Buffer, aad: Buffer, sealed: Sealed): Buffer | undefined {
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv(ALGORITHM, key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

export function sha256(content: Buffer): Buffer {
  return createHash('sha256').update(content).digest();
}

/** AAD from labelled parts, NUL-separated (no part may contain NUL, so no two tuples collide). */
export function aad(label: string, ...parts: string[]): Buffer {
  for (const p of parts) if (p.includes('\0')) throw new Error('AAD parts must not contain NUL');
  return Buffer.from([label, ...parts].join('\0'), 'utf8');
}

/** bytea as a Buffer on both engines: `pg` gives a Buffer, PGlite a Uint8Array. */
export function toBuffer(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeError(`expected bytea, got ${typeof v}`);
}

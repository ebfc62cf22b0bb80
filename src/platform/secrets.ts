import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Keyed hash for values that must be checked but never stored in clear and are looked up in
 * bulk (provisional codes, session tokens). HMAC-SHA-256 with the server secret: a stolen
 * database alone does not let anyone test codes offline; attempts online are rate-limited.
 */
export function keyedHash(secret: Buffer, purpose: string, value: string): string {
  return createHmac('sha256', secret).update(purpose).update('\0').update(value).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

import { keyedHash } from '../platform/secrets.ts';
import { normalizeCode } from '../platform/random.ts';
import type { Random } from '../platform/random.ts';

/** A provisional code is valid 6 weeks (RULES §6). */
export const CODE_VALIDITY_DAYS = 42;
/** Without opposition, a space opens 6 weeks after its information message. */
export const OPENING_DELAY_DAYS = 42;
/** Wrong tries before a code is spent and must be regenerated. */
export const CODE_MAX_FAILED_ATTEMPTS = 5;
/** 12 characters from a 31-letter alphabet: about 59 bits, typed from a letter. */
export const CODE_LENGTH = 12;

export function newProvisionalCode(random: Random): string {
  return random.code(CODE_LENGTH);
}

/** Stored form of a provisional code: HMAC with the server secret (fast enough for a national import). */
export function provisionalCodeHash(secret: Buffer, code: string): string {
  return keyedHash(secret, 'provisional-code', normalizeCode(code));
}

/** How a code is printed: groups of four, easier to type. */
export function formatCode(code: string): string {
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}

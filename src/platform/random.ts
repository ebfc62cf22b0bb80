import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';

/** Randomness is injected (like time) so tests can make it predictable where they must. */
export interface Random {
  uuid(): string;
  /** URL-safe token with `bytes` bytes of entropy. */
  token(bytes?: number): string;
  /** A string of `n` decimal digits (one-time codes). */
  digits(n: number): string;
  /** A string of `n` characters from an unambiguous alphabet (provisional codes on paper). */
  code(n: number): string;
}

// No 0/O, 1/I/L: the code is typed from a paper letter.
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

const DIGITS = '0123456789';

// Random bytes drawn 4 KiB at a time (as randomUUID does): one call per ~300 codes instead
// of one randomInt per character, which a national import of 60 million codes notices.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** `n` characters drawn uniformly from `alphabet` (at most 256): a byte beyond the largest multiple of its size is drawn again. */
function fromAlphabet(alphabet: string, n: number): string {
  const limit = 256 - (256 % alphabet.length);
  let s = '';
  while (s.length < n) {
    if (poolAt === pool.length) {
      randomFillSync(pool);
      poolAt = 0;
    }
    const b = pool[poolAt++] as number;
    if (b < limit) s += alphabet[b % alphabet.length];
  }
  return s;
}

export const cryptoRandom: Random = {
  uuid: () => randomUUID(),
  token: (bytes = 32) => randomBytes(bytes).toString('base64url'),
  digits: (n) => fromAlphabet(DIGITS, n),
  code: (n) => fromAlphabet(CODE_ALPHABET, n),
};

export function normalizeCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}

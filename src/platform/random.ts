import { randomBytes, randomInt, randomUUID } from 'node:crypto';

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

export const cryptoRandom: Random = {
  uuid: () => randomUUID(),
  token: (bytes = 32) => randomBytes(bytes).toString('base64url'),
  digits: (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += String(randomInt(10));
    return s;
  },
  code: (n) => {
    let s = '';
    for (let i = 0; i < n; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
    return s;
  },
};

export function normalizeCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}

import { describe, expect, it } from 'vitest';
import { cryptoRandom, normalizeCode } from './random.ts';

describe('cryptoRandom', () => {
  it('draws codes and digits of the asked length from their alphabet', () => {
    for (let i = 0; i < 1000; i++) {
      expect(cryptoRandom.code(12)).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{12}$/);
      expect(cryptoRandom.digits(6)).toMatch(/^\d{6}$/);
    }
  });

  it('draws every character of a code evenly (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) for (const c of cryptoRandom.code(31)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(31);
    // 10,000 draws per letter expected; a standard deviation is about 98.
    for (const n of counts.values()) expect(Math.abs(n - 10_000)).toBeLessThan(700);
  });

  it('normalizes a typed code', () => {
    expect(normalizeCode('abcd-efgh jkmn')).toBe('ABCDEFGHJKMN');
  });
});

import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../platform/clock.ts';
import { createMasterKeyRing, generateKey, masterKeyVersion } from './index.ts';
import { LruCache } from './lru-cache.ts';
import { aad, open, seal } from './seal.ts';

const PATIENT = '7b0e3c1e-95a3-4f7c-9f4e-0d6b1c2a3b4c';

describe('seal and open (AES-256-GCM)', () => {
  it('opens only with the same key and AAD, with a fresh IV each time', () => {
    const key = generateKey();
    const where = aad('label', 'a', 'b');
    const a = seal(key, where, Buffer.from('same'));
    const b = seal(key, where, Buffer.from('same'));
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(open(key, where, a)?.toString()).toBe('same');
    expect(open(generateKey(), where, a)).toBeUndefined();
    expect(open(key, aad('label', 'a', 'c'), a)).toBeUndefined();
    expect(open(key, where, { ...a, tag: a.tag.subarray(0, 12) })).toBeUndefined();
  });

  it('keeps AAD parts apart', () => {
    expect(aad('l', 'ab', 'c').equals(aad('l', 'a', 'bc'))).toBe(false);
    expect(() => aad('l', 'a\0b')).toThrow();
  });
});

describe('master key ring', () => {
  it('names a key by a stable fingerprint that is not the key', () => {
    const key = generateKey();
    expect(masterKeyVersion(key)).toMatch(/^[0-9a-f]{16}$/);
    expect(masterKeyVersion(Buffer.from(key))).toBe(masterKeyVersion(key));
    expect(key.toString('hex')).not.toContain(masterKeyVersion(key));
    expect(() => createMasterKeyRing(Buffer.alloc(16))).toThrow(/32 bytes/);
  });

  it('wraps under the current key, binds the wrapping to the patient, unwraps with previous keys', () => {
    const [k1, k2] = [generateKey(), generateKey()];
    const dataKey = generateKey();
    const old = createMasterKeyRing(k1);
    const w = old.wrap(PATIENT, dataKey);
    expect(w.wrapped).toHaveLength(60);
    expect(w.wrapped.includes(dataKey)).toBe(false);
    const ring = createMasterKeyRing(k2, [k1]);
    expect(ring.unwrap(PATIENT, w.keyVersion, w.wrapped)?.equals(dataKey)).toBe(true);
    expect(ring.unwrap(PATIENT.toUpperCase(), w.keyVersion, w.wrapped)?.equals(dataKey)).toBe(true);
    expect(ring.unwrap('00000000-0000-4000-8000-000000000000', w.keyVersion, w.wrapped)).toBeUndefined();
    expect(ring.wrap(PATIENT, dataKey).keyVersion).toBe(masterKeyVersion(k2));
    expect(() => createMasterKeyRing(k2).unwrap(PATIENT, w.keyVersion, w.wrapped)).toThrow(/not configured/);
  });

  it('exposes no key', () => {
    const key = generateKey();
    const ring = createMasterKeyRing(key);
    expect(JSON.stringify(ring)).not.toContain(key.toString('base64'));
    expect(Object.isFrozen(ring)).toBe(true);
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry beyond its size', () => {
    const cache = new LruCache<number>({ maxEntries: 2, ttlMs: 1000, clock: new ManualClock() });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('forgets entries after their time to live', () => {
    const clock = new ManualClock();
    const cache = new LruCache<number>({ maxEntries: 10, ttlMs: 1000, clock });
    cache.set('a', 1);
    clock.advance(999);
    expect(cache.get('a')).toBe(1);
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

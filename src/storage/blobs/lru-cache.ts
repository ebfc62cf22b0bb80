import type { Clock } from '../../platform/clock.ts';

/**
 * A small least-recently-used map whose entries also expire after `ttlMs` (injected clock).
 * A Map keeps insertion order: a hit is re-inserted at the end, the first key is the oldest.
 */
export class LruCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();
  readonly #maxEntries: number;
  readonly #ttlMs: number;
  readonly #clock: Clock;

  constructor(opts: { maxEntries: number; ttlMs: number; clock: Clock }) {
    if (!(opts.maxEntries >= 1) || !(opts.ttlMs > 0)) throw new RangeError('LruCache needs maxEntries >= 1 and ttlMs > 0');
    this.#maxEntries = opts.maxEntries;
    this.#ttlMs = opts.ttlMs;
    this.#clock = opts.clock;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): V | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    this.#entries.delete(key);
    if (e.expiresAt <= this.#clock.now().getTime()) return undefined;
    this.#entries.set(key, e);
    return e.value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#clock.now().getTime() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

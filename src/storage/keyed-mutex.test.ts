import { describe, expect, it } from 'vitest';
import { createKeyedMutex } from './keyed-mutex.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('keyed mutex', () => {
  it('lets one holder per key at a time, in arrival order; other keys run freely', async () => {
    const m = createKeyedMutex();
    const order: string[] = [];
    const run = async (key: string, name: string) => {
      const release = await m.acquire(key, 1000);
      order.push(`${name}+`);
      await tick();
      order.push(`${name}-`);
      release();
    };
    await Promise.all([run('a', '1'), run('a', '2'), run('b', '3'), run('a', '4')]);
    const a = order.filter((e) => !e.startsWith('3'));
    expect(a).toEqual(['1+', '1-', '2+', '2-', '4+', '4-']);
    expect(order.indexOf('3+')).toBeLessThan(order.indexOf('1-'));
  });

  it('gives up waiting after the timeout (a cycle of waits is then the database’s to break)', async () => {
    const m = createKeyedMutex();
    const held = await m.acquire('a', 1000);
    const started = Date.now();
    const late = await m.acquire('a', 30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    late();
    held();
    // Released twice: harmless.
    held();
    const again = await m.acquire('a', 1000);
    again();
  });
});

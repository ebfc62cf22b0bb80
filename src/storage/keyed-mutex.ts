/**
 * Process-local mutexes by key, for a transaction that is about to take a hot row lock in
 * the database (the head of a patient's trace chain): its competitors from this process
 * queue here, in memory, instead of piling up on the row lock, where each waiter would
 * re-read the row's update chain when its turn comes. The database lock still decides
 * between processes.
 */
export interface KeyedMutex {
  /**
   * Waits for `key` (at most `timeoutMs`: then goes on without it, so two transactions
   * that wait for each other's keys fall back to the database's deadlock detection), and
   * gives the function that releases it.
   */
  acquire(key: string, timeoutMs: number): Promise<() => void>;
}

export function createKeyedMutex(): KeyedMutex {
  // The tail of each key's queue: resolves when the last holder releases.
  const tails = new Map<string, Promise<void>>();
  return {
    async acquire(key, timeoutMs) {
      const previous = tails.get(key) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => {
        release = resolve;
      });
      const tail = previous.then(() => mine);
      tails.set(key, tail);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([previous, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        release();
        // The last one out leaves no entry behind.
        if (tails.get(key) === tail) tails.delete(key);
      };
    },
  };
}

import type { AppDeps } from './app.ts';

/**
 * Work the server does besides answering requests: demo data on first start, the outbox
 * worker, the scheduled jobs. Returns a function that stops it.
 */
export async function startBackgroundWork(_deps: AppDeps): Promise<() => Promise<void>> {
  const stops: (() => Promise<void>)[] = [];
  return async () => {
    for (const s of stops.reverse()) await s();
  };
}

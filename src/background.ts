import type { AppDeps } from './app.ts';
import { startMailWorker } from './platform/mail/index.ts';
import { startJobScheduler } from './scheduled-jobs.ts';
import { DEMO, isDatabaseEmpty, loadDemoData } from './dev/demo-data.ts';

const HOUR_MS = 60 * 60 * 1000;

/**
 * Work the server does besides answering requests: demo data on first start, the outbox
 * worker, the scheduled jobs. Returns a function that stops it.
 */
export async function startBackgroundWork(deps: AppDeps): Promise<() => Promise<void>> {
  if (deps.config.demo && (await isDatabaseEmpty(deps))) {
    await loadDemoData(deps);
    console.log(
      `[carnet] demo data loaded: sign in as "${DEMO.patient.loginId}" / "${DEMO.patient.password}" (one-time codes at ${deps.config.baseUrl}/dev/mail); ` +
        `${DEMO.pending.name} (NIR ${DEMO.pending.matricule}, born ${DEMO.pending.birthDate}) waits for activation with the code of his e-mail.`,
    );
  }
  const stops: (() => Promise<void>)[] = [];
  stops.push(startMailWorker(deps));
  stops.push(startJobScheduler(deps, { intervalMs: HOUR_MS }));
  return async () => {
    for (const s of stops.reverse()) await s();
  };
}

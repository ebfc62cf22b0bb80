import type { AppDeps } from './app.ts';
import { runLifecycleJobs } from './lifecycle/index.ts';
import { purgeExpiredSignIns } from './auth/index.ts';
import { purgeExpiredProfessionalSessions, purgeExpiredTokenState } from './pro-auth/index.ts';
import { runDocumentNoticeJobs } from './records/documents-jobs.ts';
import { expireAidantInvitations } from './aidants/index.ts';

/** Every scheduled job of Carnet, run by `carnet jobs run` (cron) and hourly by the server. */
export async function runScheduledJobs(deps: AppDeps): Promise<Record<string, number>> {
  const lifecycle = await runLifecycleJobs(deps);
  const signIns = await purgeExpiredSignIns(deps.db, deps.clock.now());
  const tokens = await purgeExpiredTokenState(deps.db, deps.clock.now());
  const proSessions = await purgeExpiredProfessionalSessions(deps.db, deps.clock.now());
  const documentNotices = await runDocumentNoticeJobs(deps);
  const aidants = await expireAidantInvitations(deps);
  return { ...lifecycle, ...documentNotices, ...aidants, expiredSessions: signIns.sessions, expiredChallenges: signIns.challenges, expiredAccessTokens: tokens.accessTokens, expiredProfessionalSessions: proSessions };
}

/**
 * Runs the jobs every `intervalMs` (first run shortly after start). Several servers may run
 * them at once: each transition re-checks the state under a row lock, so none is applied twice.
 */
export function startJobScheduler(deps: AppDeps, opts: { intervalMs: number; onError?: (e: unknown) => void }): () => Promise<void> {
  const onError = opts.onError ?? ((e: unknown) => console.error(`[carnet] scheduled jobs: ${(e as Error).message}`));
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = runScheduledJobs(deps).then(
      () => undefined,
      (e: unknown) => onError(e),
    );
  };
  const first = setTimeout(tick, 5_000);
  const timer = setInterval(tick, opts.intervalMs);
  first.unref();
  timer.unref();
  return async () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}

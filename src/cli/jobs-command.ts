import type { Command } from 'commander';
import { withDatabase } from './context.ts';
import { runScheduledJobs } from '../scheduled-jobs.ts';
import { createMailDelivery, drainOutbox } from '../platform/mail/index.ts';

export function register(program: Command): void {
  const jobs = program.command('jobs').description('Scheduled work (run daily from cron; the server also runs it hourly).');
  jobs
    .command('run')
    .description('Open spaces past their 6 weeks, close spaces of deceased holders, erase archives due and express deletions, then send pending mail.')
    .option('--no-mail', 'do not drain the outbox (messages stay queued for the server)')
    .action(async (opts: { mail: boolean }) => {
      await withDatabase(async (ctx) => {
        const t0 = performance.now();
        const report = await runScheduledJobs(ctx);
        console.log(`Spaces opened: ${report.opened}, closed after death: ${report.closedForDeath}, erased: ${report.purged}; expired sessions removed: ${report.expiredSessions}.`);
        if (opts.mail) {
          const delivery = createMailDelivery(ctx.config);
          try {
            const total = { sent: 0, retried: 0, failed: 0 };
            for (;;) {
              const r = await drainOutbox({ ...ctx, ...delivery }, { limit: 500 });
              total.sent += r.sent;
              total.retried += r.retried;
              total.failed += r.failed;
              if (r.sent + r.retried + r.failed < 500) break;
            }
            console.log(`Messages sent: ${total.sent}, to retry later: ${total.retried}, given up: ${total.failed}.`);
          } finally {
            await delivery.close();
          }
        }
        console.log(`Done in ${Math.round(performance.now() - t0)} ms.`);
      });
    });
}

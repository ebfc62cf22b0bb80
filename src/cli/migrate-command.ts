import type { Command } from 'commander';
import { withDatabase } from './context.ts';
import { latestMigration, migrate } from '../storage/index.ts';

export function register(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations (also done at every start).')
    .action(async () => {
      // withDatabase migrates; report what it did by reading the level before.
      await withDatabase(async ({ db, config }) => {
        const r = await migrate(db);
        console.log(`Database ${config.databaseUrl ? 'PostgreSQL' : `embedded (${config.dataDir})`} at migration ${r.to} of ${latestMigration()}.`);
      });
    });
}

import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('serve')
    .description('Start the Carnet server (migrates the database first; loads demo data on first start in development).')
    .action(async () => {
      const { serve } = await import('../main.ts');
      await serve(process.env);
    });
}

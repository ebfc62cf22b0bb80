import { Command, CommanderError } from 'commander';
import { isAppError } from '../platform/errors.ts';
import { commandModules } from './commands.ts';

/**
 * The `carnet` command. Each command lives in its own module (see commands.ts) and
 * registers itself on the program.
 */
export function buildProgram(): Command {
  const program = new Command()
    .name('carnet')
    .description('Carnet: personal health space. Configuration comes from the environment (see README: DATABASE_URL, CARNET_DATA_DIR, SMTP_URL, CARNET_SECRET...).')
    .version('0.1.0')
    .showHelpAfterError('(run carnet --help for the list of commands)');
  for (const m of commandModules) m.register(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram().exitOverride();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isAppError(e)) {
      console.error(`carnet: ${e.message}`);
      for (const d of e.details) console.error(`  - ${d.field ? `${d.field}: ` : ''}${d.reason}`);
      return 1;
    }
    console.error(`carnet: ${(e as Error).message}`);
    return 1;
  }
}

// Run when executed directly (bin/carnet.js, npm run carnet).
if (process.argv[1] && /(cli[/\\]index\.ts|bin[/\\]carnet(\.js)?)$/.test(process.argv[1])) {
  const code = await runCli(process.argv);
  // serve keeps running; every other command ends here.
  if (code !== 0) process.exit(code);
}

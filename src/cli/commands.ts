import type { Command } from 'commander';
import * as serve from './serve-command.ts';
import * as migrateCmd from './migrate-command.ts';

export interface CommandModule {
  register(program: Command): void;
}

/** Every command of the CLI, in the order `carnet --help` lists them. */
export const commandModules: CommandModule[] = [serve, migrateCmd];

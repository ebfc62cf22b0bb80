import type { Command } from 'commander';
import * as serve from './serve-command.ts';
import * as migrateCmd from './migrate-command.ts';
import * as jobs from './jobs-command.ts';
import * as importBeneficiaries from './import-beneficiaries-command.ts';
import * as importProfessionals from './import-professionals-command.ts';
import * as staff from './staff-command.ts';
import * as clients from './clients-command.ts';
import * as audit from './audit-command.ts';

export interface CommandModule {
  register(program: Command): void;
}

/** Every command of the CLI, in the order `carnet --help` lists them. */
export const commandModules: CommandModule[] = [serve, migrateCmd, jobs, importBeneficiaries, importProfessionals, staff, clients, audit];

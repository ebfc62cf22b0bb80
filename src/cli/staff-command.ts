import { Option } from 'commander';
import type { Command } from 'commander';
import { withDatabase } from './context.ts';
import { createStaffAccount, listStaffAccounts, revokeStaffAccount, STAFF_ROLES } from '../identity/index.ts';
import type { RevokeOutcome, StaffRole } from '../identity/index.ts';

/** Left-aligned columns separated by two spaces. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const when = (d: Date | null) => (d === null ? '' : d.toISOString().replace('T', ' ').slice(0, 19) + 'Z');

function revokeMessage(outcome: RevokeOutcome, id: string): string {
  switch (outcome) {
    case 'revoked':
      return `Account ${id} revoked: its token no longer works.`;
    case 'already_revoked':
      return `Account ${id} was already revoked.`;
  }
}

export function register(program: Command): void {
  const staff = program.command('staff').description('Insurer and operator accounts (API tokens).');

  staff
    .command('add')
    .description('Create an account and print its token, once.')
    .addOption(new Option('--role <role>', 'what the account may do').choices(STAFF_ROLES).makeOptionMandatory())
    .requiredOption('--name <name>', 'who uses it (a person or a team)')
    .action(async (opts: { role: StaffRole; name: string }) => {
      await withDatabase(async ({ db, clock, random, config }) => {
        const { accountId, token } = await createStaffAccount(db, { clock, random, config }, opts.role, opts.name);
        console.log(`Created ${opts.role} account "${opts.name.trim()}" (id ${accountId}).`);
        console.log('');
        console.log(`  ${token}`);
        console.log('');
        console.log('This token is shown ONCE: Carnet keeps only a keyed hash of it and cannot show it again.');
        console.log('Keep it safe (a password manager or a secret store), never in a script or a ticket.');
        console.log(`Send it as "Authorization: Bearer <token>". If it leaks: carnet staff revoke ${accountId}`);
      });
    });

  staff
    .command('list')
    .description('List the accounts (tokens are never shown).')
    .action(async () => {
      await withDatabase(async ({ db }) => {
        const accounts = await listStaffAccounts(db);
        if (accounts.length === 0) {
          console.log('No staff account yet. Create one with: carnet staff add --role operator --name NAME');
          return;
        }
        console.log(
          formatTable(
            ['id', 'role', 'name', 'created', 'revoked'],
            accounts.map((a) => [a.accountId, a.role, a.name, when(a.createdAt), when(a.revokedAt)]),
          ),
        );
      });
    });

  staff
    .command('revoke')
    .description('Revoke an account: its token stops working at once.')
    .argument('<id>', 'the account id (see carnet staff list)')
    .action(async (id: string) => {
      await withDatabase(async ({ db, clock }) => {
        console.log(revokeMessage(await revokeStaffAccount(db, clock, id), id));
      });
    });
}

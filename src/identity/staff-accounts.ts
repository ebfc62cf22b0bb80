/**
 * Insurer and operator accounts: API tokens made on the command line (`carnet staff ...`).
 * A token is shown once at creation; only its keyed hash is stored (see staff-auth.ts).
 */
import type { Config } from '../config.ts';
import type { Clock } from '../platform/clock.ts';
import type { Random } from '../platform/random.ts';
import { AppError } from '../platform/errors.ts';
import type { Queryable } from '../storage/index.ts';
import { STAFF_ROLES, staffTokenHash } from './staff-auth.ts';
import type { StaffRole } from './staff-auth.ts';

export interface StaffAccountDeps {
  clock: Clock;
  random: Random;
  config: Pick<Config, 'secret'>;
}

export interface StaffAccountRow {
  accountId: string;
  role: StaffRole;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isStaffRole(role: string): role is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(role);
}

/** Creates an account and returns its token, which is not stored and cannot be shown again. */
export async function createStaffAccount(q: Queryable, deps: StaffAccountDeps, role: StaffRole, name: string): Promise<{ accountId: string; token: string }> {
  if (!isStaffRole(role)) throw new AppError('validation_failed', `The role must be ${STAFF_ROLES.join(' or ')}.`, { details: [{ field: 'role', reason: `unknown role "${role}"` }] });
  const cleanName = name.trim().replace(/\s+/g, ' ');
  if (cleanName === '' || cleanName.length > 100 || /\p{Cc}/u.test(cleanName)) {
    throw new AppError('validation_failed', 'The account name must be 1 to 100 characters (a person or a team, e.g. "Exploitation - Alice Martin").', {
      details: [{ field: 'name', reason: 'must be 1-100 characters' }],
    });
  }
  const accountId = deps.random.uuid();
  const token = deps.random.token(32);
  await q.query('INSERT INTO staff_accounts (account_id, role, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5::timestamptz)', [
    accountId,
    role,
    cleanName,
    staffTokenHash(deps.config.secret, token),
    deps.clock.now().toISOString(),
  ]);
  return { accountId, token };
}

/** Every account, oldest first (revoked ones included). */
export async function listStaffAccounts(q: Queryable): Promise<StaffAccountRow[]> {
  const rows = await q.query<{ account_id: string; role: StaffRole; name: string; created_at: Date; revoked_at: Date | null }>(
    'SELECT account_id, role, name, created_at, revoked_at FROM staff_accounts ORDER BY created_at, account_id',
  );
  return rows.map((r) => ({ accountId: r.account_id, role: r.role, name: r.name, createdAt: new Date(r.created_at), revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at) }));
}

export const REVOKE_OUTCOMES = ['revoked', 'already_revoked'] as const;
export type RevokeOutcome = (typeof REVOKE_OUTCOMES)[number];

/** Revokes an account: its token stops working at once. Revoking twice is harmless. */
export async function revokeStaffAccount(q: Queryable, clock: Clock, accountId: string): Promise<RevokeOutcome> {
  if (!UUID.test(accountId)) throw new AppError('bad_request', `"${accountId}" is not an account id (a UUID, as \`carnet staff list\` shows).`);
  const updated = await q.query('UPDATE staff_accounts SET revoked_at = $2::timestamptz WHERE account_id = $1 AND revoked_at IS NULL RETURNING account_id', [
    accountId,
    clock.now().toISOString(),
  ]);
  if (updated.length > 0) return 'revoked';
  const exists = await q.query('SELECT 1 FROM staff_accounts WHERE account_id = $1', [accountId]);
  if (exists.length === 0) throw new AppError('not_found', `No staff account ${accountId} (see \`carnet staff list\`).`);
  return 'already_revoked';
}

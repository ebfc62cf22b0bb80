import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../storage/index.ts';
import { AppError } from '../platform/errors.ts';
import { keyedHash } from '../platform/secrets.ts';

export const STAFF_ROLES = ['operator', 'insurer'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffAccount {
  accountId: string;
  role: StaffRole;
  name: string;
}

export function staffTokenHash(secret: Buffer, token: string): string {
  return keyedHash(secret, 'staff-token', token);
}

/**
 * Authenticates an operator or insurer API call (`Authorization: Bearer <token>`; tokens are
 * made by `carnet staff add`) and checks its role. Wrong or missing token: 401.
 */
export async function requireStaff(q: Queryable, secret: Buffer, request: FastifyRequest, roles: readonly StaffRole[]): Promise<StaffAccount> {
  const header = request.headers.authorization;
  const m = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  if (!m?.[1]) throw new AppError('unauthenticated', 'This route needs an operator token: send "Authorization: Bearer <token>" (create one with `carnet staff add`).');
  const rows = await q.query<{ account_id: string; role: StaffRole; name: string }>(
    'SELECT account_id, role, name FROM staff_accounts WHERE token_hash = $1 AND revoked_at IS NULL',
    [staffTokenHash(secret, m[1])],
  );
  const account = rows[0];
  if (!account) throw new AppError('unauthenticated', 'Unknown or revoked token.');
  if (!roles.includes(account.role)) throw new AppError('forbidden', `This route is for ${roles.join(' or ')} accounts.`);
  return { accountId: account.account_id, role: account.role, name: account.name };
}

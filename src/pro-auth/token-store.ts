/**
 * SQL of the JWT-bearer grant: used assertion ids (replay protection) and access tokens.
 *
 * Access tokens are opaque (random, stored as keyed hashes) and looked up on every request,
 * rather than self-contained signed JWTs. The cost is one indexed read per request; the gain
 * is that a token stops working the moment its client is revoked or its professional leaves
 * the directory (a JWT lives until it expires, whatever happens), that nothing about the
 * professional is readable in the token, and that there is no signing key to protect or
 * rotate. Tokens live five minutes, so the table stays small.
 */
import type { Db, Queryable } from '../storage/index.ts';
import { keyedHash } from '../platform/secrets.ts';

export function accessTokenHash(secret: Buffer, token: string): string {
  return keyedHash(secret, 'access-token', token);
}

export interface NewAccessToken {
  tokenHash: string;
  clientId: string;
  /** The assertion's jti and until when it could still be accepted. */
  jti: string;
  jtiExpiresAt: Date;
  idNatPs: string;
  professionCode: string;
  specialtyCode: string | null;
  organisationFiness: string;
  scope: string;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * Records the assertion's jti and stores the access token, in one transaction. A jti already
 * recorded for this client and not yet expired is a replay: nothing is stored. Two requests
 * racing with one assertion both insert the same (client_id, jti): the second waits on the
 * primary key until the first commits, then finds the row live and gets 'replayed'.
 * A jti whose earlier assertion has expired may be used again (RFC 7523 §3 only asks to
 * remember jtis while their assertion could be accepted).
 */
export async function issueAccessToken(db: Db, t: NewAccessToken): Promise<'issued' | 'replayed'> {
  return db.tx(async (q) => {
    const recorded = await q.query(
      `INSERT INTO assertion_jtis AS a (client_id, jti, expires_at) VALUES ($1, $2, $3::timestamptz)
       ON CONFLICT (client_id, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE a.expires_at <= $4::timestamptz
       RETURNING jti`,
      [t.clientId, t.jti, t.jtiExpiresAt.toISOString(), t.createdAt.toISOString()],
    );
    if (recorded.length === 0) return 'replayed';
    await q.query(
      `INSERT INTO access_tokens (token_hash, client_id, id_nat_ps, profession_code, specialty_code, organisation_finess, scope, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9::timestamptz)`,
      [t.tokenHash, t.clientId, t.idNatPs, t.professionCode, t.specialtyCode, t.organisationFiness, t.scope, t.createdAt.toISOString(), t.expiresAt.toISOString()],
    );
    return 'issued';
  });
}

export interface LiveAccessToken {
  clientId: string;
  idNatPs: string;
  rpps: string;
  familyName: string;
  givenName: string;
  professionCode: string;
  specialtyCode: string | null;
  organisationFiness: string;
  scopes: string[];
  expiresAt: Date;
}

/**
 * The access token with this hash if it is still good: not expired, its client not revoked,
 * its professional still active in the directory. Else null.
 */
export async function findLiveAccessToken(q: Queryable, tokenHash: string, now: Date): Promise<LiveAccessToken | null> {
  const rows = await q.query<{
    client_id: string;
    id_nat_ps: string;
    rpps: string;
    family_name: string;
    given_name: string;
    profession_code: string;
    specialty_code: string | null;
    organisation_finess: string;
    scope: string;
    expires_at: Date | string;
  }>(
    `SELECT t.client_id, t.id_nat_ps, p.rpps, p.family_name, p.given_name, t.profession_code, t.specialty_code, t.organisation_finess, t.scope, t.expires_at
       FROM access_tokens t
       JOIN software_clients c ON c.client_id = t.client_id AND c.revoked_at IS NULL
       JOIN professionals p ON p.id_nat_ps = t.id_nat_ps AND p.active
      WHERE t.token_hash = $1 AND t.expires_at > $2::timestamptz`,
    [tokenHash, now.toISOString()],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    clientId: r.client_id,
    idNatPs: r.id_nat_ps,
    rpps: r.rpps,
    familyName: r.family_name,
    givenName: r.given_name,
    professionCode: r.profession_code,
    specialtyCode: r.specialty_code,
    organisationFiness: r.organisation_finess,
    scopes: r.scope.split(' ').filter((s) => s !== ''),
    expiresAt: new Date(r.expires_at),
  };
}

/**
 * Deletes expired access tokens and the jtis of expired assertions. For the scheduled jobs:
 * correctness does not depend on it (expired rows are ignored), only the tables' size.
 */
export async function purgeExpiredTokenState(q: Queryable, now: Date): Promise<{ accessTokens: number; assertionJtis: number }> {
  const at = now.toISOString();
  const tokens = await q.query('DELETE FROM access_tokens WHERE expires_at <= $1::timestamptz RETURNING client_id', [at]);
  const jtis = await q.query('DELETE FROM assertion_jtis WHERE expires_at <= $1::timestamptz RETURNING client_id', [at]);
  return { accessTokens: tokens.length, assertionJtis: jtis.length };
}

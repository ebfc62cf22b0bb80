/**
 * Software clients: professionals' software (hospital systems, labs, practice software) that
 * reaches Carnet without a browser, with the JWT-bearer grant (RFC 7523). An operator
 * registers each one (`carnet clients add`) with the organisation it acts for and its public
 * keys (a JWKS); the software keeps its private key and signs assertions with it.
 */
import { calculateJwkThumbprint, importJWK } from 'jose';
import type { JSONWebKeySet, JWK } from 'jose';
import type { Clock } from '../platform/clock.ts';
import type { Random } from '../platform/random.ts';
import { AppError } from '../platform/errors.ts';
import type { ErrorDetail } from '../platform/errors.ts';
import type { Db, Queryable } from '../storage/index.ts';
import { checkFiness, findOrganisation } from '../identity/index.ts';

/** Signature algorithms an assertion may use. Never `none`, never a shared secret (HS*). */
export const ASSERTION_ALGORITHMS = ['RS256', 'PS256', 'ES256'] as const;
export type AssertionAlgorithm = (typeof ASSERTION_ALGORITHMS)[number];

export function isAssertionAlgorithm(alg: unknown): alg is AssertionAlgorithm {
  return typeof alg === 'string' && (ASSERTION_ALGORITHMS as readonly string[]).includes(alg);
}

const RSA_ALGORITHMS: readonly AssertionAlgorithm[] = ['RS256', 'PS256'];
const EC_ALGORITHMS: readonly AssertionAlgorithm[] = ['ES256'];
const MIN_RSA_BITS = 2048;
const MAX_KEYS = 10;

/** Members that only a private (or secret) key has: their presence means the key leaked to us. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** A public key as Carnet stores it: the members a verifier needs, nothing else. */
export interface PublicJwk {
  kty: 'RSA' | 'EC';
  kid?: string;
  alg?: AssertionAlgorithm;
  use?: 'sig';
  n?: string;
  e?: string;
  crv?: 'P-256';
  x?: string;
  y?: string;
}

export interface PublicJwks {
  keys: PublicJwk[];
}

export interface SoftwareClient {
  clientId: string;
  name: string;
  /** The organisation the software acts for: only its professionals can be named in assertions. */
  organisationFiness: string;
  jwks: PublicJwks;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface SoftwareClientSummary extends Omit<SoftwareClient, 'jwks'> {
  organisationName: string | null;
  /** Each key's kid, or its RFC 7638 thumbprint when it has none. */
  keyIds: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function jwksError(reason: string, details: ErrorDetail[] = []): AppError {
  return new AppError('validation_failed', `The JWKS ${reason}`, { details });
}

/** Bits of an RSA modulus given as base64url (leading zero bytes do not count). */
function modulusBits(n: string): number {
  const bytes = Buffer.from(n, 'base64url');
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  const first = bytes[i];
  if (first === undefined) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(first));
}

/** Checks one key; returns its stored form, or the reasons it is refused. */
async function checkKey(key: unknown): Promise<PublicJwk | string[]> {
  if (!isObject(key)) return ['is not a JSON object'];
  const present = PRIVATE_MEMBERS.filter((m) => key[m] !== undefined);
  if (present.length > 0) {
    return [
      `contains private key material (${present.map((m) => `"${m}"`).join(', ')}): register the PUBLIC key only, and consider this private key exposed (make a new pair)`,
    ];
  }
  const problems: string[] = [];
  const { kty, kid, alg, use, key_ops: keyOps } = key;
  if (kid !== undefined && (typeof kid !== 'string' || kid === '' || kid.length > 200)) problems.push('"kid" must be a non-empty string of at most 200 characters');
  if (use !== undefined && use !== 'sig') problems.push(`"use" must be "sig" (signature), got ${JSON.stringify(use)}`);
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('verify'))) problems.push('"key_ops" must include "verify"');
  if (alg !== undefined && !isAssertionAlgorithm(alg)) problems.push(`"alg" ${JSON.stringify(alg)} is not accepted (accepted: ${ASSERTION_ALGORITHMS.join(', ')})`);

  let stored: PublicJwk;
  if (kty === 'RSA') {
    if (typeof key.n !== 'string' || typeof key.e !== 'string') return [...problems, 'an RSA key needs "n" and "e"'];
    const bits = modulusBits(key.n);
    if (bits < MIN_RSA_BITS) problems.push(`RSA key of ${bits} bits is too short: at least ${MIN_RSA_BITS} bits`);
    if (isAssertionAlgorithm(alg) && !RSA_ALGORITHMS.includes(alg)) problems.push(`"alg" ${alg} does not go with an RSA key (use RS256 or PS256)`);
    stored = { kty: 'RSA', n: key.n, e: key.e };
  } else if (kty === 'EC') {
    if (key.crv !== 'P-256') return [...problems, `unsupported EC curve ${JSON.stringify(key.crv)}: only P-256 (ES256) is accepted`];
    if (typeof key.x !== 'string' || typeof key.y !== 'string') return [...problems, 'an EC key needs "x" and "y"'];
    if (isAssertionAlgorithm(alg) && !EC_ALGORITHMS.includes(alg)) problems.push(`"alg" ${alg} does not go with an EC P-256 key (use ES256)`);
    stored = { kty: 'EC', crv: 'P-256', x: key.x, y: key.y };
  } else {
    return [...problems, `unsupported key type ${JSON.stringify(kty)}: accepted are RSA (>= ${MIN_RSA_BITS} bits, RS256 or PS256) and EC P-256 (ES256)`];
  }
  if (problems.length > 0) return problems;
  if (typeof kid === 'string') stored.kid = kid;
  if (isAssertionAlgorithm(alg)) stored.alg = alg;
  stored.use = 'sig';
  try {
    // The key must really be one (a point on the curve, a well-formed modulus).
    await importJWK(stored as JWK, stored.alg ?? (stored.kty === 'RSA' ? 'RS256' : 'ES256'));
  } catch (e) {
    return [`is not a usable public key (${(e as Error).message})`];
  }
  return stored;
}

/**
 * Validates a client's JWKS (`{"keys": [...]}`) and returns what Carnet stores: public
 * members only. Refuses private keys, symmetric keys, RSA under 2048 bits, curves other than
 * P-256, algorithms other than RS256/PS256/ES256, and duplicate kids.
 */
export async function checkClientJwks(value: unknown): Promise<PublicJwks> {
  if (isObject(value) && typeof value.kty === 'string' && value.keys === undefined) {
    throw jwksError('file holds a single key, not a key set: wrap it as {"keys": [ <the key> ]}.');
  }
  if (!isObject(value) || !Array.isArray(value.keys)) throw jwksError('file is not a JWKS: expected a JSON object {"keys": [ ... ]} (RFC 7517 §5).');
  const keys: unknown[] = value.keys;
  if (keys.length === 0) throw jwksError('has no key: "keys" is empty.');
  if (keys.length > MAX_KEYS) throw jwksError(`has ${keys.length} keys: at most ${MAX_KEYS}.`);
  const details: ErrorDetail[] = [];
  const stored: PublicJwk[] = [];
  for (const [i, key] of keys.entries()) {
    const checked = await checkKey(key);
    if (Array.isArray(checked)) details.push(...checked.map((reason) => ({ field: `keys[${i}]`, reason })));
    else stored.push(checked);
  }
  const kids = stored.map((k) => k.kid).filter((k) => k !== undefined);
  const repeated = kids.filter((k, i) => kids.indexOf(k) !== i);
  for (const kid of new Set(repeated)) details.push({ field: 'keys', reason: `kid "${kid}" is used by several keys` });
  if (details.length > 0) {
    const privateKey = details.some((d) => d.reason.startsWith('contains private key material'));
    const first = details[0];
    throw jwksError(
      privateKey
        ? 'contains a PRIVATE key: Carnet must only ever receive public keys.'
        : `is refused: ${first?.field}: ${first?.reason}${details.length > 1 ? ` (and ${details.length - 1} more problem(s))` : ''}.`,
      details,
    );
  }
  return { keys: stored };
}

/** Parses and validates the text of a JWKS file. */
export async function parseClientJwks(text: string): Promise<PublicJwks> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw jwksError(`file is not JSON (${(e as Error).message}): expected {"keys": [ ... ]}.`);
  }
  return checkClientJwks(value);
}

export interface SoftwareClientDeps {
  clock: Clock;
  random: Random;
}

export interface NewSoftwareClient {
  name: string;
  organisationFiness: string;
  /** The client's JWKS (parsed JSON), checked here. */
  jwks: unknown;
}

const CLIENT_ID = /^sw_[A-Za-z0-9_-]{16,64}$/;

/**
 * Registers a software client for an organisation of the directory. Returns the client_id
 * the software puts in the "iss" of its assertions.
 */
export async function registerSoftwareClient(q: Queryable, deps: SoftwareClientDeps, input: NewSoftwareClient): Promise<SoftwareClient> {
  const name = input.name.trim().replace(/\s+/g, ' ');
  if (name === '' || name.length > 100 || /\p{Cc}/u.test(name)) {
    throw new AppError('validation_failed', 'The client name must be 1 to 100 characters (the software and where it runs, e.g. "DPI Hôpital Paris-Est").', {
      details: [{ field: 'name', reason: 'must be 1-100 characters' }],
    });
  }
  const finess = checkFiness(input.organisationFiness);
  if (!finess.ok) throw new AppError('validation_failed', `The organisation FINESS ${finess.reason}.`, { details: [{ field: 'organisation', reason: finess.reason }] });
  const organisation = await findOrganisation(q, finess.value);
  if (organisation === null) {
    throw new AppError('not_found', `No organisation with FINESS ${finess.value} in the directory. Import the directory first (carnet import-professionals), or check the number.`);
  }
  if (!organisation.active) throw new AppError('validation_failed', `The organisation ${finess.value} (${organisation.name}) is no longer active in the directory.`);
  const jwks = await checkClientJwks(input.jwks);
  const clientId = `sw_${deps.random.token(16)}`;
  const now = deps.clock.now();
  await q.query('INSERT INTO software_clients (client_id, name, organisation_finess, jwks, created_at) VALUES ($1, $2, $3, $4::jsonb, $5::timestamptz)', [
    clientId,
    name,
    finess.value,
    JSON.stringify(jwks),
    now.toISOString(),
  ]);
  return { clientId, name, organisationFiness: finess.value, jwks, createdAt: now, revokedAt: null };
}

interface ClientRow {
  client_id: string;
  name: string;
  organisation_finess: string;
  jwks: PublicJwks | string;
  created_at: Date | string;
  revoked_at: Date | string | null;
}

function toClient(r: ClientRow): SoftwareClient {
  return {
    clientId: r.client_id,
    name: r.name,
    organisationFiness: r.organisation_finess,
    jwks: typeof r.jwks === 'string' ? (JSON.parse(r.jwks) as PublicJwks) : r.jwks,
    createdAt: new Date(r.created_at),
    revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at),
  };
}

/** A client by id (revoked or not), or null. */
export async function findSoftwareClient(q: Queryable, clientId: string): Promise<SoftwareClient | null> {
  if (!CLIENT_ID.test(clientId)) return null;
  const rows = await q.query<ClientRow>('SELECT client_id, name, organisation_finess, jwks, created_at, revoked_at FROM software_clients WHERE client_id = $1', [clientId]);
  return rows[0] ? toClient(rows[0]) : null;
}

/** Every client, oldest first (revoked ones included). */
export async function listSoftwareClients(q: Queryable): Promise<SoftwareClientSummary[]> {
  const rows = await q.query<ClientRow & { organisation_name: string | null }>(
    `SELECT c.client_id, c.name, c.organisation_finess, c.jwks, c.created_at, c.revoked_at, o.name AS organisation_name
       FROM software_clients c LEFT JOIN organisations o ON o.finess = c.organisation_finess
      ORDER BY c.created_at, c.client_id`,
  );
  return Promise.all(
    rows.map(async (r) => {
      const { jwks, ...client } = toClient(r);
      const keyIds = await Promise.all(jwks.keys.map((k) => k.kid ?? calculateJwkThumbprint(k as JWK)));
      return { ...client, organisationName: r.organisation_name, keyIds };
    }),
  );
}

export type RevokeClientOutcome = { outcome: 'revoked'; tokensInvalidated: number } | { outcome: 'already_revoked'; tokensInvalidated: 0 };

/**
 * Revokes a client: its live access tokens are deleted in the same transaction and its
 * assertions are refused from now on. Revoking twice is harmless.
 */
export async function revokeSoftwareClient(db: Db, clock: Clock, clientId: string): Promise<RevokeClientOutcome> {
  if (!CLIENT_ID.test(clientId)) throw new AppError('bad_request', `"${clientId}" is not a client id (sw_..., as \`carnet clients list\` shows).`);
  const now = clock.now();
  return db.tx(async (q) => {
    const updated = await q.query('UPDATE software_clients SET revoked_at = $2::timestamptz WHERE client_id = $1 AND revoked_at IS NULL RETURNING client_id', [
      clientId,
      now.toISOString(),
    ]);
    if (updated.length === 0) {
      const exists = await q.query('SELECT 1 FROM software_clients WHERE client_id = $1', [clientId]);
      if (exists.length === 0) throw new AppError('not_found', `No software client ${clientId} (see \`carnet clients list\`).`);
      return { outcome: 'already_revoked', tokensInvalidated: 0 };
    }
    const deleted = await q.query<{ expires_at: Date | string }>('DELETE FROM access_tokens WHERE client_id = $1 RETURNING expires_at', [clientId]);
    return { outcome: 'revoked', tokensInvalidated: deleted.filter((t) => new Date(t.expires_at) > now).length };
  });
}

/** The JWKS as jose's key-set type. */
export function asJsonWebKeySet(jwks: PublicJwks): JSONWebKeySet {
  return { keys: jwks.keys.map((k) => ({ ...k })) };
}

/**
 * The JWT-bearer grant (RFC 7523 §2.1, §3): professionals' software exchanges an assertion it
 * signed with its registered key for a short-lived access token to /api and /fhir.
 *
 * As in node-oidc-provider's token action, the grant is a list of named steps, each checking
 * one thing and refusing with the RFC's error code (RFC 6749 §5.2): a malformed request is
 * invalid_request, an unknown or revoked client invalid_client (401), and anything wrong with
 * the assertion itself invalid_grant (RFC 7523 §3.1: "If the JWT is not valid, ... the
 * authorization server constructs an error response ... the value of the error parameter MUST
 * be the invalid_grant error code"), including a subject the directory does not vouch for.
 *
 * The assertion:
 *   header  alg RS256 | PS256 | ES256 (kid when the client has several keys)
 *   iss     the client_id (`carnet clients add` prints it)
 *   sub     the professional's idNatPs ("8" + RPPS)
 *   aud     the token endpoint URL, `${baseUrl}/oauth/token`
 *   exp     at most 5 minutes ahead; iat and nbf, if present, not in the future
 *   jti     unique: a second use is refused
 *   profession  TRE_G15 code, as the directory says
 *   specialty   TRE_R38 code, optional; if present, as the directory says
 *   organisation  FINESS of the client's organisation, which must employ the professional
 */
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyOptions, ProtectedHeaderParameters } from 'jose';
import type { Config } from '../config.ts';
import type { Clock } from '../platform/clock.ts';
import type { Random } from '../platform/random.ts';
import type { Db } from '../storage/index.ts';
import { checkIdNatPs, findProfessional } from '../identity/index.ts';
import type { Professional } from '../identity/index.ts';
import { ASSERTION_ALGORITHMS, asJsonWebKeySet, findSoftwareClient, isAssertionAlgorithm } from './software-clients.ts';
import type { SoftwareClient } from './software-clients.ts';
import { OAuthError } from './token-errors.ts';
import { accessTokenHash, issueAccessToken } from './token-store.ts';

export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Access tokens live five minutes: the software asks again with a new assertion. */
export const ACCESS_TOKEN_TTL_SECONDS = 300;
/** An assertion may not be valid for longer than this (exp - iat, and exp - now). */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
/** Tolerated difference between the software's clock and ours. */
export const CLOCK_SKEW_SECONDS = 30;
/** What a token may be used for: `api` (/api/...) and `fhir` (/fhir/...). Default: both. */
export const SOFTWARE_SCOPES = ['api', 'fhir'] as const;
export type SoftwareScope = (typeof SOFTWARE_SCOPES)[number];
/** Prefix of access tokens, so that secret scanners (and people) recognise a leaked one. */
export const ACCESS_TOKEN_PREFIX = 'carnet_at_';
const MAX_JTI_LENGTH = 255;

/** The token endpoint URL: where assertions are posted, and the `aud` they must carry. */
export function tokenEndpointUrl(config: Pick<Config, 'baseUrl'>): string {
  return `${config.baseUrl}/oauth/token`;
}

export interface GrantDeps {
  db: Db;
  clock: Clock;
  random: Random;
  config: Pick<Config, 'baseUrl' | 'secret'>;
}

/** The form parameters of the token request. */
export type TokenParams = Readonly<Record<string, string | undefined>>;

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export interface IssuedToken {
  response: TokenResponse;
  clientId: string;
  idNatPs: string;
}

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);
const refuse = (description: string, cause?: unknown) => new OAuthError('invalid_grant', description, { cause });

// ---------------------------------------------------------------------------------------
// The steps, in order.

/** The request asks for the JWT-bearer grant, the only one this endpoint serves. */
export function checkGrantType(params: TokenParams): void {
  const grantType = params.grant_type;
  if (grantType === undefined || grantType === '') throw new OAuthError('invalid_request', `grant_type is required: ${JWT_BEARER_GRANT_TYPE}.`);
  if (grantType !== JWT_BEARER_GRANT_TYPE) throw new OAuthError('unsupported_grant_type', `grant_type "${grantType}" is not supported here: use ${JWT_BEARER_GRANT_TYPE} (RFC 7523).`);
}

/** The request carries an assertion. */
export function requireAssertion(params: TokenParams): string {
  const assertion = params.assertion;
  if (assertion === undefined || assertion === '') throw new OAuthError('invalid_request', 'assertion is required: the signed JWT (RFC 7523 §2.1).');
  return assertion;
}

/** The requested scope, if any, is one Carnet knows; none asked means all of them. */
export function checkScope(params: TokenParams): SoftwareScope[] {
  const asked = (params.scope ?? '').split(' ').filter((s) => s !== '');
  if (asked.length === 0) return [...SOFTWARE_SCOPES];
  const unknown = asked.filter((s) => !(SOFTWARE_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new OAuthError('invalid_scope', `Unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}: the scopes are ${SOFTWARE_SCOPES.join(' and ')}.`);
  return SOFTWARE_SCOPES.filter((s) => asked.includes(s));
}

interface UnverifiedAssertion {
  header: ProtectedHeaderParameters;
  claims: JWTPayload;
}

/** The assertion is a signed JWT in compact form (read, not yet trusted). */
export function decodeAssertion(assertion: string): UnverifiedAssertion {
  try {
    return { header: decodeProtectedHeader(assertion), claims: decodeJwt(assertion) };
  } catch (e) {
    throw refuse('The assertion is not a signed JWT in compact form (header.payload.signature, base64url).', e);
  }
}

/** The assertion is signed with an asymmetric algorithm Carnet accepts (never none, never HS*). */
export function checkAlgorithm(header: ProtectedHeaderParameters): void {
  if (!isAssertionAlgorithm(header.alg)) {
    throw refuse(`The assertion's algorithm ${JSON.stringify(header.alg ?? null)} is not accepted: sign with ${ASSERTION_ALGORITHMS.join(', ')} and a key registered for your client.`);
  }
}

/** The issuer is a registered client that is not revoked (and matches client_id if sent). */
export async function findActiveClient(deps: Pick<GrantDeps, 'db'>, claims: JWTPayload, params: TokenParams): Promise<SoftwareClient> {
  const iss = claims.iss;
  if (typeof iss !== 'string' || iss === '') throw refuse('The assertion has no "iss" claim: put your client_id there.');
  if (params.client_id !== undefined && params.client_id !== iss) {
    throw new OAuthError('invalid_client', `client_id "${params.client_id}" differs from the assertion's issuer "${iss}".`);
  }
  const client = await findSoftwareClient(deps.db, iss);
  if (client === null) throw new OAuthError('invalid_client', `Unknown client "${iss}": the assertion's "iss" must be the client_id an operator registered (carnet clients add).`);
  if (client.revokedAt !== null) throw new OAuthError('invalid_client', `Client "${iss}" was revoked on ${client.revokedAt.toISOString()}.`);
  return client;
}

/**
 * The signature verifies with one of the client's registered keys, and jose checks the
 * audience, exp and nbf against Carnet's clock (`currentDate`, with the tolerated skew).
 */
export async function verifyAssertion(deps: Pick<GrantDeps, 'clock' | 'config'>, assertion: string, client: SoftwareClient): Promise<JWTPayload> {
  const audience = tokenEndpointUrl(deps.config);
  const options: JWTVerifyOptions = {
    algorithms: [...ASSERTION_ALGORITHMS],
    issuer: client.clientId,
    audience,
    requiredClaims: ['exp'],
    currentDate: deps.clock.now(),
    clockTolerance: CLOCK_SKEW_SECONDS,
  };
  try {
    return (await jwtVerify(assertion, createLocalJWKSet(asJsonWebKeySet(client.jwks)), options)).payload;
  } catch (e) {
    // Several registered keys fit the header (no kid): the one that verifies wins.
    if (!(e instanceof errors.JWKSMultipleMatchingKeys)) throw assertionRefused(e, client, audience);
    for await (const key of e) {
      try {
        return (await jwtVerify(assertion, key, options)).payload;
      } catch (inner) {
        if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw assertionRefused(inner, client, audience);
      }
    }
    throw assertionRefused(new errors.JWSSignatureVerificationFailed(), client, audience);
  }
}

/** jose's verdict as a sentence the software's developers can act on. */
function assertionRefused(e: unknown, client: SoftwareClient, audience: string): OAuthError {
  if (e instanceof errors.JWSSignatureVerificationFailed || e instanceof errors.JWKSNoMatchingKey) {
    return refuse(`The assertion's signature does not verify with the keys registered for client "${client.clientId}" (check the private key and the "kid").`, e);
  }
  if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported) {
    return refuse(`The assertion's algorithm is not accepted: sign with ${ASSERTION_ALGORITHMS.join(', ')}.`, e);
  }
  if (e instanceof errors.JWTExpired) return refuse('The assertion has expired ("exp" is in the past): sign a new one for each token request.', e);
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.reason === 'missing') return refuse(`The assertion has no "${e.claim}" claim.`, e);
    switch (e.claim) {
      case 'aud':
        return refuse(`The assertion's "aud" must be the token endpoint URL, ${audience}.`, e);
      case 'nbf':
        return refuse('The assertion is not valid yet ("nbf" is in the future): check the software\'s clock.', e);
      case 'iss':
        return refuse('The assertion\'s "iss" must be your client_id.', e);
      default:
        return refuse(`The assertion's "${e.claim}" claim is invalid (${e.message}).`, e);
    }
  }
  if (e instanceof errors.JOSEError) return refuse(`The assertion is malformed (${e.message}).`, e);
  return e instanceof OAuthError ? e : new OAuthError('server_error', 'The assertion could not be checked.', { cause: e });
}

/** The assertion is short-lived and not issued in the future. */
export function checkLifetime(claims: JWTPayload, now: Date): { expiresAt: Date } {
  const t = epoch(now);
  const exp = claims.exp as number; // present and numeric: jose checked it
  if (exp - t > MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    throw refuse(`The assertion's "exp" is too far ahead: an assertion may live at most ${MAX_ASSERTION_LIFETIME_SECONDS / 60} minutes.`);
  }
  if (claims.iat !== undefined) {
    if (claims.iat > t + CLOCK_SKEW_SECONDS) throw refuse('The assertion is issued in the future ("iat" is ahead of our clock): check the software\'s clock.');
    if (exp - claims.iat > MAX_ASSERTION_LIFETIME_SECONDS) {
      throw refuse(`The assertion lives ${exp - claims.iat} s from "iat" to "exp": at most ${MAX_ASSERTION_LIFETIME_SECONDS} s.`);
    }
  }
  // Remembered until it could no longer be accepted.
  return { expiresAt: new Date((exp + CLOCK_SKEW_SECONDS) * 1000) };
}

/** The assertion carries a jti (its uniqueness is checked when the token is stored). */
export function requireJti(claims: JWTPayload): string {
  const jti = claims.jti;
  if (typeof jti !== 'string' || jti === '') throw refuse('The assertion has no "jti" claim: give each assertion a unique identifier (a random UUID).');
  if (jti.length > MAX_JTI_LENGTH) throw refuse(`The assertion's "jti" is longer than ${MAX_JTI_LENGTH} characters.`);
  return jti;
}

/** The subject is an active professional of the directory. */
export async function findSubject(deps: Pick<GrantDeps, 'db'>, claims: JWTPayload): Promise<Professional> {
  const sub = claims.sub;
  if (typeof sub !== 'string') throw refuse('The assertion has no "sub" claim: put the professional\'s idNatPs there ("8" + RPPS).');
  const id = checkIdNatPs(sub);
  if (!id.ok) throw refuse(`The assertion's "sub" is not an idNatPs: ${id.reason}.`);
  const professional = await findProfessional(deps.db, id.value);
  if (professional === null) throw refuse(`No professional ${id.value} in the directory.`);
  if (!professional.active) throw refuse(`The professional ${id.value} is no longer active in the directory.`);
  return professional;
}

/**
 * The client's organisation employs the professional: the directory lists the professional at
 * the FINESS the client was registered for, and that organisation is active. A real directory
 * (RPPS "situations d'exercice") lists several exercise places per professional; Carnet's keeps
 * one, and this check becomes "one of them" when it keeps several.
 */
export function checkEmployedByClient(professional: Professional, client: SoftwareClient): void {
  const organisation = professional.organisation;
  if (organisation === null || organisation.finess !== client.organisationFiness) {
    throw refuse(`The directory does not list professional ${professional.idNatPs} at organisation ${client.organisationFiness}, the one client "${client.clientId}" acts for.`);
  }
  if (!organisation.active) throw refuse(`The organisation ${organisation.finess} is no longer active in the directory.`);
}

/** What the assertion says of the professional agrees with the directory. */
export function checkClaimsMatchDirectory(claims: JWTPayload, professional: Professional): void {
  const { profession, specialty, organisation } = claims;
  if (typeof profession !== 'string') throw refuse('The assertion has no "profession" claim (TRE_G15 code, e.g. "10" for a physician).');
  if (profession !== professional.professionCode) {
    throw refuse(`The assertion's "profession" ${JSON.stringify(profession)} disagrees with the directory (${professional.professionCode}) for ${professional.idNatPs}.`);
  }
  if (specialty !== undefined && specialty !== null && specialty !== professional.specialtyCode) {
    throw refuse(`The assertion's "specialty" ${JSON.stringify(specialty)} disagrees with the directory (${professional.specialtyCode ?? 'none'}) for ${professional.idNatPs}.`);
  }
  if (typeof organisation !== 'string') throw refuse('The assertion has no "organisation" claim (FINESS of the organisation the professional acts for).');
  if (organisation !== professional.organisation?.finess) {
    throw refuse(`The assertion's "organisation" ${JSON.stringify(organisation)} disagrees with the directory (${professional.organisation?.finess ?? 'none'}) for ${professional.idNatPs}.`);
  }
}

/**
 * Records the jti and stores the token in one transaction; a jti already used is a replay.
 */
export async function issueToken(
  deps: GrantDeps,
  client: SoftwareClient,
  professional: Professional,
  assertion: { jti: string; expiresAt: Date },
  scopes: readonly SoftwareScope[],
): Promise<TokenResponse> {
  const now = deps.clock.now();
  const token = `${ACCESS_TOKEN_PREFIX}${deps.random.token(32)}`;
  const scope = scopes.join(' ');
  const outcome = await issueAccessToken(deps.db, {
    tokenHash: accessTokenHash(deps.config.secret, token),
    clientId: client.clientId,
    jti: assertion.jti,
    jtiExpiresAt: assertion.expiresAt,
    idNatPs: professional.idNatPs,
    professionCode: professional.professionCode,
    specialtyCode: professional.specialtyCode,
    organisationFiness: client.organisationFiness,
    scope,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ACCESS_TOKEN_TTL_SECONDS * 1000),
  });
  if (outcome === 'replayed') throw refuse(`The assertion's "jti" ${JSON.stringify(assertion.jti)} was already used: sign a new assertion for each token request.`);
  return { access_token: token, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS, scope };
}

/** Runs the steps of the JWT-bearer grant; throws an OAuthError at the first that fails. */
export async function exchangeAssertion(deps: GrantDeps, params: TokenParams): Promise<IssuedToken> {
  checkGrantType(params);
  const assertion = requireAssertion(params);
  const scopes = checkScope(params);
  const unverified = decodeAssertion(assertion);
  checkAlgorithm(unverified.header);
  const client = await findActiveClient(deps, unverified.claims, params);
  const claims = await verifyAssertion(deps, assertion, client);
  const lifetime = checkLifetime(claims, deps.clock.now());
  const jti = requireJti(claims);
  const professional = await findSubject(deps, claims);
  checkEmployedByClient(professional, client);
  checkClaimsMatchDirectory(claims, professional);
  const response = await issueToken(deps, client, professional, { jti, expiresAt: lifetime.expiresAt }, scopes);
  return { response, clientId: client.clientId, idNatPs: professional.idNatPs };
}

/**
 * Test kit for the JWT-bearer grant: what a professional's software does (make a key pair,
 * publish its public JWKS, sign assertions, post them). Used by tests only.
 */
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK, JWTPayload } from 'jose';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { JWT_BEARER_GRANT_TYPE } from './token-grant.ts';

export type KitAlgorithm = 'ES256' | 'RS256' | 'PS256';

export interface SoftwareKey {
  alg: KitAlgorithm;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** `{"keys": [publicJwk]}`: what the operator registers. */
  jwks: { keys: JWK[] };
}

export async function softwareKey(alg: KitAlgorithm = 'ES256', kid?: string): Promise<SoftwareKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  if (kid !== undefined) publicJwk.kid = kid;
  return { alg, privateKey, publicJwk, jwks: { keys: [publicJwk] } };
}

export interface AssertionInput {
  iss: string;
  sub: string;
  aud: string | string[];
  now: Date;
  /** Seconds from now; default 120. */
  expIn?: number | null;
  /** Seconds from now for iat; default 0; null leaves it out. */
  iatIn?: number | null;
  nbfIn?: number;
  /** Default: a random UUID; null leaves it out. */
  jti?: string | null;
  /** Professional claims (profession, specialty, organisation) and anything else. */
  claims?: Record<string, unknown>;
  kid?: string;
}

/** Signs an assertion as the software would. */
export async function signAssertion(key: Pick<SoftwareKey, 'alg' | 'privateKey'>, input: AssertionInput): Promise<string> {
  const t = Math.floor(input.now.getTime() / 1000);
  const payload: JWTPayload = { ...input.claims, iss: input.iss, sub: input.sub, aud: input.aud };
  if (input.expIn !== null) payload.exp = t + (input.expIn ?? 120);
  if (input.iatIn !== null) payload.iat = t + (input.iatIn ?? 0);
  if (input.nbfIn !== undefined) payload.nbf = t + input.nbfIn;
  if (input.jti !== null) payload.jti = input.jti ?? crypto.randomUUID();
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, typ: 'JWT', ...(input.kid === undefined ? {} : { kid: input.kid }) }).sign(key.privateKey);
}

/** POSTs a form to /oauth/token. */
export function postToken(app: FastifyInstance, params: Record<string, string>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(params).toString(),
  });
}

/** POSTs a JWT-bearer grant with this assertion. */
export function exchange(app: FastifyInstance, assertion: string, extra: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return postToken(app, { grant_type: JWT_BEARER_GRANT_TYPE, assertion, ...extra });
}

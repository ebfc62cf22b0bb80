/**
 * Bearer access tokens (RFC 6750) on /api and /fhir: when a request sends
 * `Authorization: Bearer <token>` and no other door has set `request.professional`, the token
 * is looked up and, if live, becomes the request's ProfessionalPrincipal (via 'jwt-bearer').
 *
 * The hook never refuses a request itself: a route that needs a professional calls
 * requireProfessional, which answers 401; this module then adds
 * `WWW-Authenticate: Bearer error="invalid_token"` to that 401 (RFC 6750 §3.1) so the software
 * knows to get a new token. Operator routes (/api/operator/...) carry staff tokens in the same
 * header (identity/staff-auth.ts): they are left alone.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app.ts';
import type { ProfessionalPrincipal } from './professional-principal.ts';
import { accessTokenHash, findLiveAccessToken } from './token-store.ts';
import type { SoftwareScope } from './token-grant.ts';

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/** The token of an `Authorization: Bearer` header; null without one, '' when malformed. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined || !/^Bearer(\s|$)/i.test(header)) return null;
  return BEARER.exec(header)?.[1] ?? '';
}

/** The scope a path needs, or null for paths no access token serves. */
export function scopeForPath(path: string): SoftwareScope | null {
  if (path.startsWith('/api/operator/')) return null; // staff tokens live there
  if (path.startsWith('/api/')) return 'api';
  if (path === '/fhir' || path.startsWith('/fhir/')) return 'fhir';
  return null;
}

interface BearerProblem {
  error: 'invalid_token' | 'insufficient_scope';
  description: string;
}

/** Requests whose bearer token was refused, and why (for WWW-Authenticate on their 401). */
const refused = new WeakMap<FastifyRequest, BearerProblem>();

const quote = (s: string) => s.replace(/["\\]/g, '');

/** Adds the hooks to `app` (the caller registers this without encapsulation). */
export function addBearerTokenHooks(app: FastifyInstance, deps: AppDeps): void {
  app.addHook('onRequest', async (request) => {
    if (request.professional !== null) return;
    const token = bearerToken(request.headers.authorization);
    if (token === null) return;
    const scope = scopeForPath(request.url.split('?')[0] ?? '');
    if (scope === null) return;
    if (token === '') {
      refused.set(request, { error: 'invalid_token', description: 'The Authorization header is not "Bearer <token>".' });
      return;
    }
    const live = await findLiveAccessToken(deps.db, accessTokenHash(deps.config.secret, token), deps.clock.now());
    if (live === null) {
      refused.set(request, { error: 'invalid_token', description: 'The access token is unknown, expired or revoked: get a new one at /oauth/token.' });
      return;
    }
    if (!live.scopes.includes(scope)) {
      refused.set(request, { error: 'insufficient_scope', description: `This access token is for ${live.scopes.join(' and ')}, not ${scope}.` });
      return;
    }
    const principal: ProfessionalPrincipal = {
      idNatPs: live.idNatPs,
      rpps: live.rpps,
      familyName: live.familyName,
      givenName: live.givenName,
      professionCode: live.professionCode,
      specialtyCode: live.specialtyCode,
      organisationFiness: live.organisationFiness,
      via: 'jwt-bearer',
      clientId: live.clientId,
    };
    request.professional = principal;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const problem = reply.statusCode === 401 ? refused.get(request) : undefined;
    if (problem !== undefined) {
      reply.header('www-authenticate', `Bearer realm="carnet", error="${problem.error}", error_description="${quote(problem.description)}"`);
    }
    return payload;
  });
}

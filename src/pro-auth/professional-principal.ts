import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';

/**
 * A professional acting in Carnet, whichever door they came through: a person signed in with
 * OpenID Connect (Pro Santé Connect in France; the development provider by default), or their
 * software holding an access token obtained with a signed assertion (RFC 7523). Always matched
 * to an active entry of the directory: the identity the access rules rely on.
 */
export interface ProfessionalPrincipal {
  /** National id: "8" + RPPS. */
  idNatPs: string;
  rpps: string;
  familyName: string;
  givenName: string;
  /** TRE_G15 profession code (10 physician, 21 pharmacist...). */
  professionCode: string;
  /** Physicians' specialty (TRE_R38 SMxx), if any. */
  specialtyCode: string | null;
  /** FINESS of the organisation the professional acts for, if any. */
  organisationFiness: string | null;
  via: 'oidc' | 'jwt-bearer';
  /** jwt-bearer: the registered software client that obtained the token. */
  clientId?: string | undefined;
  /** oidc: CSRF token of the browser session (state-changing calls send it in x-csrf-token). */
  csrfToken?: string | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the OIDC session hook or the bearer token hook; null when neither applies. */
    professional: ProfessionalPrincipal | null;
  }
}

export const PRO_SESSION_COOKIE = 'carnet_pro_session';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The professional making this request, or 401. A browser session (cookie) must also send its
 * CSRF token on state-changing methods; a bearer token cannot be sent by another site, so it
 * needs none.
 */
export function requireProfessional(request: FastifyRequest): ProfessionalPrincipal {
  const p = request.professional;
  if (!p) {
    throw new AppError('unauthenticated', 'Sign in as a health professional (Pro Santé Connect), or send "Authorization: Bearer <access token>" obtained at /oauth/token.');
  }
  if (p.via === 'oidc' && STATE_CHANGING.has(request.method) && request.headers['x-csrf-token'] !== p.csrfToken) {
    throw new AppError('csrf_failed', 'This form expired or came from another site. Reload the page and try again.');
  }
  return p;
}

/** Declares `request.professional` for the whole app, and the route that says who is signed in. */
export const professionalPrincipalPlugin: FastifyPluginAsync<AppDeps> = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('professional', null);
    app.get('/api/pro/me', { schema: { tags: ['professionals'], summary: 'The professional this request acts as (session or access token).' } }, async (request: FastifyRequest) => {
      const p = requireProfessional(request);
      return { idNatPs: p.idNatPs, rpps: p.rpps, familyName: p.familyName, givenName: p.givenName, professionCode: p.professionCode, specialtyCode: p.specialtyCode, organisationFiness: p.organisationFiness, via: p.via, clientId: p.clientId ?? null };
    });
  },
  { name: 'carnet-professional-principal' },
);

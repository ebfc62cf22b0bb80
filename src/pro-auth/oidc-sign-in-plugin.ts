import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { safeEqual } from '../platform/secrets.ts';
import { checkIdNatPs, findProfessional } from '../identity/index.ts';
import { PRO_SESSION_COOKIE } from './professional-principal.ts';
import { nationalIdOf } from './oidc-claims.ts';
import { devOidcProviderPlugin } from './oidc-dev-provider.ts';
import { proHomePage, refusalPage, sendHtml as html, signInProblemPage } from './oidc-pages.ts';
import { createRelyingParty, relyingPartySettings } from './oidc-relying-party.ts';
import type { PendingSignIn } from './oidc-relying-party.ts';
import { createProSession, deleteProSession, findProSession } from './pro-session-store.ts';

/** The short-lived signed cookie holding state, nonce and PKCE verifier between login and callback. */
export const PRO_SIGN_IN_COOKIE = 'carnet_pro_oidc';
/** A sign-in must come back from the provider within 10 minutes. */
export const PRO_SIGN_IN_TTL_MS = 10 * 60 * 1000;
/** Where a professional lands when no (valid) returnTo was given. */
export const PRO_HOME = '/pro';
const CALLBACK_PATH = '/pro/callback';

const RATE_LIMIT = { max: 30, timeWindow: '1 minute' };

/** A local path to return to after sign-in, else PRO_HOME: never another site. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) return PRO_HOME;
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\p{Cc}]/u.test(value)) return PRO_HOME;
  const probe = new URL(value, 'http://carnet.invalid');
  return probe.origin === 'http://carnet.invalid' ? `${probe.pathname}${probe.search}${probe.hash}` : PRO_HOME;
}

/** What the logs keep of a protocol error: its kind and message, never a response body or a token. */
function errorSummary(e: unknown): { name: string; message: string; code?: string } {
  if (!(e instanceof Error)) return { name: typeof e, message: String(e) };
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? { name: e.name, message: e.message, code } : { name: e.name, message: e.message };
}

function encodePending(p: PendingSignIn): string {
  return Buffer.from(JSON.stringify(p)).toString('base64url');
}

function decodePending(value: string): PendingSignIn | null {
  try {
    const p = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<PendingSignIn>;
    if (typeof p.state !== 'string' || typeof p.nonce !== 'string' || typeof p.codeVerifier !== 'string' || typeof p.returnTo !== 'string' || typeof p.expiresAt !== 'number') {
      return null;
    }
    return { state: p.state, nonce: p.nonce, codeVerifier: p.codeVerifier, returnTo: safeReturnTo(p.returnTo), expiresAt: p.expiresAt };
  } catch {
    return null;
  }
}

// Lenient: a link from anywhere must land on a page, not on a validation error.
const LoginQuery = Type.Object(
  { returnTo: Type.Optional(Type.String({ description: 'Local path (at most 512 characters) to go to once signed in; anything else means /pro.' })) },
  { additionalProperties: true },
);
const CallbackQuery = Type.Object(
  {
    code: Type.Optional(Type.String({ maxLength: 4096 })),
    state: Type.Optional(Type.String({ maxLength: 512 })),
    iss: Type.Optional(Type.String({ maxLength: 2048 })),
    error: Type.Optional(Type.String({ maxLength: 256 })),
    error_description: Type.Optional(Type.String({ maxLength: 2048 })),
    session_state: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: true },
);
const ProSessionReply = Type.Object({
  idNatPs: Type.String(),
  csrfToken: Type.String({ description: 'Send it in the x-csrf-token header of every POST, PUT, PATCH and DELETE.' }),
  expiresAt: Type.String({ format: 'date-time', description: 'When the session ends without activity.' }),
});
const Problem = Type.Object({ code: Type.String(), detail: Type.String() }, { additionalProperties: true, description: 'Problem (RFC 9457) with a stable code.' });

/** When the session of a request signed in by cookie ends without activity (set by the hook). */
const sessionEnds = new WeakMap<FastifyRequest, Date>();

const routes: FastifyPluginAsync<AppDeps> = async (fastify: FastifyInstance, deps: AppDeps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { config, db, clock, random } = deps;
  const secure = config.baseUrl.startsWith('https:');
  const sessionCookie = { httpOnly: true, sameSite: 'lax', path: '/', secure } as const;
  const signInCookie = { httpOnly: true, sameSite: 'lax', path: CALLBACK_PATH, secure } as const;
  const settings = relyingPartySettings(config);
  const rp = settings === null ? null : createRelyingParty(settings);
  const tags = ['professionals'];

  // A sign-out form posts application/x-www-form-urlencoded (this plugin's routes only).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.get(
    PRO_HOME,
    { schema: { tags, summary: 'The professional area’s page: who is signed in, or the sign-in button (HTML).' } },
    async (request, reply) => html(reply, 200, proHomePage(request.professional?.via === 'oidc' ? request.professional : null)),
  );

  app.get(
    '/pro/login',
    {
      config: { rateLimit: RATE_LIMIT },
      schema: {
        tags,
        summary: 'Professional sign-in, step 1: redirect to Pro Santé Connect',
        description:
          'Starts the OpenID Connect authorization code flow (PKCE S256, state, nonce, acr_values=eidas1, scope "openid scope_all") with the configured provider, or the development provider at /dev/oidc. State, nonce and code verifier are kept 10 minutes in a signed httpOnly cookie.',
        querystring: LoginQuery,
      },
    },
    async (request, reply) => {
      if (rp === null) {
        return html(
          reply,
          503,
          signInProblemPage(
            'Connexion des professionnels non configurée',
            'Carnet n’a pas de fournisseur d’identité pour les professionnels : en production, définissez PRO_OIDC_ISSUER, PRO_OIDC_CLIENT_ID et PRO_OIDC_CLIENT_SECRET (Pro Santé Connect). Le fournisseur de développement est refusé en production.',
          ),
        );
      }
      const pending: PendingSignIn = {
        state: random.token(32),
        nonce: random.token(32),
        codeVerifier: random.token(32),
        returnTo: safeReturnTo(request.query.returnTo),
        expiresAt: clock.now().getTime() + PRO_SIGN_IN_TTL_MS,
      };
      let url: URL;
      try {
        url = await rp.authorizationUrl(pending);
      } catch (e) {
        request.log.error({ error: errorSummary(e), issuer: rp.settings.issuer.href }, 'professional sign-in: the OpenID Connect provider cannot be reached');
        return html(reply, 503, signInProblemPage('Pro Santé Connect est injoignable', 'Le service de connexion des professionnels de santé ne répond pas pour le moment. Réessayez dans quelques minutes.'));
      }
      reply.setCookie(PRO_SIGN_IN_COOKIE, encodePending(pending), { ...signInCookie, signed: true, maxAge: PRO_SIGN_IN_TTL_MS / 1000 });
      return reply.redirect(url.href, 302);
    },
  );

  app.get(
    CALLBACK_PATH,
    {
      config: { rateLimit: RATE_LIMIT },
      schema: {
        tags,
        summary: 'Professional sign-in, step 2: back from Pro Santé Connect',
        description: `Checks state, the code (with the PKCE verifier) and the ID token (nonce, acr), reads the national id (idNatPs) from the userinfo and matches it to the directory. An active professional gets the httpOnly ${PRO_SESSION_COOKIE} cookie and is redirected to returnTo; an unknown or inactive one gets a page (403) saying why and what to do.`,
        querystring: CallbackQuery,
      },
    },
    async (request, reply) => {
      const raw = request.cookies[PRO_SIGN_IN_COOKIE];
      reply.clearCookie(PRO_SIGN_IN_COOKIE, signInCookie);
      const restart = (title: string, message: string, status = 400) => html(reply, status, signInProblemPage(title, message));
      if (rp === null) return restart('Connexion des professionnels non configurée', 'Carnet n’a pas de fournisseur d’identité pour les professionnels.', 503);

      const unsigned = raw === undefined ? null : request.unsignCookie(raw);
      const pending = unsigned?.valid && unsigned.value !== null ? decodePending(unsigned.value) : null;
      if (pending === null || pending.expiresAt <= clock.now().getTime()) {
        return restart('Connexion expirée', 'Cette connexion a expiré, ou elle a été commencée dans un autre navigateur ou à une autre adresse de Carnet. Recommencez la connexion.');
      }

      const callbackUrl = new URL(CALLBACK_PATH, config.baseUrl);
      callbackUrl.search = new URL(request.url, config.baseUrl).search;
      const outcome = await rp.complete(callbackUrl, pending);
      switch (outcome.kind) {
        case 'state_mismatch':
          request.log.warn({ event: 'pro_sign_in_refused', reason: 'state_mismatch' }, 'professional sign-in refused');
          return restart('Connexion refusée', 'La réponse du fournisseur d’identité ne correspond pas à la connexion commencée dans ce navigateur. Recommencez la connexion.');
        case 'denied':
          request.log.info({ event: 'pro_sign_in_refused', reason: 'provider_error', error: outcome.error }, 'professional sign-in: the provider answered with an error');
          return restart(
            'Connexion annulée',
            outcome.error === 'access_denied' ? 'La connexion a été annulée ou refusée par Pro Santé Connect.' : `Pro Santé Connect n’a pas pu vous connecter (${outcome.error}).`,
          );
        case 'failed':
          request.log.error({ error: errorSummary(outcome.error), event: 'pro_sign_in_refused', reason: 'verification_failed' }, 'professional sign-in: the provider’s answer could not be verified');
          return restart('Connexion impossible', 'La réponse de Pro Santé Connect n’a pas pu être vérifiée. Recommencez la connexion ; si le problème persiste, contactez l’assistance de Carnet.', 502);
        case 'ok':
          break;
      }

      const named = nationalIdOf(outcome.userinfo);
      if (!named.ok) {
        request.log.error({ event: 'pro_sign_in_refused', reason: 'no_national_id', detail: named.reason }, 'professional sign-in refused');
        return restart('Connexion impossible', 'Pro Santé Connect n’a pas transmis votre identifiant national. Recommencez la connexion ; si le problème persiste, contactez l’assistance de Carnet.', 502);
      }
      const id = checkIdNatPs(named.value);
      if (!id.ok) {
        request.log.warn({ event: 'pro_sign_in_refused', reason: 'not_rpps' }, 'professional sign-in refused');
        return html(reply, 403, refusalPage('not_rpps', named.value));
      }
      const professional = await findProfessional(db, id.value);
      if (professional === null || !professional.active) {
        const reason = professional === null ? 'not_in_directory' : 'inactive';
        request.log.warn({ event: 'pro_sign_in_refused', reason, idNatPs: id.value }, 'professional sign-in refused');
        return html(reply, 403, refusalPage(reason, id.value));
      }

      const previous = request.cookies[PRO_SESSION_COOKIE];
      if (previous) await deleteProSession(db, config.secret, previous);
      const session = await createProSession(db, { clock, random, secret: config.secret }, professional.idNatPs);
      request.log.info(
        { event: 'pro_sign_in', idNatPs: professional.idNatPs, professionCode: professional.professionCode, issuer: rp.settings.issuer.origin },
        'professional signed in (OpenID Connect)',
      );
      reply.setCookie(PRO_SESSION_COOKIE, session.cookieValue, sessionCookie);
      return reply.redirect(pending.returnTo, 303);
    },
  );

  app.get(
    '/api/pro/session',
    {
      schema: {
        tags,
        summary: 'The professional’s browser session (signed in with Pro Santé Connect): its CSRF token and idle deadline',
        response: { 200: ProSessionReply, 401: Problem },
      },
    },
    async (request) => {
      const p = request.professional;
      const expiresAt = sessionEnds.get(request);
      if (p === null || p.via !== 'oidc' || p.csrfToken === undefined || expiresAt === undefined) {
        throw new AppError('unauthenticated', 'No professional browser session: sign in at /pro/login.');
      }
      return { idNatPs: p.idNatPs, csrfToken: p.csrfToken, expiresAt: expiresAt.toISOString() };
    },
  );

  app.post(
    '/pro/logout',
    {
      schema: {
        tags,
        summary: 'Professional sign-out',
        description:
          'Ends the professional’s session server-side and clears the cookie. Needs the CSRF token: the x-csrf-token header (answers 204), or the csrf field of a form (answers 303 to /pro).',
        response: { 204: Type.Null(), 401: Problem, 403: Problem },
      },
    },
    async (request: FastifyRequest, reply: FastifyReply) => {
      const p = request.professional;
      if (p === null || p.via !== 'oidc') throw new AppError('unauthenticated', 'No professional session: sign in at /pro/login.');
      const header = request.headers['x-csrf-token'];
      const body = request.body as Record<string, unknown> | undefined;
      const form = request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') === true;
      const sent = typeof header === 'string' ? header : form && typeof body?.csrf === 'string' ? body.csrf : undefined;
      if (sent === undefined || p.csrfToken === undefined || p.csrfToken === '' || !safeEqual(sent, p.csrfToken)) {
        throw new AppError('csrf_failed', 'This sign-out was refused because its security token is missing or out of date. Reload the page and try again.');
      }
      await deleteProSession(db, config.secret, request.cookies[PRO_SESSION_COOKIE] ?? '');
      request.log.info({ event: 'pro_sign_out', idNatPs: p.idNatPs }, 'professional signed out');
      request.professional = null;
      reply.clearCookie(PRO_SESSION_COOKIE, sessionCookie);
      return form ? reply.redirect(PRO_HOME, 303) : reply.code(204).send();
    },
  );
};

/**
 * Professional sign-in with OpenID Connect (Pro Santé Connect; the development provider by
 * default): /pro/login, /pro/callback, /pro/logout, the /pro page, the development provider
 * under /dev/oidc, and the hook that sets `request.professional` from the session cookie for
 * every route (when no other door set it first). Registered right after
 * professionalPrincipalPlugin.
 */
const plugin: FastifyPluginAsync<AppDeps> = async (app: FastifyInstance, deps: AppDeps) => {
  const { config, db, clock } = deps;
  app.addHook('onRequest', async (request) => {
    if (request.professional !== null) return;
    const cookie = request.cookies[PRO_SESSION_COOKIE];
    if (cookie === undefined || cookie === '') return;
    const session = await findProSession(db, { clock, secret: config.secret }, cookie);
    if (session === null) return;
    request.professional = session.principal;
    sessionEnds.set(request, session.expiresAt);
  });
  await app.register(devOidcProviderPlugin, deps);
  await app.register(routes, deps);
};

export const proSignInPlugin = fp(plugin, { name: 'carnet-pro-sign-in', fastify: '5.x', dependencies: ['carnet-professional-principal'] });

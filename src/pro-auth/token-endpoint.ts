/**
 * POST /oauth/token (the JWT-bearer grant, RFC 7523) and the bearer-token hook that turns its
 * access tokens into `request.professional`. One plugin, registered right after
 * professionalPrincipalPlugin: the hook applies to the whole app, the token route lives in a
 * scope of its own with a form parser and an error handler that answers in OAuth's form.
 */
import type { FastifyError, FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from '@sinclair/typebox';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { addBearerTokenHooks } from './token-bearer.ts';
import { OAuthError } from './token-errors.ts';
import { exchangeAssertion, JWT_BEARER_GRANT_TYPE, SOFTWARE_SCOPES } from './token-grant.ts';
import type { TokenParams } from './token-grant.ts';

const FORM = 'application/x-www-form-urlencoded';
/** An assertion is a few kilobytes at most. */
export const TOKEN_BODY_LIMIT = 64 * 1024;
/**
 * Per client address. Generous, because one hospital system behind one address asks a token
 * for each professional at work (every five minutes); tight enough to stop guessing.
 */
export const TOKEN_RATE_LIMIT = { max: 300, timeWindow: '1 minute' };

/**
 * Parses a form body. RFC 6749 §3.2: parameters must not be repeated; a repeated one is an
 * invalid request rather than a guess at which copy counts.
 */
export function parseTokenForm(body: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(params, name)) throw new OAuthError('invalid_request', `Parameter "${name}" is repeated: send each parameter once (RFC 6749 §3.2).`);
    params[name] = value;
  }
  return params;
}

/** Any failure on the token route, as an OAuth error (RFC 6749 §5.2). */
function toOAuthError(error: FastifyError | AppError | OAuthError): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof AppError) {
    if (error.code === 'rate_limited') return new OAuthError('invalid_request', error.message, { status: 429 });
    if (error.status < 500) return new OAuthError('invalid_request', error.message, { status: error.status });
    return new OAuthError('server_error', 'Something went wrong on our side. Please try again.', { cause: error });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new OAuthError('invalid_request', `The request body is larger than ${TOKEN_BODY_LIMIT / 1024} KiB.`, { status: 413 });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      // RFC 6749 §3.2 and RFC 7523 §2.1: the parameters are sent as a form.
      return new OAuthError('invalid_request', `Send the parameters as ${FORM} (RFC 6749 §3.2).`);
    default:
      break;
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return new OAuthError('invalid_request', error.message);
  return new OAuthError('server_error', 'Something went wrong on our side. Please try again.', { cause: error });
}

const TokenBody = Type.Object(
  {
    // Optional here: the grant's steps check them, each with its own OAuth error.
    grant_type: Type.Optional(Type.String({ description: JWT_BEARER_GRANT_TYPE })),
    assertion: Type.Optional(Type.String({ description: 'The signed JWT: iss = client_id, sub = idNatPs, aud = this URL, exp <= 5 minutes, unique jti, profession, specialty, organisation.' })),
    scope: Type.Optional(Type.String({ description: `Space-separated, among: ${SOFTWARE_SCOPES.join(', ')} (default: all).` })),
    client_id: Type.Optional(Type.String({ description: 'Optional; must equal the assertion\'s "iss".' })),
  },
  { additionalProperties: true },
);

const tokenRoute: FastifyPluginAsync<AppDeps> = async (app: FastifyInstance, deps: AppDeps) => {
  // This scope reads forms only (no JSON), whatever parsers the rest of the app has.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: TOKEN_BODY_LIMIT }, (_request, body, done) => {
    try {
      done(null, parseTokenForm(typeof body === 'string' ? body : body.toString('utf8')));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  app.setErrorHandler((error: FastifyError | AppError | OAuthError, request, reply) => {
    const oauth = toOAuthError(error);
    if (oauth.status >= 500) request.log.error({ err: error }, 'token request failed');
    else request.log.info({ error: oauth.error, reason: oauth.message }, 'token request refused');
    return reply.status(oauth.status).header('cache-control', 'no-store').header('pragma', 'no-cache').type('application/json').send(oauth.toBody());
  });

  app.post(
    '/oauth/token',
    {
      bodyLimit: TOKEN_BODY_LIMIT,
      config: { rateLimit: TOKEN_RATE_LIMIT },
      schema: {
        tags: ['professionals'],
        summary: 'Access token for professionals\' software: the JWT-bearer grant (RFC 7523).',
        description:
          'The software posts an assertion signed with the key an operator registered for it (`carnet clients add`). Errors follow RFC 6749 §5.2: `{ "error", "error_description" }`.',
        consumes: [FORM],
        body: TokenBody,
        response: {
          200: Type.Object({
            access_token: Type.String(),
            token_type: Type.Literal('Bearer'),
            expires_in: Type.Integer({ description: 'Seconds.' }),
            scope: Type.String(),
          }),
          '4xx': Type.Object({ error: Type.String(), error_description: Type.String() }),
        },
      },
    },
    async (request, reply) => {
      // No body at all (no content type) reads as no parameters.
      const issued = await exchangeAssertion(deps, (request.body ?? {}) as TokenParams);
      request.log.info({ clientId: issued.clientId, idNatPs: issued.idNatPs }, 'access token issued');
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(issued.response);
    },
  );
};

/**
 * Software access: `POST /oauth/token` and bearer access tokens on /api and /fhir.
 * Not encapsulated, so that the bearer hook sees every route.
 */
export const softwareAccessPlugin: FastifyPluginAsync<AppDeps> = fp(
  async (app: FastifyInstance, deps: AppDeps) => {
    addBearerTokenHooks(app, deps);
    await app.register(tokenRoute, deps);
  },
  { name: 'carnet-software-access', dependencies: ['carnet-professional-principal'] },
);

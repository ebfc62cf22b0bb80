import Fastify from 'fastify';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyError, FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.ts';
import type { Db } from './storage/index.ts';
import { latestMigration, migrationLevel } from './storage/index.ts';
import type { Clock } from './platform/clock.ts';
import type { Random } from './platform/random.ts';
import { AppError, toProblem } from './platform/errors.ts';
import type { Problem } from './platform/errors.ts';
import { routePlugins } from './routes.ts';

export interface AppDeps {
  config: Config;
  db: Db;
  clock: Clock;
  random: Random;
}

export type App = FastifyInstance;

/** Builds the HTTP application without listening: main.ts listens, tests use app.inject(). */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            // Never log credentials, codes or cookies.
            redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'],
          },
    bodyLimit: 1024 * 1024,
    trustProxy: config.env === 'production',
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Bodies are validated as sent (a number is not a string); query strings and path
  // parameters are text by nature, so they are coerced to the types their schemas declare.
  const strictAjv = addFormats.default(new Ajv({ coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false }));
  const coercingAjv = addFormats.default(new Ajv({ coerceTypes: 'array', removeAdditional: false, useDefaults: true, allErrors: false }));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema));

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    let problem = errorToProblem(error);
    if (problem.status >= 500) {
      // The details stay in the log: a client only learns that it failed and what to do.
      request.log.error({ err: error }, 'request failed');
      problem = { ...problem, detail: 'Something went wrong on our side. Please try again; if it persists, contact support.' };
    }
    if (error instanceof AppError && error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
    return reply.status(problem.status).type('application/problem+json').send(problem);
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = toProblem(new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}. The API is described at /docs.`));
    return reply.status(404).type('application/problem+json').send(problem);
  });

  await app.register(cookie, { secret: deps.config.secret.toString('base64') });
  await app.register(rateLimit, {
    global: false,
    // Thrown as an AppError so the error handler answers 429 with Retry-After.
    errorResponseBuilder: (_req, ctx) =>
      new AppError('rate_limited', `Too many attempts from your connection. Try again in ${Math.ceil(ctx.ttl / 1000)} seconds.`, { retryAfter: Math.ceil(ctx.ttl / 1000) }),
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Carnet API', version: '0.1.0', description: 'Personal health space: spaces, identities, sign-in, operator imports.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'carnet_session' },
          staffToken: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get(
    '/health',
    { schema: { description: 'Liveness and database state.', tags: ['platform'] } },
    async () => {
      const level = await migrationLevel(deps.db);
      return { status: 'ok', engine: deps.db.engine, migration: { level, latest: latestMigration() }, time: deps.clock.now().toISOString() };
    },
  );

  for (const plugin of routePlugins) await app.register(plugin, deps);
  return app;
}

function errorToProblem(error: FastifyError | AppError): Problem {
  if (error instanceof AppError) return toProblem(error);
  const fe = error as FastifyError & { validation?: { instancePath: string; message?: string; params?: Record<string, unknown> }[]; validationContext?: string };
  if (fe.validation) {
    const details = fe.validation.map((v) => {
      const missing = v.params?.missingProperty;
      const path = `${fe.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}${typeof missing === 'string' ? `.${missing}` : ''}`;
      const extra = v.params?.additionalProperty;
      const reason = typeof extra === 'string' ? `unknown field "${extra}"` : (v.message ?? 'invalid');
      return { field: path, reason };
    });
    const first = details[0];
    return toProblem(new AppError('validation_failed', first ? `Invalid input: ${first.field} ${first.reason}.` : 'Invalid input.', { details }));
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return toProblem(new AppError('payload_too_large', 'The request body is too large.'));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return toProblem(new AppError('unsupported_media_type', 'Unsupported content type. Send application/json (or the format the route documents at /docs).'));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return toProblem(new AppError('bad_request', 'The body is not valid JSON.'));
    default:
      break;
  }
  if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
    return toProblem(new AppError(fe.statusCode === 429 ? 'rate_limited' : fe.statusCode === 404 ? 'not_found' : 'bad_request', fe.message));
  }
  return toProblem(new AppError('internal', 'Something went wrong on our side. Please try again; if it persists, contact support.'));
}

import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { appendAudit } from '../audit/index.ts';
import { SESSION_COOKIE } from './patient-session.ts';
import { requirePatient } from './require-patient.ts';
import { deleteSession, findSession } from './session-store.ts';
import { checkCode, checkPassword, displayName } from './sign-in.ts';
import { LOGIN_ID_MAX_LENGTH } from './login-id.ts';

/**
 * Per address (the app-wide builder answers 429 with Retry-After).
 */
const RATE_LIMIT = {
  max: 30,
  timeWindow: '1 minute',
};

const Problem = Type.Object({ code: Type.String(), detail: Type.String() }, { additionalProperties: true, description: 'Problem (RFC 9457) with a stable code.' });

const LoginBody = Type.Object(
  {
    identifier: Type.String({ minLength: 1, maxLength: LOGIN_ID_MAX_LENGTH, description: 'The sign-in identifier chosen at activation (case-insensitive).' }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
const LoginReply = Type.Object({
  challengeId: Type.String({ description: 'Send it back with the code to POST /api/auth/otp.' }),
  sentTo: Type.String({ description: 'The masked e-mail address the 6-digit code was sent to.' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

const OtpBody = Type.Object(
  {
    challengeId: Type.String({ maxLength: 128, pattern: '^[0-9a-f-]{36}\\.[A-Za-z0-9_-]{8,64}$', description: 'From POST /api/auth/login.' }),
    code: Type.String({ pattern: '^[0-9]{6}$', description: 'The 6-digit code received by e-mail.' }),
  },
  { additionalProperties: false },
);
const SessionReply = Type.Object({
  patientId: Type.String({ format: 'uuid' }),
  csrfToken: Type.String({ description: 'Send it in the x-csrf-token header of every POST, PUT, PATCH and DELETE.' }),
  expiresAt: Type.String({ format: 'date-time', description: 'When the session ends without activity.' }),
});
const CurrentSessionReply = Type.Object({
  ...SessionReply.properties,
  status: Type.String({ description: 'Status of the space: active or closed.' }),
  displayName: Type.String(),
});

/**
 * Patient sign-in (identifier + password, then a 6-digit code by e-mail), the session cookie
 * and sign-out. Registered without encapsulation: its onRequest hook sets
 * `request.patientSession` for every route of the app.
 */
const plugin: FastifyPluginAsync<AppDeps> = async (fastify: FastifyInstance, deps: AppDeps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { config, db, clock } = deps;
  const cookieOptions = { httpOnly: true, sameSite: 'lax', path: '/', secure: config.baseUrl.startsWith('https:') } as const;
  const signInDeps = { db, clock, random: deps.random, config };

  app.decorateRequest('patientSession', null);
  app.addHook('onRequest', async (request) => {
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie === undefined || cookie === '') return;
    const session = await findSession(db, { clock, secret: config.secret }, cookie);
    request.patientSession = session && { patientId: session.patientId, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
  });

  app.post(
    '/api/auth/login',
    {
      config: { rateLimit: RATE_LIMIT },
      schema: {
        tags: ['auth'],
        summary: 'Sign in, step 1: identifier and password',
        description:
          'Checks the identifier and password and e-mails a 6-digit code valid 10 minutes. Five wrong passwords in a row lock the account for 15 minutes (423, Retry-After).',
        body: LoginBody,
        response: { 200: LoginReply, 401: Problem, 423: Problem },
      },
    },
    async (request) => {
      const r = await checkPassword(signInDeps, request.body);
      return { challengeId: r.challengeId, sentTo: r.sentTo, expiresAt: r.expiresAt.toISOString() };
    },
  );

  app.post(
    '/api/auth/otp',
    {
      config: { rateLimit: RATE_LIMIT },
      schema: {
        tags: ['auth'],
        summary: 'Sign in, step 2: the code received by e-mail',
        description: `Opens a session: sets the httpOnly ${SESSION_COOKIE} cookie and returns the CSRF token. A code is single-use and accepts 5 wrong tries.`,
        body: OtpBody,
        response: { 200: SessionReply, 401: Problem, 410: Problem },
      },
    },
    async (request, reply) => {
      const session = await checkCode(signInDeps, request.body);
      reply.setCookie(SESSION_COOKIE, session.cookieValue, cookieOptions);
      return { patientId: session.patientId, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() };
    },
  );

  app.get(
    '/api/auth/session',
    {
      schema: {
        tags: ['auth'],
        summary: 'The current session',
        security: [{ session: [] }],
        response: { 200: CurrentSessionReply, 401: Problem },
      },
    },
    async (request) => {
      const session = requirePatient(request);
      const rows = await db.query<{ status: string; birth_name: string; birth_given_names: string; used_name: string | null }>(
        'SELECT status, birth_name, birth_given_names, used_name FROM patients WHERE patient_id = $1',
        [session.patientId],
      );
      const p = rows[0];
      if (!p) throw new AppError('unauthenticated', 'Sign in first.');
      return { ...session, status: p.status, displayName: displayName(p) };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign out',
        description: 'Ends the session server-side and clears the cookie. Needs the x-csrf-token header.',
        security: [{ session: [] }],
        response: { 204: Type.Null(), 401: Problem, 403: Problem },
      },
    },
    async (request, reply: FastifyReply) => {
      const session = requirePatient(request);
      const cookie = request.cookies[SESSION_COOKIE] ?? '';
      await db.tx(async (q) => {
        await deleteSession(q, config.secret, cookie);
        await appendAudit(q, session.patientId, clock.now(), { actor: { type: 'patient', id: session.patientId }, action: 'sign_out' });
      });
      request.patientSession = null;
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return reply.code(204).send();
    },
  );
};

export const authRoutes = fp(plugin, { name: 'carnet-auth', fastify: '5.x' });

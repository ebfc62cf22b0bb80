import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { requirePatient } from '../auth/index.ts';
import { ACCESS_MODES, ACTOR_TYPES } from './audit-log.ts';
import { readTrace, TRACE_DEFAULT_LIMIT, TRACE_MAX_LIMIT, TRACE_TIME_ZONE } from './trace.ts';
import type { TraceReadCheck } from './trace.ts';

const Day = (what: string) => Type.String({ maxLength: 10, description: `${what} (YYYY-MM-DD, a day in ${TRACE_TIME_ZONE}, included)` });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const TraceEntrySchema = Type.Object({
  seq: Type.Integer({ description: 'Position in the trace (1 = oldest)' }),
  at: Type.String({ format: 'date-time' }),
  actorType: Type.String({ description: ACTOR_TYPES.join(', ') }),
  actorName: Nullable(Type.String()),
  actorProfession: Type.Union([
    Type.Object({
      code: Type.String({ description: 'TRE_G15 profession code' }),
      label: Nullable(Type.String()),
      specialty: Type.Union([Type.Object({ code: Type.String(), label: Nullable(Type.String()) }), Type.Null()]),
    }),
    Type.Null(),
  ]),
  action: Type.String(),
  target: Nullable(Type.String()),
  mode: Type.String({ description: ACCESS_MODES.join(', ') }),
});

/** The patient's reading of their trace (R. 1111-43): who did what, when, in which mode. */
export const createAuditRoutes = (mayRead: TraceReadCheck): FastifyPluginAsync<AppDeps> => async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/api/spaces/:patientId/trace',
    {
      schema: {
        tags: ['trace'],
        summary: 'The trace of a space, newest first: every action with its date, actor, profession, target and mode. For the holder, their legal representatives and aidants.',
        params: Type.Object({ patientId: Type.String({ format: 'uuid' }) }),
        querystring: Type.Object(
          {
            from: Type.Optional(Day('First day')),
            to: Type.Optional(Day('Last day')),
            actorType: Type.Optional(Type.Union(ACTOR_TYPES.map((t) => Type.Literal(t)))),
            cursor: Type.Optional(Type.String({ maxLength: 64, description: 'nextCursor of the previous page' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: TRACE_MAX_LIMIT, default: TRACE_DEFAULT_LIMIT })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ entries: Type.Array(TraceEntrySchema), nextCursor: Nullable(Type.String()) }) },
      },
    },
    async (req) => {
      const session = requirePatient(req);
      return readTrace(deps.db, mayRead, deps.clock.now(), session.patientId, req.params.patientId, req.query);
    },
  );
};

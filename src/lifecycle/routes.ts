import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { requirePatient } from '../auth/index.ts';
import * as service from './service.ts';

const Matricule = Type.String({ minLength: 13, maxLength: 30, description: 'NIR or NIA (15 characters, spaces allowed)' });
const BirthDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const Code = Type.String({ minLength: 4, maxLength: 32, description: 'Provisional code of the information letter' });
const CardSerial = Type.String({ minLength: 4, maxLength: 32, description: 'Serial number of the carte Vitale' });
const PatientId = Type.Object({ patientId: Type.String({ format: 'uuid' }) });
const Confirm = Type.Object({ confirm: Type.Literal(true, { description: 'Must be true: the person confirmed after reading the consequences' }) }, { additionalProperties: false });

// Public routes that check identity: a few tries per minute and address, on top of the
// 5 tries a code allows.
const identityRateLimit = { rateLimit: { max: 20, timeWindow: '1 minute' } };

export const lifecycleRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['spaces'];

  app.post(
    '/api/spaces/opposition',
    {
      config: identityRateLimit,
      schema: {
        tags,
        summary: 'Oppose the creation of one’s space (NIR + birth date + provisional code or carte Vitale serial). Returns the proof of opposition.',
        body: Type.Object({ matricule: Matricule, birthDate: BirthDate, code: Type.Optional(Code), cardSerial: Type.Optional(CardSerial) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => reply.status(201).send(await service.opposeSpace(deps, req.body)),
  );

  app.post(
    '/api/spaces/activation',
    {
      config: identityRateLimit,
      schema: {
        tags,
        summary: 'Activate one’s space with the provisional code, choosing an identifier and a password.',
        body: Type.Object(
          {
            matricule: Matricule,
            birthDate: BirthDate,
            code: Code,
            loginId: Type.String({ minLength: 1, maxLength: 64 }),
            password: Type.String({ minLength: 1, maxLength: 128 }),
            email: Type.String({ format: 'email', maxLength: 254 }),
            phone: Type.Optional(Type.String({ pattern: '^\\+?[0-9 .-]{6,20}$' })),
            acceptTerms: Type.Boolean(),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => reply.status(201).send(await service.activateSpace(deps, req.body)),
  );

  app.post(
    '/api/spaces/code',
    {
      config: identityRateLimit,
      schema: {
        tags,
        summary: 'Request a new provisional code (expired or lost), proving identity with the carte Vitale serial number.',
        body: Type.Object({ matricule: Matricule, birthDate: BirthDate, cardSerial: CardSerial }, { additionalProperties: false }),
      },
    },
    async (req, reply) => reply.status(202).send(await service.regenerateCode(deps, req.body)),
  );

  app.get('/api/spaces/me', { schema: { tags, summary: 'The signed-in person’s space and the children’s spaces they manage.' } }, async (req) => {
    const session = requirePatient(req);
    return service.spaceOverview(deps, session.patientId);
  });

  app.post(
    '/api/spaces/:patientId/close',
    { schema: { tags, summary: 'Close a space: archived 10 years, read-only, then erased. Can be reopened until then.', params: PatientId, body: Confirm } },
    async (req) => service.closeSpace(deps, requirePatient(req).patientId, req.params.patientId),
  );

  app.post(
    '/api/spaces/:patientId/deletion',
    { schema: { tags, summary: 'Request the express deletion of a space (honoured within 3 months; Carnet erases it at the next daily job).', params: PatientId, body: Confirm } },
    async (req) => service.requestDeletion(deps, requirePatient(req).patientId, req.params.patientId),
  );

  app.post(
    '/api/spaces/:patientId/reopen',
    { schema: { tags, summary: 'Reopen a closed space: its archive is restored as it was.', params: PatientId } },
    async (req) => service.reopenSpace(deps, requirePatient(req).patientId, req.params.patientId),
  );

  app.post(
    '/api/spaces/children/activation',
    {
      config: identityRateLimit,
      schema: {
        tags,
        summary: 'Activate the space of a child one is the legal representative of (the one the child is attached to).',
        body: Type.Object({ matricule: Matricule, birthDate: BirthDate, code: Code }, { additionalProperties: false }),
      },
    },
    async (req, reply) => reply.status(201).send(await service.activateChildSpace(deps, requirePatient(req).patientId, req.body)),
  );

  app.post(
    '/api/spaces/:patientId/representatives',
    {
      schema: {
        tags,
        summary: 'Invite the second legal representative of a child (they must have an active space of their own).',
        params: PatientId,
        body: Type.Object({ matricule: Matricule, birthDate: BirthDate }, { additionalProperties: false }),
      },
    },
    async (req, reply) => reply.status(201).send(await service.inviteSecondRepresentative(deps, requirePatient(req).patientId, req.params.patientId, req.body)),
  );

  app.post(
    '/api/representative-invitations/answer',
    {
      schema: {
        tags,
        summary: 'Accept or refuse an invitation to be a child’s second legal representative.',
        body: Type.Object({ patientId: Type.String({ format: 'uuid' }), token: Type.String({ minLength: 10, maxLength: 100 }), accept: Type.Boolean() }, { additionalProperties: false }),
      },
    },
    async (req) => service.answerInvitation(deps, requirePatient(req).patientId, req.body),
  );
};

/** Aidants (caregivers, RULES §1): invitations, answers, revocation, withdrawal, and the space switch. */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { requirePatient } from '../auth/index.ts';
import { createAidantsService } from './service.ts';
import { INVITATION_DAYS, INVITATION_STATUSES, MAX_AIDANTS_PER_PATIENT, MAX_AIDES_PER_AIDANT } from './invitation-state.ts';
import { CAPABILITIES, mySpaces, SPACE_ROLES } from './spaces.ts';
import type { SpaceRole } from './spaces.ts';
import type { InvitationStatus } from './invitation-state.ts';

const Uuid = Type.String({ format: 'uuid' });
const PatientParams = Type.Object({ patientId: Uuid }, { additionalProperties: false });
const InvitationParams = Type.Object({ invitationId: Uuid }, { additionalProperties: false });
const SpaceInvitationParams = Type.Object({ patientId: Uuid, invitationId: Uuid }, { additionalProperties: false });
const DateTime = Type.String({ format: 'date-time' });
const Status = Type.Unsafe<InvitationStatus>({ type: 'string', enum: [...INVITATION_STATUSES] });

const Invitation = Type.Object(
  {
    invitationId: Uuid,
    status: Status,
    loginId: Type.String({ description: 'The identifier designated, in lower case' }),
    aidant: Type.Union([Type.Object({ name: Type.String() }, { additionalProperties: false }), Type.Null()], { description: 'The aidant, once they answered; null before' }),
    invitedAt: DateTime,
    expiresAt: DateTime,
    answeredAt: Type.Union([DateTime, Type.Null()]),
    endedAt: Type.Union([DateTime, Type.Null()]),
  },
  { additionalProperties: false },
);

const Answer = Type.Object(
  {
    invitationId: Uuid,
    patientId: Uuid,
    patientName: Type.String(),
    status: Status,
    attestationId: Type.Union([Uuid, Type.Null()], { description: 'The attestation saved in the record of the person helped (EXPPAT_1)' }),
  },
  { additionalProperties: false },
);

const Capabilities = Type.Object(Object.fromEntries(CAPABILITIES.map((c) => [c, Type.Boolean()])), { additionalProperties: false });

// Designating someone checks an identity: a few tries a minute per address.
const inviteRateLimit = { rateLimit: { max: 20, timeWindow: '1 minute' } };

export const aidantsRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['aidants'];
  const service = createAidantsService(deps);
  const me = (req: Parameters<typeof requirePatient>[0]) => requirePatient(req).patientId;

  // ---- The space of the person helped (the holder, or a legal representative of a minor) ----

  app.get(
    '/api/spaces/:patientId/aidants',
    {
      schema: {
        tags,
        summary: `The aidants of a space and its invitations (pending ones expire after ${INVITATION_DAYS} days). For those who manage the space's aidants: not an aidant.`,
        params: PatientParams,
        response: { 200: Type.Object({ invitations: Type.Array(Invitation) }, { additionalProperties: false }) },
      },
    },
    async (req) => ({ invitations: await service.listInvitations(me(req), req.params.patientId) }),
  );

  app.post(
    '/api/spaces/:patientId/aidants',
    {
      config: inviteRateLimit,
      schema: {
        tags,
        summary: 'Invite another Carnet user to be an aidant, designated by their sign-in identifier and date of birth.',
        description: [
          `Answers 202 with the same body whether or not the identifier and date of birth match an adult with an activated Carnet space: Carnet never says who has a space.`,
          `If they match, the person is told by e-mail and can accept or refuse within ${INVITATION_DAYS} days from their own space; the invitation then shows their name.`,
          `Otherwise it stays pending without a name and expires after ${INVITATION_DAYS} days (cancel it with .../revoke).`,
          `A space has at most ${MAX_AIDANTS_PER_PATIENT} aidants and pending invitations together: a 4th answers 409 (revoke or cancel one first).`,
          'An aidant may not invite aidants (403).',
        ].join(' '),
        params: PatientParams,
        body: Type.Object(
          {
            loginId: Type.String({ minLength: 1, maxLength: 64, pattern: '^\\s*[A-Za-z0-9._-]+\\s*$', description: 'The sign-in identifier of the person to invite' }),
            birthDate: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Their date of birth, YYYY-MM-DD' }),
          },
          { additionalProperties: false },
        ),
        response: { 202: Type.Object({ ...Invitation.properties, message: Type.String() }, { additionalProperties: false }) },
      },
    },
    async (req, reply) => reply.status(202).send(await service.invite(me(req), req.params.patientId, req.body)),
  );

  app.post(
    '/api/spaces/:patientId/aidants/:invitationId/revoke',
    {
      schema: {
        tags,
        summary: 'End an aidant’s designation (an attestation is saved in the record), or cancel a pending invitation. 409 when it already ended.',
        params: SpaceInvitationParams,
        response: { 200: Invitation },
      },
    },
    async (req) => service.revoke(me(req), req.params.patientId, req.params.invitationId),
  );

  // ---- The invited person, from their own space ----

  app.get(
    '/api/me/aidant-invitations',
    {
      schema: {
        tags,
        summary: 'The pending invitations to be someone’s aidant addressed to the signed-in person.',
        response: {
          200: Type.Object(
            {
              invitations: Type.Array(
                Type.Object(
                  { invitationId: Uuid, patientId: Uuid, patientName: Type.String(), inviterName: Type.String(), inviterIsRepresentative: Type.Boolean(), invitedAt: DateTime, expiresAt: DateTime },
                  { additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
        },
      },
    },
    async (req) => ({ invitations: await service.received(me(req)) }),
  );

  for (const accept of [true, false]) {
    app.post(
      `/api/me/aidant-invitations/:invitationId/${accept ? 'accept' : 'refuse'}`,
      {
        schema: {
          tags,
          summary: accept
            ? `Accept to be this person’s aidant: an attestation is saved in their record. 409 when you already help ${MAX_AIDES_PER_AIDANT} people; 410 when the invitation expired.`
            : 'Refuse the invitation: an attestation is saved in the record of the person who invited you. 410 when it expired.',
          params: InvitationParams,
          response: { 200: Answer },
        },
      },
      async (req) => service.answer(me(req), req.params.invitationId, accept),
    );
  }

  app.post(
    '/api/me/aided-spaces/:patientId/withdraw',
    { schema: { tags, summary: 'Stop being this person’s aidant: an attestation is saved in their record, they are told.', params: PatientParams, response: { 200: Answer } } },
    async (req) => service.withdraw(me(req), req.params.patientId),
  );

  // ---- The switch ----

  app.get(
    '/api/me/spaces',
    {
      schema: {
        tags,
        summary: 'The spaces the signed-in person may open: their own, the children they represent, the people they help; with their role and what they may do there (asked of the access decision).',
        response: {
          200: Type.Object(
            {
              spaces: Type.Array(
                Type.Object(
                  {
                    patientId: Uuid,
                    name: Type.String(),
                    role: Type.Unsafe<SpaceRole>({ type: 'string', enum: [...SPACE_ROLES] }),
                    rank: Type.Union([Type.Literal(1), Type.Literal(2), Type.Null()]),
                    status: Type.String(),
                    capabilities: Capabilities,
                  },
                  { additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
        },
      },
    },
    async (req) => ({ spaces: await mySpaces(deps, me(req)) }),
  );
};

import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { requireProfessional } from '../pro-auth/index.ts';
import { attestConsent, CONSENT_METHODS } from './consent-service.ts';

/** A professional attests the patient's consent at a consultation (RULES §3.1). */
export const consentRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    '/api/pro/patients/:patientId/consent',
    {
      schema: {
        tags: ['professionals'],
        summary:
          'Attest that the patient, present at a consultation, consented to your access (you read their card): puts you on their authorized list. The patient is told of a first access.',
        params: Type.Object({ patientId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
        body: Type.Object(
          {
            method: Type.Union(CONSENT_METHODS.map((m) => Type.Literal(m)), { description: 'card: the patient’s card was read; code: the one-time code the patient gives from their space' }),
            code: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => attestConsent(deps, requireProfessional(req), req.params.patientId, req.body),
  );
};

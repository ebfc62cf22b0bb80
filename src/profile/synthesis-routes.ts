/**
 * HTTP route of the profile synthesis (RULES §7): the patient side (session + CSRF: holder,
 * legal representative of a minor, accepted aidant; decide() tells) asks for a PDF of the
 * medical profile, saved to the documents as DOCPAT08. The work is in synthesis-service.ts.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { requirePatient } from '../auth/index.ts';
import { createDocumentsRepository } from '../records/index.ts';
import { generateProfileSynthesis } from './synthesis-service.ts';
import { profileDepsOf } from './profile-crypto.ts';

const PatientParams = Type.Object({ patientId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

export const profileSynthesisRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  // The profile's tables are sealed: the use case gets their sealer (built once, from the master key).
  const profile = profileDepsOf(deps);
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const repo = createDocumentsRepository(deps);

  app.post(
    '/api/spaces/:patientId/profile/synthesis',
    {
      schema: {
        tags: ['medical profile'],
        summary:
          'Generate the synthesis of the medical profile (PDF: history, measures, vaccinations, entourage and volontés) and save it to the documents as DOCPAT08 “Profil médical”. Answers the new document; Location gives its content.',
        params: PatientParams,
      },
    },
    async (req, reply) => {
      const caller = { kind: 'person' as const, personId: requirePatient(req).patientId };
      const doc = await generateProfileSynthesis(profile, repo, caller, req.params.patientId);
      return reply
        .status(201)
        .header('location', `/api/spaces/${req.params.patientId}/documents/${doc.documentId}/content`)
        .send(doc);
    },
  );
};

import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { requirePatient } from '../auth/index.ts';
import { requireProfessional } from '../pro-auth/index.ts';
import * as service from './controls-service.ts';
import { consentRoutes } from './consent-routes.ts';
import { patientLookupRoutes } from './patient-lookup-routes.ts';

const PatientId = Type.Object({ patientId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
// The idNatPs is checked by the service (12 digits, RPPS key) so the 400 says what is wrong with it.
const IdNatPs = Type.String({ minLength: 1, maxLength: 40, description: 'National professional id: "8" + RPPS (12 digits)' });
const PatientAndPs = Type.Object({ patientId: Type.String({ format: 'uuid' }), idNatPs: IdNatPs }, { additionalProperties: false });

/**
 * The patient's controls over professionals' access (RULES §3, §5), for the holder or a legal
 * representative (session + CSRF on writes), and the administrator PS's block; the consent
 * attestation of professionals is in consent-routes.ts.
 */
export const controlsRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['access controls'];
  const base = '/api/spaces/:patientId/access';

  app.get(base, { schema: { tags, summary: 'Authorized and blocked professionals (with their last access), administrators, médecin traitant, emergency settings, mask-all, notification preferences.', params: PatientId } }, async (req) =>
    service.readAccessControls(deps, requirePatient(req).patientId, req.params.patientId),
  );

  app.post(`${base}/professionals/:idNatPs/block`, { schema: { tags, summary: 'Block a professional: no more access at all, even in an emergency.', params: PatientAndPs } }, async (req) =>
    service.blockProfessional(deps, requirePatient(req).patientId, req.params.patientId, req.params.idNatPs),
  );

  app.post(
    `${base}/professionals/:idNatPs/unblock`,
    { schema: { tags, summary: 'Unblock a professional. It does not re-authorize them: they need the patient’s consent again, at a consultation.', params: PatientAndPs } },
    async (req) => service.unblockProfessional(deps, requirePatient(req).patientId, req.params.patientId, req.params.idNatPs),
  );

  app.put(`${base}/administrators/:idNatPs`, { schema: { tags, summary: 'Designate an administrator professional (reads masked documents, can block other professionals).', params: PatientAndPs } }, async (req) =>
    service.addAdministrator(deps, requirePatient(req).patientId, req.params.patientId, req.params.idNatPs),
  );

  app.delete(`${base}/administrators/:idNatPs`, { schema: { tags, summary: 'Remove an administrator.', params: PatientAndPs } }, async (req) =>
    service.removeAdministrator(deps, requirePatient(req).patientId, req.params.patientId, req.params.idNatPs),
  );

  app.put(
    `${base}/medecin-traitant`,
    { schema: { tags, summary: 'Declare the médecin traitant (a physician of the directory).', params: PatientId, body: Type.Object({ idNatPs: IdNatPs }, { additionalProperties: false }) } },
    async (req) => service.setMedecinTraitant(deps, requirePatient(req).patientId, req.params.patientId, req.body.idNatPs),
  );

  app.delete(`${base}/medecin-traitant`, { schema: { tags, summary: 'Remove the médecin traitant declaration.', params: PatientId } }, async (req) =>
    service.removeMedecinTraitant(deps, requirePatient(req).patientId, req.params.patientId),
  );

  app.put(
    `${base}/emergency`,
    {
      schema: {
        tags,
        summary:
          'The three emergency settings. `masked` (emergency access also sees masked documents) can only be true while `samu` or `brisDeGlace` is; left out while both are turned off, it is forced off.',
        params: PatientId,
        body: Type.Object({ samu: Type.Boolean(), brisDeGlace: Type.Boolean(), masked: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      },
    },
    async (req) => service.changeEmergency(deps, requirePatient(req).patientId, req.params.patientId, req.body),
  );

  app.put(
    `${base}/mask-all`,
    { schema: { tags, summary: '“Masquer tous mes documents”: every document masked to professionals.', params: PatientId, body: Type.Object({ on: Type.Boolean() }, { additionalProperties: false }) } },
    async (req) => service.changeMaskAll(deps, requirePatient(req).patientId, req.params.patientId, req.body.on),
  );

  app.put(
    `${base}/notifications`,
    {
      schema: {
        tags,
        summary: 'Optional notifications: every access of a professional, every new document (first and emergency accesses are always notified).',
        params: PatientId,
        body: Type.Object({ everyPsAccess: Type.Boolean(), newDocument: Type.Boolean() }, { additionalProperties: false }),
      },
    },
    async (req) => service.changeNotifications(deps, requirePatient(req).patientId, req.params.patientId, req.body),
  );

  app.post(
    '/api/pro/patients/:patientId/professionals/:idNatPs/block',
    { schema: { tags: ['professionals'], summary: 'An administrator professional the patient designated blocks another professional.', params: PatientAndPs } },
    async (req) => service.blockByAdministrator(deps, requireProfessional(req), req.params.patientId, req.params.idNatPs),
  );

  app.post(
    `${base}/consent-code`,
    {
      schema: {
        tags,
        summary: 'A one-time code (6 digits, 15 minutes, single use) to give a professional at a consultation instead of the card: they attest your consent with it.',
        params: PatientId,
      },
    },
    async (req) => service.issueConsentCode(deps, requirePatient(req).patientId, req.params.patientId),
  );

  await fastify.register(consentRoutes, deps);
  await fastify.register(patientLookupRoutes, deps);
};

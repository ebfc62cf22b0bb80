/**
 * HTTP routes of entourage & volontés (RULES §7): the patient side (session + CSRF on writes;
 * holder, legal representative of a minor, accepted aidant: decide() tells) writes contacts,
 * the organ donation statement and advance directives (form, or a PDF upload); professionals
 * read them per the matrix, with the emergency modes. Checks and storage are in
 * entourage-service.ts.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { requirePatient } from '../auth/index.ts';
import { requireProfessional } from '../pro-auth/index.ts';
import type { AccessMode } from '../access/index.ts';
import { isIsoDate } from '../identity/index.ts';
import { createDocumentsRepository, documentsCallerOf } from '../records/index.ts';
import type { RecordCaller } from '../records/index.ts';
import { invalidInput } from './vaccinations-input.ts';
import { ModeQuery } from './vaccinations-routes.ts';
import { profileDepsOf } from './profile-crypto.ts';
import {
  PDF_MAX_BYTES,
  addContact,
  changeContact,
  readAdvanceDirectivesOf,
  readEntourageOf,
  removeContact,
  replaceTrustedPerson,
  stateOrganDonation,
  uploadAdvanceDirectives,
  withdrawOrganDonation,
  writeAdvanceDirectives,
} from './entourage-service.ts';

const PatientParams = Type.Object({ patientId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const ContactParams = Type.Object({ patientId: Type.String({ format: 'uuid' }), contactId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const ReadQuery = Type.Object(ModeQuery, { additionalProperties: false });

const contactFields = {
  familyName: Type.String({ maxLength: 200 }),
  givenName: Type.Optional(Type.String({ maxLength: 200 })),
  relation: Type.String({ maxLength: 20, description: 'HL7 v3 RoleCode: SPS, DOMPART, MTH, FTH, CHILD, SIB, GRPRN, GRNDCHILD, EXT, FRND, NBOR, or "other" with relationText' }),
  relationText: Type.Optional(Type.String({ maxLength: 200 })),
  phone: Type.Optional(Type.String({ maxLength: 40, description: '06 12 34 56 78 or +32 2 123 45 67; a phone or an e-mail is required' })),
  email: Type.Optional(Type.String({ maxLength: 254 })),
};
const ContactBody = Type.Object(
  { kind: Type.String({ maxLength: 40, description: 'emergency_contact, trusted_person (at most one) or caregiver' }), ...contactFields },
  { additionalProperties: false },
);
const TrustedPersonBody = Type.Object(contactFields, { additionalProperties: false });
const DonationBody = Type.Object(
  {
    position: Type.String({ maxLength: 40, description: 'accepts, accepts_partially (say which in comment) or refuses' }),
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
const DirectivesBody = Type.Object(
  {
    situation: Type.String({ maxLength: 40, description: 'serious_illness (model A) or good_health (model B)' }),
    lifeSustainingTreatments: Type.String({ maxLength: 8000, description: 'What you want about treatments that would keep you alive' }),
    deepSedation: Type.String({ maxLength: 40, description: 'wants, does_not_want or no_opinion' }),
    otherWishes: Type.Optional(Type.String({ maxLength: 8000 })),
    place: Type.Optional(Type.String({ maxLength: 200, description: '“Fait à”' })),
  },
  { additionalProperties: false },
);
const UploadQuery = Type.Object({ writtenOn: Type.Optional(Type.String({ maxLength: 10, description: 'When the directives were written (YYYY-MM-DD); default today' })) }, { additionalProperties: false });

function emergency(reply: FastifyReply, mode: AccessMode | null): { mode: AccessMode; banner: true } | null {
  if (mode === null) return null;
  reply.header('x-carnet-emergency-mode', mode);
  return { mode, banner: true };
}

export const entourageRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  // The use cases get the sealer of the profile's tables (built once, from the master key).
  const profile = profileDepsOf(deps);
  // A PDF upload arrives as the raw body, in this plugin's scope only.
  fastify.addContentTypeParser('application/pdf', { parseAs: 'buffer', bodyLimit: PDF_MAX_BYTES }, (_req, body, done) => done(null, body));
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const repo = createDocumentsRepository(deps);
  const person = (req: FastifyRequest): RecordCaller => ({ kind: 'person', personId: requirePatient(req).patientId });
  const tags = ['entourage & volontés'];
  const base = '/api/spaces/:patientId/entourage';

  app.get(base, { schema: { tags, summary: 'Contacts (the trusted person first, emergency contacts, caregivers) and the organ donation statement.', params: PatientParams } }, async (req) =>
    (await readEntourageOf(profile, person(req), req.params.patientId)).value,
  );

  app.post(`${base}/contacts`, { schema: { tags, summary: 'Add a contact. A second trusted person is refused (409): replace the current one instead.', params: PatientParams, body: ContactBody } }, async (req, reply) =>
    reply.status(201).send(await addContact(profile, person(req), req.params.patientId, req.body)),
  );

  app.put(`${base}/contacts/:contactId`, { schema: { tags, summary: 'Change a contact (all fields).', params: ContactParams, body: ContactBody } }, async (req) =>
    changeContact(profile, person(req), req.params.patientId, req.params.contactId, req.body),
  );

  app.delete(`${base}/contacts/:contactId`, { schema: { tags, summary: 'Delete a contact.', params: ContactParams } }, async (req, reply) => {
    await removeContact(profile, person(req), req.params.patientId, req.params.contactId);
    return reply.status(204).send();
  });

  app.put(`${base}/trusted-person`, { schema: { tags, summary: 'Name the trusted person (personne de confiance), replacing the current one if any.', params: PatientParams, body: TrustedPersonBody } }, async (req) =>
    replaceTrustedPerson(profile, person(req), req.params.patientId, { ...req.body, kind: 'trusted_person' }),
  );

  app.put(`${base}/organ-donation`, { schema: { tags, summary: 'State your position on organ donation (dated today).', params: PatientParams, body: DonationBody } }, async (req) =>
    stateOrganDonation(profile, person(req), req.params.patientId, req.body),
  );

  app.delete(`${base}/organ-donation`, { schema: { tags, summary: 'Withdraw the organ donation statement.', params: PatientParams } }, async (req, reply) => {
    await withdrawOrganDonation(profile, person(req), req.params.patientId);
    return reply.status(204).send();
  });

  app.get(`${base}/advance-directives`, { schema: { tags, summary: 'The advance directives in force (the form’s answers, or an uploaded PDF), or null.', params: PatientParams } }, async (req) => ({
    advanceDirectives: (await readAdvanceDirectivesOf(profile, person(req), req.params.patientId)).value,
  }));

  app.post(
    `${base}/advance-directives`,
    {
      schema: {
        tags,
        summary: 'Write advance directives with the form: rendered to a PDF saved to your documents (type EXPPAT_3). Not for minors; not for aidants.',
        params: PatientParams,
        body: DirectivesBody,
      },
    },
    async (req, reply) => reply.status(201).send(await writeAdvanceDirectives(profile, repo, person(req), req.params.patientId, req.body)),
  );

  app.post(
    `${base}/advance-directives/upload`,
    {
      schema: {
        tags,
        consumes: ['application/pdf'],
        summary: `Upload signed advance directives (the PDF as the request body, Content-Type: application/pdf, at most ${PDF_MAX_BYTES / 1024 / 1024} MB), saved as an EXPPAT_3 document. Not for minors; not for aidants.`,
        params: PatientParams,
        querystring: UploadQuery,
      },
    },
    async (req, reply) => {
      const caller = person(req);
      if (!Buffer.isBuffer(req.body)) throw new AppError('unsupported_media_type', 'Send the directives as a PDF: Content-Type: application/pdf, the file as the body.');
      const writtenOn = req.query.writtenOn;
      if (writtenOn !== undefined && !isIsoDate(writtenOn)) throw invalidInput([{ field: 'querystring.writtenOn', reason: 'must be a date YYYY-MM-DD' }]);
      return reply.status(201).send(await uploadAdvanceDirectives(profile, repo, caller, req.params.patientId, { content: req.body, writtenOn }));
    },
  );

  // ---- Professionals -------------------------------------------------------------------
  const proTags = ['entourage & volontés (professionals)'];
  const proBase = '/api/pro/patients/:patientId/entourage';

  app.get(proBase, { schema: { tags: proTags, summary: 'A patient’s contacts and organ donation statement (authorized professionals, or emergency modes).', params: PatientParams, querystring: ReadQuery } }, async (req, reply) => {
    const r = await readEntourageOf(profile, documentsCallerOf(requireProfessional(req)), req.params.patientId, req.query);
    return { ...r.value, emergency: emergency(reply, r.emergencyMode) };
  });

  app.get(
    `${proBase}/advance-directives`,
    { schema: { tags: proTags, summary: 'A patient’s advance directives in force (professions the matrix lets read EXPPAT_3; emergency modes too).', params: PatientParams, querystring: ReadQuery } },
    async (req, reply) => {
      const r = await readAdvanceDirectivesOf(profile, documentsCallerOf(requireProfessional(req)), req.params.patientId, req.query);
      return { advanceDirectives: r.value, emergency: emergency(reply, r.emergencyMode) };
    },
  );
};

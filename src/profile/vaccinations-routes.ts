/**
 * HTTP routes of vaccinations (RULES §7): the patient side (session + CSRF on writes: holder,
 * legal representative of a minor, accepted aidant; decide() tells) and professionals (session
 * or bearer token, with the emergency modes for reading). The vaccine catalogue is public
 * reference data. Checks and storage are in vaccinations-service.ts.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { requirePatient } from '../auth/index.ts';
import { requireProfessional } from '../pro-auth/index.ts';
import { ACCESS_MODES } from '../access/index.ts';
import type { AccessMode } from '../access/index.ts';
import { isIsoDate } from '../identity/index.ts';
import { createDocumentsRepository, documentsCallerOf } from '../records/index.ts';
import type { RecordCaller } from '../records/index.ts';
import { catalogueView } from './vaccines.ts';
import { invalidInput } from './vaccinations-input.ts';
import type { VaccinationInput } from './vaccinations-input.ts';
import { addVaccination, generateVaccinationHistory, listVaccinations, removeVaccination, replaceVaccination } from './vaccinations-service.ts';
import { profileDepsOf } from './profile-crypto.ts';

const PatientParams = Type.Object({ patientId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const EntryParams = Type.Object({ patientId: Type.String({ format: 'uuid' }), vaccinationId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

export const ModeQuery = {
  mode: Type.Optional(Type.Union(ACCESS_MODES.map((m) => Type.Literal(m)), { description: 'normal (default), samu (centre 15 regulators), bris_de_glace (with a justification)' })),
  justification: Type.Optional(Type.String({ maxLength: 2000, description: 'Bris de glace: why the patient cannot consent and the record is needed' })),
};

const common = {
  vaccineCode: Type.String({ minLength: 1, maxLength: 20, description: 'ATC code of the catalogue (GET /api/vaccines), or "other" with vaccineName' }),
  vaccineName: Type.Optional(Type.String({ maxLength: 200, description: 'Commercial name (e.g. "Gardasil 9"); required for "other"' })),
  targetDiseases: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 12, description: 'SNOMED CT codes; default: the diseases the vaccine targets' })),
  date: Type.String({ maxLength: 10, description: 'YYYY-MM-DD: not in the future, not before birth' }),
  doseNumber: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, description: 'Dose number in the series (1, 2, 3..., a booster counts on)' })),
  lotNumber: Type.Optional(Type.String({ maxLength: 60 })),
  route: Type.Optional(Type.String({ maxLength: 20, description: 'HL7 v3 RouteOfAdministration: IM, SQ, IDINJ, PO, NASINHLC' })),
  site: Type.Optional(Type.String({ maxLength: 20, description: 'HL7 v3 ActSite: LA, RA, LD, RD, LT, RT, LVL, RVL' })),
  notes: Type.Optional(Type.String({ maxLength: 2000 })),
};
const PatientBody = Type.Object(
  {
    ...common,
    performer: Type.Optional(
      Type.Union([Type.Object({ idNatPs: Type.String({ maxLength: 40 }) }, { additionalProperties: false }), Type.Object({ name: Type.String({ maxLength: 200 }) }, { additionalProperties: false })], {
        description: 'Who gave it: {"idNatPs": "8..."} (a professional of the directory) or {"name": "..."}',
      }),
    ),
  },
  { additionalProperties: false },
);
// A professional records what they performed: they are the performer.
const ProBody = Type.Object(common, { additionalProperties: false });

// Writes take no mode: emergency access reads only.
const NoQuery = Type.Object({}, { additionalProperties: false });

const ProListQuery = Type.Object(
  {
    ...ModeQuery,
    vaccineCode: Type.Optional(Type.String({ maxLength: 200, description: 'ATC codes (or "other"), comma = or' })),
    from: Type.Optional(Type.String({ maxLength: 10, description: 'Given on or after (YYYY-MM-DD)' })),
    to: Type.Optional(Type.String({ maxLength: 10, description: 'Given on or before (YYYY-MM-DD)' })),
  },
  { additionalProperties: false },
);

function toInput(b: Static<typeof PatientBody>): VaccinationInput {
  return b;
}

function dateParam(field: string, v: string | undefined): string | undefined {
  if (v !== undefined && !isIsoDate(v)) throw invalidInput([{ field: `querystring.${field}`, reason: 'must be a date YYYY-MM-DD' }]);
  return v;
}

function withEmergency<T>(reply: FastifyReply, r: { value: T; emergencyMode: AccessMode | null }): { vaccinations: T; emergency: { mode: AccessMode; banner: true } | null } {
  if (r.emergencyMode !== null) reply.header('x-carnet-emergency-mode', r.emergencyMode);
  return { vaccinations: r.value, emergency: r.emergencyMode === null ? null : { mode: r.emergencyMode, banner: true } };
}

export const vaccinationsRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  // The use cases get the sealer of the profile's tables (built once, from the master key).
  const profile = profileDepsOf(deps);
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const repo = createDocumentsRepository(deps);
  const person = (req: FastifyRequest): RecordCaller => ({ kind: 'person', personId: requirePatient(req).patientId });
  const tags = ['vaccinations'];
  const base = '/api/spaces/:patientId/vaccinations';

  app.get('/api/vaccines', { schema: { tags, summary: 'The vaccine catalogue (ATC codes, target diseases, brands), routes and sites of administration.' } }, async () => catalogueView());

  app.get(base, { schema: { tags, summary: 'The vaccinations of the space, newest first.', params: PatientParams } }, async (req, reply) =>
    withEmergency(reply, await listVaccinations(profile, person(req), req.params.patientId)),
  );

  app.post(base, { schema: { tags, summary: 'Record a vaccination.', params: PatientParams, body: PatientBody } }, async (req, reply) =>
    reply.status(201).send(await addVaccination(profile, person(req), req.params.patientId, toInput(req.body))),
  );

  app.put(
    `${base}/:vaccinationId`,
    { schema: { tags, summary: 'Correct a vaccination entered from the patient side (all fields; those left out are cleared).', params: EntryParams, body: PatientBody } },
    async (req) => replaceVaccination(profile, person(req), req.params.patientId, req.params.vaccinationId, toInput(req.body)),
  );

  app.delete(`${base}/:vaccinationId`, { schema: { tags, summary: 'Delete a vaccination entered from the patient side.', params: EntryParams } }, async (req, reply) => {
    await removeVaccination(profile, person(req), req.params.patientId, req.params.vaccinationId);
    return reply.status(204).send();
  });

  app.post(
    `${base}/history-document`,
    { schema: { tags, summary: 'Generate the vaccination history (PDF, type 11369-6 “Historique des vaccinations”) and save it to the documents.', params: PatientParams } },
    async (req, reply) => reply.status(201).send(await generateVaccinationHistory(profile, repo, person(req), req.params.patientId)),
  );

  // ---- Professionals -------------------------------------------------------------------
  const proTags = ['vaccinations (professionals)'];
  const proBase = '/api/pro/patients/:patientId/vaccinations';

  app.get(
    proBase,
    { schema: { tags: proTags, summary: 'The vaccinations of a patient (authorized professionals, or emergency modes), newest first; optional filters.', params: PatientParams, querystring: ProListQuery } },
    async (req, reply) => {
      const caller = documentsCallerOf(requireProfessional(req));
      const q = req.query;
      const filter = { vaccineCodes: q.vaccineCode?.split(',').filter((c) => c !== ''), from: dateParam('from', q.from), to: dateParam('to', q.to) };
      return withEmergency(reply, await listVaccinations(profile, caller, req.params.patientId, { mode: q.mode, justification: q.justification, filter }));
    },
  );

  app.post(
    proBase,
    { schema: { tags: proTags, summary: 'Record a vaccination one performed (authorized professionals, normal mode); the professional is its performer.', params: PatientParams, querystring: NoQuery, body: ProBody } },
    async (req, reply) => {
      const caller = documentsCallerOf(requireProfessional(req));
      return reply.status(201).send(await addVaccination(profile, caller, req.params.patientId, req.body));
    },
  );

  app.put(
    `${proBase}/:vaccinationId`,
    { schema: { tags: proTags, summary: 'Correct a vaccination one recorded (all fields); only its author may.', params: EntryParams, querystring: NoQuery, body: ProBody } },
    async (req) => replaceVaccination(profile, documentsCallerOf(requireProfessional(req)), req.params.patientId, req.params.vaccinationId, req.body),
  );

  app.delete(
    `${proBase}/:vaccinationId`,
    { schema: { tags: proTags, summary: 'Delete a vaccination one recorded (an entry made in error); only its author may.', params: EntryParams, querystring: NoQuery } },
    async (req, reply) => {
      await removeVaccination(profile, documentsCallerOf(requireProfessional(req)), req.params.patientId, req.params.vaccinationId);
      return reply.status(204).send();
    },
  );
};

/**
 * HTTP routes of the medical profile's health history (RULES §7): diseases and health topics,
 * treatments, hospitalisations, disabilities, allergies, family history (lists, each accepting
 * "not concerned"), blood group, lifestyle. The patient's side (holder, legal representative,
 * aidant: decide() tells) reads and writes; professionals read the health history as the
 * matrix and the patient's choices allow, emergency modes included. The service decides,
 * traces and stores; nothing here touches the tables.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { requirePatient } from '../auth/index.ts';
import { requireProfessional } from '../pro-auth/index.ts';
import { ACCESS_MODES } from '../access/index.ts';
import { documentsCallerOf } from '../records/index.ts';
import type { RecordCaller } from '../records/index.ts';
import { BloodGroupBody, LIST_SECTIONS, LifestyleBody, SECTION_BODIES, SECTION_LABELS, SECTION_SEGMENTS } from './health-history-validation.ts';
// Coded fields are JSON-schema enums (Ajv then names the allowed values); the type provider
// sees them as unknown, so validated bodies are given their static type here.
import type { BloodGroupInput, LifestyleInput, ListSection, SectionContent } from './health-history-validation.ts';
import * as service from './health-history-service.ts';
import { profileDepsOf } from './profile-crypto.ts';

export { readHealthHistory } from './health-history-store.ts';
export type { HealthHistory } from './health-history-store.ts';

const PatientParams = Type.Object({ patientId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const EntryParams = Type.Object({ patientId: Type.String({ format: 'uuid' }), entryId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
const ModeQuery = Type.Object(
  {
    mode: Type.Optional(Type.Union(ACCESS_MODES.map((m) => Type.Literal(m)), { description: 'normal (default), samu (centre 15 regulators), bris_de_glace (with a justification)' })),
    justification: Type.Optional(Type.String({ maxLength: 2000, description: 'Bris de glace: why the patient cannot consent and the record is needed' })),
  },
  { additionalProperties: false },
);

export const healthHistoryRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  // The use cases get the sealer of the profile's tables (built once, from the master key).
  const profile = profileDepsOf(deps);
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const person = (req: FastifyRequest): RecordCaller => ({ kind: 'person', personId: requirePatient(req).patientId });
  const tags = ['medical profile'];
  const base = '/api/spaces/:patientId/health-history';

  app.get(
    base,
    { schema: { tags, summary: 'The health history: each list (entries, or “not concerned” and its date) and the blood group.', params: PatientParams } },
    async (req) => (await service.readHistory(profile, person(req), req.params.patientId)).value,
  );

  for (const section of LIST_SECTIONS) {
    const seg = `${base}/${SECTION_SEGMENTS[section]}`;
    const label = SECTION_LABELS[section];
    // The schema of this section validated the body before the handler runs.
    const bodyOf = (req: FastifyRequest) => req.body as SectionContent[ListSection];

    app.post(
      seg,
      { schema: { tags, summary: `Add an entry to ${label} (clears “not concerned”).`, params: PatientParams, body: SECTION_BODIES[section] } },
      async (req, reply) => reply.status(201).send(await service.addEntry(profile, person(req), req.params.patientId, section, bodyOf(req))),
    );

    app.put(
      `${seg}/not-concerned`,
      { schema: { tags, summary: `Say you are not concerned by ${label} (dated today). Refused (409) while the list has entries.`, params: PatientParams } },
      async (req) => service.declareNotConcerned(profile, person(req), req.params.patientId, section),
    );

    app.delete(`${seg}/not-concerned`, { schema: { tags, summary: `Withdraw “not concerned” for ${label}.`, params: PatientParams } }, async (req, reply) => {
      await service.withdrawNotConcerned(profile, person(req), req.params.patientId, section);
      return reply.status(204).send();
    });

    app.put(
      `${seg}/:entryId`,
      { schema: { tags, summary: `Edit an entry of ${label} (send the whole entry).`, params: EntryParams, body: SECTION_BODIES[section] } },
      async (req) => service.replaceEntry(profile, person(req), req.params.patientId, section, req.params.entryId, bodyOf(req)),
    );

    app.delete(`${seg}/:entryId`, { schema: { tags, summary: `Delete an entry of ${label}.`, params: EntryParams } }, async (req, reply) => {
      await service.removeEntry(profile, person(req), req.params.patientId, section, req.params.entryId);
      return reply.status(204).send();
    });
  }

  app.put(
    `${base}/blood-group`,
    { schema: { tags, summary: 'State the blood group (ABO and Rhesus) and the day it was stated.', params: PatientParams, body: BloodGroupBody } },
    async (req) => service.setBloodGroup(profile, person(req), req.params.patientId, req.body as BloodGroupInput),
  );

  app.delete(`${base}/blood-group`, { schema: { tags, summary: 'Remove the blood group.', params: PatientParams } }, async (req, reply) => {
    await service.deleteSingle(profile, person(req), req.params.patientId, 'bloodGroup');
    return reply.status(204).send();
  });

  // Lifestyle is `profile`: the patient's side only (access/types.ts), hence its own address.
  const lifestyle = '/api/spaces/:patientId/lifestyle';
  app.get(lifestyle, { schema: { tags, summary: 'Lifestyle: tobacco, alcohol, physical activity, diet (null when not stated).', params: PatientParams } }, async (req) => ({
    lifestyle: await service.readLifestyle(profile, person(req), req.params.patientId),
  }));

  app.put(
    lifestyle,
    { schema: { tags, summary: 'State your lifestyle (replaces the previous statement; at least one of tobacco, alcohol, physicalActivity, diet).', params: PatientParams, body: LifestyleBody } },
    async (req) => service.setLifestyle(profile, person(req), req.params.patientId, req.body as LifestyleInput),
  );

  app.delete(lifestyle, { schema: { tags, summary: 'Remove your lifestyle statement.', params: PatientParams } }, async (req, reply) => {
    await service.deleteSingle(profile, person(req), req.params.patientId, 'lifestyle');
    return reply.status(204).send();
  });

  // ---- Professionals ---------------------------------------------------------------------
  app.get(
    '/api/pro/patients/:patientId/health-history',
    {
      schema: {
        tags: ['medical profile (professionals)'],
        summary: 'A patient’s health history (lists and blood group), for a professional the matrix and the patient’s choices let in; emergency modes as for documents (X-Carnet-Emergency-Mode).',
        params: PatientParams,
        querystring: ModeQuery,
      },
    },
    async (req, reply) => {
      const caller = documentsCallerOf(requireProfessional(req));
      const a = await service.readHistory(profile, caller, req.params.patientId, req.query);
      if (a.emergencyMode !== null) reply.header('x-carnet-emergency-mode', a.emergencyMode);
      return { ...a.value, emergency: a.emergencyMode === null ? null : { mode: a.emergencyMode, banner: true } };
    },
  );
};

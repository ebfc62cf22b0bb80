/**
 * HTTP routes of measures (RULES §7), for the patient's side: the holder, a legal
 * representative of a minor, an accepted aidant (session cookie; CSRF header on writes).
 * Professionals do not read measures (resource kind `profile`). The routes check the shape of
 * the input and call measures-service.ts, which decides, traces and stores.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { requirePatient } from '../auth/index.ts';
import type { RecordCaller } from '../records/index.ts';
import { MEASURE_CATALOGUE, MEASURE_TYPES } from './measures-catalogue.ts';
import * as service from './measures-service.ts';
import { profileDepsOf } from './profile-crypto.ts';

const tags = ['measures'];
const PatientId = Type.Object({ patientId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
// The type is checked by the service so the 400 lists the known ones.
const MeasureTypeParam = Type.String({ minLength: 1, maxLength: 40, description: `A type of measure: ${MEASURE_TYPES.join(', ')}` });
const PatientAndType = Type.Object({ patientId: Type.String({ format: 'uuid' }), type: MeasureTypeParam }, { additionalProperties: false });
const PatientAndMeasure = Type.Object({ patientId: Type.String({ format: 'uuid' }), measureId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

const valueFields = {
  value: Type.Optional(Type.Number({ description: 'The value, in `unit` (every type but blood_pressure).' })),
  systolic: Type.Optional(Type.Number({ description: 'Blood pressure: systolic, mmHg.' })),
  diastolic: Type.Optional(Type.Number({ description: 'Blood pressure: diastolic, mmHg.' })),
  unit: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: 'UCUM code of the unit entered (e.g. kg, [lb_av], cm, mmol/L, g/L); default: the unit the type is kept in.' })),
  effectiveAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the measure was taken (not in the future, not before birth); default: now.' })),
};
const NewMeasure = Type.Object({ type: MeasureTypeParam, ...valueFields }, { additionalProperties: false });
const MeasureChange = Type.Object(valueFields, { additionalProperties: false });
const Period = Type.Object(
  {
    from: Type.Optional(Type.String({ minLength: 10, maxLength: 40, description: 'Start (YYYY-MM-DD or date-time), included.' })),
    to: Type.Optional(Type.String({ minLength: 10, maxLength: 40, description: 'End (YYYY-MM-DD: that whole day; or a date-time), excluded.' })),
  },
  { additionalProperties: false },
);
const Target = Type.Object(
  {
    low: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: 'Low end (in the type’s unit), if any.' })),
    high: Type.Number({ description: 'High end, in the type’s unit (HbA1c: %).' }),
  },
  { additionalProperties: false },
);

const personOf = (req: FastifyRequest): RecordCaller => ({ kind: 'person', personId: requirePatient(req).patientId });

export const measuresRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  // The use cases get the sealer of the profile's tables (built once, from the master key).
  const profile = profileDepsOf(deps);
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const base = '/api/spaces/:patientId/measures';

  app.get('/api/measures/catalogue', { schema: { tags, summary: 'The types of measures: LOINC code, kept unit, units accepted on entry, possible range, how each is entered.' } }, async () =>
    Object.values(MEASURE_CATALOGUE).map((d) => ({
      type: d.type,
      label: d.label,
      loinc: d.loinc,
      unit: d.unit,
      symbol: d.symbol,
      inputUnits: d.inputUnits.map((u) => ({ code: u.code, symbol: u.symbol })),
      range: d.range,
      ...(d.range2 === undefined ? {} : { diastolicRange: d.range2 }),
      entry: d.entry,
      decimals: d.decimals,
      growth: d.growth,
      target: d.target,
    })),
  );

  app.get(base, { schema: { tags, summary: 'The last value of each type of measure, the BMI (with its WHO class for an adult) and the targets.', params: PatientId } }, async (req) =>
    service.readOverview(profile, personOf(req), req.params.patientId),
  );

  app.post(
    base,
    {
      schema: {
        tags,
        summary: 'Add a measure. `value` (and `unit`), or `systolic` and `diastolic` for a blood pressure. BMI is computed, never entered.',
        params: PatientId,
        body: NewMeasure,
      },
    },
    async (req, reply) => {
      const { type, ...input } = req.body;
      const view = await service.addMeasure(profile, personOf(req), req.params.patientId, type, input);
      return reply.status(201).send(view);
    },
  );

  app.get(`${base}/growth`, { schema: { tags, summary: 'Growth curves data: weight, height, head circumference and BMI measured before 18, with the age at each measure.', params: PatientId } }, async (req) =>
    service.readGrowth(profile, personOf(req), req.params.patientId),
  );

  app.get(
    `${base}/series/:type`,
    { schema: { tags, summary: 'The values of one type over a period (newest first) with count, last, min, max and mean; HbA1c with its target; BMI with its WHO class.', params: PatientAndType, querystring: Period } },
    async (req) => service.readSeries(profile, personOf(req), req.params.patientId, req.params.type, req.query),
  );

  app.put(`${base}/values/:measureId`, { schema: { tags, summary: 'Edit a measure (its type stays). Without effectiveAt, the time of the measure is kept.', params: PatientAndMeasure, body: MeasureChange } }, async (req) =>
    service.updateMeasure(profile, personOf(req), req.params.patientId, req.params.measureId, req.body),
  );

  app.delete(`${base}/values/:measureId`, { schema: { tags, summary: 'Delete a measure.', params: PatientAndMeasure } }, async (req) =>
    service.deleteMeasure(profile, personOf(req), req.params.patientId, req.params.measureId),
  );

  app.put(`${base}/targets/:type`, { schema: { tags, summary: 'Set the target range of a type (HbA1c).', params: PatientAndType, body: Target } }, async (req) =>
    service.setTarget(profile, personOf(req), req.params.patientId, req.params.type, req.body),
  );

  app.delete(`${base}/targets/:type`, { schema: { tags, summary: 'Remove the target of a type.', params: PatientAndType } }, async (req) =>
    service.removeTarget(profile, personOf(req), req.params.patientId, req.params.type),
  );
};

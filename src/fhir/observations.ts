/**
 * Measures (RULES §7) as FHIR R4 Observation: GET /fhir/Observation (search: patient, code,
 * category, date) and GET /fhir/Observation/:id, for the patient's side (session cookie).
 *
 * Measures are resource kind `profile`: decide() keeps them from professionals, whose attempt
 * is traced as `access_denied` and answered 404 like a space that does not exist. A search is
 * traced once (`observations_listed`), a read once (`observation_read`).
 *
 * Vital signs follow the R4 vital-signs profiles (category vital-signs, LOINC code, UCUM
 * units: height in cm as the bodyheight profile binds it); blood pressure is one Observation
 * with its systolic and diastolic components; the BMI is computed for each weight (with the
 * height it was computed with in derivedFrom); HbA1c carries the patient's target as a
 * `treatment` reference range with an interpretation.
 *
 * Ids: the patient's id and the measure's id, without dashes (64 hex digits), so that a read
 * finds the space before the measure (every table is keyed by patient first). A BMI takes its
 * weight's id with the UUID version digit (1-8 in any UUID) replaced by `b`.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { CodeableConcept, Observation, ObservationReferenceRange, Quantity } from '@medplum/fhirtypes';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { requirePatient } from '../auth/index.ts';
import { DIASTOLIC, MEASURE_CATALOGUE, SYSTOLIC, roundTo, ADULT_YEARS, againstTarget, ageAt, bmiSeries, birthDateOf, findMeasure, listMeasures, readTargets, createProfileSealer } from '../profile/index.ts';
import type { MeasureDefinition, MeasureType, MeasureRecord, MeasureTarget, RecordSealer } from '../profile/index.ts';
import { documentsCallerOf, withRecordAccess } from '../records/index.ts';
import type { RecordCaller } from '../records/index.ts';
import type { Queryable } from '../storage/index.ts';
import { MAX_COUNT, dateMatches, givenParams, pageOf, parseDate, parseReference, parseTokens, searchset, tokenMatches } from './search.ts';
import { fhirBase, sendResource } from './http.ts';

export const LOINC = 'http://loinc.org';
export const UCUM = 'http://unitsofmeasure.org';
export const OBSERVATION_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const RANGE_MEANING = 'http://terminology.hl7.org/CodeSystem/referencerange-meaning';
const VITAL_SIGNS_PROFILE = 'http://hl7.org/fhir/StructureDefinition/vitalsigns';

const CATEGORY_DISPLAY: Readonly<Record<MeasureDefinition['category'], string>> = {
  'vital-signs': 'Vital Signs',
  laboratory: 'Laboratory',
  exam: 'Exam',
  survey: 'Survey',
  activity: 'Activity',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const dashless = (uuid: string): string => uuid.replaceAll('-', '');
const dashed = (hex: string): string => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

export const observationId = (patientId: string, measureId: string): string => `${dashless(patientId)}${dashless(measureId)}`;
export const bmiObservationId = (patientId: string, weightId: string): string => {
  const w = dashless(weightId);
  return `${dashless(patientId)}${w.slice(0, 12)}b${w.slice(13)}`;
};

/** The space and measure an id names; `bmi`: the BMI computed for that weight. */
export function parseObservationId(id: string): { patientId: string; measureId: string; bmi: boolean } | null {
  if (!/^[0-9a-f]{64}$/.test(id)) return null;
  const m = id.slice(32);
  const bmi = m[12] === 'b';
  return { patientId: dashed(id.slice(0, 32)), measureId: dashed(bmi ? `${m.slice(0, 12)}4${m.slice(13)}` : m), bmi };
}

function quantity(def: MeasureDefinition, value: number): Quantity {
  const u = def.fhirUnit;
  return u === null
    ? { value, unit: def.symbol, system: UCUM, code: def.unit }
    : { value: roundTo(value * u.factor, Math.max(0, def.decimals - Math.round(Math.log10(u.factor)))), unit: u.symbol, system: UCUM, code: u.code };
}

const concept = (code: string, display: string, text?: string): CodeableConcept => ({ coding: [{ system: LOINC, code, display }], ...(text === undefined ? {} : { text }) });

function performerOf(m: MeasureRecord, patientId: string): NonNullable<Observation['performer']>[number] {
  // The holder is the Patient; a representative or an aidant is named (no RelatedPerson of theirs is served).
  return m.author.kind === 'patient' && m.author.id === patientId ? { reference: `Patient/${patientId}` } : { display: m.author.name ?? m.author.kind };
}

function base(def: MeasureDefinition, patientId: string, id: string, effective: Date, issued: Date): Observation {
  return {
    resourceType: 'Observation',
    id,
    ...(def.fhirProfile === null ? {} : { meta: { profile: [VITAL_SIGNS_PROFILE, def.fhirProfile] } }),
    status: 'final',
    category: [{ coding: [{ system: OBSERVATION_CATEGORY, code: def.category, display: CATEGORY_DISPLAY[def.category] }], text: CATEGORY_DISPLAY[def.category] }],
    code: concept(def.loinc, def.display, def.label),
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: effective.toISOString(),
    issued: issued.toISOString(),
  };
}

export function observationOf(patientId: string, m: MeasureRecord, target: MeasureTarget | null): Observation {
  const def = MEASURE_CATALOGUE[m.type];
  const o = base(def, patientId, observationId(patientId, m.measureId), m.effectiveAt, m.updatedAt ?? m.enteredAt);
  o.performer = [performerOf(m, patientId)];
  if (def.entry === 'pair') {
    o.component = [
      { code: concept(SYSTOLIC.loinc, SYSTOLIC.display), valueQuantity: quantity(def, m.value) },
      { code: concept(DIASTOLIC.loinc, DIASTOLIC.display), valueQuantity: quantity(def, m.value2 ?? 0) },
    ];
    return o;
  }
  o.valueQuantity = quantity(def, m.value);
  if (target !== null) {
    const range: ObservationReferenceRange = {
      ...(target.low === null ? {} : { low: quantity(def, target.low) }),
      high: quantity(def, target.high),
      type: { coding: [{ system: RANGE_MEANING, code: 'treatment', display: 'Treatment Range' }] },
      text: 'Target set by the patient',
    };
    o.referenceRange = [range];
    const pos = againstTarget(m.value, target);
    const code = pos === 'above' ? 'H' : pos === 'below' ? 'L' : 'N';
    o.interpretation = [{ coding: [{ system: INTERPRETATION, code, display: pos === 'above' ? 'High' : pos === 'below' ? 'Low' : 'Normal' }] }];
  }
  return o;
}

function bmiObservationOf(patientId: string, weight: MeasureRecord, height: MeasureRecord, bmi: number): Observation {
  const def = MEASURE_CATALOGUE.bmi;
  const issued = [weight.updatedAt ?? weight.enteredAt, height.updatedAt ?? height.enteredAt].reduce((a, b) => (a.getTime() >= b.getTime() ? a : b));
  return {
    ...base(def, patientId, bmiObservationId(patientId, weight.measureId), weight.effectiveAt, issued),
    valueQuantity: quantity(def, bmi),
    derivedFrom: [{ reference: `Observation/${observationId(patientId, weight.measureId)}` }, { reference: `Observation/${observationId(patientId, height.measureId)}` }],
  };
}

/** Observations of these types, newest first: stored measures, and a BMI per weight when asked. */
async function observationsOf(q: Queryable, sealer: RecordSealer, patientId: string, types: ReadonlySet<MeasureType>): Promise<{ at: number; resource: Observation }[]> {
  const stored = [...types].filter((t) => t !== 'bmi');
  const rows = await listMeasures(q, patientId, sealer, stored);
  const targets = await readTargets(q, patientId, sealer);
  const out = rows.map((m) => ({ at: m.effectiveAt.getTime(), resource: observationOf(patientId, m, MEASURE_CATALOGUE[m.type].target ? (targets.find((t) => t.type === m.type) ?? null) : null) }));
  if (types.has('bmi')) {
    const birth = (await birthDateOf(q, patientId)) ?? '0000-01-01';
    const wh = await listMeasures(q, patientId, sealer, ['weight', 'height']);
    const pairs = bmiSeries(
      wh.filter((m) => m.type === 'weight').map((m) => ({ ...m, at: m.effectiveAt })),
      wh.filter((m) => m.type === 'height').map((m) => ({ ...m, at: m.effectiveAt })),
      (at) => ageAt(birth, at).years >= ADULT_YEARS,
    );
    for (const p of pairs) out.push({ at: p.weight.effectiveAt.getTime(), resource: bmiObservationOf(patientId, p.weight, p.height, p.bmi) });
  }
  return out.sort((a, b) => b.at - a.at || ((b.resource.id ?? '') < (a.resource.id ?? '') ? -1 : 1));
}

const SEARCH_PARAMS = ['patient', 'code', 'category', 'date'] as const;
const ObservationSearch = Type.Object(
  {
    patient: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Patient/<id>; default: the signed-in patient' })),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Same as patient' })),
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'LOINC code(s), e.g. http://loinc.org|29463-7,85354-9' })),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'vital-signs, laboratory, exam, survey, activity' })),
    date: Type.Optional(Type.Array(Type.String({ minLength: 4, maxLength: 40 }), { maxItems: 4, description: 'Observation.effective with prefix eq/ne/lt/le/gt/ge' })),
    _count: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_COUNT })),
    _offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** The caller: a patient's session (holder, representative, aidant), else a professional (refused by decide(), traced), else 401. */
function callerOf(req: FastifyRequest): RecordCaller {
  if (req.patientSession === null && req.professional !== null) return documentsCallerOf(req.professional);
  return { kind: 'person', personId: requirePatient(req).patientId };
}

const notFound = (what: string) => new AppError('not_found', `${what} does not exist or you may not see it.`);

export const observationsFhirRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const fhirUrl = fhirBase(deps.config);
  // The measures' values are sealed (Invariant 4): opened with the profile's sealer.
  const sealer = createProfileSealer(deps);

  app.get('/Observation', { schema: { querystring: ObservationSearch } }, async (req, reply) => {
    const caller = callerOf(req);
    const q0 = req.query;
    const page = pageOf(q0);
    const ref = q0.patient ?? q0.subject;
    let patientId: string;
    if (ref !== undefined) patientId = parseReference(q0.patient === undefined ? 'subject' : 'patient', ref, 'Patient', UUID);
    else if (caller.kind === 'person') patientId = caller.personId;
    else throw new AppError('validation_failed', 'Invalid search parameter patient: required (Patient/<id>).', { details: [{ field: 'patient', reason: 'required' }] });
    const codes = q0.code === undefined ? null : parseTokens('code', q0.code);
    const categories = q0.category === undefined ? null : parseTokens('category', q0.category);
    const dates = (q0.date ?? []).map((v) => parseDate('date', v));
    const types = new Set(
      Object.values(MEASURE_CATALOGUE)
        .filter((d) => codes === null || tokenMatches(codes, LOINC, d.loinc))
        .filter((d) => categories === null || tokenMatches(categories, OBSERVATION_CATEGORY, d.category))
        .map((d) => d.type),
    );

    const { value } = await withRecordAccess(deps, caller, patientId, { action: 'list', kind: 'profile', traceAction: 'observations_listed', target: 'Observation' }, async (ctx) => {
      const all = (await observationsOf(ctx.q, sealer, patientId, types)).filter((o) => dates.every((c) => dateMatches(c, o.at)));
      return { value: all, detail: { count: all.length } };
    });
    const shown = value.slice(page.offset, page.offset + page.count).map((o) => o.resource);
    return sendResource(reply, searchset(fhirUrl, 'Observation', givenParams(q0, [...SEARCH_PARAMS, 'subject']), page, shown, value.length > page.offset + page.count, value.length));
  });

  app.get('/Observation/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const caller = callerOf(req);
    const id = req.params.id;
    const parsed = parseObservationId(id);
    if (parsed === null) throw notFound(`Observation/${id}`);
    const { patientId, measureId, bmi } = parsed;
    const { value } = await withRecordAccess(deps, caller, patientId, { action: 'read', kind: 'profile', traceAction: 'observation_read', target: `Observation/${id}` }, async (ctx) => {
      const m = await findMeasure(ctx.q, patientId, sealer, measureId);
      if (m === null || (bmi && m.type !== 'weight')) throw notFound(`Observation/${id}`);
      if (!bmi) {
        const target = MEASURE_CATALOGUE[m.type].target ? ((await readTargets(ctx.q, patientId, sealer)).find((t) => t.type === m.type) ?? null) : null;
        return { value: observationOf(patientId, m, target) };
      }
      const found = (await observationsOf(ctx.q, sealer, patientId, new Set<MeasureType>(['bmi']))).find((o) => o.resource.id === id);
      if (found === undefined) throw notFound(`Observation/${id}`);
      return { value: found.resource };
    });
    return sendResource(reply, value);
  });
};

/** For the CapabilityStatement. */
export const OBSERVATION_SEARCH_PARAMS = SEARCH_PARAMS;

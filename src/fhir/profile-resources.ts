/**
 * FHIR R4 views of the health history (RULES §7) for professionals: Condition (diseases,
 * health topics and disabilities), Encounter (hospitalisations), MedicationStatement
 * (treatments), AllergyIntolerance and FamilyMemberHistory. Read and search by patient, through
 * the health history service: decide() (matrix, authorized list, blocking) and the trace apply,
 * and an entry the caller may not see answers 404 like one that does not exist.
 *
 * Hospitalisations are Encounters (class IMP, inpatient): a stay has a period, a reason and a
 * place, which is what Encounter models; a Condition would be the reason, not the stay, and a
 * Procedure an act performed, which a patient's "I was in hospital" does not name.
 *
 * Ids: entries are partitioned by patient, so a resource is named by both, hex without dashes
 * (64 characters, the longest FHIR id), as DocumentReference does; a lookup hits the key.
 * Blood group and lifestyle are not served here (lifestyle stays on the patient's side).
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TSchema } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AllergyIntolerance, Annotation, CodeableConcept, Condition, Encounter, FamilyMemberHistory, MedicationStatement, Patient, Reference, Resource } from '@medplum/fhirtypes';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { requireProfessional } from '../pro-auth/index.ts';
import { readEntry, searchEntries, FAMILY_RELATIONS, ROLE_CODE_SYSTEM, profileDepsOf } from '../profile/index.ts';
import type { Recorder, StoredEntry, ListSection, SectionContent } from '../profile/index.ts';
import { documentsCallerOf } from '../records/index.ts';
import { MAX_COUNT, givenParams, pageOf, parseReference, parseTokens, searchset, tokenMatches } from './search.ts';
import type { Token } from './search.ts';
import { fhirBase, sendResource } from './http.ts';

export const CONDITION_CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/condition-category';
export const CONDITION_CLINICAL_SYSTEM = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
export const ALLERGY_CLINICAL_SYSTEM = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
export const ICD10_SYSTEM = 'http://hl7.org/fhir/sid/icd-10';
export const ATC_SYSTEM = 'http://www.whocc.no/atc';
export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
/** Carnet's sections of the health history (disease, health_topic, disability) as a Condition category. */
export const HEALTH_HISTORY_CATEGORY_SYSTEM = 'https://carnet.example/fhir/CodeSystem/health-history-category';
/** Carnet's kinds of disability (motor, visual, hearing...). */
export const DISABILITY_KIND_SYSTEM = 'https://carnet.example/fhir/CodeSystem/disability-kind';

/** The sections each resource type shows. */
export const PROFILE_RESOURCE_SECTIONS = {
  Condition: ['conditions', 'disabilities'],
  Encounter: ['hospitalisations'],
  MedicationStatement: ['treatments'],
  AllergyIntolerance: ['allergies'],
  FamilyMemberHistory: ['familyHistory'],
} as const satisfies Record<string, readonly ListSection[]>;
export type ProfileResourceType = keyof typeof PROFILE_RESOURCE_SECTIONS;
const TYPES = Object.keys(PROFILE_RESOURCE_SECTIONS) as ProfileResourceType[];

const HEX64 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const dashless = (uuid: string) => uuid.replaceAll('-', '');
const dashed = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/** The FHIR id of a patient's health history entry. */
export const profileResourceId = (patientId: string, entryId: string): string => `${dashless(patientId)}${dashless(entryId)}`;

export function parseProfileResourceId(id: string): { patientId: string; entryId: string } | null {
  const hex = id.toLowerCase();
  if (!HEX64.test(hex)) return null;
  return { patientId: dashed(hex.slice(0, 32)), entryId: dashed(hex.slice(32)) };
}

// ---- Resources ----------------------------------------------------------------------------

const RECORDER_ROLE = { patient: 'patient', representative: 'legal representative', aidant: 'aidant' } as const;

/** Who stated it: the patient (a reference), or a representative or aidant (named: they have no FHIR resource here). */
function asserterOf(patientId: string, by: Recorder): Reference<Patient> {
  if (by.kind === 'patient') return { reference: `Patient/${patientId}`, ...(by.name === null ? {} : { display: by.name }) };
  return { display: `${by.name ?? 'Unknown'} (${RECORDER_ROLE[by.kind]})` };
}

const notes = (note: string | undefined): { note?: Annotation[] } => (note === undefined ? {} : { note: [{ text: note }] });
const textCode = (text: string, system: string, code: string | undefined): CodeableConcept => ({ text, ...(code === undefined ? {} : { coding: [{ system, code }] }) });

function condition(patientId: string, e: StoredEntry, c: SectionContent['conditions']): Condition {
  return {
    resourceType: 'Condition',
    id: profileResourceId(patientId, e.entryId),
    meta: { lastUpdated: e.updatedAt },
    clinicalStatus: { coding: [{ system: CONDITION_CLINICAL_SYSTEM, code: c.status }] },
    category: [
      { coding: [{ system: CONDITION_CATEGORY_SYSTEM, code: 'problem-list-item', display: 'Problem List Item' }] },
      { coding: [{ system: HEALTH_HISTORY_CATEGORY_SYSTEM, code: c.kind }] },
    ],
    code: textCode(c.label, ICD10_SYSTEM, c.cim10),
    subject: { reference: `Patient/${patientId}` },
    ...(c.onsetDate === undefined ? {} : { onsetDateTime: c.onsetDate }),
    ...(c.resolvedDate === undefined ? {} : { abatementDateTime: c.resolvedDate }),
    recordedDate: e.createdAt,
    asserter: asserterOf(patientId, e.createdBy),
    ...notes(c.note),
  };
}

function disability(patientId: string, e: StoredEntry, c: SectionContent['disabilities']): Condition {
  return {
    resourceType: 'Condition',
    id: profileResourceId(patientId, e.entryId),
    meta: { lastUpdated: e.updatedAt },
    clinicalStatus: { coding: [{ system: CONDITION_CLINICAL_SYSTEM, code: 'active' }] },
    category: [
      { coding: [{ system: CONDITION_CATEGORY_SYSTEM, code: 'problem-list-item', display: 'Problem List Item' }] },
      { coding: [{ system: HEALTH_HISTORY_CATEGORY_SYSTEM, code: 'disability' }] },
    ],
    code: { text: c.label, coding: [{ system: DISABILITY_KIND_SYSTEM, code: c.kind }] },
    subject: { reference: `Patient/${patientId}` },
    ...(c.since === undefined ? {} : { onsetDateTime: c.since }),
    recordedDate: e.createdAt,
    asserter: asserterOf(patientId, e.createdBy),
    ...notes(c.note),
  };
}

function encounter(patientId: string, e: StoredEntry, c: SectionContent['hospitalisations']): Encounter {
  return {
    resourceType: 'Encounter',
    id: profileResourceId(patientId, e.entryId),
    meta: { lastUpdated: e.updatedAt },
    // Without a discharge date the patient did not say the stay ended (nor that it goes on).
    status: c.endDate === undefined ? 'unknown' : 'finished',
    class: { system: ACT_CODE_SYSTEM, code: 'IMP', display: 'inpatient encounter' },
    subject: { reference: `Patient/${patientId}` },
    period: { start: c.startDate, ...(c.endDate === undefined ? {} : { end: c.endDate }) },
    reasonCode: [{ text: c.reason }],
    ...(c.establishment === undefined ? {} : { serviceProvider: { display: c.establishment } }),
  };
}

function medicationStatement(patientId: string, e: StoredEntry, c: SectionContent['treatments']): MedicationStatement {
  const period = { ...(c.startDate === undefined ? {} : { start: c.startDate }), ...(c.endDate === undefined ? {} : { end: c.endDate }) };
  return {
    resourceType: 'MedicationStatement',
    id: profileResourceId(patientId, e.entryId),
    meta: { lastUpdated: e.updatedAt },
    status: c.ongoing ? 'active' : 'completed',
    medicationCodeableConcept: textCode(c.medication, ATC_SYSTEM, c.atc),
    subject: { reference: `Patient/${patientId}` },
    ...(Object.keys(period).length === 0 ? {} : { effectivePeriod: period }),
    dateAsserted: e.updatedAt,
    informationSource: asserterOf(patientId, e.updatedBy),
    ...(c.reason === undefined ? {} : { reasonCode: [{ text: c.reason }] }),
    ...(c.dosage === undefined ? {} : { dosage: [{ text: c.dosage }] }),
    ...notes(c.note),
  };
}

function allergyIntolerance(patientId: string, e: StoredEntry, c: SectionContent['allergies']): AllergyIntolerance {
  return {
    resourceType: 'AllergyIntolerance',
    id: profileResourceId(patientId, e.entryId),
    meta: { lastUpdated: e.updatedAt },
    clinicalStatus: { coding: [{ system: ALLERGY_CLINICAL_SYSTEM, code: 'active' }] },
    type: c.type,
    category: [c.category],
    code: { text: c.substance },
    patient: { reference: `Patient/${patientId}` },
    ...(c.since === undefined ? {} : { onsetDateTime: c.since }),
    recordedDate: e.createdAt,
    asserter: asserterOf(patientId, e.createdBy),
    ...(c.reaction === undefined ? {} : { reaction: [{ manifestation: [{ text: c.reaction }], ...(c.severity === undefined ? {} : { severity: c.severity }) }] }),
    ...notes(c.note),
  };
}

function familyMemberHistory(patientId: string, e: StoredEntry, c: SectionContent['familyHistory']): FamilyMemberHistory {
  return {
    resourceType: 'FamilyMemberHistory',
    id: profileResourceId(patientId, e.entryId),
    meta: { lastUpdated: e.updatedAt },
    status: 'completed',
    patient: { reference: `Patient/${patientId}` },
    date: e.updatedAt,
    relationship: { coding: [{ system: ROLE_CODE_SYSTEM, code: c.relation, display: FAMILY_RELATIONS[c.relation] }] },
    condition: [
      {
        code: { text: c.condition },
        ...(c.ageAtOnset === undefined ? {} : { onsetAge: { value: c.ageAtOnset, unit: 'a', system: 'http://unitsofmeasure.org', code: 'a' } }),
      },
    ],
    ...notes(c.note),
  };
}

/** The FHIR resource of an entry. */
export function profileResourceOf(patientId: string, e: StoredEntry): Resource {
  switch (e.section) {
    case 'conditions':
      return condition(patientId, e, e.content);
    case 'disabilities':
      return disability(patientId, e, e.content);
    case 'hospitalisations':
      return encounter(patientId, e, e.content);
    case 'treatments':
      return medicationStatement(patientId, e, e.content);
    case 'allergies':
      return allergyIntolerance(patientId, e, e.content);
    case 'familyHistory':
      return familyMemberHistory(patientId, e, e.content);
  }
}

// ---- Search parameters ------------------------------------------------------------------

interface SearchParam {
  documentation: string;
  /** Does the entry match one of the tokens? */
  matches: (tokens: readonly Token[], e: StoredEntry) => boolean;
}

const conditionCategoryOf = (e: StoredEntry): string => (e.section === 'disabilities' ? 'disability' : e.section === 'conditions' ? e.content.kind : '');

const SEARCH: { readonly [T in ProfileResourceType]: Readonly<Record<string, SearchParam>> } = {
  Condition: {
    'clinical-status': {
      documentation: 'active, resolved',
      matches: (t, e) => tokenMatches(t, CONDITION_CLINICAL_SYSTEM, e.section === 'conditions' ? e.content.status : 'active'),
    },
    category: {
      documentation: `problem-list-item (${CONDITION_CATEGORY_SYSTEM}), or disease, health_topic, disability (${HEALTH_HISTORY_CATEGORY_SYSTEM})`,
      matches: (t, e) => tokenMatches(t, CONDITION_CATEGORY_SYSTEM, 'problem-list-item') || tokenMatches(t, HEALTH_HISTORY_CATEGORY_SYSTEM, conditionCategoryOf(e)),
    },
  },
  Encounter: {},
  MedicationStatement: {
    status: { documentation: 'active (ongoing), completed', matches: (t, e) => e.section === 'treatments' && tokenMatches(t, 'http://hl7.org/fhir/CodeSystem/medication-statement-status', e.content.ongoing ? 'active' : 'completed') },
  },
  AllergyIntolerance: {
    category: { documentation: 'food, medication, environment, biologic', matches: (t, e) => e.section === 'allergies' && tokenMatches(t, 'http://hl7.org/fhir/allergy-intolerance-category', e.content.category) },
    type: { documentation: 'allergy, intolerance', matches: (t, e) => e.section === 'allergies' && tokenMatches(t, 'http://hl7.org/fhir/allergy-intolerance-type', e.content.type) },
  },
  FamilyMemberHistory: {
    relationship: { documentation: `HL7 v3 RoleCode (${ROLE_CODE_SYSTEM}): MTH, FTH, SIS, BRO...`, matches: (t, e) => e.section === 'familyHistory' && tokenMatches(t, ROLE_CODE_SYSTEM, e.content.relation) },
  },
};

const DOCUMENTATION: Readonly<Record<ProfileResourceType, string>> = {
  Condition: 'Diseases, health topics and disabilities of the patient’s health history (stated by the patient’s side).',
  Encounter: 'Hospitalisations of the patient’s health history (class IMP): reason, establishment, dates.',
  MedicationStatement: 'Treatments of the patient’s health history: medicine, dosage, dates, ongoing or not.',
  AllergyIntolerance: 'Allergies and intolerances of the patient’s health history: substance, reaction, severity.',
  FamilyMemberHistory: 'Family history: the condition and the relation (HL7 v3 RoleCode).',
};

/**
 * What these routes serve, for the CapabilityStatement (capability.ts):
 * [type, search parameters [name, type, documentation] (paging added there), documentation].
 */
export const PROFILE_FHIR_CAPABILITIES: readonly [type: ProfileResourceType, search: [string, 'token' | 'reference', string][], documentation: string][] = TYPES.map((type) => [
  type,
  [['patient', 'reference', 'Patient/<id>: required'], ...Object.entries(SEARCH[type]).map(([name, p]): [string, 'token', string] => [name, 'token', p.documentation])],
  `${DOCUMENTATION[type]} For a professional the matrix and the patient’s choices let in; others are not found. Reads and searches are traced.`,
]);

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

function searchQuery(type: ProfileResourceType): TSchema {
  const extra = Object.fromEntries(Object.entries(SEARCH[type]).map(([name, p]) => [name, Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: `${p.documentation} ([system|]code, comma = or)` }))]));
  return Type.Object(
    {
      patient: Type.String({ minLength: 1, maxLength: 200, description: 'Patient/<id>: required, a search is within one record' }),
      ...extra,
      _count: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_COUNT })),
      _offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    },
    { additionalProperties: false },
  );
}

const notFound = (type: string, id: string) => new AppError('not_found', `${type}/${id} does not exist or you may not see it.`);

export const profileFhirRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const base = fhirBase(deps.config);
  // The profile's use cases, with the sealer of its tables (Invariant 4).
  const profile = profileDepsOf(deps);

  for (const type of TYPES) {
    const sections: readonly ListSection[] = PROFILE_RESOURCE_SECTIONS[type];

    app.get(`/${type}/:id`, { schema: { params: IdParams } }, async (req, reply) => {
      const caller = documentsCallerOf(requireProfessional(req));
      const ref = parseProfileResourceId(req.params.id);
      if (ref === null) throw notFound(type, req.params.id);
      const entry = await readEntry(profile, caller, ref.patientId, ref.entryId, sections, `${type}/${req.params.id}`).catch((e: unknown) => {
        throw e instanceof AppError && e.code === 'not_found' ? notFound(type, req.params.id) : e;
      });
      return sendResource(reply, profileResourceOf(ref.patientId, entry));
    });

    app.get(`/${type}`, { schema: { querystring: searchQuery(type) } }, async (req, reply) => {
      const caller = documentsCallerOf(requireProfessional(req));
      const q = req.query as Record<string, string | number | undefined>;
      const page = pageOf({ _count: q._count as number | undefined, _offset: q._offset as number | undefined });
      const patientId = parseReference('patient', String(q.patient), 'Patient', UUID);
      const criteria = Object.entries(SEARCH[type]).flatMap(([name, p]) => {
        const v = q[name];
        return v === undefined ? [] : [{ p, tokens: parseTokens(name, String(v)) }];
      });
      const entries = await searchEntries(profile, caller, patientId, sections, type);
      const matching = entries.filter((e) => criteria.every((c) => c.p.matches(c.tokens, e)));
      const shown = matching.slice(page.offset, page.offset + page.count).map((e) => profileResourceOf(patientId, e));
      const params = givenParams(q, ['patient', ...Object.keys(SEARCH[type])]);
      return sendResource(reply, searchset(base, type, params, page, shown, matching.length > page.offset + page.count, matching.length));
    });
  }
};

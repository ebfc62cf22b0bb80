/**
 * The health history's sections (RULES §7) as data: their body schemas (TypeBox: types, codes
 * and lengths, checked by Fastify before anything runs) and the pure checks the schemas cannot
 * express (real calendar dates, none in the future, an end not before its start, fields that
 * only make sense together, codes' formats, texts cleaned). No I/O: `today` is given.
 */
import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';

/** The sections that are lists of entries, each accepting "not concerned". */
export const LIST_SECTIONS = ['conditions', 'treatments', 'hospitalisations', 'disabilities', 'allergies', 'familyHistory'] as const;
export type ListSection = (typeof LIST_SECTIONS)[number];

/** How a list section is named in URLs. */
export const SECTION_SEGMENTS: Readonly<Record<ListSection, string>> = {
  conditions: 'conditions',
  treatments: 'treatments',
  hospitalisations: 'hospitalisations',
  disabilities: 'disabilities',
  allergies: 'allergies',
  familyHistory: 'family-history',
};

/** What a person understands a section to be (messages). */
export const SECTION_LABELS: Readonly<Record<ListSection, string>> = {
  conditions: 'diseases and health topics',
  treatments: 'treatments',
  hospitalisations: 'hospitalisations',
  disabilities: 'disabilities',
  allergies: 'allergies',
  familyHistory: 'family history',
};

// ---- Codes ------------------------------------------------------------------------------

export const CONDITION_KINDS = ['disease', 'health_topic'] as const;
export const CONDITION_STATUSES = ['active', 'resolved'] as const;
/** French categories of disability (loi du 11 février 2005, art. L. 114 CASF). */
export const DISABILITY_KINDS = ['motor', 'visual', 'hearing', 'mental', 'cognitive', 'psychic', 'disabling_disease', 'multiple', 'other'] as const;
/** FHIR AllergyIntolerance type, category and reaction severity codes. */
export const ALLERGY_TYPES = ['allergy', 'intolerance'] as const;
export const ALLERGY_CATEGORIES = ['food', 'medication', 'environment', 'biologic'] as const;
export const SEVERITIES = ['mild', 'moderate', 'severe'] as const;
export const ABO_GROUPS = ['A', 'B', 'AB', 'O'] as const;
export const RH_FACTORS = ['positive', 'negative'] as const;

/** HL7 v3 RoleCode family members (value set v3-FamilyMember), with their HL7 display names. */
export const FAMILY_RELATIONS = {
  MTH: 'mother',
  FTH: 'father',
  PRN: 'parent',
  SIS: 'sister',
  BRO: 'brother',
  SIB: 'sibling',
  HSIS: 'half-sister',
  HBRO: 'half-brother',
  TWINSIS: 'twin sister',
  TWINBRO: 'twin brother',
  DAU: 'natural daughter',
  SON: 'natural son',
  CHILD: 'child',
  GRMTH: 'grandmother',
  GRFTH: 'grandfather',
  MGRMTH: 'maternal grandmother',
  MGRFTH: 'maternal grandfather',
  PGRMTH: 'paternal grandmother',
  PGRFTH: 'paternal grandfather',
  GRNDDAU: 'granddaughter',
  GRNDSON: 'grandson',
  AUNT: 'aunt',
  UNCLE: 'uncle',
  MAUNT: 'maternal aunt',
  MUNCLE: 'maternal uncle',
  PAUNT: 'paternal aunt',
  PUNCLE: 'paternal uncle',
  COUSN: 'cousin',
  NIECE: 'niece',
  NEPHEW: 'nephew',
} as const;
export type FamilyRelation = keyof typeof FAMILY_RELATIONS;
export const FAMILY_RELATION_CODES = Object.keys(FAMILY_RELATIONS) as FamilyRelation[];
export const ROLE_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';

export const TOBACCO_STATUSES = ['never', 'former', 'current'] as const;
export const ALCOHOL_STATUSES = ['never', 'former', 'occasional', 'regular'] as const;
export const ACTIVITY_LEVELS = ['sedentary', 'low', 'moderate', 'high'] as const;
export const DIETS = ['omnivore', 'pescatarian', 'vegetarian', 'vegan', 'gluten_free', 'lactose_free', 'low_salt', 'low_sugar', 'halal', 'kosher', 'other'] as const;
/** A person follows at most one of these (the others combine freely). */
const EXCLUSIVE_DIETS: readonly string[] = ['omnivore', 'pescatarian', 'vegetarian', 'vegan'];

// ---- Schemas ----------------------------------------------------------------------------

/** A coded value: one of `values` (Ajv names the field and says it is not an allowed value). */
const oneOf = <T extends string>(values: readonly T[], description: string) => Type.Unsafe<T>({ type: 'string', enum: [...values], description });
const text = (max: number, description: string) => Type.String({ minLength: 1, maxLength: max, description });
const optText = (max: number, description: string) => Type.Optional(Type.String({ maxLength: max, description }));
const NOTE = optText(1000, 'Free note, at most 1000 characters');
/** YYYY, YYYY-MM or YYYY-MM-DD: people often remember only the year of an illness. */
const PARTIAL_DATE_PATTERN = '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$';
const partialDate = (description: string) => Type.Optional(Type.String({ pattern: PARTIAL_DATE_PATTERN, maxLength: 10, description: `${description} (YYYY, YYYY-MM or YYYY-MM-DD; not in the future)` }));
const fullDate = (description: string) => Type.Optional(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', maxLength: 10, description: `${description} (YYYY-MM-DD; not in the future; default today)` }));
const strict = { additionalProperties: false } as const;

export const ConditionBody = Type.Object(
  {
    kind: oneOf(CONDITION_KINDS, 'disease, or health_topic (pregnancy, menopause, a follow-up...)'),
    label: text(200, 'What it is, in your words'),
    cim10: Type.Optional(Type.String({ minLength: 3, maxLength: 8, description: 'CIM-10 (ICD-10) code, e.g. E11.9' })),
    status: oneOf(CONDITION_STATUSES, 'active (ongoing) or resolved'),
    onsetDate: partialDate('When it began'),
    resolvedDate: partialDate('When it ended (status resolved only)'),
    note: NOTE,
  },
  strict,
);

export const TreatmentBody = Type.Object(
  {
    medication: text(200, 'The medicine (name, strength)'),
    atc: Type.Optional(Type.String({ minLength: 1, maxLength: 7, description: 'WHO ATC code, any level (e.g. A10BA02)' })),
    dosage: optText(300, 'How it is taken, e.g. "1 comprimé matin et soir"'),
    reason: optText(200, 'What it is for'),
    ongoing: Type.Boolean({ description: 'Still taken' }),
    startDate: partialDate('When it was started'),
    endDate: partialDate('When it was stopped (ongoing false only)'),
    note: NOTE,
  },
  strict,
);

export const HospitalisationBody = Type.Object(
  {
    reason: text(300, 'Why'),
    establishment: optText(200, 'Hospital or clinic'),
    startDate: Type.String({ pattern: PARTIAL_DATE_PATTERN, maxLength: 10, description: 'Admission (YYYY, YYYY-MM or YYYY-MM-DD; not in the future)' }),
    endDate: partialDate('Discharge'),
    note: NOTE,
  },
  strict,
);

export const DisabilityBody = Type.Object(
  {
    kind: oneOf(DISABILITY_KINDS, 'motor, visual, hearing, mental, cognitive, psychic, disabling_disease, multiple, other'),
    label: text(200, 'What it is, in your words'),
    since: partialDate('Since when'),
    note: NOTE,
  },
  strict,
);

export const AllergyBody = Type.Object(
  {
    substance: text(200, 'What you react to'),
    type: oneOf(ALLERGY_TYPES, 'allergy or intolerance'),
    category: oneOf(ALLERGY_CATEGORIES, 'food, medication, environment or biologic'),
    reaction: optText(300, 'What happens'),
    severity: Type.Optional(oneOf(SEVERITIES, 'mild, moderate or severe (with a reaction)')),
    since: partialDate('Since when'),
    note: NOTE,
  },
  strict,
);

export const FamilyHistoryBody = Type.Object(
  {
    condition: text(200, 'The disease of the family member'),
    relation: oneOf(FAMILY_RELATION_CODES, 'HL7 v3 RoleCode family member: MTH, FTH, SIS, BRO, GRMTH, GRFTH, MGRMTH, PGRFTH, SON, DAU, AUNT, UNCLE, COUSN...'),
    ageAtOnset: Type.Optional(Type.Integer({ minimum: 0, maximum: 130, description: 'Their age when it began, in years' })),
    note: NOTE,
  },
  strict,
);

export const BloodGroupBody = Type.Object(
  {
    abo: oneOf(ABO_GROUPS, 'A, B, AB or O'),
    rh: oneOf(RH_FACTORS, 'Rhesus: positive or negative'),
    statedOn: fullDate('The day it was stated, e.g. the date on your blood group card'),
  },
  strict,
);

export const LifestyleBody = Type.Object(
  {
    tobacco: Type.Optional(
      Type.Object(
        {
          status: oneOf(TOBACCO_STATUSES, 'never, former or current smoker'),
          cigarettesPerDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Current smokers' })),
          quitYear: Type.Optional(Type.Integer({ minimum: 1900, maximum: 2200, description: 'Former smokers: the year they stopped' })),
        },
        strict,
      ),
    ),
    alcohol: Type.Optional(
      Type.Object(
        {
          status: oneOf(ALCOHOL_STATUSES, 'never, former, occasional or regular'),
          drinksPerWeek: Type.Optional(Type.Integer({ minimum: 0, maximum: 200, description: 'Standard drinks per week (occasional or regular)' })),
        },
        strict,
      ),
    ),
    physicalActivity: Type.Optional(
      Type.Object(
        {
          level: oneOf(ACTIVITY_LEVELS, 'sedentary, low, moderate or high'),
          minutesPerWeek: Type.Optional(Type.Integer({ minimum: 0, maximum: 5040, description: 'Minutes of moderate or vigorous activity per week' })),
        },
        strict,
      ),
    ),
    diet: Type.Optional(
      Type.Object(
        {
          kinds: Type.Array(oneOf(DIETS, 'A diet'), { minItems: 1, maxItems: DIETS.length, uniqueItems: true }),
          note: optText(300, 'Details'),
        },
        strict,
      ),
    ),
    statedOn: fullDate('The day this was stated'),
  },
  strict,
);

export type ConditionInput = Static<typeof ConditionBody>;
export type TreatmentInput = Static<typeof TreatmentBody>;
export type HospitalisationInput = Static<typeof HospitalisationBody>;
export type DisabilityInput = Static<typeof DisabilityBody>;
export type AllergyInput = Static<typeof AllergyBody>;
export type FamilyHistoryInput = Static<typeof FamilyHistoryBody>;
export type BloodGroupInput = Static<typeof BloodGroupBody>;
export type LifestyleInput = Static<typeof LifestyleBody>;

/** What is stored for an entry of each section: the input, checked and cleaned. */
export interface SectionContent {
  conditions: ConditionInput;
  treatments: TreatmentInput;
  hospitalisations: HospitalisationInput;
  disabilities: DisabilityInput;
  allergies: AllergyInput;
  familyHistory: FamilyHistoryInput;
}
export type BloodGroup = Required<BloodGroupInput>;
export type Lifestyle = LifestyleInput & { statedOn: string };

export const SECTION_BODIES: { readonly [S in ListSection]: TSchema } = {
  conditions: ConditionBody,
  treatments: TreatmentBody,
  hospitalisations: HospitalisationBody,
  disabilities: DisabilityBody,
  allergies: AllergyBody,
  familyHistory: FamilyHistoryBody,
};

// ---- Checks -----------------------------------------------------------------------------

export interface Problem {
  field: string;
  reason: string;
}
export type Checked<T> = { ok: T } | { problems: Problem[] };

/** Today in Paris, YYYY-MM-DD (the calendar the patient lives in). */
export function todayIn(now: Date): string {
  return now.toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

/** The earliest history date accepted (a typo guard: 0985 for 1985). */
export const EARLIEST_DATE = '1900-01-01';

/** The first and last days a partial date (YYYY, YYYY-MM, YYYY-MM-DD) covers, or null when it is not a real date. */
export function dateSpan(value: string): { first: string; last: string } | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  if (!m) return null;
  const y = Number(m[1]);
  const pad = (n: number) => String(n).padStart(2, '0');
  const daysIn = (month: number) => new Date(Date.UTC(y, month, 0)).getUTCDate();
  if (m[2] === undefined) return { first: `${m[1]}-01-01`, last: `${m[1]}-12-31` };
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12) return null;
  if (m[3] === undefined) return { first: `${m[1]}-${m[2]}-01`, last: `${m[1]}-${m[2]}-${pad(daysIn(mo))}` };
  const d = Number(m[3]);
  if (d < 1 || d > daysIn(mo)) return null;
  return { first: value, last: value };
}

/** Collects problems while checking one body. */
class Checker {
  readonly problems: Problem[] = [];
  constructor(
    readonly today: string,
    readonly prefix = 'body',
  ) {}

  fail(field: string, reason: string): void {
    this.problems.push({ field: `${this.prefix}.${field}`, reason });
  }

  /** A one-line text: trimmed, inner spaces collapsed, no control characters; empty: undefined. */
  line(field: string, value: string | undefined, required: boolean): string | undefined {
    if (value === undefined) return undefined;
    const t = value.trim().replace(/\s+/g, ' ');
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001F\u007F]/.test(t)) this.fail(field, 'must not contain control characters');
    if (t === '') {
      if (required) this.fail(field, 'must not be empty');
      return undefined;
    }
    return t;
  }

  /** A note: trimmed, line breaks kept (as \n), no other control characters; empty: undefined. */
  note(field: string, value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const t = value.replace(/\r\n?/g, '\n').trim();
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u0008\u000B-\u001F\u007F]/.test(t)) this.fail(field, 'must not contain control characters other than line breaks and tabs');
    return t === '' ? undefined : t;
  }

  /** A history date: real, not before 1900, not in the future. */
  date(field: string, value: string | undefined): { first: string; last: string } | undefined {
    if (value === undefined) return undefined;
    const span = dateSpan(value);
    if (span === null) {
      this.fail(field, `"${value}" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)`);
      return undefined;
    }
    if (span.first > this.today) this.fail(field, `is in the future (today is ${this.today})`);
    else if (span.last < EARLIEST_DATE) this.fail(field, `is before ${EARLIEST_DATE.slice(0, 4)}: check the year`);
    return span;
  }

  /** An end not before its start (with partial dates: they may overlap). */
  order(field: string, start: { first: string; last: string } | undefined, end: { first: string; last: string } | undefined, startField: string): void {
    if (start !== undefined && end !== undefined && end.last < start.first) this.fail(field, `is before ${startField}`);
  }

  result<T>(value: T): Checked<T> {
    return this.problems.length === 0 ? { ok: value } : { problems: this.problems };
  }
}

/** Drops the keys whose value is undefined (stored JSON stays minimal and comparable). */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const CIM10 = /^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$/;
const ATC = /^[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?$/;

export function checkCondition(b: ConditionInput, today: string): Checked<ConditionInput> {
  const c = new Checker(today);
  const label = c.line('label', b.label, true) ?? '';
  const cim10 = b.cim10 === undefined ? undefined : b.cim10.trim().toUpperCase();
  if (cim10 !== undefined && !CIM10.test(cim10)) c.fail('cim10', `"${b.cim10}" is not a CIM-10 code (a letter, two digits, then optionally a dot and up to 4 characters: E11, E11.9)`);
  const onset = c.date('onsetDate', b.onsetDate);
  const resolved = c.date('resolvedDate', b.resolvedDate);
  if (b.resolvedDate !== undefined && b.status !== 'resolved') c.fail('resolvedDate', 'is only for a resolved condition: set status to resolved, or leave the date out');
  c.order('resolvedDate', onset, resolved, 'onsetDate');
  return c.result(compact({ kind: b.kind, label, cim10, status: b.status, onsetDate: b.onsetDate, resolvedDate: b.resolvedDate, note: c.note('note', b.note) }));
}

export function checkTreatment(b: TreatmentInput, today: string): Checked<TreatmentInput> {
  const c = new Checker(today);
  const medication = c.line('medication', b.medication, true) ?? '';
  const atc = b.atc === undefined ? undefined : b.atc.trim().toUpperCase();
  if (atc !== undefined && !ATC.test(atc)) c.fail('atc', `"${b.atc}" is not a WHO ATC code (e.g. A10BA02, or a group such as A10)`);
  const start = c.date('startDate', b.startDate);
  const end = c.date('endDate', b.endDate);
  if (b.endDate !== undefined && b.ongoing) c.fail('endDate', 'is only for a treatment that was stopped: set ongoing to false, or leave the date out');
  c.order('endDate', start, end, 'startDate');
  return c.result(
    compact({ medication, atc, dosage: c.line('dosage', b.dosage, false), reason: c.line('reason', b.reason, false), ongoing: b.ongoing, startDate: b.startDate, endDate: b.endDate, note: c.note('note', b.note) }),
  );
}

export function checkHospitalisation(b: HospitalisationInput, today: string): Checked<HospitalisationInput> {
  const c = new Checker(today);
  const reason = c.line('reason', b.reason, true) ?? '';
  const start = c.date('startDate', b.startDate);
  const end = c.date('endDate', b.endDate);
  c.order('endDate', start, end, 'startDate');
  return c.result(compact({ reason, establishment: c.line('establishment', b.establishment, false), startDate: b.startDate, endDate: b.endDate, note: c.note('note', b.note) }));
}

export function checkDisability(b: DisabilityInput, today: string): Checked<DisabilityInput> {
  const c = new Checker(today);
  const label = c.line('label', b.label, true) ?? '';
  c.date('since', b.since);
  return c.result(compact({ kind: b.kind, label, since: b.since, note: c.note('note', b.note) }));
}

export function checkAllergy(b: AllergyInput, today: string): Checked<AllergyInput> {
  const c = new Checker(today);
  const substance = c.line('substance', b.substance, true) ?? '';
  const reaction = c.line('reaction', b.reaction, false);
  // FHIR (and a reader) needs to know what was severe: a severity qualifies a reaction.
  if (b.severity !== undefined && reaction === undefined) c.fail('severity', 'needs a reaction: describe what happens, then how severe it is');
  c.date('since', b.since);
  return c.result(compact({ substance, type: b.type, category: b.category, reaction, severity: b.severity, since: b.since, note: c.note('note', b.note) }));
}

export function checkFamilyHistory(b: FamilyHistoryInput, today: string): Checked<FamilyHistoryInput> {
  const c = new Checker(today);
  const condition = c.line('condition', b.condition, true) ?? '';
  return c.result(compact({ condition, relation: b.relation, ageAtOnset: b.ageAtOnset, note: c.note('note', b.note) }));
}

export function checkBloodGroup(b: BloodGroupInput, today: string): Checked<BloodGroup> {
  const c = new Checker(today);
  const statedOn = b.statedOn ?? today;
  c.date('statedOn', statedOn);
  return c.result({ abo: b.abo, rh: b.rh, statedOn });
}

export function checkLifestyle(b: LifestyleInput, today: string): Checked<Lifestyle> {
  const c = new Checker(today);
  const statedOn = b.statedOn ?? today;
  c.date('statedOn', statedOn);
  if (b.tobacco === undefined && b.alcohol === undefined && b.physicalActivity === undefined && b.diet === undefined) {
    c.fail('tobacco', 'give at least one of tobacco, alcohol, physicalActivity, diet (to remove your lifestyle, delete it)');
  }
  const t = b.tobacco;
  if (t?.cigarettesPerDay !== undefined && t.status !== 'current') c.fail('tobacco.cigarettesPerDay', 'is only for a current smoker');
  if (t?.quitYear !== undefined) {
    if (t.status !== 'former') c.fail('tobacco.quitYear', 'is only for a former smoker');
    else if (String(t.quitYear) > today.slice(0, 4)) c.fail('tobacco.quitYear', `is in the future (this is ${today.slice(0, 4)})`);
  }
  const a = b.alcohol;
  if (a?.drinksPerWeek !== undefined && a.status !== 'occasional' && a.status !== 'regular') c.fail('alcohol.drinksPerWeek', 'is only for occasional or regular drinking');
  const diet = b.diet;
  let dietOut: Lifestyle['diet'];
  if (diet !== undefined) {
    const exclusive = diet.kinds.filter((k) => EXCLUSIVE_DIETS.includes(k));
    if (exclusive.length > 1) c.fail('diet.kinds', `${exclusive.join(' and ')} exclude each other: choose one`);
    dietOut = compact({ kinds: diet.kinds, note: c.line('diet.note', diet.note, false) });
  }
  return c.result(compact({ tobacco: t && compact({ ...t }), alcohol: a && compact({ ...a }), physicalActivity: b.physicalActivity && compact({ ...b.physicalActivity }), diet: dietOut, statedOn }));
}

/** Checks an entry of a list section; the body has passed that section's schema. */
export function checkEntry<S extends ListSection>(section: S, body: SectionContent[S], today: string): Checked<SectionContent[S]>;
export function checkEntry(section: ListSection, body: SectionContent[ListSection], today: string): Checked<SectionContent[ListSection]> {
  switch (section) {
    case 'conditions':
      return checkCondition(body as ConditionInput, today);
    case 'treatments':
      return checkTreatment(body as TreatmentInput, today);
    case 'hospitalisations':
      return checkHospitalisation(body as HospitalisationInput, today);
    case 'disabilities':
      return checkDisability(body as DisabilityInput, today);
    case 'allergies':
      return checkAllergy(body as AllergyInput, today);
    case 'familyHistory':
      return checkFamilyHistory(body as FamilyHistoryInput, today);
  }
}

/** The dates of an entry, by field (checked against the patient's birth date, which the checks here do not know). */
export function datesOf(section: ListSection, content: SectionContent[ListSection]): [field: string, value: string][] {
  const fields: Readonly<Record<ListSection, readonly string[]>> = {
    conditions: ['onsetDate', 'resolvedDate'],
    treatments: ['startDate', 'endDate'],
    hospitalisations: ['startDate', 'endDate'],
    disabilities: ['since'],
    allergies: ['since'],
    familyHistory: [],
  };
  const c = content as unknown as Record<string, unknown>;
  return fields[section].flatMap((f) => (typeof c[f] === 'string' ? [[f, c[f]] as [string, string]] : []));
}

/** Problems of dates before the patient's birth (a partial date may cover the birth day). */
export function checkNotBeforeBirth(dates: readonly (readonly [string, string])[], birthDate: string, prefix = 'body'): Problem[] {
  const out: Problem[] = [];
  for (const [field, value] of dates) {
    const span = dateSpan(value);
    if (span !== null && span.last < birthDate) out.push({ field: `${prefix}.${field}`, reason: `is before the patient's birth (${birthDate})` });
  }
  return out;
}

/**
 * The catalogue of measures (RULES §7) as data: for each type its LOINC code, the UCUM unit it
 * is kept in, the units people may enter it in (with the linear conversion to the kept unit),
 * the physiologically possible range, how it is rounded, and how it shows in FHIR.
 *
 * Codes: LOINC as the FHIR R4 vital-signs profiles fix them (weight, height, BMI, head
 * circumference, temperature, heart rate, blood pressure panel and components); blood glucose
 * 2339-0 (Glucose [Mass/volume] in Blood), interstitial glucose 99504-3 (Glucose [Mass/volume]
 * in Interstitial fluid, as the HL7 CGM guide and the ANS "mesures de santé" guide use it).
 */

export const MEASURE_TYPES = [
  'weight',
  'height',
  'bmi',
  'waist_circumference',
  'head_circumference',
  'body_temperature',
  'blood_glucose',
  'interstitial_glucose',
  'hba1c',
  'blood_pressure',
  'pain',
  'heart_rate',
  'steps',
] as const;
export type MeasureType = (typeof MEASURE_TYPES)[number];

/** Observation categories (http://terminology.hl7.org/CodeSystem/observation-category) used here. */
export type ObservationCategory = 'vital-signs' | 'laboratory' | 'exam' | 'survey' | 'activity';

/** A unit a value may be entered in: kept value = entered × factor + offset. */
export interface InputUnit {
  /** UCUM code, as sent in the API (`[lb_av]`, `mmol/L`...). */
  code: string;
  /** What people read (lb, mmol/L...). */
  symbol: string;
  factor: number;
  offset: number;
}

/** How a value is entered: one value, a systolic/diastolic pair, or never (computed). */
export type EntryShape = 'value' | 'pair' | 'computed';

export interface MeasureDefinition {
  type: MeasureType;
  /** "a weight": for messages ("... for a weight (0.3-400 kg)"). */
  noun: string;
  label: string;
  loinc: string;
  display: string;
  /** The kept unit (UCUM) and how it reads. */
  unit: string;
  symbol: string;
  /** Accepted input units, the kept one first. */
  inputUnits: readonly InputUnit[];
  /** Possible range in the kept unit (for a pair: the systolic one; see `range2`). */
  range: readonly [number, number];
  /** Diastolic range (pairs only). */
  range2?: readonly [number, number];
  /** Decimals kept in the kept unit. */
  decimals: number;
  /** Only whole numbers make sense (a 0-10 score, a count of steps). */
  integer: boolean;
  entry: EntryShape;
  category: ObservationCategory;
  /** The FHIR R4 vital-signs profile of this type, if one applies. */
  fhirProfile: string | null;
  /** The unit FHIR shows it in, when the profile's binding wants another one (height in cm). */
  fhirUnit: { code: string; symbol: string; factor: number } | null;
  /** Part of a child's growth curves. */
  growth: boolean;
  /** The patient may set a target range for it. */
  target: boolean;
}

const unit = (code: string, symbol = code, factor = 1, offset = 0): InputUnit => ({ code, symbol, factor, offset });
const VS = 'http://hl7.org/fhir/StructureDefinition/';

const DEFINITIONS: readonly MeasureDefinition[] = [
  {
    type: 'weight',
    noun: 'a weight',
    label: 'Weight',
    loinc: '29463-7',
    display: 'Body weight',
    unit: 'kg',
    symbol: 'kg',
    inputUnits: [unit('kg'), unit('g', 'g', 0.001), unit('[lb_av]', 'lb', 0.45359237)],
    range: [0.3, 400],
    decimals: 2,
    integer: false,
    entry: 'value',
    category: 'vital-signs',
    fhirProfile: `${VS}bodyweight`,
    fhirUnit: null,
    growth: true,
    target: false,
  },
  {
    type: 'height',
    noun: 'a height',
    label: 'Height',
    loinc: '8302-2',
    display: 'Body height',
    unit: 'm',
    symbol: 'm',
    inputUnits: [unit('m'), unit('cm', 'cm', 0.01), unit('[in_i]', 'in', 0.0254)],
    range: [0.2, 2.72],
    decimals: 3,
    integer: false,
    entry: 'value',
    category: 'vital-signs',
    fhirProfile: `${VS}bodyheight`,
    // The profile binds body lengths to cm or [in_i].
    fhirUnit: { code: 'cm', symbol: 'cm', factor: 100 },
    growth: true,
    target: false,
  },
  {
    type: 'bmi',
    noun: 'a BMI',
    label: 'Body mass index',
    loinc: '39156-5',
    display: 'Body mass index (BMI) [Ratio]',
    unit: 'kg/m2',
    symbol: 'kg/m²',
    inputUnits: [],
    range: [5, 150],
    decimals: 1,
    integer: false,
    entry: 'computed',
    category: 'vital-signs',
    fhirProfile: `${VS}bmi`,
    fhirUnit: null,
    growth: true,
    target: false,
  },
  {
    type: 'waist_circumference',
    noun: 'a waist circumference',
    label: 'Waist circumference',
    loinc: '8280-0',
    display: 'Waist Circumference at umbilicus by Tape measure',
    unit: 'cm',
    symbol: 'cm',
    inputUnits: [unit('cm'), unit('m', 'm', 100), unit('[in_i]', 'in', 2.54)],
    range: [20, 300],
    decimals: 1,
    integer: false,
    entry: 'value',
    category: 'exam',
    fhirProfile: null,
    fhirUnit: null,
    growth: false,
    target: false,
  },
  {
    type: 'head_circumference',
    noun: 'a head circumference',
    label: 'Head circumference',
    loinc: '9843-4',
    display: 'Head Occipital-frontal circumference',
    unit: 'cm',
    symbol: 'cm',
    inputUnits: [unit('cm'), unit('[in_i]', 'in', 2.54)],
    range: [20, 70],
    decimals: 1,
    integer: false,
    entry: 'value',
    category: 'vital-signs',
    fhirProfile: `${VS}headcircum`,
    fhirUnit: null,
    growth: true,
    target: false,
  },
  {
    type: 'body_temperature',
    noun: 'a body temperature',
    label: 'Body temperature',
    loinc: '8310-5',
    display: 'Body temperature',
    unit: 'Cel',
    symbol: '°C',
    inputUnits: [unit('Cel', '°C'), unit('[degF]', '°F', 5 / 9, (-32 * 5) / 9)],
    range: [25, 45],
    decimals: 1,
    integer: false,
    entry: 'value',
    category: 'vital-signs',
    fhirProfile: `${VS}bodytemp`,
    fhirUnit: null,
    growth: false,
    target: false,
  },
  {
    type: 'blood_glucose',
    noun: 'a blood glucose',
    label: 'Blood glucose',
    loinc: '2339-0',
    display: 'Glucose [Mass/volume] in Blood',
    unit: 'mg/dL',
    symbol: 'mg/dL',
    // 1 mmol/L of glucose (180.156 g/mol) is 18.0156 mg/dL; 1 g/L is 100 mg/dL.
    inputUnits: [unit('mg/dL'), unit('g/L', 'g/L', 100), unit('mmol/L', 'mmol/L', 18.0156)],
    range: [10, 1000],
    decimals: 0,
    integer: false,
    entry: 'value',
    category: 'laboratory',
    fhirProfile: null,
    fhirUnit: null,
    growth: false,
    target: false,
  },
  {
    type: 'interstitial_glucose',
    noun: 'an interstitial glucose',
    label: 'Interstitial glucose',
    loinc: '99504-3',
    display: 'Glucose [Mass/volume] in Interstitial fluid',
    unit: 'mg/dL',
    symbol: 'mg/dL',
    inputUnits: [unit('mg/dL'), unit('g/L', 'g/L', 100), unit('mmol/L', 'mmol/L', 18.0156)],
    range: [10, 600],
    decimals: 0,
    integer: false,
    entry: 'value',
    category: 'laboratory',
    fhirProfile: null,
    fhirUnit: null,
    growth: false,
    target: false,
  },
  {
    type: 'hba1c',
    noun: 'an HbA1c',
    label: 'HbA1c',
    loinc: '4548-4',
    display: 'Hemoglobin A1c/Hemoglobin.total in Blood',
    unit: '%',
    symbol: '%',
    // IFCC mmol/mol to NGSP %: % = 0.09148 × mmol/mol + 2.152 (the NGSP master equation).
    inputUnits: [unit('%'), unit('mmol/mol', 'mmol/mol', 0.09148, 2.152)],
    range: [3, 20],
    decimals: 1,
    integer: false,
    entry: 'value',
    category: 'laboratory',
    fhirProfile: null,
    fhirUnit: null,
    growth: false,
    target: true,
  },
  {
    type: 'blood_pressure',
    noun: 'a blood pressure',
    label: 'Blood pressure',
    loinc: '85354-9',
    display: 'Blood pressure panel with all children optional',
    unit: 'mm[Hg]',
    symbol: 'mmHg',
    inputUnits: [unit('mm[Hg]', 'mmHg')],
    range: [40, 300],
    range2: [20, 200],
    decimals: 0,
    integer: false,
    entry: 'pair',
    category: 'vital-signs',
    fhirProfile: `${VS}bp`,
    fhirUnit: null,
    growth: false,
    target: false,
  },
  {
    type: 'pain',
    noun: 'a pain score',
    label: 'Pain',
    loinc: '72514-3',
    display: 'Pain severity - 0-10 verbal numeric rating [Score] - Reported',
    unit: '{score}',
    symbol: '/10',
    inputUnits: [unit('{score}', '/10')],
    range: [0, 10],
    decimals: 0,
    integer: true,
    entry: 'value',
    category: 'survey',
    fhirProfile: null,
    fhirUnit: null,
    growth: false,
    target: false,
  },
  {
    type: 'heart_rate',
    noun: 'a heart rate',
    label: 'Heart rate',
    loinc: '8867-4',
    display: 'Heart rate',
    unit: '/min',
    symbol: '/min',
    inputUnits: [unit('/min')],
    range: [20, 300],
    decimals: 0,
    integer: false,
    entry: 'value',
    category: 'vital-signs',
    fhirProfile: `${VS}heartrate`,
    fhirUnit: null,
    growth: false,
    target: false,
  },
  {
    type: 'steps',
    noun: 'a number of steps per day',
    label: 'Steps per day',
    loinc: '41950-7',
    display: 'Number of steps in 24 hour Measured',
    unit: '/d',
    symbol: 'steps/day',
    inputUnits: [unit('/d', 'steps/day')],
    range: [0, 100_000],
    decimals: 0,
    integer: true,
    entry: 'value',
    category: 'activity',
    fhirProfile: null,
    fhirUnit: null,
    growth: false,
    target: false,
  },
];

/** Blood pressure's two components (FHIR bp profile). */
export const SYSTOLIC = { loinc: '8480-6', display: 'Systolic blood pressure' } as const;
export const DIASTOLIC = { loinc: '8462-4', display: 'Diastolic blood pressure' } as const;

export const MEASURE_CATALOGUE: Readonly<Record<MeasureType, MeasureDefinition>> = Object.freeze(
  Object.fromEntries(DEFINITIONS.map((d) => [d.type, Object.freeze(d)])) as Record<MeasureType, MeasureDefinition>,
);

export function isMeasureType(s: string): s is MeasureType {
  return (MEASURE_TYPES as readonly string[]).includes(s);
}

export const definitionOf = (type: MeasureType): MeasureDefinition => MEASURE_CATALOGUE[type];

/** The type a LOINC code stands for (the blood pressure panel, not its components), or null. */
export function typeOfLoinc(code: string): MeasureType | null {
  return DEFINITIONS.find((d) => d.loinc === code)?.type ?? null;
}

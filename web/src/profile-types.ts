/** The shapes of the medical profile's API answers (health history, measures, vaccinations, entourage, aidants; see /docs). */
export interface Recorder {
  kind: string;
  id: string;
  name: string | null;
}

export const LIST_SECTIONS = ['conditions', 'treatments', 'hospitalisations', 'disabilities', 'allergies', 'familyHistory'] as const;
export type ListSection = (typeof LIST_SECTIONS)[number];
export const SECTION_SEGMENTS: Record<ListSection, string> = {
  conditions: 'conditions',
  treatments: 'treatments',
  hospitalisations: 'hospitalisations',
  disabilities: 'disabilities',
  allergies: 'allergies',
  familyHistory: 'family-history',
};

/** An entry of a list section: its fields (per section) and who recorded it. */
export type HistoryEntry = Record<string, unknown> & { id: string; recordedBy: Recorder; createdAt: string; updatedAt: string };

export interface SectionState {
  notConcerned: { statedOn: string } | null;
  entries: HistoryEntry[];
}

export type HealthHistory = Record<ListSection, SectionState> & {
  bloodGroup: { value: { abo: string; rh: string; statedOn: string }; recordedBy: Recorder; updatedAt: string } | null;
};

export interface Lifestyle {
  tobacco?: { status: string; cigarettesPerDay?: number; quitYear?: number };
  alcohol?: { status: string; drinksPerWeek?: number };
  physicalActivity?: { level: string; minutesPerWeek?: number };
  diet?: { kinds: string[]; note?: string };
  statedOn: string;
}

export interface MeasureCatalogueItem {
  type: string;
  label: string;
  loinc: string;
  unit: string;
  symbol: string;
  inputUnits: { code: string; symbol: string }[];
  range: [number, number];
  diastolicRange?: [number, number];
  entry: 'value' | 'pair' | 'computed';
  decimals: number;
  growth: boolean;
  target: boolean;
}

export interface Age {
  days: number;
  months: number;
  years: number;
}

export interface MeasureTarget {
  type: string;
  low: number | null;
  high: number;
  setAt: string;
}

export interface MeasureView {
  measureId: string;
  type: string;
  effectiveAt: string;
  value?: number;
  systolic?: number;
  diastolic?: number;
  unit: string;
  symbol: string;
  entered: { value: number; unit: string };
  author: Recorder;
  age?: Age;
  target?: 'below' | 'within' | 'above';
}

export interface SeriesStats {
  count: number;
  last: number | null;
  lastAt: string | null;
  min: number | null;
  max: number | null;
  mean: number | null;
}

export interface BmiView {
  value: number;
  effectiveAt: string;
  whoClass: string | null;
  whoLabel: string | null;
}

export interface SeriesView {
  type: string;
  unit: string;
  symbol: string;
  values: MeasureView[];
  stats: SeriesStats;
  diastolicStats?: SeriesStats;
  target?: MeasureTarget | null;
  bmi?: BmiView[];
}

export interface MeasuresOverview {
  items: { type: string; effectiveAt: string; value?: number; systolic?: number; diastolic?: number; symbol: string }[];
  bmiClass: string | null;
  targets: MeasureTarget[];
  bmi: BmiView | null;
}

export interface GrowthPoint {
  measureId: string;
  effectiveAt: string;
  age: Age;
  value: number;
}

export interface GrowthView {
  birthDate: string;
  sex: string;
  weight: GrowthPoint[];
  height: GrowthPoint[];
  headCircumference: GrowthPoint[];
  bmi: GrowthPoint[];
}

export interface Coded {
  code: string;
  display: string;
  label?: string;
}

export interface VaccineCatalogue {
  vaccines: { code: string; label: string; names: string[]; targets: Coded[]; calendar: string }[];
  other: { code: string; label: string };
  routes: Coded[];
  sites: Coded[];
}

export interface VaccinationView {
  vaccinationId: string;
  vaccineCode: string;
  vaccineLabel: string;
  vaccineName: string | null;
  targetDiseases: { code: string; display: string }[];
  date: string;
  doseNumber: number | null;
  lotNumber: string | null;
  route: Coded | null;
  site: Coded | null;
  performer: { idNatPs: string | null; name: string | null } | null;
  notes: string | null;
  recordedBy: Recorder;
  recordedAt: string;
}

export interface VaccinationList {
  vaccinations: VaccinationView[];
  emergency: { mode: string; banner: true } | null;
}

export const CONTACT_KINDS = ['emergency_contact', 'trusted_person', 'caregiver'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];
export const RELATIONS = ['SPS', 'DOMPART', 'MTH', 'FTH', 'CHILD', 'SIB', 'GRPRN', 'GRNDCHILD', 'EXT', 'FRND', 'NBOR', 'other'] as const;

export interface ContactView {
  contactId: string;
  kind: ContactKind;
  familyName: string;
  givenName: string | null;
  relation: { code: string; display: string; label: string };
  relationText: string | null;
  phone: string | null;
  email: string | null;
  updatedAt: string;
}

export interface EntourageView {
  contacts: ContactView[];
  organDonation: { position: string; comment: string | null; statedOn: string } | null;
}

export interface AdvanceDirectivesView {
  directiveId: string;
  source: 'form' | 'upload';
  documentId: string;
  writtenOn: string;
  recordedAt: string;
}

export type InvitationStatus = 'pending' | 'accepted' | 'refused' | 'expired' | 'revoked' | 'withdrawn';

export interface AidantInvitation {
  invitationId: string;
  status: InvitationStatus;
  loginId: string;
  aidant: { name: string } | null;
  invitedAt: string;
  expiresAt: string;
  answeredAt: string | null;
  endedAt: string | null;
}

export interface ReceivedInvitation {
  invitationId: string;
  patientId: string;
  patientName: string;
  inviterName: string;
  inviterIsRepresentative: boolean;
  invitedAt: string;
  expiresAt: string;
}

/**
 * The professional directory's rules (RULES §1, §2): identifiers of professionals (RPPS,
 * idNatPs) and organisations (FINESS, SIRET, national structure id), the professions
 * (TRE_G15) and physicians' specialties (TRE_R38), and the validation of one line of a
 * directory file. Pure functions, no I/O; the SQL is in directory-store.ts.
 *
 * Check digits, as published:
 * - RPPS: 11 digits, "le dernier étant la clé de Luhn" (ANS, "Comprendre la différence entre
 *   identifiants RPPS, ADELI et AM"); the Luhn sum runs over the 11 digits.
 * - FINESS: 9 characters, 8 + a key ("FINESS sans clé" = the first 8 in SNDS tables); the key
 *   is a Luhn digit over the 9 (public validators do so, and real numbers such as AP-HP's
 *   750712184 satisfy it). For Corsica (2A/2B) no published rule was found: the key of a
 *   Corsican FINESS is not checked rather than risk refusing real establishments.
 * - SIRET: 14 digits; its Luhn key has a known exception (La Poste), so only the shape is checked.
 */
import type { FieldProblem } from './ins.ts';

/** OID of the national professional identifier idNatPs (RULES §1). */
export const ID_NAT_PS_OID = '1.2.250.1.71.4.2.1';

/** Professions, TRE_G15 (main ones, RULES §2). */
export const PROFESSIONS = {
  '10': 'Médecin',
  '21': 'Pharmacien',
  '26': 'Audioprothésiste',
  '28': 'Opticien-lunetier',
  '40': 'Chirurgien-dentiste',
  '50': 'Sage-femme',
  '60': 'Infirmier',
  '70': 'Masseur-kinésithérapeute',
  '80': 'Pédicure-podologue',
  '91': 'Orthophoniste',
  '92': 'Orthoptiste',
  '94': 'Ergothérapeute',
  '95': 'Diététicien',
  '96': 'Psychomotricien',
  '98': 'Manipulateur ERM',
} as const;
export type ProfessionCode = keyof typeof PROFESSIONS;
export const PHYSICIAN: ProfessionCode = '10';

/**
 * Common ordinal specialties of physicians, TRE_R38 (codes and labels as the ANS publishes
 * them in TRE_R38-SpecialiteOrdinale). Any code SMnn of the nomenclature is accepted; these
 * are the ones Carnet can name.
 */
export const SPECIALTIES = {
  SM02: 'Anesthésie-réanimation',
  SM04: 'Cardiologie et maladies vasculaires',
  SM15: 'Dermatologie et vénéréologie',
  SM16: 'Endocrinologie et métabolisme',
  SM18: 'Gériatrie',
  SM19: 'Gynécologie médicale',
  SM20: 'Gynécologie-obstétrique',
  SM24: 'Gastro-entérologie et hépatologie',
  SM25: 'Médecine du travail',
  SM26: 'Qualifié en médecine générale',
  SM27: 'Médecine interne',
  SM30: 'Néphrologie',
  SM32: 'Neurologie',
  SM38: 'Ophtalmologie',
  SM39: 'Oto-rhino-laryngologie',
  SM40: 'Pédiatrie',
  SM41: 'Pneumologie',
  SM42: 'Psychiatrie',
  SM43: 'Psychiatrie, option enfant et adolescent',
  SM44: 'Radio-diagnostic',
  SM46: 'Médecine intensive-réanimation',
  SM48: 'Rhumatologie',
  SM53: 'Spécialiste en médecine générale',
  SM54: 'Médecine générale',
  SM58: 'Maladies infectieuses et tropicales',
  SM59: "Médecine d'urgence",
  SM73: 'Médecine cardiovasculaire',
  SM74: 'Radiologie et imagerie médicale',
} as const;
export type SpecialtyCode = keyof typeof SPECIALTIES;

/** Kinds of organisations in the directory. */
export const ORGANISATION_KINDS = {
  cabinet: 'Cabinet médical',
  pharmacie: "Pharmacie d'officine",
  etablissement: 'Établissement de santé',
  centre_sante: 'Centre de santé',
  laboratoire: 'Laboratoire de biologie médicale',
  samu: 'SAMU – Centre 15',
} as const;
export type OrganisationKind = keyof typeof ORGANISATION_KINDS;

export function isProfessionCode(code: string): code is ProfessionCode {
  return Object.hasOwn(PROFESSIONS, code);
}

export function professionLabel(code: string): string | null {
  return isProfessionCode(code) ? PROFESSIONS[code] : null;
}

export function specialtyLabel(code: string): string | null {
  return Object.hasOwn(SPECIALTIES, code) ? SPECIALTIES[code as SpecialtyCode] : null;
}

export function isOrganisationKind(kind: string): kind is OrganisationKind {
  return Object.hasOwn(ORGANISATION_KINDS, kind);
}

// ---------------------------------------------------------------------------------------
// Identifiers

export type IdCheck = { ok: true; value: string } | { ok: false; reason: string };

/** True when the digits (key included, last) satisfy the Luhn formula. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Appends the Luhn key to `payload` (demo data, test fixtures). */
export function withLuhnKey(payload: string): string {
  for (let k = 0; k <= 9; k++) if (luhnValid(`${payload}${k}`)) return `${payload}${k}`;
  throw new Error(`not a string of digits: ${payload}`);
}

const compact = (input: string) => input.replace(/[\s.-]/g, '').toUpperCase();

/** RPPS: 11 digits, the last a Luhn key. */
export function checkRpps(input: string): IdCheck {
  const rpps = compact(input);
  if (!/^\d{11}$/.test(rpps)) return { ok: false, reason: `must be 11 digits, got "${input}"` };
  if (!luhnValid(rpps)) return { ok: false, reason: 'control key (last digit) is wrong: the number was probably mistyped' };
  return { ok: true, value: rpps };
}

/** National identifier of a professional known by RPPS: "8" + RPPS. */
export function idNatPsOf(rpps: string): string {
  return `8${rpps}`;
}

/** idNatPs of an RPPS professional: "8" then a valid RPPS. */
export function checkIdNatPs(input: string): IdCheck {
  const id = compact(input);
  if (!/^8\d{11}$/.test(id)) return { ok: false, reason: 'must be 12 digits: 8 followed by the 11-digit RPPS' };
  const rpps = checkRpps(id.slice(1));
  return rpps.ok ? { ok: true, value: id } : { ok: false, reason: `RPPS part: ${rpps.reason}` };
}

/** FINESS: 9 characters, département (2 digits, 2A or 2B) then digits, the last a Luhn key. */
export function checkFiness(input: string): IdCheck {
  const finess = compact(input);
  if (!/^(\d{2}|2A|2B)\d{7}$/.test(finess)) return { ok: false, reason: `must be 9 characters: the département (2 digits, 2A or 2B) then 7 digits, got "${input}"` };
  if (/^\d{9}$/.test(finess) && !luhnValid(finess)) return { ok: false, reason: 'control key (last digit) is wrong: the number was probably mistyped' };
  return { ok: true, value: finess };
}

export function checkSiret(input: string): IdCheck {
  const siret = compact(input);
  return /^\d{14}$/.test(siret) ? { ok: true, value: siret } : { ok: false, reason: `must be 14 digits, got "${input}"` };
}

/** National structure identifier (RULES §2): "1" + FINESS, or "3" + SIRET. */
export function structureIdOf(id: { finess: string } | { siret: string }): string {
  return 'finess' in id ? `1${id.finess}` : `3${id.siret}`;
}

// ---------------------------------------------------------------------------------------
// One line of a directory file

/** Columns of a directory file (CSV header or NDJSON keys). */
export const DIRECTORY_COLUMNS = [
  'rpps',
  'family_name',
  'given_name',
  'profession_code',
  'specialty_code',
  'email',
  'finess',
  'organisation_name',
  'organisation_kind',
  'siret',
  'city',
] as const;
export type DirectoryColumn = (typeof DIRECTORY_COLUMNS)[number];
export const REQUIRED_COLUMNS: readonly DirectoryColumn[] = ['rpps', 'family_name', 'given_name', 'profession_code'];

export interface OrganisationInput {
  finess: string;
  name: string;
  kind: OrganisationKind;
  /** Empty in the file: the stored value is kept. */
  siret: string | null;
  /** Empty in the file: the stored value is kept. */
  city: string | null;
}

export interface ProfessionalInput {
  rpps: string;
  familyName: string;
  givenName: string;
  professionCode: ProfessionCode;
  specialtyCode: string | null;
  email: string | null;
  organisation: OrganisationInput | null;
}

export type RowCheck =
  | { ok: true; row: ProfessionalInput }
  /** `rpps` is set when the RPPS itself is valid (so the professional is known to be in the file). */
  | { ok: false; problems: FieldProblem[]; rpps: string | undefined };

// Names as the national directory writes them: letters (any script, accents), spaces,
// hyphens, apostrophes, dots; starting with a letter.
const PERSON_NAME = /^[\p{L}\p{M}][\p{L}\p{M}' .-]*$/u;
const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/;
const CONTROL = /\p{Cc}/u;

/** A field as text: strings trimmed (inner runs of spaces collapsed), numbers written out. */
function text(fields: Record<string, unknown>, column: DirectoryColumn, problems: FieldProblem[]): string {
  const v = fields[column];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.trim().replace(/\s+/g, ' ');
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  problems.push({ field: column, reason: 'must be text' });
  return '';
}

/** Validates one line of a directory file; reports every problem of the line. */
export function checkDirectoryRow(fields: Record<string, unknown>): RowCheck {
  const problems: FieldProblem[] = [];
  const get = (c: DirectoryColumn) => text(fields, c, problems);
  const required = (c: DirectoryColumn, v: string) => {
    if (v === '' && !problems.some((p) => p.field === c)) problems.push({ field: c, reason: 'is required' });
    return v !== '';
  };

  const rppsText = get('rpps');
  let rpps: string | undefined;
  if (required('rpps', rppsText)) {
    const r = checkRpps(rppsText);
    if (r.ok) rpps = r.value;
    else problems.push({ field: 'rpps', reason: r.reason });
  }

  const familyName = get('family_name');
  const givenName = get('given_name');
  for (const [column, v] of [['family_name', familyName], ['given_name', givenName]] as const) {
    if (required(column, v) && (v.length > 100 || !PERSON_NAME.test(v))) {
      problems.push({ field: column, reason: 'must be 1-100 letters, spaces, hyphens, apostrophes or dots, starting with a letter' });
    }
  }

  const professionCode = get('profession_code');
  if (required('profession_code', professionCode) && !isProfessionCode(professionCode)) {
    problems.push({ field: 'profession_code', reason: `unknown TRE_G15 profession code "${professionCode}" (known: ${Object.keys(PROFESSIONS).join(', ')})` });
  }

  const specialtyCode = get('specialty_code').toUpperCase();
  if (specialtyCode !== '') {
    if (isProfessionCode(professionCode) && professionCode !== PHYSICIAN) problems.push({ field: 'specialty_code', reason: 'is recorded for physicians only (profession_code 10)' });
    else if (!/^SM\d{2}$/.test(specialtyCode)) problems.push({ field: 'specialty_code', reason: `must be a TRE_R38 ordinal specialty code SMnn (e.g. SM54 médecine générale), got "${specialtyCode}"` });
  }

  const email = get('email');
  if (email !== '' && (email.length > 254 || !EMAIL.test(email))) problems.push({ field: 'email', reason: 'is not an e-mail address' });

  const finessText = get('finess');
  const organisationName = get('organisation_name');
  const kindText = get('organisation_kind').toLowerCase();
  const siretText = get('siret');
  const city = get('city');
  let organisation: OrganisationInput | null = null;
  if (finessText === '') {
    for (const [column, v] of [['organisation_name', organisationName], ['organisation_kind', kindText], ['siret', siretText], ['city', city]] as const) {
      if (v !== '') problems.push({ field: column, reason: 'describes an organisation: give its finess too' });
    }
  } else {
    const finess = checkFiness(finessText);
    if (!finess.ok) problems.push({ field: 'finess', reason: finess.reason });
    if (required('organisation_name', organisationName) && (organisationName.length > 200 || CONTROL.test(organisationName))) {
      problems.push({ field: 'organisation_name', reason: 'must be at most 200 characters' });
    }
    if (required('organisation_kind', kindText) && !isOrganisationKind(kindText)) {
      problems.push({ field: 'organisation_kind', reason: `must be one of ${Object.keys(ORGANISATION_KINDS).join(', ')}` });
    }
    const siret = siretText === '' ? null : checkSiret(siretText);
    if (siret && !siret.ok) problems.push({ field: 'siret', reason: siret.reason });
    if (city.length > 100 || CONTROL.test(city)) problems.push({ field: 'city', reason: 'must be at most 100 characters' });
    if (finess.ok && isOrganisationKind(kindText) && (siret === null || siret.ok)) {
      organisation = { finess: finess.value, name: organisationName, kind: kindText, siret: siret?.value ?? null, city: city === '' ? null : city };
    }
  }

  if (problems.length > 0 || rpps === undefined || !isProfessionCode(professionCode)) return { ok: false, problems, rpps };
  return {
    ok: true,
    row: {
      rpps,
      familyName,
      givenName,
      professionCode,
      specialtyCode: specialtyCode === '' ? null : specialtyCode,
      email: email === '' ? null : email,
      organisation,
    },
  };
}

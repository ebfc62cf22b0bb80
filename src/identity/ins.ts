/**
 * INS (identifiant national de santé) rules of RULES §2: the matricule (NIR, or NIA for
 * people without NIR), its OID, and the traits. Pure functions, no I/O.
 */

export const INS_OID = {
  nir: '1.2.250.1.213.1.4.8',
  nia: '1.2.250.1.213.1.4.9',
  test: '1.2.250.1.213.1.4.10',
} as const;
export type InsKind = keyof typeof INS_OID;

export interface NirParts {
  sex: string;
  year: string;
  month: string;
  departement: string;
  commune: string;
  order: string;
  key: string;
}

export type NirCheck = { ok: true; nir: string; parts: NirParts } | { ok: false; reason: string };

const NIR_SHAPE = /^([123478])(\d{2})(\d{2})(\d{2}|2A|2B)(\d{3})(\d{3})(\d{2})$/;

/** Normalises what people type: spaces, dots and dashes go, letters go upper case. */
export function normalizeMatricule(input: string): string {
  return input.replace(/[\s.-]/g, '').toUpperCase();
}

/** Key = 97 - (first 13 digits mod 97), with 2A read as 19 and 2B as 18. */
export function nirKey(first13: string): number {
  const digits = first13.replace('2A', '19').replace('2B', '18');
  // 13 digits exceed 2^53? No (10^13 < 2^53), but BigInt keeps it obviously exact.
  return 97 - Number(BigInt(digits) % 97n);
}

export function checkNir(input: string): NirCheck {
  const nir = normalizeMatricule(input);
  if (nir.length !== 15) return { ok: false, reason: `must have 15 characters (13 + a 2-digit key), got ${nir.length}` };
  if (!/^[0-9]/.test(nir) || !/^[123478]/.test(nir)) return { ok: false, reason: 'first digit (sex) must be 1 or 2 (3, 4, 7 or 8 for temporary numbers)' };
  const m = NIR_SHAPE.exec(nir);
  if (!m) {
    if (!/^\d{5}(\d{2}|2A|2B)\d{8}$/.test(nir)) return { ok: false, reason: 'département must be 2 digits, 2A or 2B; every other character a digit' };
    return { ok: false, reason: 'malformed' };
  }
  const [, sex, year, month, departement, commune, order, key] = m as unknown as [string, string, string, string, string, string, string, string];
  const mm = Number(month);
  if (!((mm >= 1 && mm <= 12) || (mm >= 20 && mm <= 99))) return { ok: false, reason: `month ${month} is not valid (01-12, or 20-99 when unknown)` };
  const expected = nirKey(nir.slice(0, 13));
  if (Number(key) !== expected) return { ok: false, reason: `control key ${key} is wrong (the number was probably mistyped)` };
  return { ok: true, nir, parts: { sex, year, month, departement, commune, order, key } };
}

export function isValidNir(input: string): boolean {
  return checkNir(input).ok;
}

/** Adds the key to 13 characters (demo data, test fixtures). */
export function withNirKey(first13: string): string {
  return first13 + String(nirKey(first13)).padStart(2, '0');
}

export const SEXES = ['M', 'F', 'U'] as const;
export type Sex = (typeof SEXES)[number];

export interface InsTraits {
  birthName: string;
  /** Birth first names, space separated, in civil-status order. */
  birthGivenNames: string;
  /** YYYY-MM-DD */
  birthDate: string;
  sex: Sex;
  /** INSEE COG code of the birthplace (5 characters; 99xxx abroad). */
  birthplaceCode?: string | undefined;
}

export interface FieldProblem {
  field: string;
  reason: string;
}

// Letters (with French accents), spaces, hyphens, apostrophes: what civil status allows,
// with at least one letter (a name of only hyphens or apostrophes is a typing error).
const NAME = /^(?=.*[A-Za-zÀ-ÖØ-öø-ÿŒœ])[A-Za-zÀ-ÖØ-öø-ÿŒœ' -]{1,100}$/;
const COG = /^(\d{5}|2[AB]\d{3})$/;

export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/**
 * Checks a matricule and its traits together: format and key, and the coherence the NIR
 * encodes (sex digit, year and month of birth). Returns every problem found.
 */
export function checkIns(matricule: string, kind: InsKind, traits: InsTraits, today: Date): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const nir = checkNir(matricule);
  if (!nir.ok) problems.push({ field: 'matricule', reason: nir.reason });
  if (!NAME.test(traits.birthName.trim())) problems.push({ field: 'birthName', reason: 'must be 1-100 letters, spaces, hyphens or apostrophes' });
  if (!traits.birthGivenNames.trim().split(/\s+/).every((n) => NAME.test(n))) problems.push({ field: 'birthGivenNames', reason: 'must be first names made of letters, separated by spaces' });
  if (!(SEXES as readonly string[]).includes(traits.sex)) problems.push({ field: 'sex', reason: 'must be M, F or U' });
  if (!isIsoDate(traits.birthDate)) problems.push({ field: 'birthDate', reason: 'must be a date YYYY-MM-DD' });
  else if (traits.birthDate > today.toISOString().slice(0, 10)) problems.push({ field: 'birthDate', reason: 'is in the future' });
  else if (traits.birthDate < '1880-01-01') problems.push({ field: 'birthDate', reason: 'is before 1880' });
  if (traits.birthplaceCode !== undefined && traits.birthplaceCode !== '' && !COG.test(traits.birthplaceCode)) {
    problems.push({ field: 'birthplaceCode', reason: 'must be an INSEE COG code of 5 characters (99xxx for abroad)' });
  }
  if (nir.ok && problems.length === 0 && kind !== 'test') {
    const { sex, year, month } = nir.parts;
    const sexOf = { '1': 'M', '2': 'F', '3': 'M', '4': 'F', '7': 'M', '8': 'F' } as const;
    if (traits.sex !== 'U' && sexOf[sex as keyof typeof sexOf] !== traits.sex) problems.push({ field: 'sex', reason: `does not match the matricule (first digit ${sex})` });
    if (traits.birthDate.slice(2, 4) !== year) problems.push({ field: 'birthDate', reason: `year does not match the matricule (${year})` });
    const mm = Number(month);
    if (mm >= 1 && mm <= 12 && traits.birthDate.slice(5, 7) !== month) problems.push({ field: 'birthDate', reason: `month does not match the matricule (${month})` });
  }
  return problems;
}

/** Age in whole years on `today` (UTC dates). */
export function ageOn(birthDate: string, today: Date): number {
  const t = today.toISOString().slice(0, 10);
  let age = Number(t.slice(0, 4)) - Number(birthDate.slice(0, 4));
  if (t.slice(5) < birthDate.slice(5)) age -= 1;
  return age;
}

export function isMinor(birthDate: string, today: Date): boolean {
  return ageOn(birthDate, today) < 18;
}

/** Secure-messaging address of a patient (RULES §2). */
export function patientMssAddress(matricule: string): string {
  return `${matricule}@patient.mssante.fr`;
}

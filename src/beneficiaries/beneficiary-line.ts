/**
 * One line of the insurer's beneficiary file, checked and normalised. Pure, no I/O.
 *
 * File format (CSV with a header line, `,` or `;` separated, UTF-8 with or without BOM; or
 * NDJSON, one JSON object per line). CSV header names and NDJSON keys are the same:
 *
 * | column                   | required | content                                                               |
 * |--------------------------|----------|-----------------------------------------------------------------------|
 * | matricule                | yes      | NIR or NIA, 15 characters with the key (spaces, dots, dashes ignored) |
 * | oid                      | no       | INS OID: 1.2.250.1.213.1.4.8 (INS-NIR, default), 1.2.250.1.213.1.4.9 (INS-NIA), 1.2.250.1.213.1.4.10 (test); the labels INS-NIR, INS-NIA, INS-TEST also do |
 * | birth_name               | yes      | birth name (letters, spaces, hyphens, apostrophes)                    |
 * | birth_given_names        | yes      | birth first names, space separated, civil-status order                |
 * | used_name                | no       | name in use (nom d'usage)                                             |
 * | birth_date               | yes      | YYYY-MM-DD, coherent with the matricule (year, month)                 |
 * | sex                      | yes      | M, F or U, coherent with the matricule's first digit                  |
 * | birthplace_code          | no       | INSEE COG code (5 characters, 99xxx abroad)                           |
 * | card_serial              | no       | serial number of the carte Vitale (4-20 letters or digits), for opposition online |
 * | email                    | no*      | e-mail address: the information message goes there                    |
 * | phone                    | no       | 0XXXXXXXXX or +XXXXXXXXXXX (spaces, dots, dashes ignored)             |
 * | address                  | no*      | postal address lines (street)                                         |
 * | postal_code              | no*      | 5 digits                                                              |
 * | city                     | no*      | city                                                                  |
 * | representative_matricule | minors   | NIR of the legal representative a minor (< 18) is attached to         |
 * | deceased_on              | no       | YYYY-MM-DD: the insurer learnt of the death (not before birth, not in the future) |
 *
 * (*) Without an e-mail, the information letter goes by post: address, postal_code and city
 * are then required. An empty value is the same as an absent one. In NDJSON, values are
 * JSON strings (or null); in CSV, an unknown or missing required column refuses the whole
 * file (every line would be wrong), in NDJSON an unknown key rejects its line.
 */
import { checkIns, checkNir, INS_OID, isIsoDate, isMinor, normalizeMatricule } from '../identity/index.ts';
import type { InsKind, Sex } from '../identity/index.ts';

export const BENEFICIARY_COLUMNS = [
  'matricule',
  'oid',
  'birth_name',
  'birth_given_names',
  'used_name',
  'birth_date',
  'sex',
  'birthplace_code',
  'card_serial',
  'email',
  'phone',
  'address',
  'postal_code',
  'city',
  'representative_matricule',
  'deceased_on',
] as const;
export type BeneficiaryColumn = (typeof BENEFICIARY_COLUMNS)[number];

export const REQUIRED_COLUMNS: readonly BeneficiaryColumn[] = ['matricule', 'birth_name', 'birth_given_names', 'birth_date', 'sex'];

/** A valid line, normalised (absent optional values are null). */
export interface Beneficiary {
  matricule: string;
  insOid: string;
  birthName: string;
  birthGivenNames: string;
  usedName: string | null;
  birthDate: string;
  sex: Sex;
  birthplaceCode: string | null;
  cardSerial: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  postalCode: string | null;
  city: string | null;
  representativeMatricule: string | null;
  deceasedOn: string | null;
  /** Under 18 on the import day: the message goes to the legal representatives. */
  minor: boolean;
}

/** A problem of one line of the file; `field` is the column name, null for the whole line. */
export interface LineError {
  line: number;
  field: string | null;
  reason: string;
}

export type LineCheck = { ok: true; value: Beneficiary } | { ok: false; errors: LineError[] };

const OIDS: Record<string, InsKind> = {
  [INS_OID.nir]: 'nir',
  [INS_OID.nia]: 'nia',
  [INS_OID.test]: 'test',
  'INS-NIR': 'nir',
  'INS-NIA': 'nia',
  'INS-TEST': 'test',
  'INS-NIR-TEST': 'test',
};

// Same alphabet as the INS traits (ins.ts): what civil status allows.
const NAME = /^[A-Za-zÀ-ÖØ-öø-ÿŒœ' -]{1,100}$/;
const EMAIL = /^[^\s@"<>,;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$/;
const PHONE = /^(0\d{9}|\+\d{8,15})$/;
const POSTAL_CODE = /^\d{5}$/;
const CARD_SERIAL = /^[0-9A-Z]{4,20}$/;
const KNOWN = new Set<string>(BENEFICIARY_COLUMNS);

const TRAIT_FIELD: Record<string, BeneficiaryColumn> = {
  matricule: 'matricule',
  birthName: 'birth_name',
  birthGivenNames: 'birth_given_names',
  birthDate: 'birth_date',
  sex: 'sex',
  birthplaceCode: 'birthplace_code',
};

/** The columns a CSV header lacks or has too many; empty lists when it is fine. */
export function checkHeader(columns: readonly string[]): { missing: string[]; unknown: string[] } {
  return {
    missing: REQUIRED_COLUMNS.filter((c) => !columns.includes(c)),
    unknown: columns.filter((c) => !KNOWN.has(c)),
  };
}

/** The value of a column: trimmed, inner blanks collapsed, null when absent or empty. */
function text(fields: Record<string, unknown>, c: BeneficiaryColumn, errors: LineError[], line: number): string | null {
  const v = fields[c];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') {
    errors.push({ line, field: c, reason: 'must be a text value (a JSON string)' });
    return null;
  }
  const t = BLANKS.test(v) ? v.trim().replace(/\s+/g, ' ') : v;
  if (CONTROL.test(t)) {
    errors.push({ line, field: c, reason: 'contains a control character' });
    return null;
  }
  return t === '' ? null : t;
}

function required(fields: Record<string, unknown>, c: BeneficiaryColumn, errors: LineError[], line: number): string {
  const raw = fields[c];
  const v = text(fields, c, errors, line);
  // A value of the wrong type was reported by text().
  if (v === null && (raw === undefined || raw === null || typeof raw === 'string')) errors.push({ line, field: c, reason: 'is required' });
  return v ?? '';
}

// eslint-disable-next-line no-control-regex -- that is the point: they cannot be stored.
const CONTROL = /[\u0000-\u001f\u007f]/;
// Leading, trailing or repeated blanks, or blanks other than a space: worth normalising.
const BLANKS = /^\s|\s$|\s\s|[\t\n\r\f\v]/;

/**
 * Checks one line: INS traits with `checkIns`, contact details, representative of a minor,
 * date of death. Returns every problem found, so the insurer fixes a line once.
 */
export function checkBeneficiaryLine(fields: Record<string, unknown>, line: number, today: Date, opts: { strictKeys: boolean }): LineCheck {
  const errors: LineError[] = [];
  if (opts.strictKeys) {
    for (const k of Object.keys(fields)) if (!KNOWN.has(k)) errors.push({ line, field: k, reason: `unknown field (expected: ${BENEFICIARY_COLUMNS.join(', ')})` });
  }

  const rawMatricule = required(fields, 'matricule', errors, line);
  const matricule = normalizeMatricule(rawMatricule);
  const oid = text(fields, 'oid', errors, line);
  let kind: InsKind = 'nir';
  if (oid !== null) {
    const k = OIDS[oid.toUpperCase()];
    if (k === undefined) errors.push({ line, field: 'oid', reason: `must be ${INS_OID.nir} (INS-NIR), ${INS_OID.nia} (INS-NIA) or ${INS_OID.test} (test)` });
    else kind = k;
  }
  const birthName = required(fields, 'birth_name', errors, line);
  const birthGivenNames = required(fields, 'birth_given_names', errors, line);
  const usedName = text(fields, 'used_name', errors, line);
  if (usedName !== null && !NAME.test(usedName)) errors.push({ line, field: 'used_name', reason: 'must be 1-100 letters, spaces, hyphens or apostrophes' });
  const birthDate = required(fields, 'birth_date', errors, line);
  const sex = required(fields, 'sex', errors, line).toUpperCase();
  const birthplaceCode = text(fields, 'birthplace_code', errors, line)?.toUpperCase() ?? null;

  // checkIns on present values only (a missing one is already reported as required).
  let birthDateOk = false;
  if (rawMatricule !== '' && birthName !== '' && birthGivenNames !== '' && birthDate !== '' && sex !== '') {
    const ins = checkIns(matricule, kind, { birthName, birthGivenNames, birthDate, sex: sex as Sex, birthplaceCode: birthplaceCode ?? undefined }, today);
    birthDateOk = true;
    for (const p of ins) {
      const field = TRAIT_FIELD[p.field] ?? p.field;
      errors.push({ line, field, reason: p.reason });
      if (field === 'birth_date') birthDateOk = false;
    }
  } else if (rawMatricule !== '') {
    const nir = checkNir(matricule);
    if (!nir.ok) errors.push({ line, field: 'matricule', reason: nir.reason });
  }

  const cardSerialText = text(fields, 'card_serial', errors, line);
  const cardSerial = cardSerialText === null ? null : cardSerialText.replace(/\s/g, '').toUpperCase();
  if (cardSerial !== null && !CARD_SERIAL.test(cardSerial)) errors.push({ line, field: 'card_serial', reason: 'must be the carte Vitale serial number: 4 to 20 letters or digits' });

  const email = text(fields, 'email', errors, line);
  if (email !== null && (email.length > 254 || !EMAIL.test(email))) errors.push({ line, field: 'email', reason: 'is not an e-mail address (name@domain.tld)' });
  const phoneText = text(fields, 'phone', errors, line);
  const phone = phoneText === null ? null : phoneText.replace(/[\s.()-]/g, '');
  if (phone !== null && !PHONE.test(phone)) errors.push({ line, field: 'phone', reason: 'must be a French number of 10 digits (0XXXXXXXXX) or an international one (+XXXXXXXXXXX)' });
  const address = text(fields, 'address', errors, line);
  const postalCode = text(fields, 'postal_code', errors, line);
  if (postalCode !== null && !POSTAL_CODE.test(postalCode)) errors.push({ line, field: 'postal_code', reason: 'must be 5 digits' });
  const city = text(fields, 'city', errors, line);
  if (email === null) {
    const reason = 'is required when there is no e-mail: the information letter goes by post';
    if (address === null) errors.push({ line, field: 'address', reason });
    if (postalCode === null) errors.push({ line, field: 'postal_code', reason });
    if (city === null) errors.push({ line, field: 'city', reason });
  }

  const minor = birthDateOk && isMinor(birthDate, today);
  const repText = text(fields, 'representative_matricule', errors, line);
  const representativeMatricule = repText === null ? null : normalizeMatricule(repText);
  if (representativeMatricule !== null) {
    const rep = checkNir(representativeMatricule);
    if (!rep.ok) errors.push({ line, field: 'representative_matricule', reason: rep.reason });
    else if (representativeMatricule === matricule) errors.push({ line, field: 'representative_matricule', reason: 'is the matricule of the person themself' });
  } else if (minor) {
    errors.push({ line, field: 'representative_matricule', reason: 'is required for a minor (under 18): the legal representative the child is attached to' });
  }

  const deceasedOn = text(fields, 'deceased_on', errors, line);
  if (deceasedOn !== null) {
    if (!isIsoDate(deceasedOn)) errors.push({ line, field: 'deceased_on', reason: 'must be a date YYYY-MM-DD' });
    else if (deceasedOn > today.toISOString().slice(0, 10)) errors.push({ line, field: 'deceased_on', reason: 'is in the future' });
    else if (birthDateOk && deceasedOn < birthDate) errors.push({ line, field: 'deceased_on', reason: `is before the birth date (${birthDate})` });
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      matricule,
      insOid: INS_OID[kind],
      birthName,
      birthGivenNames,
      usedName,
      birthDate,
      sex: sex as Sex,
      birthplaceCode,
      cardSerial,
      email,
      phone,
      address,
      postalCode,
      city,
      representativeMatricule,
      deceasedOn,
      minor,
    },
  };
}

/** Name for greetings and letters: first given name and name in use. */
export function displayName(b: Pick<Beneficiary, 'birthGivenNames' | 'usedName' | 'birthName'>): string {
  return `${b.birthGivenNames.split(' ')[0] ?? ''} ${b.usedName ?? b.birthName}`.trim();
}

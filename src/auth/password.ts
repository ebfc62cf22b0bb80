import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2id with the OWASP Password Storage Cheat Sheet's baseline: 19 MiB of memory,
 * 2 passes, 1 lane (about 30-60 ms per hash on a server core). The parameters are stored in
 * the PHC string, so raising them later does not break existing hashes.
 */
const ARGON2ID = 2; // Algorithm.Argon2id: a const enum, not importable under isolatedModules.
export const PASSWORD_HASH_OPTIONS = Object.freeze({ algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 });

export const PASSWORD_MIN_LENGTH = 9;
/** Long passphrases are welcome; beyond this the length only serves denial of service. */
export const PASSWORD_MAX_LENGTH = 128;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, PASSWORD_HASH_OPTIONS);
}

/** True when `password` matches the stored argon2 hash; false on a mismatch or a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

export interface PasswordProblem {
  field: 'password';
  reason: string;
}

/** What a password must not contain (RULES §6: "not personal data"). */
export interface PersonalData {
  loginId: string;
  birthName: string;
  /** Space-separated, as in the INS traits. */
  birthGivenNames: string;
  /** YYYY-MM-DD */
  birthDate: string;
  email?: string | null | undefined;
}

/**
 * RULES §6: at least 9 characters with a lower-case letter, an upper-case letter, a digit and
 * a special character, and no personal data. Returns every unmet rule (empty = accepted), each
 * as a sentence a person understands.
 */
export function checkPasswordPolicy(password: string, personal: PersonalData): PasswordProblem[] {
  const reasons: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) reasons.push(`Use at least ${PASSWORD_MIN_LENGTH} characters.`);
  if (length > PASSWORD_MAX_LENGTH) reasons.push(`Use at most ${PASSWORD_MAX_LENGTH} characters.`);
  if (!/\p{Ll}/u.test(password)) reasons.push('Add a lower-case letter.');
  if (!/\p{Lu}/u.test(password)) reasons.push('Add an upper-case letter.');
  if (!/\p{Nd}/u.test(password)) reasons.push('Add a digit.');
  if (!/[^\p{L}\p{N}]/u.test(password)) reasons.push('Add a special character, such as ! ? - # or a space.');

  const folded = fold(password);
  const loginId = fold(personal.loginId);
  if (loginId.length > 0 && folded.includes(loginId)) reasons.push('Do not use your identifier in your password.');
  if (nameParts(`${personal.birthName} ${personal.birthGivenNames}`).some((n) => folded.includes(n))) {
    reasons.push('Do not use your name or first names in your password.');
  }
  if (birthDateForms(personal.birthDate).some((d) => password.includes(d))) {
    reasons.push('Do not use your date or year of birth in your password.');
  }
  if (personal.email && emailParts(personal.email).some((e) => folded.includes(e))) {
    reasons.push('Do not use your e-mail address in your password.');
  }
  return reasons.map((reason) => ({ field: 'password', reason }));
}

/** Lower case without accents or ligatures, so "Hélène" and "HELENE" compare equal. */
function fold(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replaceAll('œ', 'oe')
    .replaceAll('æ', 'ae')
    .replaceAll('ß', 'ss');
}

/** The words of the names with 3 letters or more ("Jean-Pierre O'NEIL" -> jean, pierre, neil). */
function nameParts(names: string): string[] {
  return fold(names)
    .split(/[^\p{L}]+/u)
    .filter((w) => w.length >= 3);
}

/** YYYY, DDMMYYYY, DD/MM/YYYY, YYYYMMDD, DDMMYY (and the other separators people use). */
function birthDateForms(birthDate: string): string[] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return [];
  const [yyyy = '', mm = '', dd = ''] = birthDate.split('-');
  const yy = yyyy.slice(2);
  return [yyyy, `${dd}${mm}${yyyy}`, `${dd}/${mm}/${yyyy}`, `${yyyy}${mm}${dd}`, `${dd}${mm}${yy}`, `${dd}/${mm}/${yy}`, `${dd}-${mm}-${yy}`, `${dd}.${mm}.${yy}`];
}

/** The local part of the address, and its words of 3 characters or more. */
function emailParts(email: string): string[] {
  const local = fold(email.split('@')[0] ?? '');
  const words = local.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3);
  return [...new Set([local, ...words])].filter((w) => w.length >= 3);
}

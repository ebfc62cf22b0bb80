/**
 * The one-time code a patient gives a professional at a consultation, when their card is not
 * at hand (RULES §3.1): the patient (or the child's legal representative) asks for it in their
 * space, reads it out, and the professional attests consent with it. Pure rules here; the
 * table is `consent_codes` (one live code per space, stored as a keyed hash).
 */
import { keyedHash } from '../platform/secrets.ts';

/** Long enough for a consultation, short enough that a code overheard later is spent. */
export const CONSENT_CODE_TTL_MS = 15 * 60_000;
/** Wrong tries that spend the code (a 6-digit code must not be guessable by trying). */
export const CONSENT_CODE_MAX_FAILURES = 5;
export const CONSENT_CODE_DIGITS = 6;

export const consentCodeHash = (secret: Buffer, patientId: string, code: string): string => keyedHash(secret, 'consent-code', `${patientId}:${code}`);

export interface StoredConsentCode {
  codeHash: string;
  expiresAt: Date;
  usedAt: Date | null;
  failedAttempts: number;
}

export type ConsentCodeCheck = 'ok' | 'no_code' | 'expired' | 'used' | 'spent' | 'wrong';

/** Whether `givenHash` opens the stored code at `now` (before counting this try). */
export function checkConsentCode(stored: StoredConsentCode | null, givenHash: string, now: Date): ConsentCodeCheck {
  if (stored === null) return 'no_code';
  if (stored.usedAt !== null) return 'used';
  if (stored.failedAttempts >= CONSENT_CODE_MAX_FAILURES) return 'spent';
  if (now.getTime() >= stored.expiresAt.getTime()) return 'expired';
  return stored.codeHash === givenHash ? 'ok' : 'wrong';
}

/** What the professional is told: enough to act, nothing about the patient. */
export function consentCodeMessage(check: Exclude<ConsentCodeCheck, 'ok'>): string {
  switch (check) {
    case 'no_code':
    case 'wrong':
      return 'This code does not match: check it with the patient, or ask them for a new one in their space (Accès > Code de consentement).';
    case 'expired':
      return 'This code has expired (codes last 15 minutes): ask the patient for a new one.';
    case 'used':
      return 'This code was already used: ask the patient for a new one.';
    case 'spent':
      return 'Too many wrong tries with this code: ask the patient for a new one.';
  }
}

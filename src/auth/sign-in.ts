import type { Config } from '../config.ts';
import type { Db, Queryable } from '../storage/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { Random } from '../platform/random.ts';
import { AppError } from '../platform/errors.ts';
import { keyedHash, safeEqual } from '../platform/secrets.ts';
import { enqueueMessage } from '../platform/mail/outbox.ts';
import { appendAudit } from '../audit/index.ts';
import { hashPassword, verifyPassword } from './password.ts';
import { createSession, SIGN_IN_STATUSES } from './session-store.ts';
import type { NewSession } from './session-store.ts';

/** Consecutive wrong passwords before the account is locked... */
export const MAX_FAILED_LOGINS = 5;
/** ...for this long. */
export const LOCK_MS = 15 * 60 * 1000;
/** The e-mailed one-time code is valid 10 minutes... */
export const OTP_VALIDITY_MINUTES = 10;
/** ...and accepts 5 wrong codes, after which the sign-in starts over. */
export const OTP_MAX_FAILED_ATTEMPTS = 5;
export const OTP_DIGITS = 6;

export interface SignInDeps {
  db: Db;
  clock: Clock;
  random: Random;
  config: Pick<Config, 'secret'>;
}

export interface PasswordStepResult {
  challengeId: string;
  /** The address the code went to, masked: c***@example.org */
  sentTo: string;
  expiresAt: Date;
}

const INVALID_CREDENTIALS = 'Identifier or password is incorrect.';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Account {
  patientId: string;
  status: string;
  passwordHash: string | null;
  email: string | null;
  displayName: string;
}

interface PatientRow {
  patient_id: string;
  status: string;
  password_hash: string | null;
  email: string | null;
  birth_name: string;
  birth_given_names: string;
  used_name: string | null;
}

/** "Claire MARTIN": first given name and used (else birth) name. */
export function displayName(p: { birth_name: string; birth_given_names: string; used_name: string | null }): string {
  const given = p.birth_given_names.trim().split(/\s+/)[0] ?? '';
  return `${given} ${p.used_name ?? p.birth_name}`.trim();
}

/** c***@example.org: enough for the person to recognise the address, not for others to learn it. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

/** A hash in the same format and cost as real ones, verified when the identifier is unknown. */
let dummyHash: Promise<string> | undefined;
function timingDummyHash(): Promise<string> {
  dummyHash ??= hashPassword('carnet timing dummy: matches no password');
  return dummyHash;
}

function lockedError(until: Date, now: Date): AppError {
  const minute = 60_000;
  const shown = new Date(Math.ceil(until.getTime() / minute) * minute);
  const hhmm = shown.toISOString().slice(11, 16);
  return new AppError('locked', `Too many failed attempts: this account is locked. Try again after ${hhmm} UTC, or reset your password.`, {
    retryAfter: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)),
  });
}

// Step: identifier -> account (via the look-up table, then the patient-scoped row).
async function findAccount(q: Queryable, identifier: string): Promise<Account | null> {
  const logins = await q.query<{ patient_id: string }>('SELECT patient_id FROM patient_logins WHERE login_id = $1', [identifier.trim().toLowerCase()]);
  const login = logins[0];
  if (!login) return null;
  const rows = await q.query<PatientRow>(
    'SELECT patient_id, status, password_hash, email, birth_name, birth_given_names, used_name FROM patients WHERE patient_id = $1',
    [login.patient_id],
  );
  const p = rows[0];
  if (!p) return null;
  return { patientId: p.patient_id, status: p.status, passwordHash: p.password_hash, email: p.email, displayName: displayName(p) };
}

type PasswordOutcome =
  | { kind: 'ok'; result: PasswordStepResult }
  | { kind: 'refused' }
  | { kind: 'locked'; until: Date }
  | { kind: 'no_email' };

/**
 * Step 1 of a sign-in: identifier and password. On success a one-time code is e-mailed (outbox,
 * same transaction) and a challenge to answer with it is returned. Failures are counted; the
 * 5th in a row locks the account for 15 minutes (423 with Retry-After).
 */
export async function checkPassword(deps: SignInDeps, input: { identifier: string; password: string }): Promise<PasswordStepResult> {
  const account = await findAccount(deps.db, input.identifier);
  // Always one argon2 verification, so an unknown identifier answers in about the same time.
  const passwordOk = await verifyPassword(account?.passwordHash ?? (await timingDummyHash()), input.password);
  if (!account) throw new AppError('invalid_credentials', INVALID_CREDENTIALS);

  const outcome = await deps.db.tx(async (q): Promise<PasswordOutcome> => {
    const now = deps.clock.now();
    const actor = { type: 'patient' as const, id: account.patientId };
    // Re-read under a row lock: concurrent attempts count one by one.
    const rows = await q.query<{ failed_logins: number; locked_until: Date | string | null; status: string }>(
      'SELECT failed_logins, locked_until, status FROM patients WHERE patient_id = $1 FOR UPDATE',
      [account.patientId],
    );
    const state = rows[0];
    if (!state || !SIGN_IN_STATUSES.includes(state.status) || account.passwordHash === null) {
      await appendAudit(q, account.patientId, now, { actor, action: 'sign_in_failed', detail: { step: 'password', reason: 'status', status: state?.status ?? null } });
      return { kind: 'refused' };
    }
    const lockedUntil = state.locked_until === null ? null : new Date(state.locked_until);
    if (lockedUntil !== null && lockedUntil.getTime() > now.getTime()) {
      await appendAudit(q, account.patientId, now, { actor, action: 'sign_in_failed', detail: { step: 'password', reason: 'locked' } });
      return { kind: 'locked', until: lockedUntil };
    }
    if (!passwordOk) {
      const failures = state.failed_logins + 1;
      await appendAudit(q, account.patientId, now, { actor, action: 'sign_in_failed', detail: { step: 'password', reason: 'wrong_password', failures } });
      if (failures >= MAX_FAILED_LOGINS) {
        // The lock is the penalty; once it is released the count starts afresh.
        const until = new Date(now.getTime() + LOCK_MS);
        await q.query('UPDATE patients SET failed_logins = 0, locked_until = $2 WHERE patient_id = $1', [account.patientId, until.toISOString()]);
        await appendAudit(q, account.patientId, now, { actor, action: 'account_locked', detail: { until: until.toISOString(), failures } });
        return { kind: 'locked', until };
      }
      await q.query('UPDATE patients SET failed_logins = $2 WHERE patient_id = $1', [account.patientId, failures]);
      return { kind: 'refused' };
    }
    if (!account.email) return { kind: 'no_email' };
    await q.query('UPDATE patients SET failed_logins = 0, locked_until = NULL WHERE patient_id = $1', [account.patientId]);
    return { kind: 'ok', result: await createChallenge(q, deps, { ...account, email: account.email }) };
  });

  switch (outcome.kind) {
    case 'ok':
      return outcome.result;
    case 'refused':
      throw new AppError('invalid_credentials', INVALID_CREDENTIALS);
    case 'locked':
      throw lockedError(outcome.until, deps.clock.now());
    case 'no_email':
      throw new AppError('conflict', 'No e-mail address is on file to send your sign-in code to. Please contact support.');
  }
}

// Step: a challenge and its code, e-mailed in the same transaction.
async function createChallenge(q: Queryable, deps: SignInDeps, account: Account & { email: string }): Promise<PasswordStepResult> {
  const now = deps.clock.now();
  const challengeId = `${account.patientId}.${deps.random.token(16)}`;
  const code = deps.random.digits(OTP_DIGITS);
  const expiresAt = new Date(now.getTime() + OTP_VALIDITY_MINUTES * 60_000);
  await q.query(
    `INSERT INTO login_challenges (patient_id, challenge_id, otp_hash, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [account.patientId, challengeId, otpHash(deps.config.secret, code), now.toISOString(), expiresAt.toISOString()],
  );
  await enqueueMessage(q, deps, {
    patientId: account.patientId,
    template: 'login_otp',
    channel: 'email',
    recipient: { email: account.email, name: account.displayName },
    params: { code, minutes: String(OTP_VALIDITY_MINUTES) },
  });
  return { challengeId, sentTo: maskEmail(account.email), expiresAt };
}

function otpHash(secret: Buffer, code: string): string {
  return keyedHash(secret, 'login-otp', code);
}

/** `<patientId>.<random>` -> the patient id, or null. */
function challengePatientId(challengeId: string): string | null {
  const patientId = challengeId.slice(0, challengeId.indexOf('.'));
  return UUID.test(patientId) ? patientId : null;
}

type CodeOutcome =
  | { kind: 'ok'; session: NewSession }
  | { kind: 'gone'; message: string }
  | { kind: 'wrong'; triesLeft: number };

const SIGN_IN_AGAIN = 'Sign in again with your identifier and password to receive a new code.';

/**
 * Step 2 of a sign-in: the e-mailed code. A challenge is single-use, valid 10 minutes and
 * spent after 5 wrong codes. On success a session is opened.
 */
export async function checkCode(deps: SignInDeps, input: { challengeId: string; code: string }): Promise<NewSession> {
  const patientId = challengePatientId(input.challengeId);
  if (patientId === null) throw new AppError('code_expired', `This sign-in is unknown or has expired. ${SIGN_IN_AGAIN}`);

  const outcome = await deps.db.tx(async (q): Promise<CodeOutcome> => {
    const now = deps.clock.now();
    const actor = { type: 'patient' as const, id: patientId };
    const rows = await q.query<{ otp_hash: string; expires_at: Date | string; failed_attempts: number; used_at: Date | string | null; status: string }>(
      `SELECT c.otp_hash, c.expires_at, c.failed_attempts, c.used_at, p.status
         FROM login_challenges c JOIN patients p ON p.patient_id = c.patient_id
        WHERE c.patient_id = $1 AND c.challenge_id = $2
          FOR UPDATE OF c`,
      [patientId, input.challengeId],
    );
    const c = rows[0];
    if (!c) return { kind: 'gone', message: `This sign-in is unknown or has expired. ${SIGN_IN_AGAIN}` };
    const fail = async (reason: string, message: string): Promise<CodeOutcome> => {
      await appendAudit(q, patientId, now, { actor, action: 'sign_in_failed', detail: { step: 'code', reason } });
      return { kind: 'gone', message };
    };
    if (c.used_at !== null) return fail('code_already_used', `This code has already been used. ${SIGN_IN_AGAIN}`);
    if (new Date(c.expires_at).getTime() <= now.getTime()) return fail('code_expired', `This code has expired (codes are valid ${OTP_VALIDITY_MINUTES} minutes). ${SIGN_IN_AGAIN}`);
    if (c.failed_attempts >= OTP_MAX_FAILED_ATTEMPTS) return fail('too_many_wrong_codes', `Too many wrong codes for this sign-in. ${SIGN_IN_AGAIN}`);
    if (!SIGN_IN_STATUSES.includes(c.status)) return fail('status', `This account cannot sign in. ${SIGN_IN_AGAIN}`);

    if (!safeEqual(otpHash(deps.config.secret, input.code), c.otp_hash)) {
      const failures = c.failed_attempts + 1;
      await q.query('UPDATE login_challenges SET failed_attempts = $3 WHERE patient_id = $1 AND challenge_id = $2', [patientId, input.challengeId, failures]);
      await appendAudit(q, patientId, now, { actor, action: 'sign_in_failed', detail: { step: 'code', reason: 'wrong_code', failures } });
      return { kind: 'wrong', triesLeft: OTP_MAX_FAILED_ATTEMPTS - failures };
    }
    await q.query('UPDATE login_challenges SET used_at = $3 WHERE patient_id = $1 AND challenge_id = $2', [patientId, input.challengeId, now.toISOString()]);
    const session = await createSession(q, { clock: deps.clock, random: deps.random, secret: deps.config.secret }, patientId);
    await appendAudit(q, patientId, now, { actor, action: 'sign_in', detail: { method: 'password+email_code' } });
    return { kind: 'ok', session };
  });

  switch (outcome.kind) {
    case 'ok':
      return outcome.session;
    case 'gone':
      throw new AppError('code_expired', outcome.message);
    case 'wrong': {
      const message =
        outcome.triesLeft > 0
          ? `The code is incorrect. ${outcome.triesLeft} ${outcome.triesLeft === 1 ? 'try' : 'tries'} left.`
          : `The code is incorrect, and that was the last try for this sign-in. ${SIGN_IN_AGAIN}`;
      throw new AppError('otp_invalid', message, { details: [{ field: 'body.code', reason: `${outcome.triesLeft} tries left` }] });
    }
  }
}

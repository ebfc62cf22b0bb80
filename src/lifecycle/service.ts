import type { Config } from '../config.ts';
import type { Db, Queryable } from '../storage/index.ts';
import type { Clock } from '../platform/clock.ts';
import { addDays } from '../platform/clock.ts';
import type { Random } from '../platform/random.ts';
import { AppError } from '../platform/errors.ts';
import type { ErrorDetail } from '../platform/errors.ts';
import { keyedHash, safeEqual } from '../platform/secrets.ts';
import { channelFor, enqueueMessage } from '../platform/mail/outbox.ts';
import type { Recipient, TemplateName } from '../platform/mail/outbox.ts';
import { appendAudit } from '../audit/index.ts';
import type { Actor } from '../audit/index.ts';
import { checkNir, isMinor } from '../identity/ins.ts';
import { checkLoginId, checkPasswordPolicy, hashPassword } from '../auth/index.ts';
import { CODE_MAX_FAILED_ATTEMPTS, CODE_VALIDITY_DAYS, formatCode, newProvisionalCode, provisionalCodeHash } from './provisional-code.ts';
import { deletionDeadline, transition } from './space-lifecycle.ts';
import type { SpaceEvent, SpaceState, SpaceStatus } from './space-lifecycle.ts';
import * as store from './store.ts';
import { loadAccessFacts, personName } from '../records/index.ts';
import type { SpaceRow } from './store.ts';

export interface LifecycleDeps {
  db: Db;
  clock: Clock;
  random: Random;
  config: Config;
}

/** Version of the terms of use a person accepts at activation. */
export const TERMS_VERSION = '2026-01';
/** A second representative's invitation is valid 14 days. */
export const INVITATION_DAYS = 14;

// One message for every identity mismatch, so the API does not tell which NIRs exist.
const MISMATCH = 'The social security number, date of birth or code do not match our records. Check them against the letter or e-mail you received.';

type Outcome<T> = { ok: T } | { fail: AppError };

/** Runs `fn` in a transaction that commits even when the outcome is a refusal (so failed
 *  attempts are counted), then throws the refusal. */
async function txCounting<T>(db: Db, fn: (q: Queryable) => Promise<Outcome<T>>): Promise<T> {
  const r = await db.tx(fn);
  if ('fail' in r) throw r.fail;
  return r.ok;
}

function displayName(s: Pick<SpaceRow, 'birthGivenNames' | 'birthName' | 'usedName'>): string {
  return `${s.birthGivenNames.split(' ')[0] ?? ''} ${s.usedName ?? s.birthName}`.trim();
}

function recipientOf(s: SpaceRow, name = displayName(s)): Recipient {
  return { name, email: s.email ?? undefined, address: s.address ?? undefined, postalCode: s.postalCode ?? undefined, city: s.city ?? undefined };
}

function frDate(d: Date): string {
  return d.toLocaleDateString('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', year: 'numeric' });
}

function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

function validMatricule(input: string): string {
  const nir = checkNir(input);
  if (!nir.ok) throw new AppError('invalid_nir', `The social security number is not valid: ${nir.reason}.`, { details: [{ field: 'body.matricule', reason: nir.reason }] });
  return nir.nir;
}

async function applyEvent(q: Queryable, space: SpaceRow, event: SpaceEvent, now: Date): Promise<SpaceState> {
  const next = transition(space, event, now);
  await store.saveState(q, space.patientId, next, now);
  return next;
}

async function send(q: Queryable, deps: LifecycleDeps, space: SpaceRow, template: TemplateName, params: Record<string, string>, recipient = recipientOf(space)): Promise<void> {
  await enqueueMessage(q, deps, { patientId: space.patientId, template, channel: channelFor(recipient), recipient, params });
}

/** Checks a provisional code inside a transaction; a wrong code counts a failed try. */
async function checkCode(q: Queryable, deps: LifecycleDeps, space: SpaceRow, code: string, now: Date): Promise<AppError | null> {
  const row = await store.loadCode(q, space.patientId);
  if (!row) return new AppError('code_invalid', MISMATCH);
  if (row.usedAt) return new AppError('code_invalid', 'This code was already used. If you activated your space, sign in with your identifier and password.');
  if (row.failedAttempts >= CODE_MAX_FAILED_ATTEMPTS) return new AppError('gone', `This code was blocked after ${CODE_MAX_FAILED_ATTEMPTS} wrong tries. Request a new code with your carte Vitale serial number.`);
  if (row.expiresAt.getTime() <= now.getTime()) return new AppError('code_expired', `This code expired on ${frDate(row.expiresAt)}. Request a new code with your carte Vitale serial number.`);
  if (!safeEqual(row.codeHash, provisionalCodeHash(deps.config.secret, code))) {
    const n = await store.countFailedCodeAttempt(q, space.patientId);
    const left = CODE_MAX_FAILED_ATTEMPTS - n;
    return new AppError('code_invalid', left > 0 ? `${MISMATCH} ${left} ${left === 1 ? 'try' : 'tries'} left.` : `${MISMATCH} The code is now blocked: request a new one.`);
  }
  return null;
}

/** Identity by NIR + birth date + (code | carte Vitale serial), inside a transaction. */
async function checkIdentity(
  q: Queryable,
  deps: LifecycleDeps,
  input: { matricule: string; birthDate: string; code?: string | undefined; cardSerial?: string | undefined },
  now: Date,
): Promise<Outcome<SpaceRow>> {
  const space = await store.loadSpaceByMatricule(q, validMatricule(input.matricule), true);
  if (!space || space.status === 'purged') return { fail: new AppError('code_invalid', MISMATCH) };
  if (input.code !== undefined) {
    if (space.birthDate !== input.birthDate) {
      await store.countFailedCodeAttempt(q, space.patientId);
      return { fail: new AppError('code_invalid', MISMATCH) };
    }
    const err = await checkCode(q, deps, space, input.code, now);
    return err ? { fail: err } : { ok: space };
  }
  if (input.cardSerial !== undefined) {
    if (space.cardSerial === null) {
      return { fail: new AppError('code_invalid', 'We cannot check your identity with a carte Vitale number for this space. Use the code of your letter, or contact your health insurance fund.') };
    }
    const norm = (s: string) => s.replace(/\s/g, '').toUpperCase();
    if (space.birthDate !== input.birthDate || !safeEqual(norm(space.cardSerial), norm(input.cardSerial))) return { fail: new AppError('code_invalid', MISMATCH) };
    return { ok: space };
  }
  return { fail: new AppError('validation_failed', 'Give either the provisional code of your letter or your carte Vitale serial number.', { details: [{ field: 'body.code', reason: 'code or cardSerial is required' }] }) };
}

const patientActor = (s: SpaceRow): Actor => ({ type: 'patient', id: s.patientId, name: displayName(s) });

// ---------------------------------------------------------------------------------------
// Opposition, activation, codes: a person not signed in, proving who they are.

export interface OppositionInput {
  matricule: string;
  birthDate: string;
  code?: string | undefined;
  cardSerial?: string | undefined;
}

export interface OppositionProof {
  reference: string;
  opposedAt: string;
  status: SpaceStatus;
  name: string;
  /** Masked NIR, as printed on the proof. */
  matricule: string;
}

export async function opposeSpace(deps: LifecycleDeps, input: OppositionInput): Promise<OppositionProof> {
  const now = deps.clock.now();
  return txCounting(deps.db, async (q) => {
    const id = await checkIdentity(q, deps, input, now);
    if ('fail' in id) return id;
    const space = id.ok;
    const next = await applyEvent(q, space, { type: 'oppose' }, now);
    const reference = `OPP-${now.getUTCFullYear()}-${deps.random.code(10)}`;
    await store.recordOpposition(q, space.patientId, reference, now);
    await appendAudit(q, space.patientId, now, { actor: patientActor(space), action: 'space_opposed', detail: { reference, by: input.code !== undefined ? 'code' : 'card' } });
    const name = displayName(space);
    await send(q, deps, space, 'opposition_proof', { reference, date: frDate(now), name, closed: next.status === 'closed' ? 'yes' : 'no' });
    return { ok: { reference, opposedAt: now.toISOString(), status: next.status, name, matricule: `${space.matricule.slice(0, 5)}******${space.matricule.slice(11)}` } };
  });
}

export interface ActivationInput {
  matricule: string;
  birthDate: string;
  code: string;
  loginId: string;
  password: string;
  email: string;
  phone?: string | undefined;
  acceptTerms: boolean;
}

export async function activateSpace(deps: LifecycleDeps, input: ActivationInput): Promise<{ patientId: string; status: SpaceStatus; loginId: string }> {
  const login = checkLoginId(input.loginId.trim());
  const problems: ErrorDetail[] = login.problems.map((p) => ({ field: 'body.loginId', reason: p.reason }));
  if (!input.acceptTerms) problems.push({ field: 'body.acceptTerms', reason: 'the terms of use must be accepted to activate the space' });
  if (problems.length > 0) throw new AppError('validation_failed', `Invalid input: ${problems.map((p) => `${p.field} ${p.reason}`).join('; ')}.`, { details: problems });
  const loginId = login.loginId;
  const now = deps.clock.now();

  // 1. Prove identity with the code (failed tries are counted and committed).
  const space = await txCounting(deps.db, async (q) => {
    const id = await checkIdentity(q, deps, input, now);
    if ('fail' in id) return id;
    if (isMinor(id.ok.birthDate, now)) {
      return { fail: new AppError('forbidden', "A minor's space is activated by their legal representative, from the representative's own space (Children › Activate).") };
    }
    transition(id.ok, { type: 'activate' }, now); // refuses early, with its message, if not allowed
    return { ok: id.ok };
  });

  // 2. The password must not hold personal data; hashing is slow, so it runs outside the transaction.
  const policy = checkPasswordPolicy(input.password, { loginId, birthName: space.birthName, birthGivenNames: space.birthGivenNames, birthDate: space.birthDate, email: input.email });
  if (policy.length > 0) {
    throw new AppError('validation_failed', `The password is not strong enough: ${policy.map((p) => p.reason).join(' ')}`, { details: policy.map((p) => ({ field: 'body.password', reason: p.reason })) });
  }
  const passwordHash = await hashPassword(input.password);

  // 3. Activate, re-checking the code under lock (two activations racing: one wins).
  return deps.db.tx(async (q) => {
    const fresh = await store.loadSpace(q, space.patientId, true);
    const code = await store.loadCode(q, space.patientId);
    if (!fresh || !code || code.usedAt) throw new AppError('code_invalid', 'This code was already used. Sign in with your identifier and password.');
    if (!(await store.claimLoginId(q, loginId, space.patientId))) {
      throw new AppError('conflict', `The identifier "${loginId}" is already taken. Choose another one.`, { details: [{ field: 'body.loginId', reason: 'already taken' }] });
    }
    const next = await applyEvent(q, fresh, { type: 'activate' }, now);
    await store.saveAccount(q, space.patientId, { loginId, passwordHash, email: input.email, phone: input.phone ?? null, termsVersion: TERMS_VERSION }, now);
    await store.markCodeUsed(q, space.patientId, now);
    await appendAudit(q, space.patientId, now, { actor: patientActor(fresh), action: 'space_activated', detail: { termsVersion: TERMS_VERSION } });
    await send(q, deps, { ...fresh, email: input.email }, 'space_activated', { name: displayName(fresh), loginId, signInUrl: `${deps.config.baseUrl}/connexion` });
    return { patientId: space.patientId, status: next.status, loginId };
  });
}

export async function regenerateCode(
  deps: LifecycleDeps,
  input: { matricule: string; birthDate: string; cardSerial: string },
): Promise<{ channel: 'email' | 'letter'; sentTo: string; expiresAt: string }> {
  const now = deps.clock.now();
  return txCounting(deps.db, async (q) => {
    const id = await checkIdentity(q, deps, { matricule: input.matricule, birthDate: input.birthDate, cardSerial: input.cardSerial }, now);
    if ('fail' in id) return id;
    const space = id.ok;
    transition(space, { type: 'regenerate_code' }, now);
    const code = newProvisionalCode(deps.random);
    const expiresAt = addDays(now, CODE_VALIDITY_DAYS);
    await store.replaceCode(q, space.patientId, provisionalCodeHash(deps.config.secret, code), now, expiresAt);
    await appendAudit(q, space.patientId, now, { actor: patientActor(space), action: 'code_regenerated' });
    const minor = isMinor(space.birthDate, now);
    const recipient = recipientOf(space, minor ? `Représentants légaux de ${displayName(space)}` : displayName(space));
    const params: Record<string, string> = { code: formatCode(code), expiresOn: frDate(expiresAt), activateUrl: `${deps.config.baseUrl}/activer`, name: displayName(space) };
    await send(q, deps, space, 'code_regenerated', params, recipient);
    const channel = channelFor(recipient);
    const sentTo = channel === 'email' && recipient.email ? maskEmail(recipient.email) : `${recipient.postalCode ?? ''} ${recipient.city ?? ''}`.trim() || 'your postal address';
    return { ok: { channel, sentTo, expiresAt: expiresAt.toISOString() } };
  });
}

// ---------------------------------------------------------------------------------------
// Signed in: the holder, or the representative a child is attached to.

interface Managed {
  space: SpaceRow;
  actor: Actor;
}

/**
 * The space `patientId` as managed by the signed-in account: its own, or a child's it is the
 * rank-1 representative of. Anything else is not found (its existence does not leak).
 */
/**
 * An aidant may not close, delete or reopen the space (RULES §1): said to them (403) and the
 * attempt traced, committed in its own transaction before the refusal is thrown. Anyone else
 * who is neither the holder nor the rank-1 representative gets the usual 404.
 */
async function refuseAidant(deps: LifecycleDeps, holderId: string, patientId: string, attempted: string): Promise<void> {
  if (holderId === patientId) return;
  const now = deps.clock.now();
  const isAidant = await deps.db.tx(async (q) => {
    const facts = await loadAccessFacts(q, patientId, deps.config.matrix, now);
    if (facts?.aidants[holderId]?.status !== 'accepted') return false;
    const name = await personName(q, holderId);
    await appendAudit(q, patientId, now, { actor: { type: 'aidant', id: holderId, name: name ?? undefined }, action: 'access_denied', detail: { attempted, reason: 'aidant_forbidden_action' } });
    return true;
  });
  if (isAidant) throw new AppError('forbidden', 'An aidant may not close, delete or reopen the space of the person they help: only that person (or their legal representative) can.');
}

async function managedSpace(q: Queryable, holderId: string, patientId: string, opts: { holderMustBeActive: boolean }): Promise<Managed> {
  const holder = await store.loadSpace(q, holderId);
  if (!holder) throw new AppError('unauthenticated', 'Sign in first.');
  if (patientId === holderId) {
    const space = await store.loadSpace(q, patientId, true);
    if (!space) throw new AppError('not_found', 'No such space.');
    return { space, actor: patientActor(space) };
  }
  const rep = await store.findRepresentation(q, patientId, holderId);
  if (!rep || rep.status !== 'active' || rep.rank !== 1) throw new AppError('not_found', 'No such space among those you manage.');
  if (opts.holderMustBeActive && holder.status !== 'active') throw new AppError('forbidden', 'Your own space must be active to manage a child’s space.');
  const space = await store.loadSpace(q, patientId, true);
  if (!space) throw new AppError('not_found', 'No such space among those you manage.');
  return { space, actor: { type: 'representative', id: holderId, name: displayName(holder) } };
}

export interface SpaceView {
  patientId: string;
  name: string;
  status: SpaceStatus;
  birthDate: string;
  activatedAt: string | null;
  closedAt: string | null;
  closeReason: string | null;
  /** Closed: date the archive will be erased. */
  purgeAt: string | null;
  deletionRequestedAt: string | null;
  deletionDeadline: string | null;
}

function view(s: SpaceRow): SpaceView {
  return {
    patientId: s.patientId,
    name: displayName(s),
    status: s.status,
    birthDate: s.birthDate,
    activatedAt: s.activatedAt?.toISOString() ?? null,
    closedAt: s.closedAt?.toISOString() ?? null,
    closeReason: s.closeReason,
    purgeAt: s.purgeAt?.toISOString() ?? null,
    deletionRequestedAt: s.deletionRequestedAt?.toISOString() ?? null,
    deletionDeadline: s.deletionRequestedAt ? deletionDeadline(s.deletionRequestedAt).toISOString() : null,
  };
}

export async function spaceOverview(deps: LifecycleDeps, holderId: string): Promise<{ space: SpaceView; manages: { patientId: string; name: string; status: SpaceStatus; rank: 1 | 2; birthDate: string }[] }> {
  const space = await store.loadSpace(deps.db, holderId);
  if (!space) throw new AppError('unauthenticated', 'Sign in first.');
  const reps = await store.representationsOf(deps.db, holderId);
  return { space: view(space), manages: reps.map((r) => ({ patientId: r.patientId, name: r.name, status: r.spaceStatus, rank: r.rank, birthDate: r.birthDate })) };
}

export async function closeSpace(deps: LifecycleDeps, holderId: string, patientId: string): Promise<SpaceView> {
  await refuseAidant(deps, holderId, patientId, 'space_closed');
  const now = deps.clock.now();
  return deps.db.tx(async (q) => {
    const { space, actor } = await managedSpace(q, holderId, patientId, { holderMustBeActive: true });
    const next = await applyEvent(q, space, { type: 'close' }, now);
    await appendAudit(q, space.patientId, now, { actor, action: 'space_closed', detail: { reason: 'patient' } });
    const after = { ...space, ...next };
    await send(q, deps, await notifyTarget(q, holderId, space), 'space_closed', { name: displayName(space), archiveUntil: frDate(next.purgeAt ?? now), reopenUrl: `${deps.config.baseUrl}/connexion` });
    return view(after);
  });
}

export async function requestDeletion(deps: LifecycleDeps, holderId: string, patientId: string): Promise<SpaceView> {
  await refuseAidant(deps, holderId, patientId, 'deletion_requested');
  const now = deps.clock.now();
  return deps.db.tx(async (q) => {
    const { space, actor } = await managedSpace(q, holderId, patientId, { holderMustBeActive: false });
    const next = await applyEvent(q, space, { type: 'request_deletion' }, now);
    await appendAudit(q, space.patientId, now, { actor, action: 'deletion_requested' });
    await send(q, deps, await notifyTarget(q, holderId, space), 'deletion_requested', { name: displayName(space), deadline: frDate(deletionDeadline(now)) });
    return view({ ...space, ...next });
  });
}

export async function reopenSpace(deps: LifecycleDeps, holderId: string, patientId: string): Promise<SpaceView> {
  await refuseAidant(deps, holderId, patientId, 'space_reopened');
  const now = deps.clock.now();
  return deps.db.tx(async (q) => {
    const { space, actor } = await managedSpace(q, holderId, patientId, { holderMustBeActive: patientId !== holderId });
    const next = await applyEvent(q, space, { type: 'reopen' }, now);
    await appendAudit(q, space.patientId, now, { actor, action: 'space_reopened' });
    return view({ ...space, ...next });
  });
}

/** Messages about a child's space go to the representative acting; the holder's to the holder. */
async function notifyTarget(q: Queryable, holderId: string, space: SpaceRow): Promise<SpaceRow> {
  if (holderId === space.patientId) return space;
  const holder = await store.loadSpace(q, holderId);
  return { ...space, email: holder?.email ?? space.email, address: holder?.address ?? space.address, postalCode: holder?.postalCode ?? space.postalCode, city: holder?.city ?? space.city };
}

export async function activateChildSpace(deps: LifecycleDeps, holderId: string, input: { matricule: string; birthDate: string; code: string }): Promise<SpaceView> {
  const now = deps.clock.now();
  return txCounting(deps.db, async (q) => {
    const id = await checkIdentity(q, deps, input, now);
    if ('fail' in id) return id;
    const { space, actor } = await managedSpace(q, holderId, id.ok.patientId, { holderMustBeActive: true }).catch(() => ({ space: null, actor: null }));
    if (!space || !actor) return { fail: new AppError('code_invalid', `${MISMATCH} Only the representative the child is attached to at the health insurance fund can activate the child's space.`) };
    const next = await applyEvent(q, space, { type: 'activate' }, now);
    await store.markCodeUsed(q, space.patientId, now);
    await appendAudit(q, space.patientId, now, { actor, action: 'space_activated', detail: { byRepresentative: true } });
    return { ok: view({ ...space, ...next }) };
  });
}

export async function inviteSecondRepresentative(
  deps: LifecycleDeps,
  holderId: string,
  childId: string,
  input: { matricule: string; birthDate: string },
): Promise<{ invitedName: string; expiresAt: string }> {
  const now = deps.clock.now();
  return deps.db.tx(async (q) => {
    const { space: child, actor } = await managedSpace(q, holderId, childId, { holderMustBeActive: true });
    if (child.patientId === holderId) throw new AppError('not_found', 'No such space among those you manage.');
    const invitee = await store.loadSpaceByMatricule(q, validMatricule(input.matricule));
    if (!invitee || invitee.birthDate !== input.birthDate || invitee.status !== 'active') {
      throw new AppError('not_found', 'No active Carnet space matches this social security number and date of birth. The second representative must first activate their own space.');
    }
    if (invitee.patientId === holderId) throw new AppError('conflict', 'You are already this child’s representative.');
    if (isMinor(invitee.birthDate, now)) throw new AppError('validation_failed', 'A legal representative must be an adult.', { details: [{ field: 'body.birthDate', reason: 'minor' }] });
    const existing = await store.otherActiveRepresentative(q, childId, 2);
    if (existing !== null && existing !== invitee.patientId) throw new AppError('conflict', 'This child already has a second representative (or a pending invitation). A child has at most two.');
    const token = deps.random.token(24);
    const expiresAt = addDays(now, INVITATION_DAYS);
    await store.saveInvitation(q, childId, invitee.patientId, keyedHash(deps.config.secret, 'representative-invite', token), expiresAt, now);
    await appendAudit(q, childId, now, { actor, action: 'representative_invited', detail: { invitee: invitee.patientId } });
    const childName = displayName(child);
    await send(q, deps, invitee, 'representative_invitation', {
      inviterName: actor.name ?? '',
      childName,
      acceptUrl: `${deps.config.baseUrl}/representants/accepter?patient=${childId}&token=${token}`,
      expiresOn: frDate(expiresAt),
    });
    return { invitedName: displayName(invitee), expiresAt: expiresAt.toISOString() };
  });
}

export async function answerInvitation(deps: LifecycleDeps, holderId: string, input: { patientId: string; token: string; accept: boolean }): Promise<{ status: 'active' | 'revoked' }> {
  const now = deps.clock.now();
  return deps.db.tx(async (q) => {
    const rep = await store.findRepresentation(q, input.patientId, holderId);
    const valid =
      rep !== null &&
      rep.status === 'invited' &&
      rep.inviteHash !== null &&
      rep.inviteExpiresAt !== null &&
      rep.inviteExpiresAt.getTime() > now.getTime() &&
      safeEqual(rep.inviteHash, keyedHash(deps.config.secret, 'representative-invite', normalizeToken(input.token)));
    if (!valid) throw new AppError('not_found', 'No pending invitation matches this link (it may have expired after 14 days). Ask the child’s representative to invite you again.');
    const holder = await store.loadSpace(q, holderId);
    await store.answerInvitationRow(q, input.patientId, holderId, input.accept, now);
    await appendAudit(q, input.patientId, now, {
      actor: { type: 'representative', id: holderId, name: holder ? displayName(holder) : undefined },
      action: input.accept ? 'representative_accepted' : 'representative_refused',
    });
    return { status: input.accept ? 'active' : 'revoked' };
  });
}

const normalizeToken = (t: string) => t.trim();

// ---------------------------------------------------------------------------------------
// Scheduled job (`carnet jobs run`, and hourly in the server).

export interface LifecycleJobReport {
  opened: number;
  closedForDeath: number;
  purged: number;
}

/** Opens spaces past their 6 weeks, closes those of deceased holders, purges archives due. */
export async function runLifecycleJobs(deps: LifecycleDeps, opts: { batchSize?: number } = {}): Promise<LifecycleJobReport> {
  const batch = opts.batchSize ?? 500;
  const now = deps.clock.now();
  const system: Actor = { type: 'system', name: 'Carnet' };
  const report: LifecycleJobReport = { opened: 0, closedForDeath: 0, purged: 0 };

  const step = async (select: (q: Queryable) => Promise<string[]>, apply: (q: Queryable, s: SpaceRow) => Promise<boolean>): Promise<number> => {
    let done = 0;
    for (;;) {
      const ids = await select(deps.db);
      if (ids.length === 0) return done;
      let moved = 0;
      await deps.db.tx(async (q) => {
        for (const id of ids) {
          const s = await store.loadSpace(q, id, true);
          if (s && (await apply(q, s))) moved++;
        }
      });
      done += moved;
      if (moved === 0 || ids.length < batch) return done;
    }
  };

  const guarded = async (fn: () => Promise<void>): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (e) {
      if (e instanceof AppError && e.code === 'invalid_transition') return false; // changed meanwhile
      throw e;
    }
  };

  report.opened = await step(
    (q) => store.dueForOpening(q, now, batch),
    (q, s) =>
      guarded(async () => {
        await applyEvent(q, s, { type: 'open_on_time' }, now);
        await appendAudit(q, s.patientId, now, { actor: system, action: 'space_opened', detail: { reason: 'no opposition within 6 weeks' } });
      }),
  );
  report.closedForDeath = await step(
    (q) => store.dueForDeath(q, batch),
    (q, s) =>
      guarded(async () => {
        await applyEvent(q, s, { type: 'record_death' }, now);
        await appendAudit(q, s.patientId, now, { actor: { type: 'insurer', name: 'Assurance Maladie' }, action: 'space_closed', detail: { reason: 'death', deceasedOn: s.deceasedOn } });
      }),
  );
  report.purged = await step(
    (q) => store.dueForPurge(q, now, batch),
    (q, s) =>
      guarded(async () => {
        transition(s, { type: 'purge' }, now);
        await store.purgeSpace(q, s.patientId, now);
      }),
  );
  return report;
}

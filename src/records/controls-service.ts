/**
 * The patient's access controls (RULES §3, §5): who is authorized and who is blocked, with
 * the date of their last access; block and unblock; administrators; médecin traitant; the
 * three emergency settings; mask-all; notification preferences. Every read and write goes
 * through decide() (controls-access.ts) and is traced in its transaction.
 *
 * Choices the rules leave open, made here:
 * - Blocking a PS also removes them from the authorized list and from the administrators, and
 *   undeclares them as médecin traitant: the patient's latest and most specific choice wins,
 *   and the answer says what else changed. Designating a blocked PS (administrator, médecin
 *   traitant) is refused (409): unblock first.
 * - Unblocking does not re-authorize (RULES §3.4): the PS needs a new consent attestation.
 * - A request that changes nothing (blocking a blocked PS...) answers `changed: false` and
 *   is not traced: nothing happened to the record.
 * - An administrator PS may block other professionals (RULES §1), not themselves and not
 *   another administrator: only the patient undoes the patient's own designations.
 */
import { accessActorOf } from './professional-caller.ts';
import type { AccessFacts, EmergencySettings } from '../access/index.ts';
import { effectiveEmergencySettings } from '../access/index.ts';
import { CONSENT_CODE_DIGITS, CONSENT_CODE_TTL_MS, consentCodeHash } from './consent-code.ts';
import { appendAudit } from '../audit/index.ts';
import type { Actor as AuditActor } from '../audit/index.ts';
import { AppError } from '../platform/errors.ts';
import type { Professional } from '../identity/index.ts';
import { findProfessional } from '../identity/index.ts';
import type { ProfessionalPrincipal } from '../pro-auth/index.ts';
import { loadAccessFacts } from './access-facts.ts';
import {
  asPatientSide,
  decideThen,
  directoryProfessional,
  practitionerTarget,
  professionalName,
  professionalView,
  txOutcome,
  wellFormedIdNatPs,
} from './controls-access.ts';
import type { ControlsDeps, Outcome, Permitted, ProfessionalView } from './controls-access.ts';
import * as store from './controls-store.ts';

const PHYSICIAN = '10';
const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

// ---------------------------------------------------------------------------------------
// Reading

export interface AuthorizedEntry extends ProfessionalView {
  /** Since when they may read: the consent attestation, else their designation as administrator; null for a médecin traitant never attested. */
  since: string | null;
  lastAccess: string | null;
  /** True when a consent was attested (not only designated). */
  consented: boolean;
  administrator: boolean;
  medecinTraitant: boolean;
}

export interface BlockedEntry extends ProfessionalView {
  since: string;
  lastAccess: string | null;
}

export interface AccessControlsView {
  patientId: string;
  /** Every PS who may read as an authorized professional: consent attested, administrators, the médecin traitant. */
  authorized: AuthorizedEntry[];
  blocked: BlockedEntry[];
  administrators: (ProfessionalView & { since: string })[];
  medecinTraitant: ProfessionalView | null;
  emergency: EmergencySettings & { maskedEffective: boolean };
  maskAll: boolean;
  notifications: { everyPsAccess: boolean; newDocument: boolean };
}

async function buildView(p: Permitted): Promise<AccessControlsView> {
  const { q, patientId, facts } = p;
  const relations = await store.relationsOf(q, patientId);
  const mt = facts.medecinTraitant;
  const ids = new Set(relations.map((r) => r.idNatPs));
  if (mt !== null) ids.add(mt);
  const directory = new Map<string, Professional | null>();
  for (const id of ids) directory.set(id, await findProfessional(q, id));
  const view = (id: string) => professionalView(id, directory.get(id) ?? null);

  const authorized: AuthorizedEntry[] = [];
  const blocked: BlockedEntry[] = [];
  const administrators: (ProfessionalView & { since: string })[] = [];
  for (const r of relations) {
    if (r.blockedSince) {
      blocked.push({ ...view(r.idNatPs), since: r.blockedSince.toISOString(), lastAccess: iso(r.lastAccessAt) });
      continue;
    }
    if (r.administratorSince) administrators.push({ ...view(r.idNatPs), since: r.administratorSince.toISOString() });
    if (r.authorizedSince || r.administratorSince || r.idNatPs === mt) {
      authorized.push({
        ...view(r.idNatPs),
        since: iso(r.authorizedSince ?? r.administratorSince),
        lastAccess: iso(r.lastAccessAt),
        consented: r.authorizedSince !== null,
        administrator: r.administratorSince !== null,
        medecinTraitant: r.idNatPs === mt,
      });
    }
  }
  if (mt !== null && !relations.some((r) => r.idNatPs === mt)) {
    authorized.push({ ...view(mt), since: null, lastAccess: null, consented: false, administrator: false, medecinTraitant: true });
  }
  const byName = (a: ProfessionalView, b: ProfessionalView) => (a.name ?? a.idNatPs).localeCompare(b.name ?? b.idNatPs, 'fr');
  return {
    patientId,
    authorized: authorized.sort(byName),
    blocked: blocked.sort(byName),
    administrators: administrators.sort(byName),
    medecinTraitant: mt === null ? null : view(mt),
    emergency: { ...facts.emergency, maskedEffective: effectiveEmergencySettings(facts.emergency).masked },
    maskAll: facts.maskAll,
    notifications: { ...facts.notifications },
  };
}

export async function readAccessControls(deps: ControlsDeps, holderId: string, patientId: string): Promise<AccessControlsView> {
  return asPatientSide<AccessControlsView>(deps, holderId, patientId, 'read', 'settings_read', async (p) => {
    const view = await buildView(p);
    // Traced before the data leaves the server (invariant 1).
    await appendAudit(p.q, patientId, p.now, { actor: p.actor, action: 'settings_read', mode: p.mode });
    return { ok: view };
  });
}

// ---------------------------------------------------------------------------------------
// Blocking

export interface BlockResult {
  professional: ProfessionalView;
  blocked: boolean;
  authorized: boolean;
  changed: boolean;
  /** What the change means, in words for the person who asked. */
  message: string;
}

const psDetail = (p: Professional) => ({ name: professionalName(p), profession: p.professionCode, specialty: p.specialtyCode ?? undefined });

/** Blocks `ps` on a permitted request (the patient's, a representative's or an administrator PS's). */
async function applyBlock(p: Permitted, ps: Professional, by: 'patient_side' | 'administrator'): Promise<Outcome<BlockResult>> {
  const { q, facts, patientId, now } = p;
  const name = professionalName(ps);
  if (facts.blocked.has(ps.idNatPs)) {
    return { ok: { professional: professionalView(ps.idNatPs, ps), blocked: true, authorized: false, changed: false, message: `${name} was already blocked.` } };
  }
  const removed: string[] = [];
  if (Object.hasOwn(facts.authorized, ps.idNatPs)) removed.push('authorized');
  if (facts.administrators.has(ps.idNatPs)) removed.push('administrator');
  if (facts.medecinTraitant === ps.idNatPs) {
    removed.push('medecin_traitant');
    await store.saveSettings(q, patientId, { medecinTraitant: null }, now);
  }
  await store.block(q, patientId, ps.idNatPs, now);
  await appendAudit(q, patientId, now, { actor: p.actor, action: 'professional_blocked', target: practitionerTarget(ps.idNatPs), mode: p.mode, detail: { professional: psDetail(ps), removed, by } });
  const also =
    removed.length === 0
      ? ''
      : ` ${name} is also no longer ${removed.map((r) => (r === 'authorized' ? 'on the authorized list' : r === 'administrator' ? 'an administrator' : 'declared as médecin traitant')).join(', nor ')}.`;
  return {
    ok: {
      professional: professionalView(ps.idNatPs, ps),
      blocked: true,
      authorized: false,
      changed: true,
      message: `${name} is blocked: they can no longer access documents, vaccinations, health history, entourage and volontés, even in an emergency.${also}`,
    },
  };
}

export async function blockProfessional(deps: ControlsDeps, holderId: string, patientId: string, idNatPsInput: string): Promise<BlockResult> {
  const idNatPs = wellFormedIdNatPs(idNatPsInput, 'params.idNatPs');
  return asPatientSide<BlockResult>(deps, holderId, patientId, 'block_professional', 'professional_blocked', async (p) => {
    const ps = await directoryProfessional(p.q, idNatPs, 'params.idNatPs', { active: false });
    return 'fail' in ps ? ps : applyBlock(p, ps.ok, 'patient_side');
  });
}

export async function unblockProfessional(deps: ControlsDeps, holderId: string, patientId: string, idNatPsInput: string): Promise<BlockResult> {
  const idNatPs = wellFormedIdNatPs(idNatPsInput, 'params.idNatPs');
  return asPatientSide<BlockResult>(deps, holderId, patientId, 'block_professional', 'professional_unblocked', async (p) => {
    const found = await directoryProfessional(p.q, idNatPs, 'params.idNatPs', { active: false });
    if ('fail' in found) return found;
    const ps = found.ok;
    const name = professionalName(ps);
    if (!p.facts.blocked.has(idNatPs)) {
      return { ok: { professional: professionalView(idNatPs, ps), blocked: false, authorized: Object.hasOwn(p.facts.authorized, idNatPs), changed: false, message: `${name} was not blocked.` } };
    }
    await store.unblock(p.q, patientId, idNatPs);
    await appendAudit(p.q, patientId, p.now, { actor: p.actor, action: 'professional_unblocked', target: practitionerTarget(idNatPs), mode: p.mode, detail: { professional: psDetail(ps) } });
    return {
      ok: {
        professional: professionalView(idNatPs, ps),
        blocked: false,
        authorized: false,
        changed: true,
        message: `${name} is no longer blocked, but is not authorized either: they need your consent again, at a consultation, before they can read your record.`,
      },
    };
  });
}

/** RULES §1: an administrator PS can block other professionals. */
export async function blockByAdministrator(deps: ControlsDeps, principal: ProfessionalPrincipal, patientId: string, idNatPsInput: string): Promise<BlockResult> {
  const idNatPs = wellFormedIdNatPs(idNatPsInput, 'params.idNatPs');
  const now = deps.clock.now();
  const actor: AuditActor = {
    type: 'professional',
    id: principal.idNatPs,
    name: professionalName(principal),
    profession: principal.professionCode,
    specialty: principal.specialtyCode ?? undefined,
  };
  return txOutcome(deps.db, async (q) => {
    const facts = await loadAccessFacts(q, patientId, deps.config.matrix, now);
    if (facts === null) return { fail: new AppError('not_found', 'No such patient among those you may manage.') };
    const permitted = await decideThen(
      q,
      { patientId, facts, actor, now },
      {
        actor: accessActorOf(principal),
        action: 'block_professional',
        kind: 'settings',
        attempted: 'professional_blocked',
        target: practitionerTarget(idNatPs),
      },
      () => new AppError('not_found', 'No such patient among those you may manage: only an administrator the patient designated can block professionals.'),
    );
    if ('fail' in permitted) return permitted;
    if (idNatPs === principal.idNatPs) {
      return { fail: new AppError('validation_failed', 'Invalid input: params.idNatPs is yourself; ask the patient if you should no longer be their administrator.', { details: [{ field: 'params.idNatPs', reason: 'yourself' }] }) };
    }
    const ps = await directoryProfessional(q, idNatPs, 'params.idNatPs', { active: false });
    if ('fail' in ps) return ps;
    if (facts.administrators.has(idNatPs)) return { fail: new AppError('conflict', `${professionalName(ps.ok)} is also an administrator the patient designated: only the patient can block them.`) };
    return applyBlock(permitted.ok, ps.ok, 'administrator');
  });
}

// ---------------------------------------------------------------------------------------
// Administrators and médecin traitant

export interface DesignationResult {
  professional: ProfessionalView | null;
  changed: boolean;
  message: string;
}

function refuseBlocked(ps: Professional, what: string): AppError {
  return new AppError('conflict', `${professionalName(ps)} is blocked: unblock them (and have them attest your consent at a consultation) before making them ${what}.`);
}

export async function addAdministrator(deps: ControlsDeps, holderId: string, patientId: string, idNatPsInput: string): Promise<DesignationResult> {
  const idNatPs = wellFormedIdNatPs(idNatPsInput, 'params.idNatPs');
  return asPatientSide<DesignationResult>(deps, holderId, patientId, 'manage_settings', 'administrator_added', async (p) => {
    const found = await directoryProfessional(p.q, idNatPs, 'params.idNatPs', { active: true });
    if ('fail' in found) return found;
    const ps = found.ok;
    if (p.facts.blocked.has(idNatPs)) return { fail: refuseBlocked(ps, 'an administrator') };
    if (p.facts.administrators.has(idNatPs)) return { ok: { professional: professionalView(idNatPs, ps), changed: false, message: `${professionalName(ps)} was already an administrator.` } };
    await store.setAdministrator(p.q, patientId, idNatPs, p.now);
    await appendAudit(p.q, patientId, p.now, { actor: p.actor, action: 'administrator_added', target: practitionerTarget(idNatPs), mode: p.mode, detail: { professional: psDetail(ps) } });
    return {
      ok: {
        professional: professionalView(idNatPs, ps),
        changed: true,
        message: `${professionalName(ps)} is an administrator: they read your record as an authorized professional, masked documents included, and can block other professionals.`,
      },
    };
  });
}

export async function removeAdministrator(deps: ControlsDeps, holderId: string, patientId: string, idNatPsInput: string): Promise<DesignationResult> {
  const idNatPs = wellFormedIdNatPs(idNatPsInput, 'params.idNatPs');
  return asPatientSide<DesignationResult>(deps, holderId, patientId, 'manage_settings', 'administrator_removed', async (p) => {
    const found = await directoryProfessional(p.q, idNatPs, 'params.idNatPs', { active: false });
    if ('fail' in found) return found;
    const ps = found.ok;
    if (!p.facts.administrators.has(idNatPs)) return { ok: { professional: professionalView(idNatPs, ps), changed: false, message: `${professionalName(ps)} was not an administrator.` } };
    await store.setAdministrator(p.q, patientId, idNatPs, null);
    await appendAudit(p.q, patientId, p.now, { actor: p.actor, action: 'administrator_removed', target: practitionerTarget(idNatPs), mode: p.mode, detail: { professional: psDetail(ps) } });
    const stays = Object.hasOwn(p.facts.authorized, idNatPs) ? ' They stay on the authorized list (you consented at a consultation); block them to remove every access.' : '';
    return { ok: { professional: professionalView(idNatPs, ps), changed: true, message: `${professionalName(ps)} is no longer an administrator.${stays}` } };
  });
}

export async function setMedecinTraitant(deps: ControlsDeps, holderId: string, patientId: string, idNatPsInput: string): Promise<DesignationResult> {
  const idNatPs = wellFormedIdNatPs(idNatPsInput, 'body.idNatPs');
  return asPatientSide<DesignationResult>(deps, holderId, patientId, 'manage_settings', 'medecin_traitant_set', async (p) => {
    const found = await directoryProfessional(p.q, idNatPs, 'body.idNatPs', { active: true });
    if ('fail' in found) return found;
    const ps = found.ok;
    if (ps.professionCode !== PHYSICIAN) {
      const reason = `must be a physician (profession 10); ${professionalName(ps)} is ${ps.professionLabel ?? `profession ${ps.professionCode}`}`;
      return { fail: new AppError('validation_failed', `Invalid input: body.idNatPs ${reason}.`, { details: [{ field: 'body.idNatPs', reason }] }) };
    }
    if (p.facts.blocked.has(idNatPs)) return { fail: refuseBlocked(ps, 'your médecin traitant') };
    const previous = p.facts.medecinTraitant;
    if (previous === idNatPs) return { ok: { professional: professionalView(idNatPs, ps), changed: false, message: `${professionalName(ps)} was already your médecin traitant.` } };
    await store.saveSettings(p.q, patientId, { medecinTraitant: idNatPs }, p.now);
    await appendAudit(p.q, patientId, p.now, { actor: p.actor, action: 'medecin_traitant_set', target: practitionerTarget(idNatPs), mode: p.mode, detail: { professional: psDetail(ps), previous: previous ?? undefined } });
    return {
      ok: {
        professional: professionalView(idNatPs, ps),
        changed: true,
        message: `${professionalName(ps)} is your médecin traitant: they read your record as an authorized professional and are told of every emergency access.`,
      },
    };
  });
}

export async function removeMedecinTraitant(deps: ControlsDeps, holderId: string, patientId: string): Promise<DesignationResult> {
  return asPatientSide<DesignationResult>(deps, holderId, patientId, 'manage_settings', 'medecin_traitant_removed', async (p) => {
    const previous = p.facts.medecinTraitant;
    if (previous === null) return { ok: { professional: null, changed: false, message: 'No médecin traitant was declared.' } };
    await store.saveSettings(p.q, patientId, { medecinTraitant: null }, p.now);
    await appendAudit(p.q, patientId, p.now, { actor: p.actor, action: 'medecin_traitant_removed', target: practitionerTarget(previous), mode: p.mode });
    const ps = await findProfessional(p.q, previous);
    return { ok: { professional: professionalView(previous, ps), changed: true, message: 'No médecin traitant is declared any more.' } };
  });
}

// ---------------------------------------------------------------------------------------
// Settings

export interface EmergencyResult {
  emergency: EmergencySettings & { maskedEffective: boolean };
  changed: boolean;
  /** Set when the dependency rule changed what was asked (MASKED forced off). */
  notice: string | null;
}

const DEPENDENCY_RULE = 'emergency access to masked documents can only be allowed while SAMU access or bris de glace is allowed';

/**
 * RULES §3.3: `masked` can only be on if `samu` or `brisDeGlace` is; asking for it with both
 * off is refused; turning both off with `masked` left out forces it off, and says so.
 */
export async function changeEmergency(deps: ControlsDeps, holderId: string, patientId: string, input: { samu: boolean; brisDeGlace: boolean; masked?: boolean | undefined }): Promise<EmergencyResult> {
  const anyOn = input.samu || input.brisDeGlace;
  if (input.masked === true && !anyOn) {
    throw new AppError('validation_failed', `Invalid input: body.masked cannot be true while samu and brisDeGlace are both false: ${DEPENDENCY_RULE}.`, {
      details: [{ field: 'body.masked', reason: DEPENDENCY_RULE }],
    });
  }
  return asPatientSide<EmergencyResult>(deps, holderId, patientId, 'manage_settings', 'emergency_settings_changed', async (p) => {
    const before = p.facts.emergency;
    const wanted = input.masked ?? before.masked;
    const masked = anyOn && wanted;
    const notice = !anyOn && wanted ? `Emergency access to masked documents is now off too: ${DEPENDENCY_RULE}. Turn it on again after allowing SAMU access or bris de glace if you wish.` : null;
    const after: EmergencySettings = { samu: input.samu, brisDeGlace: input.brisDeGlace, masked };
    const view = { ...after, maskedEffective: effectiveEmergencySettings(after).masked };
    if (before.samu === after.samu && before.brisDeGlace === after.brisDeGlace && before.masked === after.masked) return { ok: { emergency: view, changed: false, notice } };
    await store.saveSettings(p.q, patientId, { emergency: after }, p.now);
    await appendAudit(p.q, patientId, p.now, { actor: p.actor, action: 'emergency_settings_changed', mode: p.mode, detail: { before: { ...before }, after: { ...after }, maskedForcedOff: notice !== null } });
    return { ok: { emergency: view, changed: true, notice } };
  });
}

export interface MaskAllResult {
  maskAll: boolean;
  changed: boolean;
  message: string;
}

export async function changeMaskAll(deps: ControlsDeps, holderId: string, patientId: string, on: boolean): Promise<MaskAllResult> {
  return asPatientSide<MaskAllResult>(deps, holderId, patientId, 'manage_settings', 'mask_all_changed', async (p) => {
    const message = on
      ? 'All your documents are masked to professionals: only you, the professional who deposited a document and your administrators see them (and emergency access, if you allow it for masked documents).'
      : 'Your documents are no longer all masked: authorized professionals see those their profession may read, except those you masked one by one.';
    if (p.facts.maskAll === on) return { ok: { maskAll: on, changed: false, message } };
    await store.saveSettings(p.q, patientId, { maskAll: on }, p.now);
    await appendAudit(p.q, patientId, p.now, { actor: p.actor, action: 'mask_all_changed', mode: p.mode, detail: { on } });
    return { ok: { maskAll: on, changed: true, message } };
  });
}

export interface NotificationsResult {
  notifications: AccessFacts['notifications'];
  changed: boolean;
  message: string;
}

export async function changeNotifications(
  deps: ControlsDeps,
  holderId: string,
  patientId: string,
  input: { everyPsAccess: boolean; newDocument: boolean },
): Promise<NotificationsResult> {
  return asPatientSide<NotificationsResult>(deps, holderId, patientId, 'manage_settings', 'notification_preferences_changed', async (p) => {
    const after = { everyPsAccess: input.everyPsAccess, newDocument: input.newDocument };
    const message = 'You are always told of the first access of a professional and of every emergency access, whatever these preferences.';
    const before = p.facts.notifications;
    if (before.everyPsAccess === after.everyPsAccess && before.newDocument === after.newDocument) return { ok: { notifications: after, changed: false, message } };
    await store.saveSettings(p.q, patientId, { notifications: after }, p.now);
    await appendAudit(p.q, patientId, p.now, { actor: p.actor, action: 'notification_preferences_changed', mode: p.mode, detail: { before: { ...before }, after } });
    return { ok: { notifications: after, changed: true, message } };
  });
}


export interface ConsentCodeResult {
  code: string;
  expiresAt: string;
  message: string;
}

/**
 * A one-time code for a professional's consent attestation (RULES §3.1): the holder or the
 * child's representative reads it out at the consultation. A new code replaces the previous.
 * The code itself is not traced (the trace is shown to whoever reads the space).
 */
export async function issueConsentCode(deps: ControlsDeps, holderId: string, patientId: string): Promise<ConsentCodeResult> {
  return asPatientSide<ConsentCodeResult>(deps, holderId, patientId, 'manage_settings', 'consent_code_issued', async (p) => {
    const code = deps.random.digits(CONSENT_CODE_DIGITS);
    const expiresAt = new Date(p.now.getTime() + CONSENT_CODE_TTL_MS);
    await p.q.query(
      `INSERT INTO consent_codes (patient_id, code_hash, created_at, expires_at, used_at, used_by, failed_attempts) VALUES ($1, $2, $3, $4, NULL, NULL, 0)
       ON CONFLICT (patient_id) DO UPDATE SET code_hash = EXCLUDED.code_hash, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, used_at = NULL, used_by = NULL, failed_attempts = 0`,
      [patientId, consentCodeHash(deps.config.secret, patientId, code), p.now, expiresAt],
    );
    await appendAudit(p.q, patientId, p.now, { actor: p.actor, action: 'consent_code_issued', mode: p.mode, detail: { expiresAt: expiresAt.toISOString() } });
    return {
      ok: {
        code,
        expiresAt: expiresAt.toISOString(),
        message: `Give this code to the professional in front of you: it lets them attest your consent once, within ${CONSENT_CODE_TTL_MS / 60_000} minutes. Never give it over the phone to someone you do not see.`,
      },
    };
  });
}

/**
 * The professional's consent attestation (RULES §3.1): at a consultation, the PS attests the
 * patient consented (the patient is present and their card was read), which puts the PS on the
 * patient's authorized list. decide(action 'attest_consent') rules; the attestation is traced
 * with the PS as actor; a first access is notified to the patient (RULES §5).
 *
 * Choices made here:
 * - Two methods: the card was read, or the patient gave a one-time code from their space
 *   (consent-code.ts). A wrong code is a 400 that says what to do; the try is counted (five
 *   spend the code) and traced, committed with the refusal.
 * - A blocked PS gets a 403 with a neutral message: the PS is in front of the patient and must
 *   know they cannot get access (saying "not found" would send them looking for a typo), and
 *   the patient's identity is already known to them. The reason ("blocked") is not said; it
 *   goes to the trace. A closed or not yet open space is "not found" (404), as is a patient
 *   id that does not exist (nothing traced then).
 * - A profession the matrix opens nothing to (e.g. occupational medicine) gets a 403 naming
 *   the reason: it is about the PS, not about the patient.
 * - Attesting again keeps the date of the first attestation still in force.
 * - decide() does not list "notify first access" among the obligations of attest_consent;
 *   RULES §5 requires it for any first access of a PS, so it is added here from the same fact
 *   decide() uses (no last access recorded for this PS).
 */
import { accessActorOf } from './professional-caller.ts';
import type { DenyReason } from '../access/index.ts';
import { appendAudit } from '../audit/index.ts';
import type { Actor as AuditActor } from '../audit/index.ts';
import { AppError } from '../platform/errors.ts';
import { channelFor, enqueueMessage } from '../platform/mail/outbox.ts';
import type { Recipient } from '../platform/mail/outbox.ts';
import { professionLabel } from '../identity/index.ts';
import type { ProfessionalPrincipal } from '../pro-auth/index.ts';
import { loadAccessFacts, touchProfessionalAccess } from './access-facts.ts';
import { decideThen, professionalName, txOutcome } from './controls-access.ts';
import type { ControlsDeps, Permitted } from './controls-access.ts';
import * as store from './controls-store.ts';
import { checkConsentCode, consentCodeHash, consentCodeMessage } from './consent-code.ts';

export const CONSENT_METHODS = ['card', 'code'] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];

export interface ConsentResult {
  patientId: string;
  authorized: true;
  /** Since when the PS is on the authorized list. */
  since: string;
  /** True when this was the PS's first access to the space (the patient is notified). */
  firstAccess: boolean;
  method: ConsentMethod;
}

const NOT_FOUND = 'No such patient space open to professionals.';

function refusal(reason: DenyReason, principal: ProfessionalPrincipal): AppError {
  switch (reason) {
    case 'blocked':
      return new AppError('forbidden', 'The patient does not allow your access to their record.');
    case 'unknown_profession':
    case 'matrix_excludes_type':
      return new AppError('forbidden', `Your profession (${professionLabel(principal.professionCode) ?? principal.professionCode}${principal.specialtyCode ? `, ${principal.specialtyCode}` : ''}) cannot be authorized on a patient’s record: the authorization matrix opens nothing to it.`);
    default:
      return new AppError('not_found', NOT_FOUND);
  }
}

export function auditActorOf(principal: ProfessionalPrincipal): AuditActor {
  return { type: 'professional', id: principal.idNatPs, name: professionalName(principal), profession: principal.professionCode, specialty: principal.specialtyCode ?? undefined };
}

export async function attestConsent(deps: ControlsDeps, principal: ProfessionalPrincipal, patientId: string, input: { method: ConsentMethod; code?: string | undefined }): Promise<ConsentResult> {
  if (input.method === 'card' && input.code !== undefined) throw new AppError('validation_failed', 'Invalid input: body.code is only for method "code".', { details: [{ field: 'body.code', reason: 'not with method "card"' }] });
  if (input.method === 'code' && input.code === undefined) {
    throw new AppError('validation_failed', 'Invalid input: body.code is required with method "code": the 6 digits the patient reads from their space.', { details: [{ field: 'body.code', reason: 'required with method "code"' }] });
  }
  const now = deps.clock.now();
  const actor = auditActorOf(principal);
  return txOutcome(deps.db, async (q) => {
    const facts = await loadAccessFacts(q, patientId, deps.config.matrix, now);
    if (facts === null) return { fail: new AppError('not_found', NOT_FOUND) };
    const permitted = await decideThen(
      q,
      { patientId, facts, actor, now },
      {
        actor: accessActorOf(principal),
        action: 'attest_consent',
        kind: 'space',
        attempted: 'consent_attested',
      },
      (reason) => refusal(reason, principal),
    );
    if ('fail' in permitted) return permitted;
    if (input.method === 'code') {
      const spent = await spendConsentCode(deps, permitted.ok, input.code ?? '');
      if (spent !== null) return { fail: spent };
    }
    return { ok: await carryOut(deps, permitted.ok, principal, input.method) };
  });
}

/** The obligations of the permit, then the access itself. */
async function carryOut(deps: ControlsDeps, p: Permitted, principal: ProfessionalPrincipal, method: ConsentMethod): Promise<ConsentResult> {
  const { q, patientId, facts, now } = p;
  const firstAccess = !Object.hasOwn(facts.lastAccess, principal.idNatPs);
  let since = facts.authorized[principal.idNatPs]?.since ?? now;
  let notifyFirst = firstAccess;
  for (const o of p.obligations) {
    switch (o.type) {
      case 'add_to_authorized_list':
        since = await store.authorize(q, patientId, principal.idNatPs, now);
        break;
      case 'notify_patient':
        if (o.event === 'first_access') notifyFirst = true;
        break;
      default:
        break;
    }
  }
  await appendAudit(q, patientId, now, {
    actor: p.actor,
    action: 'consent_attested',
    mode: p.mode,
    detail: { method, firstAccess, organisation: principal.organisationFiness ?? undefined, via: principal.via, clientId: principal.clientId },
  });
  if (notifyFirst) await notifyFirstAccess(deps, p, principal);
  await touchProfessionalAccess(q, patientId, principal.idNatPs, now, facts);
  return { patientId, authorized: true, since: since.toISOString(), firstAccess, method };
}

async function notifyFirstAccess(deps: ControlsDeps, p: Permitted, principal: ProfessionalPrincipal): Promise<void> {
  const patient = await store.person(p.q, p.patientId);
  if (patient === null) return;
  const recipient: Recipient = { name: patient.name, email: patient.email ?? undefined, address: patient.address ?? undefined, postalCode: patient.postalCode ?? undefined, city: patient.city ?? undefined };
  // The documents module's access message (record_access), so a first access reads the same whichever way it happened.
  const params: Record<string, string> = {
    name: patient.name,
    actorName: `${professionalName(principal)} (${professionLabel(principal.professionCode) ?? principal.professionCode})`,
    at: p.now.toISOString(),
    event: 'first_access',
    mode: 'normal',
  };
  await enqueueMessage(p.q, deps, { patientId: p.patientId, template: 'record_access', channel: channelFor(recipient), recipient, params });
}

/** Checks and spends the patient's one-time code; a refusal is counted and traced (committed with it). */
async function spendConsentCode(deps: ControlsDeps, p: Permitted, code: string): Promise<AppError | null> {
  const rows = await p.q.query<{ code_hash: string; expires_at: Date | string; used_at: Date | string | null; failed_attempts: number }>(
    'SELECT code_hash, expires_at, used_at, failed_attempts FROM consent_codes WHERE patient_id = $1 FOR UPDATE',
    [p.patientId],
  );
  const row = rows[0];
  const stored = row === undefined ? null : { codeHash: row.code_hash, expiresAt: new Date(row.expires_at), usedAt: row.used_at === null ? null : new Date(row.used_at), failedAttempts: row.failed_attempts };
  const check = checkConsentCode(stored, consentCodeHash(deps.config.secret, p.patientId, code), p.now);
  if (check === 'ok') {
    await p.q.query('UPDATE consent_codes SET used_at = $2, used_by = $3 WHERE patient_id = $1', [p.patientId, p.now, p.actor.id ?? null]);
    return null;
  }
  if (check === 'wrong') await p.q.query('UPDATE consent_codes SET failed_attempts = failed_attempts + 1 WHERE patient_id = $1', [p.patientId]);
  await appendAudit(p.q, p.patientId, p.now, { actor: p.actor, action: 'access_denied', mode: p.mode, detail: { attempted: 'consent_attested', reason: `consent_code_${check}` } });
  return new AppError('validation_failed', `Invalid input: body.code ${consentCodeMessage(check)}`, { details: [{ field: 'body.code', reason: check }] });
}

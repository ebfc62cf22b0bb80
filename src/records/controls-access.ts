/**
 * The one way the access controls and the consent attestation reach a patient's space: load
 * the facts, ask decide(), trace the refusal or run the action, all in one transaction
 * (ARCHITECTURE invariants 1-2). A refusal is committed (the attempt is traced) and only then
 * thrown; an action's own bad input rolls back nothing because nothing was written yet.
 */
import type { Db, Queryable } from '../storage/index.ts';
import { decide } from '../access/index.ts';
import type { Matrix } from '../access/index.ts';
import type { AccessAction, AccessFacts, Actor, DenyReason, Obligation, ResourceKind } from '../access/index.ts';
import { appendAudit } from '../audit/index.ts';
import type { Actor as AuditActor, AccessMode } from '../audit/index.ts';
import { AppError } from '../platform/errors.ts';
import type { Clock } from '../platform/clock.ts';
import type { Random } from '../platform/random.ts';
import type { Professional } from '../identity/index.ts';
import { checkIdNatPs, findProfessional, professionLabel, specialtyLabel } from '../identity/index.ts';
import { loadAccessFacts } from './access-facts.ts';
import { resolveCaller } from './record-access.ts';

export interface ControlsDeps {
  db: Db;
  clock: Clock;
  random: Random;
  config: { baseUrl: string; secret: Buffer; matrix: Matrix };
}

export type Outcome<T> = { ok: T } | { fail: AppError };

/** Runs `fn` in a transaction that commits even when the outcome is a refusal (the trace of a denied attempt stays), then throws it. */
export async function txOutcome<T>(db: Db, fn: (q: Queryable) => Promise<Outcome<T>>): Promise<T> {
  const r = await db.tx(fn);
  if ('fail' in r) throw r.fail;
  return r.ok;
}

export const notFound = (): AppError => new AppError('not_found', 'No such space among those you manage.');

/** What a permitted action has in hand. */
export interface Permitted {
  q: Queryable;
  patientId: string;
  facts: AccessFacts;
  /** Who acts, as the trace names them. */
  actor: AuditActor;
  /** The mode the trace obligation asks for. */
  mode: AccessMode;
  obligations: readonly Obligation[];
  now: Date;
}

/** Why a signed-in holder or representative was refused on a space they know (their own, or their child's). */
const OWN_SPACE_REFUSALS: Partial<Record<DenyReason, string>> = {
  space_closed: 'This space is closed: reopen it before changing who may access it.',
  space_not_open: 'This space is not open yet.',
  minor_space_managed_by_representative: 'The access settings of a minor’s space are managed by their legal representative.',
  representative_of_adult: 'This person is now an adult: they manage their space themselves.',
  aidant_forbidden_action: 'An aidant may not change the access settings: only the patient can.',
};

/**
 * A patient-side action on the access settings of `patientId`, by the signed-in `holderId`:
 * the holder themselves, or a legal representative (decide() checks the representation).
 * Denied on someone else's space: 404 (its existence does not leak), the attempt traced.
 */
export async function asPatientSide<T>(
  deps: ControlsDeps,
  holderId: string,
  patientId: string,
  action: AccessAction,
  attempted: string,
  body: (p: Permitted) => Promise<Outcome<T>>,
): Promise<T> {
  const now = deps.clock.now();
  return txOutcome(deps.db, async (q) => {
    const facts = await loadAccessFacts(q, patientId, deps.config.matrix, now);
    if (facts === null) return { fail: notFound() };
    const r = await resolveCaller(q, { kind: 'person', personId: holderId }, patientId, facts);
    return decideThen(q, { patientId, facts, actor: r.audit, now }, { actor: r.actor, action, kind: 'settings', attempted }, (reason) =>
      r.knownToSpace ? new AppError('forbidden', OWN_SPACE_REFUSALS[reason] ?? 'You may not change this space’s access settings.') : notFound(),
    ).then((p) => ('fail' in p ? p : body(p.ok)));
  });
}

/** decide(), then either the trace of the refusal (committed) or what a permitted action needs. */
export async function decideThen(
  q: Queryable,
  ctx: { patientId: string; facts: AccessFacts; actor: AuditActor; now: Date },
  request: { actor: Actor; action: AccessAction; kind: ResourceKind; attempted: string; target?: string },
  refusal: (reason: DenyReason) => AppError,
): Promise<Outcome<Permitted>> {
  const decision = decide({ actor: request.actor, action: request.action, target: { patientId: ctx.patientId, kind: request.kind }, mode: 'normal' }, ctx.facts, ctx.now);
  if (decision.effect === 'deny') {
    await appendAudit(q, ctx.patientId, ctx.now, { actor: ctx.actor, action: 'access_denied', target: request.target, detail: { reason: decision.reason, attempted: request.attempted } });
    return { fail: refusal(decision.reason) };
  }
  const trace = decision.obligations.find((o) => o.type === 'trace');
  return { ok: { q, ...ctx, mode: trace?.mode ?? 'normal', obligations: decision.obligations } };
}

// ---------------------------------------------------------------------------------------
// Professionals as the patient reads them

export interface ProfessionalView {
  idNatPs: string;
  /** From the directory; null if the directory no longer knows them. */
  name: string | null;
  profession: { code: string; label: string | null } | null;
  specialty: { code: string; label: string | null } | null;
  organisation: { finess: string; name: string } | null;
}

export function professionalName(p: Pick<Professional, 'professionCode' | 'givenName' | 'familyName'>): string {
  return `${p.professionCode === '10' ? 'Dr ' : ''}${p.givenName} ${p.familyName}`;
}

export function professionalView(idNatPs: string, p: Professional | null): ProfessionalView {
  if (p === null) return { idNatPs, name: null, profession: null, specialty: null, organisation: null };
  return {
    idNatPs,
    name: professionalName(p),
    profession: { code: p.professionCode, label: p.professionLabel ?? professionLabel(p.professionCode) },
    specialty: p.specialtyCode === null ? null : { code: p.specialtyCode, label: p.specialtyLabel ?? specialtyLabel(p.specialtyCode) },
    organisation: p.organisation === null ? null : { finess: p.organisation.finess, name: p.organisation.name },
  };
}

/** The idNatPs of a path or body, well formed (12 digits, RPPS key), or a 400 naming the field. */
export function wellFormedIdNatPs(input: string, field: string): string {
  const check = checkIdNatPs(input);
  if (!check.ok) throw new AppError('validation_failed', `Invalid input: ${field} ${check.reason}.`, { details: [{ field, reason: check.reason }] });
  return check.value;
}

/** A professional of the directory, or a 400 naming the field. */
export async function directoryProfessional(q: Queryable, idNatPs: string, field: string, opts: { active: boolean }): Promise<Outcome<Professional>> {
  const p = await findProfessional(q, idNatPs);
  if (p === null) return { fail: new AppError('validation_failed', `Invalid input: ${field} ${idNatPs} is not a professional of the directory.`, { details: [{ field, reason: 'not in the directory' }] }) };
  if (opts.active && !p.active) {
    return { fail: new AppError('validation_failed', `Invalid input: ${field} ${professionalName(p)} is no longer active in the directory.`, { details: [{ field, reason: 'no longer active' }] }) };
  }
  return { ok: p };
}

export const practitionerTarget = (idNatPs: string): string => `Practitioner/${idNatPs}`;

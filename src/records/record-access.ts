/**
 * The one way a capability reaches a patient's record (ARCHITECTURE invariants 1-2): load the
 * facts, resolve who calls, ask decide(), then either trace the refusal (committed, answered
 * 404 or 403) or run the action, carry out the obligations (notifications, first-access
 * bookkeeping) and trace it, all in one transaction. The documents repository and the
 * profile capabilities (medical profile, measures, vaccinations, entourage, aidants) use it.
 */
import type { Db, Queryable } from '../storage/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { Random } from '../platform/random.ts';
import { AppError } from '../platform/errors.ts';
import { channelFor, enqueueMessage } from '../platform/mail/outbox.ts';
import type { Recipient } from '../platform/mail/outbox.ts';
import { appendAudit } from '../audit/index.ts';
import type { Actor as AuditActor } from '../audit/index.ts';
import { decide } from '../access/index.ts';
import type { Matrix, AccessAction, AccessFacts, AccessMode, AccessRequest, Actor, AuthorKind, Decision, DenyReason, DocumentMeta, Obligation, ResourceKind } from '../access/index.ts';
import { findOrganisation } from '../identity/index.ts';
import { loadAccessFacts, touchProfessionalAccess } from './access-facts.ts';
import { displayName, patientRecipient } from './patient-recipient.ts';

/** Who calls, as the routes know them; turned into decide() actors for one space. */
export type RecordCaller =
  /** A signed-in person: the holder of the space, one of its legal representatives, or one of its aidants. */
  | { kind: 'person'; personId: string }
  | {
      kind: 'professional';
      idNatPs: string;
      name: string;
      professionCode: string;
      specialtyCode: string | null;
      organisationFiness: string | null;
    }
  | { kind: 'insurer'; accountId: string; name: string };

/** The caller resolved for one space: the decide() actor, the trace actor, and how they sign as author. */
export interface ResolvedCaller {
  actor: Actor;
  audit: AuditActor;
  author: { kind: AuthorKind; id: string; name: string | null; profession: string | null; organisation: string | null };
  /** The person holds the space, represents its holder or is their accepted aidant (a refusal may then say why: 403). */
  knownToSpace: boolean;
}

export type Permit = Extract<Decision, { effect: 'permit' }>;

export interface RecordAccessDeps {
  db: Db;
  clock: Clock;
  random: Random;
  config: { matrix: Matrix };
}

/** A person's display name ("Claire MARTIN"), or null. */
export async function personName(q: Queryable, personId: string): Promise<string | null> {
  const rows = await q.query<{ birth_given_names: string; birth_name: string; used_name: string | null }>('SELECT birth_given_names, birth_name, used_name FROM patients WHERE patient_id = $1', [personId]);
  const p = rows[0];
  return p ? displayName(p) : null;
}

/**
 * The decide() actor of a caller on one space. A person is the holder, else a legal
 * representative, else an aidant, as the facts say; someone with no relation is presented as
 * an aidant with no invitation (decide() refuses: not_authorized) and traced as the patient
 * (of another space) they are.
 */
export async function resolveCaller(q: Queryable, caller: RecordCaller, patientId: string, facts: AccessFacts, purpose?: { action: AccessAction; mode: AccessMode }): Promise<ResolvedCaller> {
  switch (caller.kind) {
    case 'person': {
      const name = await personName(q, caller.personId);
      const id = caller.personId;
      const kind: 'patient' | 'representative' | 'aidant' =
        id === patientId ? 'patient' : Object.hasOwn(facts.representatives, id) ? 'representative' : 'aidant';
      const known = kind !== 'aidant' || facts.aidants[id]?.status === 'accepted';
      const actor: Actor = kind === 'patient' ? { kind, patientId } : { kind, personId: id };
      return {
        actor,
        audit: { type: known ? kind : 'patient', id, name: name ?? undefined },
        author: { kind, id, name, profession: null, organisation: null },
        knownToSpace: known,
      };
    }
    case 'professional': {
      // The organisation matters to SAMU mode and to what a professional authors; a plain read
      // (the busiest path) skips the look-up.
      const plainRead = purpose !== undefined && purpose.mode !== 'samu' && (purpose.action === 'read' || purpose.action === 'list');
      const org = caller.organisationFiness === null || plainRead ? null : await findOrganisation(q, caller.organisationFiness);
      // A médecin régulateur of a centre 15, as the directory says (RULES §1).
      const samuRegulator = caller.professionCode === '10' && org?.kind === 'samu' && org.active;
      return {
        actor: { kind: 'professional', idNatPs: caller.idNatPs, professionCode: caller.professionCode, specialtyCode: caller.specialtyCode, samuRegulator },
        audit: { type: 'professional', id: caller.idNatPs, name: caller.name, profession: caller.professionCode, specialty: caller.specialtyCode ?? undefined },
        author: { kind: 'professional', id: caller.idNatPs, name: caller.name, profession: caller.professionCode, organisation: org?.name ?? null },
        knownToSpace: false,
      };
    }
    case 'insurer':
      return {
        actor: { kind: 'insurer', organisationId: caller.accountId },
        audit: { type: 'insurer', id: caller.accountId, name: caller.name },
        author: { kind: 'insurer', id: caller.accountId, name: caller.name, profession: null, organisation: 'Assurance Maladie' },
        knownToSpace: false,
      };
  }
}

export function traceOf(d: Permit): { mode: AccessMode; justification?: string } {
  const t = d.obligations.find((o): o is Extract<Obligation, { type: 'trace' }> => o.type === 'trace');
  return t ? { mode: t.mode, ...(t.justification === undefined ? {} : { justification: t.justification }) } : { mode: 'normal' };
}

/** The emergency mode to show the professional for the whole access (RULES §3.3), or null. */
export const emergencyBannerOf = (d: Permit): AccessMode | null => (d.obligations.some((o) => o.type === 'show_emergency_banner') ? traceOf(d).mode : null);

/**
 * Carries out a permit's obligations other than the trace: notifications (once per event)
 * and first-access bookkeeping. Returns what goes into the trace's detail about them.
 */
export async function fulfilObligations(
  q: Queryable,
  deps: Pick<RecordAccessDeps, 'clock' | 'random'>,
  patientId: string,
  r: ResolvedCaller,
  d: Permit,
  now: Date,
  facts?: AccessFacts,
): Promise<Record<string, unknown>> {
  const detail: Record<string, unknown> = {};
  const events = new Set<string>();
  for (const o of d.obligations) if (o.type === 'notify_patient') events.add(o.event);
  // A first access says more than "a PS accessed": one message.
  if (events.has('first_access')) events.delete('ps_access');
  const mode = traceOf(d).mode;
  const at = now.toISOString();
  const who = r.audit.name ?? r.audit.id ?? '';
  if (events.size > 0) {
    const recipient = await patientRecipient(q, patientId);
    if (recipient !== null) {
      for (const event of events) {
        const template = event === 'new_document' ? 'new_document' : 'record_access';
        const params: Record<string, string> = { name: recipient.name, actorName: who, at, event, mode };
        await enqueueMessage(q, deps, { patientId, template, channel: channelFor(recipient), recipient, params });
      }
    }
    detail.notified = [...events];
  }
  const mt = d.obligations.find((o): o is Extract<Obligation, { type: 'notify_medecin_traitant' }> => o.type === 'notify_medecin_traitant');
  if (mt !== undefined) {
    const rows = mt.idNatPs === null ? [] : await q.query<{ given_name: string; family_name: string; email: string | null }>('SELECT given_name, family_name, email FROM professionals WHERE id_nat_ps = $1', [mt.idNatPs]);
    const doc = rows[0];
    if (doc?.email) {
      const patient = await patientRecipient(q, patientId);
      const recipient: Recipient = { name: `Dr ${doc.given_name} ${doc.family_name}`, email: doc.email };
      await enqueueMessage(q, deps, {
        patientId,
        template: 'record_access',
        channel: 'email',
        recipient,
        params: { name: recipient.name, actorName: who, at, event: 'emergency_access', mode, patientName: patient?.name ?? '' },
      });
      detail.medecinTraitantNotified = true;
    } else {
      // Nobody could be told (no médecin traitant declared, or no address): said in the trace.
      detail.medecinTraitantNotified = false;
    }
  }
  if (r.actor.kind === 'professional') await touchProfessionalAccess(q, patientId, r.actor.idNatPs, now, facts);
  return detail;
}

/** Appends the trace of a permitted action, with the rule that let the actor in and its mode. */
export async function tracePermitted(q: Queryable, patientId: string, r: ResolvedCaller, now: Date, action: string, target: string | undefined, d: Permit, extra: Record<string, unknown>): Promise<void> {
  const t = traceOf(d);
  await appendAudit(q, patientId, now, {
    actor: r.audit,
    action,
    target,
    mode: t.mode,
    detail: { rule: d.rule, ...(t.justification === undefined ? {} : { justification: t.justification }), ...extra },
  });
}

/** Appends the trace of a refused attempt (the caller then answers 404, 403 or 400). */
export async function traceRefusal(q: Queryable, patientId: string, r: ResolvedCaller, now: Date, req: Pick<AccessRequest, 'action' | 'mode'>, reason: DenyReason, target: string | undefined): Promise<void> {
  await appendAudit(q, patientId, now, { actor: r.audit, action: 'access_denied', target, mode: req.mode, detail: { attempted: req.action, reason } });
}

export const justificationRequired = (): AppError =>
  new AppError('validation_failed', 'Bris de glace needs a written justification: say why the patient cannot consent and why you need the record.', {
    details: [{ field: 'querystring.justification', reason: 'required in mode bris_de_glace' }],
  });

/** What a person who knows the space is told when refused (they know it exists: no need to hide it). */
const KNOWN_REFUSALS: Partial<Record<DenyReason, string>> = {
  aidant_forbidden_action: 'An aidant may not do this: only the patient (or their legal representative) can.',
  minor_space_managed_by_representative: 'A minor’s space is managed by their legal representative.',
  representative_rank: 'Only the legal representative the child is attached to may do this.',
  representative_of_adult: 'This person is now an adult: they manage their space themselves.',
  advance_directives_minor: 'Advance directives do not apply to minors.',
  not_author: 'Only who recorded this may change or delete it: if it is wrong, ask them to correct it.',
  space_closed: 'This space is closed: reopen it first.',
  space_not_open: 'This space is not open yet.',
};

/** The answer to a refusal: 400 for a missing justification, 403 with the reason for those who know the space, else 404. */
export function refusalError(r: ResolvedCaller, reason: DenyReason, notFoundMessage = 'No such space, or you have no access to it.'): AppError {
  if (reason === 'justification_required') return justificationRequired();
  const known = r.knownToSpace ? KNOWN_REFUSALS[reason] : undefined;
  if (known !== undefined) return new AppError('forbidden', known);
  return new AppError('not_found', notFoundMessage);
}

/** One access to a part of a patient's record (not documents: those have their repository). */
export interface RecordAccessRequest {
  action: AccessAction;
  kind: ResourceKind;
  /** The trace action of a permitted access ("vaccination_added"...). */
  traceAction: string;
  /** The trace target ("Immunization/<id>"...). */
  target?: string;
  mode?: AccessMode;
  justification?: string;
  /** For an action on a document (a generated PDF saved to the record). */
  document?: DocumentMeta;
  /** For a change to a profile entry: reads who recorded it (null: no such entry, 404) so decide() can tell. */
  entryOf?: (q: Queryable) => Promise<{ authorKind: AuthorKind; authorId: string } | null>;
}

export interface RecordAccessContext {
  q: Queryable;
  now: Date;
  patientId: string;
  facts: AccessFacts;
  caller: ResolvedCaller;
  decision: Permit;
}

/** What the body of a permitted access returns: its value, and what the trace adds. */
export interface RecordAccessResult<T> {
  value: T;
  /** Overrides the request's target (e.g. the id of what was just created). */
  target?: string;
  detail?: Record<string, unknown>;
}

export interface RecordAccessAnswer<T> {
  value: T;
  /** Emergency access: the mode to show for the whole access (RULES §3.3). */
  emergencyMode: AccessMode | null;
}

/**
 * Decides, traces and runs one access to a patient's record in one transaction. A refusal is
 * traced and committed, then thrown (404, or 403 for those who know the space, or 400 for a
 * bris de glace without justification). An AppError thrown by `body` (bad input found late)
 * rolls everything back: nothing changes, nothing is traced.
 */
export async function withRecordAccess<T>(
  deps: RecordAccessDeps,
  caller: RecordCaller,
  patientId: string,
  req: RecordAccessRequest,
  body: (ctx: RecordAccessContext) => Promise<RecordAccessResult<T>>,
): Promise<RecordAccessAnswer<T>> {
  const now = deps.clock.now();
  const out = await deps.db.tx(async (q): Promise<{ fail: AppError } | { ok: RecordAccessAnswer<T> }> => {
    const facts = await loadAccessFacts(q, patientId, deps.config.matrix, now);
    if (facts === null) return { fail: new AppError('not_found', 'No such space, or you have no access to it.') };
    const mode = req.mode ?? 'normal';
    const r = await resolveCaller(q, caller, patientId, facts, { action: req.action, mode });
    const entry = req.entryOf === undefined ? undefined : await req.entryOf(q);
    if (entry === null) return { fail: new AppError('not_found', 'No such entry in this space.') };
    const request: AccessRequest = {
      actor: r.actor,
      action: req.action,
      target: { patientId, kind: req.kind, ...(req.document === undefined ? {} : { document: req.document }), ...(entry === undefined ? {} : { entry }) },
      mode,
      ...(req.justification === undefined ? {} : { justification: req.justification }),
    };
    const d = decide(request, facts, now);
    if (d.effect === 'deny') {
      await traceRefusal(q, patientId, r, now, request, d.reason, req.target);
      return { fail: refusalError(r, d.reason) };
    }
    const result = await body({ q, now, patientId, facts, caller: r, decision: d });
    const extra = await fulfilObligations(q, deps, patientId, r, d, now, facts);
    await tracePermitted(q, patientId, r, now, req.traceAction, result.target ?? req.target, d, { ...result.detail, ...extra });
    return { ok: { value: result.value, emergencyMode: emergencyBannerOf(d) } };
  });
  if ('fail' in out) throw out.fail;
  return out.ok;
}

/** May this signed-in person read the trace of this space (decide(): holder, representative, accepted aidant)? */
export async function mayReadTrace(q: Queryable, matrix: Matrix, personId: string, patientId: string, now: Date): Promise<boolean> {
  const facts = await loadAccessFacts(q, patientId, matrix, now);
  if (facts === null) return false;
  const r = await resolveCaller(q, { kind: 'person', personId }, patientId, facts, { action: 'list', mode: 'normal' });
  return decide({ actor: r.actor, action: 'list', target: { patientId, kind: 'trace' }, mode: 'normal' }, facts, now).effect === 'permit';
}

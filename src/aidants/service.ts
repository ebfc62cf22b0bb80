/**
 * Aidants (caregivers, RULES §1): a space invites another Carnet user, who accepts or refuses;
 * the space revokes, the aidant withdraws; pending invitations expire after 14 days.
 *
 * Choices made here:
 * - Designation by sign-in identifier + date of birth. The inviter is answered the same
 *   whether or not they match an activated adult's space: an invitation row is written either
 *   way (aidant_id null when it matched nobody who can be an aidant, or someone already
 *   invited), shown as pending with the identifier typed and no name, and expires after 14
 *   days. Only the invited person's answer (their own act) reveals who they are.
 * - The 3 places of a patient count pending + accepted invitations, checked at invitation
 *   (before looking the person up, so the 409 says nothing about them): an invitation is a
 *   promise the space can keep, acceptance never fails on the space's side, and a space cannot
 *   flood people with invitations. The 5 places of an aidant count accepted ones only, checked
 *   at acceptance: invitations are not the invitee's doing (strangers must not fill their
 *   places), and refusing at invitation would tell the inviter about them.
 * - Expiry is lazy: access facts read a pending invitation past its date as expired, and every
 *   use case touching a space first marks its due invitations expired (traced as the system);
 *   the scheduled job (`expireAidantInvitations`) catches up on spaces nobody touches.
 * - The attestation (attestation.ts) is submitted as the patient, in the transaction of the
 *   change, on acceptance, refusal, revocation and withdrawal (the end of a designation, like a
 *   revocation); not for a pending invitation cancelled (nothing was granted, and a document
 *   would reveal whether it matched anyone) nor for an expiry.
 */
import type { AppDeps } from '../app.ts';
import type { Queryable } from '../storage/index.ts';
import { addDays } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { channelFor, enqueueMessage } from '../platform/mail/outbox.ts';
import type { TemplateName } from '../platform/mail/outbox.ts';
import { appendAudit } from '../audit/index.ts';
import type { Actor as AuditActor } from '../audit/index.ts';
import type { AccessFacts } from '../access/index.ts';
import { isIsoDate, isMinor } from '../identity/index.ts';
import { createDocumentsRepository, loadAccessFacts, patientRecipient, personName, withRecordAccess } from '../records/index.ts';
import type { DocumentsRepository } from '../records/index.ts';
import { attestationDocument } from './attestation.ts';
import type { AttestationEvent } from './attestation.ts';
import { effectiveStatus, INVITATION_DAYS, MAX_AIDANTS_PER_PATIENT, MAX_AIDES_PER_AIDANT, transition } from './invitation-state.ts';
import type { InvitationStatus } from './invitation-state.ts';
import * as store from './store.ts';
import type { InvitationRow } from './store.ts';

const SYSTEM: AuditActor = { type: 'system', name: 'Carnet' };

/** What the space sees of an invitation. */
export interface InvitationView {
  invitationId: string;
  status: InvitationStatus;
  /** The identifier designated, as typed (lower case). */
  loginId: string;
  /** The aidant, once they answered; null before (nothing says whether the designation matched anyone). */
  aidant: { name: string } | null;
  invitedAt: string;
  expiresAt: string;
  answeredAt: string | null;
  endedAt: string | null;
}

/** What the invited person sees of an invitation addressed to them. */
export interface ReceivedInvitationView {
  invitationId: string;
  patientId: string;
  /** The person they are invited to help. */
  patientName: string;
  inviterName: string;
  /** The inviter is the legal representative of a minor (else the person to help themselves). */
  inviterIsRepresentative: boolean;
  invitedAt: string;
  expiresAt: string;
}

export interface AnswerView {
  invitationId: string;
  patientId: string;
  patientName: string;
  status: InvitationStatus;
  /** The attestation saved in the record of the person helped (null when the space was closed meanwhile). */
  attestationId: string | null;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export const INVITE_MESSAGE =
  'If this identifier and date of birth belong to an adult with an activated Carnet space, they were told by e-mail and can accept until the date given. For their privacy, Carnet does not say whether they matched: the invitation shows their name once they answer, and otherwise expires by itself.';

const noInvitation = (): AppError => new AppError('not_found', 'No such invitation among yours. It may have been cancelled, or have expired after 14 days.');

export interface AidantsService {
  listInvitations(me: string, patientId: string): Promise<InvitationView[]>;
  invite(me: string, patientId: string, input: { loginId: string; birthDate: string }): Promise<InvitationView & { message: string }>;
  revoke(me: string, patientId: string, invitationId: string): Promise<InvitationView>;
  received(me: string): Promise<ReceivedInvitationView[]>;
  answer(me: string, invitationId: string, accept: boolean): Promise<AnswerView>;
  withdraw(me: string, patientId: string): Promise<AnswerView>;
}

export function createAidantsService(deps: AppDeps): AidantsService {
  const docs: DocumentsRepository = createDocumentsRepository(deps);
  const { db, clock } = deps;

  function view(inv: InvitationRow, names: Map<string, string>): InvitationView {
    const named = inv.answeredAt !== null && inv.aidantId !== null;
    return {
      invitationId: inv.invitationId,
      status: inv.status,
      loginId: inv.loginId,
      aidant: named ? { name: names.get(inv.aidantId ?? '') ?? '' } : null,
      invitedAt: inv.invitedAt.toISOString(),
      expiresAt: inv.expiresAt.toISOString(),
      answeredAt: iso(inv.answeredAt),
      endedAt: iso(inv.endedAt),
    };
  }

  async function namesOf(q: Queryable, ids: Iterable<string>): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const id of new Set(ids)) out.set(id, (await personName(q, id)) ?? '');
    return out;
  }

  /** Writes the attestation in the record of the person helped, as them; null if their space takes no writes (closed meanwhile). */
  async function attest(q: Queryable, inv: InvitationRow, facts: AccessFacts, event: AttestationEvent, now: Date, revokedBy?: string): Promise<string | null> {
    if (facts.spaceStatus !== 'open' && facts.spaceStatus !== 'active') return null;
    const patient = await store.person(q, inv.patientId);
    const names = await namesOf(q, [inv.aidantId ?? '', inv.invitedBy]);
    const doc = await attestationDocument({
      event,
      patientName: patient?.name ?? '',
      patientBirthDate: patient?.birthDate ?? '',
      aidantName: names.get(inv.aidantId ?? '') ?? '',
      inviterName: names.get(inv.invitedBy) ?? '',
      inviterIsRepresentative: inv.invitedBy !== inv.patientId,
      invitedAt: inv.invitedAt,
      at: now,
      invitationId: inv.invitationId,
      ...(revokedBy === undefined ? {} : { revokedBy }),
    });
    const saved = await docs.submitIn(q, { kind: 'person', personId: inv.patientId }, inv.patientId, doc);
    return saved.documentId;
  }

  /** Messages about a space go to its holder, or for a minor to the representative who invited. */
  async function tellSpace(q: Queryable, inv: InvitationRow, facts: AccessFacts, template: TemplateName, params: Record<string, string>): Promise<void> {
    const to = facts.patientIsMinor ? inv.invitedBy : inv.patientId;
    const recipient = await patientRecipient(q, to);
    if (recipient === null) return;
    const childName = to === inv.patientId ? undefined : await personName(q, inv.patientId);
    await enqueueMessage(q, deps, { patientId: to, template, channel: channelFor(recipient), recipient, params: { name: recipient.name, ...params, ...(childName ? { childName } : {}) } });
  }

  async function tellPerson(q: Queryable, personId: string, template: TemplateName, params: Record<string, string>): Promise<void> {
    const recipient = await patientRecipient(q, personId);
    if (recipient === null) return;
    await enqueueMessage(q, deps, { patientId: personId, template, channel: channelFor(recipient), recipient, params: { name: recipient.name, ...params } });
  }

  /** The invited person's side of a change: their live invitation, found through their look-up rows. */
  async function mine(q: Queryable, me: string, match: (l: store.LinkRow) => boolean): Promise<InvitationRow> {
    const link = (await store.linksOf(q, me)).find(match);
    if (link === undefined) throw noInvitation();
    const inv = await store.findInvitation(q, link.aideId, link.invitationId);
    if (inv === null || inv.aidantId !== me) throw noInvitation();
    return inv;
  }

  async function facts(q: Queryable, patientId: string, now: Date): Promise<AccessFacts> {
    const f = await loadAccessFacts(q, patientId, deps.config.matrix, now);
    if (f === null) throw noInvitation();
    return f;
  }

  const service: AidantsService = {
    listInvitations: async (me, patientId) =>
      (
        await withRecordAccess(deps, { kind: 'person', personId: me }, patientId, { action: 'manage_aidants', kind: 'space', traceAction: 'aidants_listed' }, async ({ q, now }) => {
          await expireDue(q, patientId, now);
          const rows = await store.invitationsOf(q, patientId);
          const names = await namesOf(q, rows.flatMap((r) => (r.answeredAt !== null && r.aidantId !== null ? [r.aidantId] : [])));
          return { value: rows.map((r) => view(r, names)) };
        })
      ).value,

    invite: async (me, patientId, input) => {
      if (!isIsoDate(input.birthDate)) throw new AppError('validation_failed', 'Invalid input: body.birthDate must be a date YYYY-MM-DD.', { details: [{ field: 'body.birthDate', reason: 'must be a date YYYY-MM-DD' }] });
      const loginId = input.loginId.trim().toLowerCase();
      const answer = await withRecordAccess(deps, { kind: 'person', personId: me }, patientId, { action: 'manage_aidants', kind: 'space', traceAction: 'aidant_invited' }, async ({ q, now, facts: f, caller }) => {
        await store.lockSpace(q, patientId);
        await expireDue(q, patientId, now);
        // Before the look-up: the answer depends on the space only.
        if ((await store.countLive(q, patientId)) >= MAX_AIDANTS_PER_PATIENT) {
          throw new AppError(
            'conflict',
            `This space already has ${MAX_AIDANTS_PER_PATIENT} aidants or pending invitations, the most Carnet allows. Revoke an aidant or cancel a pending invitation first (pending invitations also end by themselves after ${INVITATION_DAYS} days).`,
          );
        }
        const invitee = await store.personByLogin(q, loginId);
        const same = invitee !== null && invitee.birthDate === input.birthDate;
        // The caller knows these two: saying so leaks nothing.
        if (same && (invitee.patientId === me || invitee.patientId === patientId)) {
          throw new AppError('validation_failed', 'You cannot invite yourself, nor the holder of this space, as an aidant.', { details: [{ field: 'body.loginId', reason: 'designates yourself or the holder of the space' }] });
        }
        const eligible =
          same &&
          invitee.status === 'active' &&
          !isMinor(invitee.birthDate, now) &&
          !Object.hasOwn(f.representatives, invitee.patientId) &&
          (await store.liveInvitationOf(q, patientId, invitee.patientId)) === null;
        const inv: InvitationRow = {
          patientId,
          invitationId: deps.random.uuid(),
          aidantId: eligible ? invitee.patientId : null,
          loginId,
          invitedBy: me,
          status: 'pending',
          invitedAt: now,
          expiresAt: addDays(now, INVITATION_DAYS),
          answeredAt: null,
          endedAt: null,
        };
        await store.insertInvitation(q, inv);
        if (eligible) {
          const inviterName = caller.audit.name ?? '';
          const childName = me === patientId ? undefined : await personName(q, patientId);
          await tellPerson(q, invitee.patientId, 'aidant_invitation', {
            inviterName,
            acceptUrl: `${deps.config.baseUrl}/aidants/invitations`,
            expiresOn: inv.expiresAt.toISOString(),
            ...(childName ? { childName } : {}),
          });
        }
        // The same trace whether or not it matched (the patient reads it).
        return { value: view(inv, new Map()), target: `aidant-invitation:${inv.invitationId}`, detail: { loginId, expiresAt: inv.expiresAt.toISOString() } };
      });
      return { ...answer.value, message: INVITE_MESSAGE };
    },

    revoke: async (me, patientId, invitationId) =>
      (
        await withRecordAccess(
          deps,
          { kind: 'person', personId: me },
          patientId,
          { action: 'manage_aidants', kind: 'space', traceAction: 'aidant_revoked', target: `aidant-invitation:${invitationId}` },
          async ({ q, now, facts: f, caller }) => {
            await store.lockSpace(q, patientId);
            await expireDue(q, patientId, now);
            const inv = await store.findInvitation(q, patientId, invitationId);
            if (inv === null) throw new AppError('not_found', 'No such invitation in this space.');
            const was = inv.status;
            const after = await store.saveStatus(q, inv, transition(was, 'revoke'), now);
            let attestation: string | null = null;
            if (was === 'accepted' && inv.aidantId !== null) {
              const byName = caller.audit.name ?? '';
              attestation = await attest(q, inv, f, 'revoked', now, me === patientId ? byName : `${byName}, son représentant légal`);
              await tellPerson(q, inv.aidantId, 'aidant_ended', { endedBy: 'space', patientName: (await personName(q, patientId)) ?? '' });
            }
            const names = await namesOf(q, after.answeredAt !== null && after.aidantId !== null ? [after.aidantId] : []);
            return { value: view(after, names), detail: { previousStatus: was, attestation } };
          },
        )
      ).value,

    received: async (me) => {
      const now = clock.now();
      return db.tx(async (q) => {
        const out: ReceivedInvitationView[] = [];
        for (const link of await store.linksOf(q, me)) {
          if (link.status !== 'pending') continue;
          if (now.getTime() >= link.expiresAt.getTime()) {
            await expireDue(q, link.aideId, now);
            continue;
          }
          const inv = await store.findInvitation(q, link.aideId, link.invitationId);
          if (inv === null || inv.aidantId !== me || inv.status !== 'pending') continue;
          const names = await namesOf(q, [inv.patientId, inv.invitedBy]);
          out.push({
            invitationId: inv.invitationId,
            patientId: inv.patientId,
            patientName: names.get(inv.patientId) ?? '',
            inviterName: names.get(inv.invitedBy) ?? '',
            inviterIsRepresentative: inv.invitedBy !== inv.patientId,
            invitedAt: inv.invitedAt.toISOString(),
            expiresAt: inv.expiresAt.toISOString(),
          });
        }
        return out;
      });
    },

    answer: async (me, invitationId, accept) => {
      const now = clock.now();
      const out = await db.tx(async (q): Promise<{ ok: AnswerView } | { fail: AppError }> => {
        await store.lockAidant(q, me);
        const inv = await mine(q, me, (l) => l.invitationId === invitationId);
        if (effectiveStatus(inv, now) === 'expired') {
          // Committed (the expiry is a fact), then refused.
          await expireDue(q, inv.patientId, now);
          return { fail: new AppError('gone', `This invitation expired on ${inv.expiresAt.toISOString().slice(0, 10)}, ${INVITATION_DAYS} days after it was sent. Ask the person to invite you again.`) };
        }
        const next = transition(inv.status, accept ? 'accept' : 'refuse');
        const f = await facts(q, inv.patientId, now);
        if (accept) {
          if (f.spaceStatus !== 'open' && f.spaceStatus !== 'active') throw new AppError('conflict', 'This space is closed: the invitation can no longer be accepted.');
          if ((await store.countAccepted(q, me)) >= MAX_AIDES_PER_AIDANT) {
            throw new AppError('conflict', `You already help ${MAX_AIDES_PER_AIDANT} people, the most Carnet allows. Withdraw as the aidant of one of them first, or refuse this invitation.`);
          }
        }
        const after = await store.saveStatus(q, inv, next, now);
        const attestation = await attest(q, inv, f, accept ? 'accepted' : 'refused', now);
        const name = (await personName(q, me)) ?? '';
        await appendAudit(q, inv.patientId, now, {
          actor: { type: 'aidant', id: me, name },
          action: accept ? 'aidant_accepted' : 'aidant_refused',
          target: `aidant-invitation:${inv.invitationId}`,
          detail: { attestation },
        });
        await tellSpace(q, inv, f, 'aidant_answered', { aidantName: name, answer: accept ? 'accepted' : 'refused' });
        return { ok: { invitationId, patientId: inv.patientId, patientName: (await personName(q, inv.patientId)) ?? '', status: after.status, attestationId: attestation } };
      });
      if ('fail' in out) throw out.fail;
      return out.ok;
    },

    withdraw: async (me, patientId) => {
      const now = clock.now();
      return db.tx(async (q) => {
        const inv = await mine(q, me, (l) => l.aideId === patientId && l.status === 'accepted');
        const next = transition(inv.status, 'withdraw');
        const f = await facts(q, patientId, now);
        const after = await store.saveStatus(q, inv, next, now);
        const attestation = await attest(q, inv, f, 'withdrawn', now);
        const name = (await personName(q, me)) ?? '';
        await appendAudit(q, patientId, now, { actor: { type: 'aidant', id: me, name }, action: 'aidant_withdrawn', target: `aidant-invitation:${inv.invitationId}`, detail: { attestation } });
        await tellSpace(q, inv, f, 'aidant_ended', { endedBy: 'aidant', aidantName: name });
        return { invitationId: inv.invitationId, patientId, patientName: (await personName(q, patientId)) ?? '', status: after.status, attestationId: attestation };
      });
    },
  };
  return Object.freeze(service);
}

/** Marks a space's pending invitations past their 14 days expired, each traced as the system. Returns how many. */
export async function expireDue(q: Queryable, patientId: string, now: Date): Promise<number> {
  const due = await store.duePending(q, patientId, now);
  for (const inv of due) {
    await store.saveStatus(q, inv, transition(inv.status, 'expire'), now);
    await appendAudit(q, patientId, now, { actor: SYSTEM, action: 'aidant_invitation_expired', target: `aidant-invitation:${inv.invitationId}` });
  }
  return due.length;
}

const JOB_BATCH = 200;

/**
 * The scheduled job: expires the pending invitations nobody touched (expiry is otherwise lazy),
 * one transaction per space. Several servers may run it at once: rows are re-checked under lock.
 */
export async function expireAidantInvitations(deps: Pick<AppDeps, 'db' | 'clock'>): Promise<{ expiredAidantInvitations: number }> {
  const now = deps.clock.now();
  let total = 0;
  for (;;) {
    const spaces = await store.spacesWithDuePending(deps.db, now, JOB_BATCH);
    let done = 0;
    for (const patientId of spaces) {
      done += await deps.db.tx(async (q) => {
        await store.lockSpace(q, patientId);
        return expireDue(q, patientId, now);
      });
    }
    total += done;
    if (done === 0) break;
  }
  return { expiredAidantInvitations: total };
}

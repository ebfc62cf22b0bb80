import { AppError } from '../platform/errors.ts';

/**
 * An aidant invitation (RULES §1) as a pure state machine: `transition(status, event)` returns
 * the next status or throws `invalid_transition` with a message saying what to do instead.
 * The service persists what this returns and never sets a status by itself.
 *
 * pending --accept--> accepted --revoke (the space)--> revoked
 *         --refuse--> refused           --withdraw (the aidant)--> withdrawn
 *         --expire--> expired   (14 days without an answer)
 *         --revoke--> revoked   (the space cancels it)
 * refused, expired, revoked and withdrawn are final: a new invitation starts again.
 */
export const INVITATION_STATUSES = ['pending', 'accepted', 'refused', 'expired', 'revoked', 'withdrawn'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

export const INVITATION_EVENTS = ['accept', 'refuse', 'expire', 'revoke', 'withdraw'] as const;
export type InvitationEvent = (typeof INVITATION_EVENTS)[number];

/** A pending invitation is valid 14 days (like a second representative's). */
export const INVITATION_DAYS = 14;
/** RULES §1: at most 3 aidants per patient, 5 aidés per aidant. */
export const MAX_AIDANTS_PER_PATIENT = 3;
export const MAX_AIDES_PER_AIDANT = 5;

/** What a person can do about a refused event, by status. */
const WHAT_NOW: Record<InvitationStatus, string> = {
  pending: 'The invitation awaits an answer: the invited person accepts or refuses it, the space may cancel it.',
  accepted: 'This person is an aidant of the space: the space may revoke them, the aidant may withdraw.',
  refused: 'The invitation was refused: the space may send a new one.',
  expired: 'The invitation expired after 14 days without an answer: the space may send a new one.',
  revoked: 'The space ended this invitation: it may send a new one.',
  withdrawn: 'The aidant withdrew: the space may send a new invitation.',
};

const NEXT: Record<InvitationStatus, Partial<Record<InvitationEvent, InvitationStatus>>> = {
  pending: { accept: 'accepted', refuse: 'refused', expire: 'expired', revoke: 'revoked' },
  accepted: { revoke: 'revoked', withdraw: 'withdrawn' },
  refused: {},
  expired: {},
  revoked: {},
  withdrawn: {},
};

export function transition(status: InvitationStatus, event: InvitationEvent): InvitationStatus {
  const next = NEXT[status][event];
  if (next === undefined) {
    throw new AppError('invalid_transition', `Cannot ${event} an invitation that is ${status}. ${WHAT_NOW[status]}`, {
      details: [{ field: 'status', reason: `${event} is not allowed from ${status}` }],
    });
  }
  return next;
}

/** Expiry is lazy: a pending invitation past its date is expired, whether or not the job ran yet. */
export function effectiveStatus(inv: { status: InvitationStatus; expiresAt: Date }, now: Date): InvitationStatus {
  return inv.status === 'pending' && now.getTime() >= inv.expiresAt.getTime() ? 'expired' : inv.status;
}

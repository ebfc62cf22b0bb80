import { addDays, addMonths, addYears } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { OPENING_DELAY_DAYS } from './provisional-code.ts';

/**
 * The lifecycle of a space (RULES §6) as a pure state machine: `transition(space, event, now)`
 * returns the new state or throws `invalid_transition` with a message that tells the person
 * what they can do instead. The service persists what this returns; it never sets a status
 * by itself.
 */
export const SPACE_STATUSES = ['pending', 'opposed', 'open', 'active', 'closed', 'purged'] as const;
export type SpaceStatus = (typeof SPACE_STATUSES)[number];

export const CLOSE_REASONS = ['patient', 'opposition', 'death', 'deletion_request'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

/** Closed spaces are archived 10 years, then purged (RULES §6). */
export const ARCHIVE_YEARS = 10;
/** An express deletion request is honoured within 3 months; Carnet purges at the next job run. */
export const DELETION_DEADLINE_MONTHS = 3;

export interface SpaceState {
  status: SpaceStatus;
  opensAt: Date | null;
  closedAt: Date | null;
  closeReason: CloseReason | null;
  purgeAt: Date | null;
  deletionRequestedAt: Date | null;
  statusBeforeClose: SpaceStatus | null;
  activatedAt: Date | null;
}

export type SpaceEvent =
  | { type: 'create' }
  | { type: 'oppose' }
  | { type: 'open_on_time' }
  | { type: 'activate' }
  | { type: 'regenerate_code' }
  | { type: 'close' }
  | { type: 'record_death' }
  | { type: 'request_deletion' }
  | { type: 'reopen' }
  | { type: 'purge' };
export type SpaceEventType = SpaceEvent['type'];

export const EMPTY_SPACE: SpaceState = {
  status: 'pending',
  opensAt: null,
  closedAt: null,
  closeReason: null,
  purgeAt: null,
  deletionRequestedAt: null,
  statusBeforeClose: null,
  activatedAt: null,
};

/** What the person can do about a refused transition, by status. */
const WHAT_NOW: Record<SpaceStatus, string> = {
  pending: 'The space is being created: activate it with your provisional code, or oppose its creation.',
  opposed: 'You opposed the creation of this space. You can still change your mind: request a new code and activate it.',
  open: 'The space is open but not activated yet: activate it with your provisional code (request a new one if it expired).',
  active: 'The space is active: sign in to manage it.',
  closed: 'The space is closed and archived: sign in to reopen it, or request its deletion.',
  purged: 'This space was deleted and cannot be used any more.',
};

function refuse(state: SpaceState, event: SpaceEventType, why?: string): never {
  throw new AppError('invalid_transition', `${why ?? `Cannot ${event.replaceAll('_', ' ')} a space that is ${state.status}.`} ${WHAT_NOW[state.status]}`, {
    details: [{ field: 'status', reason: `${event} is not allowed from ${state.status}` }],
  });
}

function closed(state: SpaceState, reason: CloseReason, now: Date): SpaceState {
  return {
    ...state,
    status: 'closed',
    closedAt: now,
    closeReason: reason,
    purgeAt: addYears(now, ARCHIVE_YEARS),
    statusBeforeClose: state.status,
  };
}

export function transition(state: SpaceState, event: SpaceEvent, now: Date): SpaceState {
  const s = state.status;
  switch (event.type) {
    case 'create':
      return { ...EMPTY_SPACE, status: 'pending', opensAt: addDays(now, OPENING_DELAY_DAYS) };
    case 'oppose':
      // Before opening, opposition stops the creation; once open (documents may already be
      // there), it closes the space and keeps the archive like any closure.
      if (s === 'pending') return { ...state, status: 'opposed', opensAt: null };
      if (s === 'open') return closed(state, 'opposition', now);
      if (s === 'opposed') return refuse(state, event.type, 'Opposition was already recorded.');
      return refuse(state, event.type);
    case 'open_on_time':
      if (s !== 'pending') return refuse(state, event.type);
      if (state.opensAt === null || state.opensAt.getTime() > now.getTime()) return refuse(state, event.type, 'The opposition period is not over yet.');
      return { ...state, status: 'open', opensAt: null };
    case 'activate':
      if (s === 'pending' || s === 'open' || s === 'opposed') return { ...state, status: 'active', opensAt: null, activatedAt: now };
      if (s === 'active') return refuse(state, event.type, 'This space is already activated.');
      return refuse(state, event.type);
    case 'regenerate_code':
      if (s === 'pending' || s === 'open' || s === 'opposed') return state;
      return refuse(state, event.type, 'No provisional code is needed.');
    case 'close':
      if (s === 'active' || s === 'open') return closed(state, 'patient', now);
      if (s === 'closed') return refuse(state, event.type, 'This space is already closed.');
      return refuse(state, event.type);
    case 'record_death':
      if (s === 'pending' || s === 'open' || s === 'active' || s === 'opposed') return closed(state, 'death', now);
      if (s === 'closed') return { ...state, closeReason: 'death' };
      return refuse(state, event.type);
    case 'request_deletion': {
      if (s !== 'active' && s !== 'open' && s !== 'closed') return refuse(state, event.type);
      const base = s === 'closed' ? state : closed(state, 'patient', now);
      return { ...base, closeReason: base.closeReason === 'death' ? 'death' : 'deletion_request', deletionRequestedAt: now, purgeAt: now };
    }
    case 'reopen':
      if (s !== 'closed') return refuse(state, event.type, 'Only a closed space can be reopened.');
      if (state.closeReason === 'death') return refuse(state, event.type, 'A space closed after the holder’s death cannot be reopened.');
      return {
        ...state,
        status: state.statusBeforeClose === 'open' ? 'open' : 'active',
        closedAt: null,
        closeReason: null,
        purgeAt: null,
        deletionRequestedAt: null,
        statusBeforeClose: null,
      };
    case 'purge':
      if (s !== 'closed') return refuse(state, event.type);
      if (state.purgeAt === null || state.purgeAt.getTime() > now.getTime()) return refuse(state, event.type, 'The archive period is not over.');
      return { ...EMPTY_SPACE, status: 'purged' };
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** Deadline stated to a person who asks for express deletion. */
export function deletionDeadline(requestedAt: Date): Date {
  return addMonths(requestedAt, DELETION_DEADLINE_MONTHS);
}

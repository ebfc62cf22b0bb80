import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ARCHIVE_YEARS, EMPTY_SPACE, SPACE_STATUSES, transition } from './space-lifecycle.ts';
import type { SpaceEventType, SpaceState, SpaceStatus } from './space-lifecycle.ts';
import { AppError } from '../platform/errors.ts';

const NOW = new Date('2026-03-01T10:00:00Z');
const PAST = new Date('2026-01-01T00:00:00Z');

function state(status: SpaceStatus, extra: Partial<SpaceState> = {}): SpaceState {
  return { ...EMPTY_SPACE, status, opensAt: status === 'pending' ? PAST : null, ...extra };
}

// Every (status, event) pair: the status reached, or 'refused'. For closed, the space was
// closed by the patient from 'active' and its archive period is over (purge allowed).
const EXPECTED: Record<SpaceStatus, Record<Exclude<SpaceEventType, 'create'>, SpaceStatus | 'refused'>> = {
  pending: { oppose: 'opposed', open_on_time: 'open', activate: 'active', regenerate_code: 'pending', close: 'refused', record_death: 'closed', request_deletion: 'refused', reopen: 'refused', purge: 'refused' },
  opposed: { oppose: 'refused', open_on_time: 'refused', activate: 'active', regenerate_code: 'opposed', close: 'refused', record_death: 'closed', request_deletion: 'refused', reopen: 'refused', purge: 'refused' },
  open: { oppose: 'closed', open_on_time: 'refused', activate: 'active', regenerate_code: 'open', close: 'closed', record_death: 'closed', request_deletion: 'closed', reopen: 'refused', purge: 'refused' },
  active: { oppose: 'refused', open_on_time: 'refused', activate: 'refused', regenerate_code: 'refused', close: 'closed', record_death: 'closed', request_deletion: 'closed', reopen: 'refused', purge: 'refused' },
  closed: { oppose: 'refused', open_on_time: 'refused', activate: 'refused', regenerate_code: 'refused', close: 'refused', record_death: 'closed', request_deletion: 'closed', reopen: 'active', purge: 'purged' },
  purged: { oppose: 'refused', open_on_time: 'refused', activate: 'refused', regenerate_code: 'refused', close: 'refused', record_death: 'refused', request_deletion: 'refused', reopen: 'refused', purge: 'refused' },
};

describe('space lifecycle: every status x event', () => {
  for (const status of SPACE_STATUSES) {
    for (const [event, expected] of Object.entries(EXPECTED[status]) as [Exclude<SpaceEventType, 'create'>, SpaceStatus | 'refused'][]) {
      it(`${status} --${event}--> ${expected}`, () => {
        const from = status === 'closed' ? state('closed', { closeReason: 'patient', statusBeforeClose: 'active', closedAt: PAST, purgeAt: PAST }) : state(status);
        if (expected === 'refused') {
          expect(() => transition(from, { type: event }, NOW)).toThrow(AppError);
          try {
            transition(from, { type: event }, NOW);
          } catch (e) {
            expect((e as AppError).code).toBe('invalid_transition');
            // The message always says what the person can do instead.
            expect((e as AppError).message.length).toBeGreaterThan(40);
          }
        } else {
          expect(transition(from, { type: event }, NOW).status).toBe(expected);
        }
      });
    }
  }
});

describe('space lifecycle: rules', () => {
  it('creates a pending space that opens 6 weeks later', () => {
    const s = transition(EMPTY_SPACE, { type: 'create' }, NOW);
    expect(s.status).toBe('pending');
    expect(s.opensAt?.toISOString()).toBe('2026-04-12T10:00:00.000Z');
  });

  it('does not open before the 6 weeks are over', () => {
    const s = transition(EMPTY_SPACE, { type: 'create' }, NOW);
    expect(() => transition(s, { type: 'open_on_time' }, new Date('2026-04-12T09:59:59Z'))).toThrow(/not over/);
    expect(transition(s, { type: 'open_on_time' }, new Date('2026-04-12T10:00:00Z')).status).toBe('open');
  });

  it('archives a closed space for 10 years', () => {
    const s = transition(state('active'), { type: 'close' }, NOW);
    expect(s.closeReason).toBe('patient');
    expect(s.purgeAt?.toISOString()).toBe(`${2026 + ARCHIVE_YEARS}-03-01T10:00:00.000Z`);
    expect(() => transition(s, { type: 'purge' }, new Date('2036-02-28T00:00:00Z'))).toThrow(/archive period/);
    expect(transition(s, { type: 'purge' }, new Date('2036-03-01T10:00:00Z')).status).toBe('purged');
  });

  it('makes an express deletion due at once (honoured at the next job run, deadline 3 months)', () => {
    const s = transition(state('active'), { type: 'request_deletion' }, NOW);
    expect(s.status).toBe('closed');
    expect(s.closeReason).toBe('deletion_request');
    expect(s.purgeAt?.getTime()).toBe(NOW.getTime());
    expect(transition(s, { type: 'purge' }, NOW).status).toBe('purged');
  });

  it('reopens to the status before closure and cancels the purge', () => {
    const fromOpen = transition(state('open'), { type: 'close' }, NOW);
    expect(transition(fromOpen, { type: 'reopen' }, NOW)).toMatchObject({ status: 'open', purgeAt: null, closeReason: null });
    const deleting = transition(state('active'), { type: 'request_deletion' }, NOW);
    expect(transition(deleting, { type: 'reopen' }, NOW)).toMatchObject({ status: 'active', purgeAt: null, deletionRequestedAt: null });
  });

  it('closes on death, and a space closed by death cannot be reopened', () => {
    const s = transition(state('active'), { type: 'record_death' }, NOW);
    expect(s).toMatchObject({ status: 'closed', closeReason: 'death' });
    expect(() => transition(s, { type: 'reopen' }, NOW)).toThrow(/death/);
    // Death learnt after a closure by the patient: the reason becomes death.
    const closedBefore = transition(state('active'), { type: 'close' }, PAST);
    expect(transition(closedBefore, { type: 'record_death' }, NOW)).toMatchObject({ status: 'closed', closeReason: 'death' });
  });

  it('opposition on an open space closes it with its archive', () => {
    expect(transition(state('open'), { type: 'oppose' }, NOW)).toMatchObject({ status: 'closed', closeReason: 'opposition', statusBeforeClose: 'open' });
  });

  it('never reaches a status outside the list, whatever the sequence of events', () => {
    const events: SpaceEventType[] = ['oppose', 'open_on_time', 'activate', 'regenerate_code', 'close', 'record_death', 'request_deletion', 'reopen', 'purge'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...events), { maxLength: 20 }), (seq) => {
        let s = transition(EMPTY_SPACE, { type: 'create' }, NOW);
        let t = NOW.getTime();
        for (const type of seq) {
          t += 400 * 24 * 3600 * 1000; // time passes: openings and purges become due
          try {
            s = transition(s, { type }, new Date(t));
          } catch (e) {
            if (!(e instanceof AppError)) throw e;
          }
          expect(SPACE_STATUSES).toContain(s.status);
          if (s.status === 'purged') expect(s).toEqual({ ...EMPTY_SPACE, status: 'purged' });
          if (s.status === 'closed') expect(s.purgeAt).not.toBeNull();
        }
      }),
    );
  });
});

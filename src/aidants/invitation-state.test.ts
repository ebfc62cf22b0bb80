import { describe, expect, it } from 'vitest';
import { AppError } from '../platform/errors.ts';
import { effectiveStatus, INVITATION_STATUSES, transition } from './invitation-state.ts';
import type { InvitationEvent, InvitationStatus } from './invitation-state.ts';

// Every (status, event) pair: the status reached, or 'invalid' (refused with invalid_transition).
const EXPECTED: Record<InvitationStatus, Record<InvitationEvent, InvitationStatus | 'invalid'>> = {
  pending: { accept: 'accepted', refuse: 'refused', expire: 'expired', revoke: 'revoked', withdraw: 'invalid' },
  accepted: { accept: 'invalid', refuse: 'invalid', expire: 'invalid', revoke: 'revoked', withdraw: 'withdrawn' },
  refused: { accept: 'invalid', refuse: 'invalid', expire: 'invalid', revoke: 'invalid', withdraw: 'invalid' },
  expired: { accept: 'invalid', refuse: 'invalid', expire: 'invalid', revoke: 'invalid', withdraw: 'invalid' },
  revoked: { accept: 'invalid', refuse: 'invalid', expire: 'invalid', revoke: 'invalid', withdraw: 'invalid' },
  withdrawn: { accept: 'invalid', refuse: 'invalid', expire: 'invalid', revoke: 'invalid', withdraw: 'invalid' },
};

describe('aidant invitation: every status x event', () => {
  for (const status of INVITATION_STATUSES) {
    for (const [event, expected] of Object.entries(EXPECTED[status]) as [InvitationEvent, InvitationStatus | 'invalid'][]) {
      it(`${status} --${event}--> ${expected}`, () => {
        if (expected !== 'invalid') {
          expect(transition(status, event)).toBe(expected);
          return;
        }
        let error: unknown;
        try {
          transition(status, event);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('invalid_transition');
        // The message says what can be done instead.
        expect((error as AppError).message).toMatch(/may|accepts|refuses/);
      });
    }
  }
});

describe('aidant invitation: expiry', () => {
  const expiresAt = new Date('2026-01-29T09:00:00Z');
  it('reads a pending invitation as expired from its expiry instant on (lazy expiry)', () => {
    expect(effectiveStatus({ status: 'pending', expiresAt }, new Date('2026-01-29T08:59:59.999Z'))).toBe('pending');
    expect(effectiveStatus({ status: 'pending', expiresAt }, expiresAt)).toBe('expired');
    // An accepted one does not expire.
    expect(effectiveStatus({ status: 'accepted', expiresAt }, new Date('2027-01-01T00:00:00Z'))).toBe('accepted');
  });
});

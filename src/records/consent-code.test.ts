import { describe, expect, it } from 'vitest';
import { checkConsentCode, consentCodeHash, CONSENT_CODE_MAX_FAILURES } from './consent-code.ts';

const secret = Buffer.alloc(32, 7);
const now = new Date('2026-02-02T10:00:00Z');
const stored = (o: Partial<Parameters<typeof checkConsentCode>[0] & object> = {}) => ({
  codeHash: consentCodeHash(secret, 'p1', '123456'),
  expiresAt: new Date('2026-02-02T10:10:00Z'),
  usedAt: null,
  failedAttempts: 0,
  ...o,
});

describe('consent code', () => {
  it('opens with the right code only, for that patient only', () => {
    expect(checkConsentCode(stored(), consentCodeHash(secret, 'p1', '123456'), now)).toBe('ok');
    expect(checkConsentCode(stored(), consentCodeHash(secret, 'p1', '123457'), now)).toBe('wrong');
    expect(checkConsentCode(stored(), consentCodeHash(secret, 'p2', '123456'), now)).toBe('wrong');
  });
  it('is refused when missing, expired, used, or spent by wrong tries', () => {
    const h = consentCodeHash(secret, 'p1', '123456');
    expect(checkConsentCode(null, h, now)).toBe('no_code');
    expect(checkConsentCode(stored({ expiresAt: now }), h, now)).toBe('expired');
    expect(checkConsentCode(stored({ usedAt: now }), h, now)).toBe('used');
    expect(checkConsentCode(stored({ failedAttempts: CONSENT_CODE_MAX_FAILURES }), h, now)).toBe('spent');
    expect(checkConsentCode(stored({ failedAttempts: CONSENT_CODE_MAX_FAILURES - 1 }), h, now)).toBe('ok');
  });
});

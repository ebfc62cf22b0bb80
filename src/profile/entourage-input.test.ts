import { describe, expect, it } from 'vitest';
import { checkAdvanceDirectives, checkContact, checkOrganDonation, normalizePhone } from './entourage-input.ts';
import type { ContactInput } from './entourage-input.ts';

const base: ContactInput = { kind: 'emergency_contact', familyName: 'Durand', givenName: 'Anne', relation: 'SIB', phone: '06 12 34 56 78' };
const fields = (input: Partial<ContactInput>) => {
  const r = checkContact({ ...base, ...input });
  return 'problems' in r ? r.problems.map((p) => p.field) : [];
};

describe('contacts', () => {
  it('normalizes phone numbers to E.164 and refuses what is not one', () => {
    expect(normalizePhone('06 12 34 56 78')).toBe('+33612345678');
    expect(normalizePhone('01.23.45.67.89')).toBe('+33123456789');
    expect(normalizePhone('+32 2 123 45 67')).toBe('+3221234567');
    expect(normalizePhone('0032 2 123 45 67')).toBe('+3221234567');
    expect(normalizePhone('12345')).toBeNull();
    expect(normalizePhone('06 12 34 56')).toBeNull();
    expect(normalizePhone('call me')).toBeNull();
  });

  it('accepts a contact and stores the family name in capitals, the e-mail in lower case', () => {
    expect(checkContact({ ...base, email: 'Anne.Durand@Example.ORG' })).toEqual({
      ok: { kind: 'emergency_contact', familyName: 'DURAND', givenName: 'Anne', relation: 'SIB', relationText: null, phone: '+33612345678', email: 'anne.durand@example.org' },
    });
  });

  it('refuses what is wrong, naming each field', () => {
    expect(fields({ kind: 'lawyer' })).toEqual(['body.kind']);
    expect(fields({ familyName: ' ' })).toEqual(['body.familyName']);
    expect(fields({ familyName: 'R2D2' })).toEqual(['body.familyName']);
    expect(fields({ relation: 'COUSIN' })).toEqual(['body.relation']);
    expect(fields({ relation: 'other' })).toEqual(['body.relationText']);
    expect(fields({ phone: '123' })).toEqual(['body.phone']);
    expect(fields({ phone: undefined, email: 'anne@' })).toEqual(['body.email']);
    expect(fields({ phone: undefined })).toEqual(['body.phone']);
    expect(fields({ phone: undefined, email: 'anne@example.fr' })).toEqual([]);
  });
});

describe('organ donation', () => {
  it('takes a position, with a comment required for a partial one', () => {
    expect(checkOrganDonation({ position: 'refuses' })).toEqual({ ok: { position: 'refuses', comment: null } });
    expect(checkOrganDonation({ position: 'accepts_partially', comment: ' Pas les cornées ' })).toEqual({ ok: { position: 'accepts_partially', comment: 'Pas les cornées' } });
    expect(checkOrganDonation({ position: 'accepts_partially' })).toEqual({ problems: [expect.objectContaining({ field: 'body.comment' })] });
    expect(checkOrganDonation({ position: 'maybe' })).toEqual({ problems: [expect.objectContaining({ field: 'body.position' })] });
  });
});

describe('advance directives form', () => {
  it('requires the situation, the wishes on life-sustaining treatments and the sedation choice', () => {
    const ok = checkAdvanceDirectives({ situation: 'good_health', lifeSustainingTreatments: 'Pas d’acharnement.\r\nPas de ventilation prolongée.', deepSedation: 'wants', place: 'Lyon' });
    expect(ok).toEqual({ ok: { situation: 'good_health', lifeSustainingTreatments: 'Pas d’acharnement.\nPas de ventilation prolongée.', deepSedation: 'wants', otherWishes: null, place: 'Lyon' } });
    const bad = checkAdvanceDirectives({ situation: 'fine', lifeSustainingTreatments: '  ', deepSedation: 'perhaps' });
    expect('problems' in bad && bad.problems.map((p) => p.field)).toEqual(['body.situation', 'body.lifeSustainingTreatments', 'body.deepSedation']);
  });
});

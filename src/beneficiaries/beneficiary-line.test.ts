import { describe, expect, it } from 'vitest';
import { withNirKey } from '../identity/ins.ts';
import { checkBeneficiaryLine, checkHeader, displayName } from './beneficiary-line.ts';
import type { LineCheck } from './beneficiary-line.ts';

const today = new Date('2026-01-15T09:00:00Z');
const adult = withNirKey('1850475056123'); // man born April 1985
const child = withNirKey('2150375056124'); // girl born March 2015

const base = {
  matricule: adult,
  birth_name: 'MARTIN',
  birth_given_names: 'Jean Paul',
  birth_date: '1985-04-12',
  sex: 'M',
  email: 'jean.martin@example.org',
};

function check(fields: Record<string, unknown>, strictKeys = false): LineCheck {
  return checkBeneficiaryLine(fields, 7, today, { strictKeys });
}

function problems(fields: Record<string, unknown>, strictKeys = false): { field: string | null; reason: string }[] {
  const r = check(fields, strictKeys);
  if (r.ok) throw new Error('expected the line to be rejected');
  for (const e of r.errors) expect(e.line).toBe(7);
  return r.errors.map(({ field, reason }) => ({ field, reason }));
}

describe('checkBeneficiaryLine', () => {
  it('accepts a valid line and normalises it', () => {
    const r = check({ ...base, matricule: ` ${adult.slice(0, 1)} ${adult.slice(1, 3)} ${adult.slice(3)} `, birth_given_names: ' Jean   Paul ', sex: 'm', phone: '06 12 34 56 78', oid: 'INS-NIR', card_serial: '12 345 678', address: '' });
    expect(r).toEqual({
      ok: true,
      value: {
        matricule: adult,
        insOid: '1.2.250.1.213.1.4.8',
        birthName: 'MARTIN',
        birthGivenNames: 'Jean Paul',
        usedName: null,
        birthDate: '1985-04-12',
        sex: 'M',
        birthplaceCode: null,
        cardSerial: '12345678',
        email: 'jean.martin@example.org',
        phone: '0612345678',
        address: null,
        postalCode: null,
        city: null,
        representativeMatricule: null,
        deceasedOn: null,
        minor: false,
      },
    });
  });

  it('names the column of each INS problem with the file column name', () => {
    expect(problems({ ...base, matricule: `${adult.slice(0, 13)}00` })).toEqual([{ field: 'matricule', reason: expect.stringMatching(/control key 00 is wrong/) }]);
    expect(problems({ ...base, birth_date: '1985-05-12' })).toEqual([{ field: 'birth_date', reason: 'month does not match the matricule (04)' }]);
    expect(problems({ ...base, birth_date: '2026-03-01' })).toEqual([{ field: 'birth_date', reason: 'is in the future' }]);
    expect(problems({ ...base, sex: 'F' })).toEqual([{ field: 'sex', reason: 'does not match the matricule (first digit 1)' }]);
    expect(problems({ ...base, birth_name: 'MART1N', birthplace_code: '7505' }).map((p) => p.field)).toEqual(['birth_name', 'birthplace_code']);
  });

  it('reports every missing required column', () => {
    expect(problems({ email: 'a@b.fr' })).toEqual(['matricule', 'birth_name', 'birth_given_names', 'birth_date', 'sex'].map((field) => ({ field, reason: 'is required' })));
  });

  it('accepts NIA and test OIDs, refuses others', () => {
    expect(check({ ...base, oid: '1.2.250.1.213.1.4.9' })).toMatchObject({ ok: true, value: { insOid: '1.2.250.1.213.1.4.9' } });
    // The test OID skips the coherence with the traits.
    expect(check({ ...base, oid: '1.2.250.1.213.1.4.10', birth_date: '1990-01-01' })).toMatchObject({ ok: true, value: { insOid: '1.2.250.1.213.1.4.10' } });
    expect(problems({ ...base, oid: '1.2.3' })).toEqual([{ field: 'oid', reason: expect.stringMatching(/INS-NIR/) }]);
  });

  it('checks the contact details, and requires a postal address without e-mail', () => {
    expect(problems({ ...base, email: 'not-an-address', phone: '12345', postal_code: '7500' }).map((p) => p.field)).toEqual(['email', 'phone', 'postal_code']);
    expect(problems({ ...base, email: '' }).map((p) => p.field)).toEqual(['address', 'postal_code', 'city']);
    expect(check({ ...base, email: '', address: '1 rue de la Paix', postal_code: '75002', city: 'Paris' })).toMatchObject({ ok: true });
    expect(check({ ...base, phone: '+33 6 12 34 56 78' })).toMatchObject({ ok: true, value: { phone: '+33612345678' } });
  });

  it('requires a valid representative for a minor only', () => {
    const minor = { ...base, matricule: child, birth_name: 'MARTIN', birth_given_names: 'Léa', birth_date: '2015-03-02', sex: 'F' };
    expect(problems(minor)).toEqual([{ field: 'representative_matricule', reason: expect.stringMatching(/required for a minor/) }]);
    expect(problems({ ...minor, representative_matricule: '123' })).toEqual([{ field: 'representative_matricule', reason: expect.stringMatching(/15 characters/) }]);
    expect(problems({ ...minor, representative_matricule: child })).toEqual([{ field: 'representative_matricule', reason: 'is the matricule of the person themself' }]);
    expect(check({ ...minor, representative_matricule: adult })).toMatchObject({ ok: true, value: { minor: true, representativeMatricule: adult } });
    // 18 on the import day: an adult.
    const eighteen = withNirKey('2080175056124');
    expect(check({ ...minor, matricule: eighteen, birth_date: '2008-01-15' })).toMatchObject({ ok: true, value: { minor: false } });
  });

  it('checks a date of death: a past date, not before birth', () => {
    expect(check({ ...base, deceased_on: '2025-12-31' })).toMatchObject({ ok: true, value: { deceasedOn: '2025-12-31' } });
    expect(problems({ ...base, deceased_on: '2026-02-01' })).toEqual([{ field: 'deceased_on', reason: 'is in the future' }]);
    expect(problems({ ...base, deceased_on: '1980-01-01' })).toEqual([{ field: 'deceased_on', reason: 'is before the birth date (1985-04-12)' }]);
    expect(problems({ ...base, deceased_on: '31/12/2025' })).toEqual([{ field: 'deceased_on', reason: 'must be a date YYYY-MM-DD' }]);
  });

  it('refuses non-text JSON values, control characters and, when strict, unknown keys', () => {
    expect(problems({ ...base, postal_code: 75002 })).toEqual([{ field: 'postal_code', reason: 'must be a text value (a JSON string)' }]);
    expect(problems({ ...base, matricule: Number(adult) })).toEqual([{ field: 'matricule', reason: 'must be a text value (a JSON string)' }]);
    expect(problems({ ...base, city: 'Paris\u0000' })).toEqual([{ field: 'city', reason: 'contains a control character' }]);
    expect(problems({ ...base, nir: adult }, true)).toEqual([{ field: 'nir', reason: expect.stringMatching(/^unknown field/) }]);
    expect(check({ ...base, used_name: null, nir: adult })).toMatchObject({ ok: true });
  });
});

describe('checkHeader', () => {
  it('names the missing required and the unknown columns', () => {
    expect(checkHeader(['matricule', 'birth_name', 'birth_given_names', 'birth_date', 'sex', 'email'])).toEqual({ missing: [], unknown: [] });
    expect(checkHeader(['nir', 'birth_name', 'birth_given_names', 'birthdate', 'sex'])).toEqual({ missing: ['matricule', 'birth_date'], unknown: ['nir', 'birthdate'] });
  });
});

describe('displayName', () => {
  it('uses the first given name and the name in use', () => {
    expect(displayName({ birthGivenNames: 'Jean Paul', birthName: 'MARTIN', usedName: null })).toBe('Jean MARTIN');
    expect(displayName({ birthGivenNames: 'Anne', birthName: 'MARTIN', usedName: 'DURAND' })).toBe('Anne DURAND');
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ageOn, checkIns, checkNir, INS_OID, isIsoDate, isMinor, isValidNir, nirKey, normalizeMatricule, patientMssAddress, withNirKey } from './ins.ts';
import type { InsTraits } from './ins.ts';

// A published example (a woman born in August 1962 in Paris): 2620875032039 mod 97 = 20, key 97 - 20 = 77.
const PARIS_1962 = '262087503203977';
const TODAY = new Date('2026-01-15T09:00:00Z');

/*
 * Corsica, computed by hand. NIR body 1 85 05 2A 004 123: the key is computed on the number
 * where 2A is read as 19, i.e. 1850519004123. Remainder mod 97, four digits at a time:
 *   1850            = 97 x 19   + 7
 *   7 5190 = 75190  = 97 x 775  + 15
 *   15 0412 = 150412 = 97 x 1550 + 62
 *   62 3 = 623      = 97 x 6    + 41
 * 1850519004123 mod 97 = 41, so the key is 97 - 41 = 56.
 */
const CORSICA_2A = '185052A00412356';

function traits(over: Partial<InsTraits> = {}): InsTraits {
  return { birthName: 'MARTIN', birthGivenNames: 'Claire Anne', birthDate: '1962-08-03', sex: 'F', birthplaceCode: '75056', ...over };
}

function reasonOf(input: string): string {
  const r = checkNir(input);
  if (r.ok) throw new Error(`${input} was accepted`);
  return r.reason;
}

describe('NIR format (RULES §2)', () => {
  it('accepts a valid NIR and splits it into its parts', () => {
    const r = checkNir(PARIS_1962);
    expect(r).toEqual({
      ok: true,
      nir: PARIS_1962,
      parts: { sex: '2', year: '62', month: '08', departement: '75', commune: '032', order: '039', key: '77' },
    });
  });

  it('needs exactly 15 characters', () => {
    expect(reasonOf(PARIS_1962.slice(0, 14))).toMatch(/15 characters.*got 14/);
    expect(reasonOf(`${PARIS_1962}0`)).toMatch(/15 characters.*got 16/);
    expect(reasonOf('2620875032039')).toMatch(/got 13/); // the key is not optional
    expect(reasonOf('')).toMatch(/got 0/);
  });

  it('normalises what people type: spaces, dots, dashes, lower-case letters', () => {
    expect(normalizeMatricule(' 2 62 08 75 032 039 77 ')).toBe(PARIS_1962);
    expect(normalizeMatricule('2.62.08.75.032.039-77')).toBe(PARIS_1962);
    expect(normalizeMatricule('1 85 05 2a 004 123 56')).toBe(CORSICA_2A);
    expect(checkNir('2 62 08 75 032 039 77')).toMatchObject({ ok: true, nir: PARIS_1962 });
    expect(checkNir('2\t62 08\u00a075 032 039 77')).toMatchObject({ ok: true, nir: PARIS_1962 });
    expect(checkNir('1 85 05 2a 004 123 56')).toMatchObject({ ok: true, nir: CORSICA_2A });
  });

  describe('sex digit', () => {
    it.each(['1', '2'])('accepts %s (permanent number)', (sex) => {
      expect(isValidNir(withNirKey(`${sex}620875032039`))).toBe(true);
    });
    it.each(['3', '4', '7', '8'])('accepts %s (temporary number)', (sex) => {
      expect(isValidNir(withNirKey(`${sex}620875032039`))).toBe(true);
    });
    it.each(['0', '5', '6', '9'])('refuses %s, even with a correct key', (sex) => {
      const nir = withNirKey(`${sex}620875032039`);
      expect(reasonOf(nir)).toMatch(/first digit \(sex\)/);
    });
    it('refuses a letter in first position', () => {
      expect(reasonOf(`A${PARIS_1962.slice(1)}`)).toMatch(/first digit \(sex\)/);
    });
  });

  describe('month', () => {
    const withMonth = (mm: string) => withNirKey(`262${mm}75032039`);
    it.each(['01', '06', '12'])('accepts %s', (mm) => expect(isValidNir(withMonth(mm))).toBe(true));
    it.each(['20', '30', '42', '50', '99'])('accepts %s (unknown or special month)', (mm) => expect(isValidNir(withMonth(mm))).toBe(true));
    it.each(['00', '13', '15', '19'])('refuses %s, even with a correct key', (mm) => {
      expect(reasonOf(withMonth(mm))).toMatch(new RegExp(`month ${mm} is not valid`));
    });
  });

  describe('département', () => {
    it.each(['01', '19', '75', '95', '97', '99'])('accepts the digits %s', (dd) => {
      expect(isValidNir(withNirKey(`26208${dd}032039`))).toBe(true);
    });

    it('accepts 2A with the key computed on 19 (hand-computed example above)', () => {
      expect(nirKey('185052A004123')).toBe(56);
      expect(checkNir(CORSICA_2A)).toMatchObject({ ok: true, parts: { departement: '2A', key: '56' } });
      // The same number with the key a naive reading would give (2A dropped or read as 20) fails.
      expect(97 - Number(1850520004123n % 97n)).not.toBe(56);
      expect(isValidNir(`185052A004123${String(97 - Number(1850520004123n % 97n)).padStart(2, '0')}`)).toBe(false);
    });

    it('computes the key of 2A with 19 and of 2B with 18', () => {
      // 2A and 19 (2B and 18) share their key, by definition of the rule.
      expect(nirKey('2850518004123')).toBe(97 - Number(2850518004123n % 97n));
      expect(nirKey('28505' + '2B' + '004123')).toBe(nirKey('2850518004123'));
      expect(nirKey('28505' + '2A' + '004123')).toBe(nirKey('2850519004123'));
      expect(nirKey('28505' + '2A' + '004123')).not.toBe(nirKey('28505' + '2B' + '004123'));
      const nir2B = withNirKey('285052B004123');
      expect(nir2B).toBe('285052B00412333'); // 2850518004123 mod 97 = 64, key 33
      expect(checkNir(nir2B)).toMatchObject({ ok: true, parts: { departement: '2B', key: '33' } });
      // A 2B number carrying the key of 2A is refused.
      expect(isValidNir(`285052B004123${String(nirKey('285052A004123')).padStart(2, '0')}`)).toBe(false);
    });

    it.each(['2C', '2Z', '3A', 'AB', 'A2'])('refuses %s', (dd) => {
      expect(reasonOf(`26208${dd}03203977`)).toMatch(/département must be 2 digits, 2A or 2B/);
    });

    it('refuses a letter anywhere else', () => {
      expect(reasonOf('26208750X203977')).toMatch(/every other character a digit/);
      expect(reasonOf('2620875032039AB')).toMatch(/every other character a digit/);
    });
  });

  describe('key', () => {
    it('refuses a wrong key', () => {
      expect(reasonOf('262087503203978')).toMatch(/control key 78 is wrong/);
      expect(reasonOf('262087503203900')).toMatch(/control key 00 is wrong/);
      expect(reasonOf('185052A00412357')).toMatch(/control key 57 is wrong/);
    });

    // A body of the shape 2 62 08 75 032 ooo whose key satisfies `keep`.
    const bodyWithKey = (keep: (key: number) => boolean): string => {
      for (let order = 0; order < 1000; order++) {
        const b = `2620875032${String(order).padStart(3, '0')}`;
        if (keep(nirKey(b))) return b;
      }
      throw new Error('no such body');
    };

    it('is 97 when the 13 digits are a multiple of 97, never 00', () => {
      const body = bodyWithKey((k) => k === 97);
      expect(BigInt(body) % 97n).toBe(0n);
      expect(withNirKey(body)).toBe(`${body}97`);
      expect(isValidNir(`${body}97`)).toBe(true);
      expect(isValidNir(`${body}00`)).toBe(false);
    });

    it('pads a key under 10 with a zero', () => {
      const body = bodyWithKey((k) => k < 10);
      const nir = withNirKey(body);
      expect(nir).toMatch(/^\d{13}0\d$/);
      expect(isValidNir(nir)).toBe(true);
    });
  });
});

describe('NIR key properties', () => {
  const digit = fc.integer({ min: 0, max: 9 }).map(String);
  const digits = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((a) => a.join(''));
  const month = fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 20, max: 99 })).map((m) => String(m).padStart(2, '0'));
  const departement = fc.oneof(digits(2), fc.constantFrom('2A', '2B'));
  const body = fc
    .tuple(fc.constantFrom('1', '2', '3', '4', '7', '8'), digits(2), month, departement, digits(3), digits(3))
    .map((parts) => parts.join(''));
  const validNir = body.map(withNirKey);

  it('withNirKey always yields a NIR checkNir accepts', () => {
    fc.assert(
      fc.property(body, (b) => {
        const nir = withNirKey(b);
        expect(nir).toHaveLength(15);
        expect(checkNir(nir)).toMatchObject({ ok: true, nir });
      }),
      { numRuns: 2000 },
    );
  });

  it('changing any single digit makes it fail', () => {
    fc.assert(
      fc.property(validNir, fc.integer({ min: 0, max: 14 }), fc.integer({ min: 1, max: 9 }), (nir, pos, delta) => {
        const c = nir[pos] as string;
        fc.pre(/\d/.test(c));
        const changed = nir.slice(0, pos) + String((Number(c) + delta) % 10) + nir.slice(pos + 1);
        expect(isValidNir(changed)).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('swapping two adjacent different characters makes it fail', () => {
    fc.assert(
      fc.property(validNir, fc.integer({ min: 0, max: 13 }), (nir, pos) => {
        const a = nir[pos] as string;
        const b = nir[pos + 1] as string;
        fc.pre(a !== b);
        const swapped = nir.slice(0, pos) + b + a + nir.slice(pos + 2);
        expect(isValidNir(swapped)).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('INS OIDs and address (RULES §2)', () => {
  it('names the three OIDs of the INS', () => {
    expect(INS_OID).toEqual({ nir: '1.2.250.1.213.1.4.8', nia: '1.2.250.1.213.1.4.9', test: '1.2.250.1.213.1.4.10' });
  });

  it('builds the patient secure-messaging address from the matricule', () => {
    expect(patientMssAddress(PARIS_1962)).toBe('262087503203977@patient.mssante.fr');
  });
});

describe('INS traits (checkIns)', () => {
  const fields = (matricule: string, t: InsTraits, kind: 'nir' | 'nia' | 'test' = 'nir') => checkIns(matricule, kind, t, TODAY).map((p) => p.field);

  it('accepts a coherent identity', () => {
    expect(checkIns(PARIS_1962, 'nir', traits(), TODAY)).toEqual([]);
    expect(checkIns(' 2 62 08 75 032 039 77 ', 'nir', traits(), TODAY)).toEqual([]);
  });

  it('reports a bad matricule under the matricule field, with the NIR reason', () => {
    expect(checkIns('262087503203978', 'nir', traits(), TODAY)).toEqual([{ field: 'matricule', reason: expect.stringMatching(/control key/) }]);
  });

  describe('names', () => {
    it.each(["D'ALMEIDA", 'LE GOFF', 'SAINT-JEAN', 'Müller', 'ÇELIK', 'ŒUVRARD'])('accepts the birth name %s', (name) => {
      expect(fields(PARIS_1962, traits({ birthName: name }))).toEqual([]);
    });
    it.each(['', '   ', 'MARTIN2', 'MAR_TIN', 'X'.repeat(101), '<b>', "-", "' -"])('refuses the birth name %j', (name) => {
      expect(fields(PARIS_1962, traits({ birthName: name }))).toEqual(['birthName']);
    });
    it.each(['Claire', 'Claire Anne Marie', 'Jean-Pierre', "Marie-Thérèse Zoé"])('accepts the given names %j', (g) => {
      expect(fields(PARIS_1962, traits({ birthGivenNames: g }))).toEqual([]);
    });
    it.each(['', '  ', 'Claire, Anne', 'Claire2', '-'])('refuses the given names %j', (g) => {
      expect(fields(PARIS_1962, traits({ birthGivenNames: g }))).toEqual(['birthGivenNames']);
    });
  });

  describe('birth date', () => {
    it.each(['03/08/1962', '1962-8-3', '1962-02-30', '1962-13-01', '19620803', ''])('refuses the format %j', (d) => {
      expect(checkIns(PARIS_1962, 'nir', traits({ birthDate: d }), TODAY)).toEqual([{ field: 'birthDate', reason: 'must be a date YYYY-MM-DD' }]);
    });
    it('refuses a date in the future, accepts today', () => {
      const born2026 = withNirKey('2260175032039');
      expect(checkIns(born2026, 'nir', traits({ birthDate: '2026-01-16' }), TODAY)).toEqual([{ field: 'birthDate', reason: 'is in the future' }]);
      expect(checkIns(born2026, 'nir', traits({ birthDate: '2026-01-15' }), TODAY)).toEqual([]);
    });
    it('refuses a date before 1880, accepts 1 January 1880', () => {
      const born1880 = withNirKey('2800175032039');
      expect(checkIns(born1880, 'nir', traits({ birthDate: '1879-12-31' }), TODAY)).toEqual([{ field: 'birthDate', reason: 'is before 1880' }]);
      expect(checkIns(born1880, 'nir', traits({ birthDate: '1880-01-01' }), TODAY)).toEqual([]);
    });
    it('validates calendar dates', () => {
      expect(isIsoDate('2024-02-29')).toBe(true);
      expect(isIsoDate('2023-02-29')).toBe(false);
    });
  });

  it('refuses a sex outside M, F, U', () => {
    expect(fields(PARIS_1962, traits({ sex: 'X' as 'M' }))).toEqual(['sex']);
  });

  describe('birthplace (INSEE COG)', () => {
    it.each(['75056', '2A004', '2B033', '99100', undefined, ''])('accepts %j', (code) => {
      expect(fields(PARIS_1962, traits({ birthplaceCode: code }))).toEqual([]);
    });
    it.each(['7505', '750560', '2C004', 'PARIS', '75 056'])('refuses %j', (code) => {
      expect(fields(PARIS_1962, traits({ birthplaceCode: code }))).toEqual(['birthplaceCode']);
    });
  });

  describe('coherence of the NIR with the traits', () => {
    it('checks the sex digit against the sex: 1, 3, 7 are M; 2, 4, 8 are F', () => {
      for (const [digit, sex] of [['1', 'M'], ['3', 'M'], ['7', 'M'], ['2', 'F'], ['4', 'F'], ['8', 'F']] as const) {
        const nir = withNirKey(`${digit}620875032039`);
        expect(checkIns(nir, 'nir', traits({ sex }), TODAY)).toEqual([]);
        const other = sex === 'M' ? 'F' : 'M';
        expect(checkIns(nir, 'nir', traits({ sex: other }), TODAY)).toEqual([{ field: 'sex', reason: `does not match the matricule (first digit ${digit})` }]);
      }
    });

    it('lets an unknown sex (U) pass with any sex digit', () => {
      expect(checkIns(PARIS_1962, 'nir', traits({ sex: 'U' }), TODAY)).toEqual([]);
    });

    it('checks the year of birth', () => {
      expect(checkIns(PARIS_1962, 'nir', traits({ birthDate: '1963-08-03' }), TODAY)).toEqual([{ field: 'birthDate', reason: 'year does not match the matricule (62)' }]);
      // Only the last two digits are encoded: 1862 cannot be told apart, 2062 is in the future.
      expect(checkIns(PARIS_1962, 'nir', traits({ birthDate: '1862-08-03' }), TODAY).map((p) => p.reason)).toEqual(['is before 1880']);
    });

    it('checks the month of birth when the NIR encodes it (01-12)', () => {
      expect(checkIns(PARIS_1962, 'nir', traits({ birthDate: '1962-09-03' }), TODAY)).toEqual([{ field: 'birthDate', reason: 'month does not match the matricule (08)' }]);
    });

    it('does not check the month when the NIR says it is unknown (20-99)', () => {
      const unknownMonth = withNirKey('2623075032039');
      expect(checkIns(unknownMonth, 'nir', traits({ birthDate: '1962-09-03' }), TODAY)).toEqual([]);
    });

    it('reports a year and a month mismatch together', () => {
      expect(fields(PARIS_1962, traits({ birthDate: '1970-01-01' }))).toEqual(['birthDate', 'birthDate']);
    });

    it('applies to a NIA (temporary number 7/8 of a person without NIR) as to a NIR', () => {
      const nia = withNirKey('8620899001001');
      expect(checkIns(nia, 'nia', traits(), TODAY)).toEqual([]);
      expect(checkIns(nia, 'nia', traits({ sex: 'M' }), TODAY)).toEqual([{ field: 'sex', reason: 'does not match the matricule (first digit 8)' }]);
      expect(checkIns(nia, 'nia', traits({ birthDate: '1961-08-03' }), TODAY).map((p) => p.field)).toEqual(['birthDate']);
    });

    it('skips coherence for a test NIR (OID ...4.10), but still checks its format', () => {
      expect(checkIns(PARIS_1962, 'test', traits({ sex: 'M', birthDate: '1990-01-01' }), TODAY)).toEqual([]);
      expect(fields('262087503203978', traits(), 'test')).toEqual(['matricule']);
    });

    it('does not pile coherence problems on a malformed identity', () => {
      expect(fields('262087503203978', traits({ sex: 'M' }))).toEqual(['matricule']);
      expect(fields(PARIS_1962, traits({ sex: 'M', birthName: '' }))).toEqual(['birthName']);
    });
  });
});

describe('age', () => {
  it('counts whole years on UTC dates', () => {
    expect(ageOn('2008-01-15', TODAY)).toBe(18);
    expect(ageOn('2008-01-16', TODAY)).toBe(17);
    expect(isMinor('2008-01-16', TODAY)).toBe(true);
    expect(isMinor('2008-01-15', TODAY)).toBe(false);
  });
});

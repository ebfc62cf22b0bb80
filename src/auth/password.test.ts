import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './password.ts';
import type { PersonalData } from './password.ts';

const claire: PersonalData = {
  loginId: 'cmartin75',
  birthName: 'MARTIN',
  birthGivenNames: 'Claire Anne',
  birthDate: '1985-04-12',
  email: 'zorglub.k@example.org',
};

function reasons(password: string, personal: PersonalData = claire): string[] {
  return checkPasswordPolicy(password, personal).map((p) => p.reason);
}

describe('hashPassword / verifyPassword', () => {
  it('hashes with argon2id at OWASP parameters and verifies only the right password', async () => {
    const h = await hashPassword('Correct-Horse-42');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(h).not.toContain('Correct-Horse-42');
    expect(await verifyPassword(h, 'Correct-Horse-42')).toBe(true);
    expect(await verifyPassword(h, 'correct-horse-42')).toBe(false);
    expect(await hashPassword('Correct-Horse-42')).not.toBe(h); // salted
  });

  it('answers false, not an exception, for a malformed stored hash', async () => {
    expect(await verifyPassword('not a hash', 'Correct-Horse-42')).toBe(false);
  });
});

describe('checkPasswordPolicy', () => {
  it('accepts a password with every class and no personal data', () => {
    expect(checkPasswordPolicy('Correct-Horse-42', claire)).toEqual([]);
  });

  it('reports every problem on the password field, each as a short sentence', () => {
    const problems = checkPasswordPolicy('abc', claire);
    expect(problems.length).toBeGreaterThanOrEqual(4);
    for (const p of problems) {
      expect(p.field).toBe('password');
      expect(p.reason).toMatch(/^[A-Z].{5,80}\.$/);
    }
  });

  it('needs at least 9 characters', () => {
    expect(reasons('Ab1!wxyz')).toEqual(['Use at least 9 characters.']);
    expect(reasons('Ab1!wxyzq')).toEqual([]);
  });

  it('refuses absurdly long passwords', () => {
    expect(reasons(`Ab1!${'q'.repeat(125)}`)).toEqual(['Use at most 128 characters.']);
    expect(reasons(`Ab1!${'q'.repeat(124)}`)).toEqual([]);
  });

  it('needs a lower-case letter', () => {
    expect(reasons('QWERTY-42!')).toEqual(['Add a lower-case letter.']);
  });

  it('needs an upper-case letter', () => {
    expect(reasons('qwerty-42!')).toEqual(['Add an upper-case letter.']);
  });

  it('needs a digit', () => {
    expect(reasons('Qwerty-Uiop!')).toEqual(['Add a digit.']);
  });

  it('needs a special character (a space counts)', () => {
    expect(reasons('Qwerty42Uiop')).toEqual(['Add a special character, such as ! ? - # or a space.']);
    expect(reasons('Qwerty 42 Uiop')).toEqual([]);
  });

  it('refuses the identifier, whatever its case', () => {
    expect(reasons('X!CMartin75z')).toContain('Do not use your identifier in your password.');
  });

  it('refuses the birth name and the first names, whatever the case and accents', () => {
    expect(reasons('Dr-martin-42')).toEqual(['Do not use your name or first names in your password.']);
    expect(reasons('Dr-CLAIRE-42')).toEqual(['Do not use your name or first names in your password.']);
    expect(reasons('Dr-Anne-42x')).toEqual(['Do not use your name or first names in your password.']);
    const helene = { ...claire, birthGivenNames: 'Hélène' };
    expect(reasons('Pw!HELENE42', helene)).toEqual(['Do not use your name or first names in your password.']);
    const plain = { ...claire, birthGivenNames: 'HELENE' };
    expect(reasons('Pw!hélène42', plain)).toEqual(['Do not use your name or first names in your password.']);
  });

  it('refuses each part of a compound name, but not parts shorter than 3 letters', () => {
    const jp = { ...claire, birthName: "O'NEIL-LY", birthGivenNames: 'Jean-Pierre' };
    expect(reasons('Xx-Pierre-42', jp)).toEqual(['Do not use your name or first names in your password.']);
    expect(reasons('Xx-Neil-42!', jp)).toEqual(['Do not use your name or first names in your password.']);
    expect(reasons('Lyon-Cafe-77', jp)).toEqual([]); // "LY" and "O" are too short to count
  });

  it('refuses the birth date in its common forms', () => {
    for (const form of ['1985', '12041985', '12/04/1985', '19850412', '120485']) {
      expect(reasons(`Qw!z${form}x`), form).toEqual(['Do not use your date or year of birth in your password.']);
    }
    expect(reasons('Qw!z1204x')).toEqual([]); // day and month alone are not refused
  });

  it("refuses the e-mail address's local part and its words", () => {
    expect(reasons('Zorglub.K-42')).toEqual(['Do not use your e-mail address in your password.']);
    expect(reasons('My-Zorglub-42')).toEqual(['Do not use your e-mail address in your password.']);
    expect(reasons('My-Zorglub-42', { ...claire, email: undefined })).toEqual([]);
  });

  it('property: a password containing the birth name is always refused', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z]{3,12}$/),
        fc.string({ maxLength: 20 }),
        fc.string({ maxLength: 20 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        (birthName, prefix, suffix, lower) => {
          const written = [...birthName].map((c, i) => (lower[i] ? c.toLowerCase() : c)).join('');
          const problems = checkPasswordPolicy(`${prefix}${written}${suffix}`, { ...claire, birthName });
          return problems.some((p) => p.reason === 'Do not use your name or first names in your password.');
        },
      ),
    );
  });

  it('property: a password with every class and free of personal data is accepted', () => {
    // Alphabets that cannot spell Claire's personal data: no "a" or "e" (in every name, the
    // identifier and the e-mail), and no digit of 1985 or 120485.
    const lower = 'bdfghjkopqsuvwxyz';
    const upper = lower.toUpperCase();
    const digits = '02367';
    const special = '!?-#_*@ %+=';
    const char = (set: string) => fc.constantFrom(...set);
    const password = fc
      .tuple(char(lower), char(upper), char(digits), char(special), fc.array(char(lower + upper + digits + special), { minLength: 5, maxLength: 60 }))
      .chain(([l, u, d, s, rest]) => fc.shuffledSubarray([l, u, d, s, ...rest], { minLength: rest.length + 4 }))
      .map((chars) => chars.join(''));
    fc.assert(
      fc.property(password, (pw) => {
        expect(checkPasswordPolicy(pw, claire)).toEqual([]);
      }),
    );
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checkDirectoryRow,
  checkFiness,
  checkIdNatPs,
  checkRpps,
  checkSiret,
  DIRECTORY_COLUMNS,
  idNatPsOf,
  luhnValid,
  PROFESSIONS,
  professionLabel,
  SPECIALTIES,
  specialtyLabel,
  structureIdOf,
  withLuhnKey,
} from './directory.ts';
import { DEMO_DIRECTORY_FILE, DEMO_PROFESSIONALS } from './demo-directory.ts';

const GOOD = {
  rpps: '99900000011',
  family_name: 'BERNARD',
  given_name: 'Sophie',
  profession_code: '10',
  specialty_code: 'SM54',
  email: 'sophie.bernard@demo.carnet.example',
  finess: '759990013',
  organisation_name: 'Cabinet médical des Lilas',
  organisation_kind: 'cabinet',
  siret: '',
  city: 'Paris',
};

const problemsOf = (fields: Record<string, unknown>) => {
  const r = checkDirectoryRow(fields);
  return r.ok ? [] : r.problems;
};
const fieldsOf = (fields: Record<string, unknown>) => problemsOf(fields).map((p) => p.field);

describe('Luhn', () => {
  it('accepts the textbook example and refuses its neighbours', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('7992 7398 713')).toBe(false);
  });

  it('withLuhnKey completes any digits, and one changed digit breaks it', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{10}$/), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 9 }), (payload, pos, delta) => {
        const n = withLuhnKey(payload);
        expect(luhnValid(n)).toBe(true);
        const changed = n.slice(0, pos) + String((Number(n[pos]) + delta) % 10) + n.slice(pos + 1);
        expect(luhnValid(changed)).toBe(false);
      }),
    );
  });
});

describe('RPPS and idNatPs', () => {
  it('accepts an RPPS whose last digit is its Luhn key (a published example: 10005173140)', () => {
    expect(checkRpps('10005173140')).toEqual({ ok: true, value: '10005173140' });
    expect(checkRpps(' 100 0517 3140 ')).toEqual({ ok: true, value: '10005173140' });
  });

  it('refuses a wrong key, a wrong length, letters', () => {
    expect(checkRpps('10005173141')).toEqual({ ok: false, reason: expect.stringMatching(/control key/) });
    expect(checkRpps('1000517314')).toEqual({ ok: false, reason: expect.stringMatching(/11 digits/) });
    expect(checkRpps('100051731400')).toEqual({ ok: false, reason: expect.stringMatching(/11 digits/) });
    expect(checkRpps('1000517314A')).toEqual({ ok: false, reason: expect.stringMatching(/11 digits/) });
  });

  it('builds idNatPs as "8" + RPPS and checks it back', () => {
    expect(idNatPsOf('10005173140')).toBe('810005173140');
    expect(checkIdNatPs('810005173140')).toEqual({ ok: true, value: '810005173140' });
    expect(checkIdNatPs('10005173140')).toMatchObject({ ok: false });
    expect(checkIdNatPs('910005173140')).toMatchObject({ ok: false });
    expect(checkIdNatPs('810005173141')).toEqual({ ok: false, reason: expect.stringMatching(/^RPPS part: control key/) });
  });
});

describe('FINESS, SIRET and structure ids', () => {
  it.each(['750712184', '750803447', '750100125'])('accepts the real FINESS %s (its 9th digit is a Luhn key)', (finess) => {
    expect(checkFiness(finess)).toEqual({ ok: true, value: finess });
  });

  it('refuses a FINESS with a wrong key, length or letters', () => {
    expect(checkFiness('750712185')).toEqual({ ok: false, reason: expect.stringMatching(/control key/) });
    expect(checkFiness('75071218')).toMatchObject({ ok: false });
    expect(checkFiness('7507121840')).toMatchObject({ ok: false });
    expect(checkFiness('2C0000001')).toMatchObject({ ok: false });
    expect(checkFiness('75071218X')).toMatchObject({ ok: false });
  });

  it('accepts Corsican FINESS (2A, 2B) on their shape: no published key rule for them', () => {
    expect(checkFiness('2A0000013')).toEqual({ ok: true, value: '2A0000013' });
    expect(checkFiness('2b0000011')).toEqual({ ok: true, value: '2B0000011' });
  });

  it('checks a SIRET has 14 digits', () => {
    expect(checkSiret('73282932000074')).toEqual({ ok: true, value: '73282932000074' });
    expect(checkSiret('7328293200007')).toMatchObject({ ok: false });
  });

  it('builds national structure ids: "1" + FINESS, "3" + SIRET', () => {
    expect(structureIdOf({ finess: '750712184' })).toBe('1750712184');
    expect(structureIdOf({ siret: '73282932000074' })).toBe('373282932000074');
  });
});

describe('nomenclatures', () => {
  it('holds the professions of RULES §2 (TRE_G15) with French labels', () => {
    expect(Object.keys(PROFESSIONS).sort()).toEqual(['10', '21', '26', '28', '40', '50', '60', '70', '80', '91', '92', '94', '95', '96', '98']);
    expect(professionLabel('10')).toBe('Médecin');
    expect(professionLabel('60')).toBe('Infirmier');
    expect(professionLabel('99')).toBeNull();
  });

  it('names common physician specialties with their TRE_R38 codes', () => {
    expect(specialtyLabel('SM54')).toBe('Médecine générale');
    expect(specialtyLabel('SM04')).toBe('Cardiologie et maladies vasculaires');
    expect(specialtyLabel('SM40')).toBe('Pédiatrie');
    expect(specialtyLabel('SM42')).toBe('Psychiatrie');
    expect(specialtyLabel('SM59')).toBe("Médecine d'urgence");
    expect(specialtyLabel('SM07')).toBeNull();
    expect(Object.keys(SPECIALTIES).every((c) => /^SM\d{2}$/.test(c))).toBe(true);
  });
});

describe('a line of a directory file', () => {
  it('accepts a complete line and normalises it', () => {
    const r = checkDirectoryRow({ ...GOOD, family_name: '  BERNARD ', specialty_code: 'sm54', siret: '732 829 320 00074' });
    expect(r).toEqual({
      ok: true,
      row: {
        rpps: '99900000011',
        familyName: 'BERNARD',
        givenName: 'Sophie',
        professionCode: '10',
        specialtyCode: 'SM54',
        email: 'sophie.bernard@demo.carnet.example',
        organisation: { finess: '759990013', name: 'Cabinet médical des Lilas', kind: 'cabinet', siret: '73282932000074', city: 'Paris' },
      },
    });
  });

  it('accepts a minimal line: no specialty, e-mail or organisation', () => {
    const r = checkDirectoryRow({ rpps: '10005173140', family_name: 'ROUX', given_name: 'Thomas', profession_code: '80' });
    expect(r).toMatchObject({ ok: true, row: { specialtyCode: null, email: null, organisation: null } });
  });

  it('takes numbers from NDJSON as text', () => {
    expect(checkDirectoryRow({ ...GOOD, rpps: 99900000011, profession_code: 10, finess: 759990013 })).toMatchObject({ ok: true, row: { rpps: '99900000011', professionCode: '10' } });
    expect(problemsOf({ ...GOOD, rpps: { n: 1 } })).toEqual([{ field: 'rpps', reason: 'must be text' }]);
  });

  it('requires rpps, names and profession', () => {
    expect(fieldsOf({})).toEqual(['rpps', 'family_name', 'given_name', 'profession_code']);
    expect(problemsOf({ ...GOOD, given_name: '   ' })).toEqual([{ field: 'given_name', reason: 'is required' }]);
  });

  it('refuses a bad RPPS but still says which one when it is readable', () => {
    expect(checkDirectoryRow({ ...GOOD, rpps: '99900000012' })).toEqual({ ok: false, rpps: undefined, problems: [{ field: 'rpps', reason: expect.stringMatching(/control key/) }] });
    expect(checkDirectoryRow({ ...GOOD, email: 'nope' })).toEqual({ ok: false, rpps: '99900000011', problems: [{ field: 'email', reason: 'is not an e-mail address' }] });
  });

  it.each([
    ['family_name', 'BERNARD2'],
    ['family_name', '-BERNARD'],
    ['given_name', 'S'.repeat(101)],
    ['profession_code', '99'],
    ['email', 'a@b'],
    ['finess', '759990014'],
    ['organisation_kind', 'clinique'],
    ['siret', '123'],
  ])('refuses a bad %s (%j)', (field, value) => {
    expect(fieldsOf({ ...GOOD, [field]: value })).toEqual([field]);
  });

  it('accepts names as the national directory writes them', () => {
    for (const name of ["D'ALMEIDA", 'LE GOFF', 'SAINT-JEAN', 'N’DIAYE'.replace('’', "'"), 'Zoë', 'ST. CLAIR']) expect(fieldsOf({ ...GOOD, family_name: name })).toEqual([]);
  });

  it('records a specialty for physicians only, as a TRE_R38 SMnn code', () => {
    expect(problemsOf({ ...GOOD, profession_code: '21', specialty_code: 'SM54' })).toEqual([{ field: 'specialty_code', reason: 'is recorded for physicians only (profession_code 10)' }]);
    expect(fieldsOf({ ...GOOD, specialty_code: 'CARDIO' })).toEqual(['specialty_code']);
    expect(fieldsOf({ ...GOOD, specialty_code: 'SM07' })).toEqual([]); // a real code Carnet has no label for
  });

  it('needs a FINESS, a name and a kind for an organisation', () => {
    expect(fieldsOf({ ...GOOD, finess: '' })).toEqual(['organisation_name', 'organisation_kind', 'city']);
    expect(fieldsOf({ ...GOOD, organisation_name: '', organisation_kind: '' })).toEqual(['organisation_name', 'organisation_kind']);
  });

  it('reports every problem of a line at once', () => {
    expect(fieldsOf({ ...GOOD, rpps: '1', profession_code: 'XX', email: 'x', finess: '1' })).toEqual(['rpps', 'profession_code', 'email', 'finess']);
  });
});

describe('demo directory file', () => {
  const [header, ...lines] = readFileSync(DEMO_DIRECTORY_FILE, 'utf8').trim().split('\n');
  const rows = lines.map((l) => Object.fromEntries((header ?? '').split(',').map((c, i) => [c, l.split(',')[i] ?? ''])));

  it('has the columns of the format and only valid lines', () => {
    expect(header?.split(',')).toEqual([...DIRECTORY_COLUMNS]);
    for (const r of rows) expect(checkDirectoryRow(r)).toMatchObject({ ok: true });
  });

  it('holds the professionals the demo needs, under the ids other modules use', () => {
    const byId = new Map(rows.map((r) => [idNatPsOf(r.rpps ?? ''), r]));
    const expectRow = (id: string, o: Record<string, string>) => expect(byId.get(id)).toMatchObject(o);
    expectRow(DEMO_PROFESSIONALS.generalPractitioner, { family_name: 'BERNARD', given_name: 'Sophie', profession_code: '10', specialty_code: 'SM54' });
    expectRow(DEMO_PROFESSIONALS.cardiologist, { profession_code: '10', specialty_code: 'SM04' });
    expectRow(DEMO_PROFESSIONALS.pharmacist, { profession_code: '21', organisation_kind: 'pharmacie' });
    expectRow(DEMO_PROFESSIONALS.nurse, { profession_code: '60' });
    expectRow(DEMO_PROFESSIONALS.dentist, { profession_code: '40' });
    expectRow(DEMO_PROFESSIONALS.podiatrist, { profession_code: '80' });
    expectRow(DEMO_PROFESSIONALS.samuRegulator, { profession_code: '10', specialty_code: 'SM59', organisation_name: 'SAMU 75 – Centre 15', organisation_kind: 'samu' });
    expect(new Set(rows.map((r) => r.organisation_kind))).toEqual(new Set(['cabinet', 'etablissement', 'pharmacie', 'samu', '']));
  });
});

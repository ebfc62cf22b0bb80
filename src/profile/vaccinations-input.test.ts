import { describe, expect, it } from 'vitest';
import { checkVaccination } from './vaccinations-input.ts';
import type { VaccinationInput } from './vaccinations-input.ts';
import { CATALOGUE, parseVaccineCatalogue } from './vaccines.ts';
import bundled from './vaccines.json' with { type: 'json' };

const ctx = { today: '2026-03-01', birthDate: '1990-05-04' };
const base: VaccinationInput = { vaccineCode: 'J07BM03', date: '2026-02-10' };
const fields = (input: Partial<VaccinationInput>) => {
  const r = checkVaccination({ ...base, ...input }, ctx);
  return 'problems' in r ? r.problems.map((p) => p.field) : [];
};

describe('vaccine catalogue', () => {
  it('holds the vaccines of the French calendar with their target diseases', () => {
    for (const code of ['J07CA09', 'J07AL02', 'J07AH09', 'J07AH08', 'J07BD52', 'J07CA02', 'J07CA01', 'J07BM03', 'J07BB02', 'J07BN01', 'J07BK03', 'J07BX05']) {
      expect(CATALOGUE.vaccines.has(code), code).toBe(true);
    }
    expect(CATALOGUE.vaccines.get('J07BD52')?.targets).toEqual(['14189004', '36989005', '36653000']);
  });

  it('refuses a catalogue with an unknown disease, a duplicate or a malformed code', () => {
    const v = bundled.vaccines[0];
    expect(() => parseVaccineCatalogue({ ...bundled, vaccines: [{ ...v, targets: ['123456789'] }] })).toThrow(/not in "diseases"/);
    expect(() => parseVaccineCatalogue({ ...bundled, vaccines: [v, v] })).toThrow(/twice/);
    expect(() => parseVaccineCatalogue({ ...bundled, vaccines: [{ ...v, code: 'GARDASIL' }] })).toThrow(/ATC J07/);
  });
});

describe('checking a vaccination', () => {
  it('accepts a catalogue vaccine and fills its target diseases', () => {
    const r = checkVaccination({ ...base, vaccineName: ' Gardasil  9 ', doseNumber: 1, lotNumber: 'U1234-AB', route: 'IM', site: 'LD', performer: { name: 'Dr Dupont' } }, ctx);
    expect(r).toEqual({
      ok: {
        vaccineCode: 'J07BM03',
        vaccineName: 'Gardasil 9',
        targetDiseases: ['240532009'],
        occurredOn: '2026-02-10',
        doseNumber: 1,
        lotNumber: 'U1234-AB',
        route: 'IM',
        site: 'LD',
        performer: { kind: 'text', name: 'Dr Dupont' },
        notes: null,
      },
    });
  });

  it('takes a subset of the diseases a vaccine targets, nothing else', () => {
    const r = checkVaccination({ ...base, vaccineCode: 'J07BD52', targetDiseases: ['14189004'] }, ctx);
    expect('ok' in r && r.ok.targetDiseases).toEqual(['14189004']);
    expect(fields({ vaccineCode: 'J07BD52', targetDiseases: ['6142004'] })).toEqual(['body.targetDiseases']);
  });

  it('names an "other" vaccine in free text, with diseases of the catalogue', () => {
    const r = checkVaccination({ ...base, vaccineCode: 'other', vaccineName: 'Ixiaro (encéphalite japonaise)' }, ctx);
    expect('ok' in r && r.ok).toMatchObject({ vaccineCode: 'other', vaccineName: 'Ixiaro (encéphalite japonaise)', targetDiseases: [] });
    expect(fields({ vaccineCode: 'other' })).toEqual(['body.vaccineName']);
    expect(fields({ vaccineCode: 'other', vaccineName: 'X', targetDiseases: ['999999'] })).toEqual(['body.targetDiseases']);
  });

  it('refuses what is wrong, naming each field', () => {
    expect(fields({ vaccineCode: 'J07XX99' })).toEqual(['body.vaccineCode']);
    expect(fields({ date: '2026-03-02' })).toEqual(['body.date']);
    expect(fields({ date: '1990-05-03' })).toEqual(['body.date']);
    expect(fields({ date: '2026-02-30' })).toEqual(['body.date']);
    expect(fields({ lotNumber: 'lot;DROP' })).toEqual(['body.lotNumber']);
    expect(fields({ route: 'intramuscular' })).toEqual(['body.route']);
    expect(fields({ site: 'arm' })).toEqual(['body.site']);
    expect(fields({ performer: { idNatPs: '12345' } })).toEqual(['body.performer.idNatPs']);
    expect(fields({ performer: { name: '  ' } })).toEqual(['body.performer.name']);
    expect(fields({ notes: 'x'.repeat(1001) })).toEqual(['body.notes']);
    // The birth date itself is fine, as is today.
    expect(fields({ date: '1990-05-04' })).toEqual([]);
    expect(fields({ date: '2026-03-01' })).toEqual([]);
  });

  it('says what to do', () => {
    const r = checkVaccination({ ...base, date: '2030-01-01' }, ctx);
    expect('problems' in r && r.problems[0]?.reason).toMatch(/future/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MEASURE_CATALOGUE, MEASURE_TYPES, definitionOf, typeOfLoinc } from './measures-catalogue.ts';
import { checkPair, checkUnit, checkValue, fromKept, inputUnitOf, roundTo, toKept } from './measures-units.ts';
import type { Checked, Refusal } from './measures-units.ts';

const refusal = <T>(c: Checked<T>): Refusal => {
  if (!('refused' in c)) throw new Error(`expected a refusal, got ${JSON.stringify(c.ok)}`);
  return c.refused;
};
const ok = <T>(c: Checked<T>): T => {
  if ('refused' in c) throw new Error(c.refused.reason);
  return c.ok;
};
const unitOf = (type: keyof typeof MEASURE_CATALOGUE, code: string) => {
  const u = inputUnitOf(definitionOf(type), code);
  if (u === null) throw new Error(code);
  return u;
};

describe('measures catalogue', () => {
  it('has one definition per type, distinct LOINC codes, the kept unit first among input units', () => {
    expect(Object.keys(MEASURE_CATALOGUE)).toEqual([...MEASURE_TYPES]);
    const codes = Object.values(MEASURE_CATALOGUE).map((d) => d.loinc);
    expect(new Set(codes).size).toBe(codes.length);
    for (const d of Object.values(MEASURE_CATALOGUE)) {
      if (d.entry === 'computed') expect(d.inputUnits).toEqual([]);
      else expect(d.inputUnits[0]).toMatchObject({ code: d.unit, factor: 1, offset: 0 });
      expect(d.range[0]).toBeLessThan(d.range[1]);
    }
    expect(typeOfLoinc('29463-7')).toBe('weight');
    expect(typeOfLoinc('85354-9')).toBe('blood_pressure');
    expect(typeOfLoinc('8480-6')).toBeNull();
  });
});

describe('conversions', () => {
  it('converts what people enter to the kept unit', () => {
    expect(ok(checkValue(definitionOf('weight'), unitOf('weight', '[lb_av]'), 154, 'v'))).toBe(69.85);
    expect(ok(checkValue(definitionOf('height'), unitOf('height', 'cm'), 172.5, 'v'))).toBe(1.725);
    expect(ok(checkValue(definitionOf('blood_glucose'), unitOf('blood_glucose', 'g/L'), 1.05, 'v'))).toBe(105);
    expect(ok(checkValue(definitionOf('blood_glucose'), unitOf('blood_glucose', 'mmol/L'), 5.5, 'v'))).toBe(99);
    expect(ok(checkValue(definitionOf('body_temperature'), unitOf('body_temperature', '[degF]'), 98.6, 'v'))).toBe(37);
    expect(ok(checkValue(definitionOf('hba1c'), unitOf('hba1c', 'mmol/mol'), 53, 'v'))).toBe(7);
  });

  it('round-trips every input unit (property)', () => {
    for (const d of Object.values(MEASURE_CATALOGUE)) {
      for (const u of d.inputUnits) {
        fc.assert(
          fc.property(fc.double({ min: d.range[0], max: d.range[1], noNaN: true }), (kept) => {
            expect(toKept(u, fromKept(u, kept))).toBeCloseTo(kept, 9);
          }),
          { numRuns: 50 },
        );
      }
    }
  });

  it('rounds to the kept decimals, never further than half a step (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 3 }), (v, d) => {
        const r = roundTo(v, d);
        expect(Math.abs(r - v)).toBeLessThanOrEqual(0.5 * 10 ** -d + 1e-9);
        expect(roundTo(r, d)).toBe(r);
      }),
    );
    expect(roundTo(1.005, 2)).toBe(1.01);
    expect(roundTo(2.5, 0)).toBe(3);
  });
});

describe('checks', () => {
  it('refuses a value outside the possible range, saying the range and what to check', () => {
    const weight = definitionOf('weight');
    expect(refusal(checkValue(weight, unitOf('weight', 'kg'), 900, 'body.value'))).toEqual({
      field: 'body.value',
      reason: '900 kg is outside the possible range for a weight (0.3-400 kg); check the value and the unit',
    });
    expect(refusal(checkValue(weight, unitOf('weight', '[lb_av]'), 2000, 'body.value')).reason).toBe(
      '2000 lb (907.18 kg) is outside the possible range for a weight (0.3-400 kg); check the value and the unit',
    );
    // A height typed in cm with the default unit (m): 172 m.
    expect(refusal(checkValue(definitionOf('height'), unitOf('height', 'm'), 172, 'body.value')).reason).toContain('172 m is outside the possible range for a height (0.2-2.72 m)');
    expect(ok(checkValue(weight, unitOf('weight', 'kg'), 400, 'v'))).toBe(400);
  });

  it('refuses unknown units, listing the accepted ones', () => {
    expect(refusal(checkUnit(definitionOf('weight'), 'stone', 'body.unit')).reason).toBe('"stone" is not a unit for a weight: use kg, g, [lb_av] (lb)');
    expect(ok(checkUnit(definitionOf('weight'), undefined, 'body.unit')).code).toBe('kg');
    expect(refusal(checkUnit(definitionOf('bmi'), 'kg/m2', 'body.unit')).reason).toMatch(/computed/);
  });

  it('wants whole numbers for pain and steps', () => {
    expect(refusal(checkValue(definitionOf('pain'), unitOf('pain', '{score}'), 3.5, 'body.value')).reason).toMatch(/not a whole number/);
    expect(refusal(checkValue(definitionOf('pain'), unitOf('pain', '{score}'), 11, 'body.value')).reason).toMatch(/outside the possible range for a pain score \(0-10/);
    expect(ok(checkValue(definitionOf('steps'), unitOf('steps', '/d'), 8500, 'v'))).toBe(8500);
  });

  it('checks a blood pressure pair: both in range, systolic above diastolic', () => {
    const bp = definitionOf('blood_pressure');
    const u = unitOf('blood_pressure', 'mm[Hg]');
    const f = { systolic: 'body.systolic', diastolic: 'body.diastolic' };
    expect(ok(checkPair(bp, u, 128, 82, f))).toEqual([128, 82]);
    expect(refusal(checkPair(bp, u, 80, 120, f))).toMatchObject({ field: 'body.systolic', reason: expect.stringContaining('not swapped') });
    expect(refusal(checkPair(bp, u, 120, 250, f))).toMatchObject({ field: 'body.diastolic', reason: expect.stringContaining('diastolic pressure (20-200 mmHg)') });
  });
});

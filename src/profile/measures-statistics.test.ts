import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { againstTarget, ageAt, bmiOf, bmiSeries, seriesStats, whoBmiClass } from './measures-statistics.ts';

const at = (s: string) => new Date(s);

describe('series statistics', () => {
  it('gives count, last (by time of measure), min, max and mean', () => {
    const s = seriesStats(
      [
        { at: at('2026-01-03T08:00:00Z'), value: 71.2 },
        { at: at('2026-01-10T08:00:00Z'), value: 70.4 },
        { at: at('2026-01-01T08:00:00Z'), value: 72 },
      ],
      1,
    );
    expect(s).toEqual({ count: 3, last: 70.4, lastAt: '2026-01-10T08:00:00.000Z', min: 70.4, max: 72, mean: 71.2 });
    expect(seriesStats([], 1)).toEqual({ count: 0, last: null, lastAt: null, min: null, max: null, mean: null });
  });

  it('keeps min <= mean <= max and last among the values (property)', () => {
    const pt = fc.record({ at: fc.date({ min: at('2000-01-01T00:00:00Z'), max: at('2030-01-01T00:00:00Z'), noInvalidDate: true }), value: fc.integer({ min: 0, max: 400 }) });
    fc.assert(
      fc.property(fc.array(pt, { minLength: 1, maxLength: 50 }), (pts) => {
        const s = seriesStats(pts, 0);
        expect(s.count).toBe(pts.length);
        expect(s.min ?? NaN).toBeLessThanOrEqual((s.mean ?? NaN) + 0.05);
        expect(s.mean ?? NaN).toBeLessThanOrEqual((s.max ?? NaN) + 0.05);
        expect(pts.map((p) => p.value)).toContain(s.last);
      }),
    );
  });
});

describe('BMI', () => {
  it('computes kg/m² and the WHO class for adults', () => {
    expect(bmiOf(70, 1.75)).toBe(22.9);
    expect(whoBmiClass(18.4)).toBe('underweight');
    expect(whoBmiClass(18.5)).toBe('normal');
    expect(whoBmiClass(24.9)).toBe('normal');
    expect(whoBmiClass(25)).toBe('pre_obesity');
    expect(whoBmiClass(30)).toBe('obesity_class_1');
    expect(whoBmiClass(35)).toBe('obesity_class_2');
    expect(whoBmiClass(40)).toBe('obesity_class_3');
  });

  it('pairs each weight with the last height at or before it (an adult: else the first one after)', () => {
    const h1 = { at: at('2026-01-05T00:00:00Z'), value: 1.6, id: 'h1' };
    const h2 = { at: at('2026-02-05T00:00:00Z'), value: 1.7, id: 'h2' };
    const w0 = { at: at('2026-01-01T00:00:00Z'), value: 60, id: 'w0' };
    const w1 = { at: at('2026-01-20T00:00:00Z'), value: 64, id: 'w1' };
    const w2 = { at: at('2026-03-01T00:00:00Z'), value: 72.25, id: 'w2' };
    const child = bmiSeries([w0, w1, w2], [h2, h1], () => false);
    expect(child.map((p) => [p.weight.id, p.height.id, p.bmi])).toEqual([
      ['w1', 'h1', 25],
      ['w2', 'h2', 25],
    ]);
    expect(bmiSeries([w0], [h2, h1], () => true).map((p) => p.height.id)).toEqual(['h1']);
  });
});

describe('age and targets', () => {
  it('gives the age at a measure in days, completed months and years (Paris calendar)', () => {
    expect(ageAt('2025-01-31', at('2025-03-01T10:00:00Z'))).toEqual({ days: 29, months: 1, years: 0 });
    expect(ageAt('2016-05-10', at('2026-05-09T12:00:00Z'))).toMatchObject({ months: 119, years: 9 });
    // 23:30 UTC on the 9th is already the 10th in Paris: a birthday.
    expect(ageAt('2016-05-10', at('2026-05-09T23:30:00Z'))).toMatchObject({ months: 120, years: 10 });
  });

  it('places a value against a target range', () => {
    expect(againstTarget(6.5, { low: null, high: 7 })).toBe('within');
    expect(againstTarget(7.2, { low: null, high: 7 })).toBe('above');
    expect(againstTarget(5.9, { low: 6, high: 7 })).toBe('below');
    expect(againstTarget(7, { low: 6, high: 7 })).toBe('within');
  });
});

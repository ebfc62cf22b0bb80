/**
 * Pure computations over measures: statistics of a series, BMI and its WHO class, the age at
 * a measure (growth curves), a value against the patient's target.
 */
import { roundTo } from './measures-units.ts';

export interface Point {
  at: Date;
  value: number;
}

export interface SeriesStats {
  count: number;
  /** The most recent value (by time of measure). */
  last: number | null;
  lastAt: string | null;
  min: number | null;
  max: number | null;
  mean: number | null;
}

/** Count, last, min, max and mean of a series; the mean keeps one more decimal than the values. */
export function seriesStats(points: readonly Point[], decimals: number): SeriesStats {
  if (points.length === 0) return { count: 0, last: null, lastAt: null, min: null, max: null, mean: null };
  let last = points[0] as Point;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const p of points) {
    if (p.at.getTime() > last.at.getTime()) last = p;
    min = Math.min(min, p.value);
    max = Math.max(max, p.value);
    sum += p.value;
  }
  return { count: points.length, last: last.value, lastAt: last.at.toISOString(), min, max, mean: roundTo(sum / points.length, decimals + 1) };
}

/** Body mass index, kg/m², one decimal. */
export function bmiOf(weightKg: number, heightM: number): number {
  return roundTo(weightKg / (heightM * heightM), 1);
}

/** WHO classes of BMI for adults (WHO, "A healthy lifestyle - WHO recommendations"). */
export const WHO_BMI_CLASSES = ['underweight', 'normal', 'pre_obesity', 'obesity_class_1', 'obesity_class_2', 'obesity_class_3'] as const;
export type WhoBmiClass = (typeof WHO_BMI_CLASSES)[number];

export function whoBmiClass(bmi: number): WhoBmiClass {
  if (bmi < 18.5) return 'underweight';
  if (bmi < 25) return 'normal';
  if (bmi < 30) return 'pre_obesity';
  if (bmi < 35) return 'obesity_class_1';
  if (bmi < 40) return 'obesity_class_2';
  return 'obesity_class_3';
}

export const WHO_BMI_LABELS: Readonly<Record<WhoBmiClass, string>> = {
  underweight: 'Underweight (below 18.5)',
  normal: 'Normal weight (18.5-24.9)',
  pre_obesity: 'Pre-obesity (25-29.9)',
  obesity_class_1: 'Obesity class I (30-34.9)',
  obesity_class_2: 'Obesity class II (35-39.9)',
  obesity_class_3: 'Obesity class III (40 and above)',
};

/** The calendar date of an instant in Paris (the calendar patients live in). */
export const parisDate = (at: Date): string => at.toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });

export interface Age {
  /** Whole days since birth. */
  days: number;
  /** Completed months. */
  months: number;
  /** Completed years. */
  years: number;
}

/** Age at an instant, from a birth date YYYY-MM-DD, on the Paris calendar. */
export function ageAt(birthDate: string, at: Date): Age {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = parisDate(at).split('-').map(Number) as [number, number, number];
  const days = Math.round((Date.UTC(y, m - 1, d) - Date.UTC(by, bm - 1, bd)) / 86_400_000);
  let months = (y - by) * 12 + (m - bm);
  if (d < bd) months -= 1;
  return { days, months, years: Math.floor(months / 12) };
}

export const ADULT_YEARS = 18;

/** A BMI for each weight: with the last height measured at or before it; for an adult, else the first one after (adult heights hold). */
export function bmiSeries<W extends Point, H extends Point>(weights: readonly W[], heights: readonly H[], adultAt: (at: Date) => boolean): { weight: W; height: H; bmi: number }[] {
  const hs = [...heights].sort((a, b) => a.at.getTime() - b.at.getTime());
  const out: { weight: W; height: H; bmi: number }[] = [];
  for (const w of weights) {
    let h: H | undefined;
    for (const c of hs) {
      if (c.at.getTime() <= w.at.getTime()) h = c;
      else break;
    }
    if (h === undefined && adultAt(w.at)) h = hs.find((c) => adultAt(c.at));
    if (h !== undefined) out.push({ weight: w, height: h, bmi: bmiOf(w.value, h.value) });
  }
  return out;
}

export interface TargetRange {
  low: number | null;
  high: number;
}
export type TargetPosition = 'below' | 'within' | 'above';

export function againstTarget(value: number, t: TargetRange): TargetPosition {
  if (t.low !== null && value < t.low) return 'below';
  return value > t.high ? 'above' : 'within';
}

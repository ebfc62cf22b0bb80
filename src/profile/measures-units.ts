/**
 * Pure checks and conversions of entered values: unit to the kept unit, rounding, the
 * physiological range, whole numbers, and the blood pressure pair. Each refusal says which
 * field is wrong and what the person should do.
 */
import type { InputUnit, MeasureDefinition } from './measures-catalogue.ts';

/** Rounds half away from zero at `decimals`, in decimal (1.005 -> 1.01, not 1.00 as with ×100). */
export function roundTo(value: number, decimals: number): number {
  const sign = value < 0 ? -1 : 1;
  const r = Number(`${Math.round(Number(`${Math.abs(value)}e${decimals}`))}e-${decimals}`);
  return sign * r || 0;
}

/** A number as people write it: no trailing zeros, at most 3 decimals. */
export const fmt = (n: number): string => String(roundTo(n, 3));

export function inputUnitOf(def: MeasureDefinition, code: string): InputUnit | null {
  return def.inputUnits.find((u) => u.code === code) ?? null;
}

/** Entered value in `unit` to the kept unit (exact, not rounded). */
export const toKept = (unit: InputUnit, entered: number): number => entered * unit.factor + unit.offset;
/** Kept value to `unit` (exact). */
export const fromKept = (unit: InputUnit, kept: number): number => (kept - unit.offset) / unit.factor;

export interface Refusal {
  field: string;
  reason: string;
}
export type Checked<T> = { ok: T } | { refused: Refusal };

const unitList = (def: MeasureDefinition): string => def.inputUnits.map((u) => (u.symbol === u.code ? u.code : `${u.code} (${u.symbol})`)).join(', ');

/** The unit code sent (or the kept unit when none was), if it is one this type accepts. */
export function checkUnit(def: MeasureDefinition, code: string | undefined, field: string): Checked<InputUnit> {
  const first = def.inputUnits[0];
  if (first === undefined) return { refused: { field, reason: `${def.label} is not entered: it is computed` } };
  if (code === undefined) return { ok: first };
  const u = inputUnitOf(def, code);
  return u === null ? { refused: { field, reason: `"${code}" is not a unit for ${def.noun}: use ${unitList(def)}` } } : { ok: u };
}

/** One entered value: converted, rounded, then checked against the possible range. */
export function checkValue(def: MeasureDefinition, unit: InputUnit, entered: number, field: string, range: readonly [number, number] = def.range, noun = def.noun): Checked<number> {
  if (!Number.isFinite(entered)) return { refused: { field, reason: 'must be a number' } };
  if (def.integer && !Number.isInteger(entered)) {
    return { refused: { field, reason: `${fmt(entered)} is not a whole number: ${noun} takes whole numbers (${fmt(range[0])}-${fmt(range[1])} ${def.symbol})` } };
  }
  const kept = roundTo(toKept(unit, entered), def.decimals);
  const [lo, hi] = range;
  if (kept < lo || kept > hi) {
    const shown = unit.code === def.unit ? `${fmt(entered)} ${def.symbol}` : `${fmt(entered)} ${unit.symbol} (${fmt(kept)} ${def.symbol})`;
    return { refused: { field, reason: `${shown} is outside the possible range for ${noun} (${fmt(lo)}-${fmt(hi)} ${def.symbol}); check the value and the unit` } };
  }
  return { ok: kept };
}

/** A blood pressure: both values in range, the systolic above the diastolic. */
export function checkPair(def: MeasureDefinition, unit: InputUnit, systolic: number, diastolic: number, fields: { systolic: string; diastolic: string }): Checked<[number, number]> {
  const s = checkValue(def, unit, systolic, fields.systolic, def.range, 'a systolic pressure');
  if ('refused' in s) return s;
  const d = checkValue(def, unit, diastolic, fields.diastolic, def.range2 ?? def.range, 'a diastolic pressure');
  if ('refused' in d) return d;
  if (s.ok <= d.ok) {
    return { refused: { field: fields.systolic, reason: `the systolic pressure (${fmt(s.ok)} ${def.symbol}) must be higher than the diastolic one (${fmt(d.ok)} ${def.symbol}); check they are not swapped` } };
  }
  return { ok: [s.ok, d.ok] };
}

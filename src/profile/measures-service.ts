/**
 * Use cases of measures (RULES §7), for the patient's side (holder, legal representative of a
 * minor, accepted aidant). Each reaches the record through withRecordAccess (resource kind
 * `profile`: decide() keeps it from professionals), so each is decided and traced once, in the
 * transaction that reads or writes. Input is checked before (pure: nothing to trace) or, for
 * what depends on the space (date of birth), inside: a refusal then rolls everything back.
 */
import { AppError } from '../platform/errors.ts';
import { withRecordAccess } from '../records/index.ts';
import type { RecordAccessContext, RecordCaller } from '../records/index.ts';
import { MEASURE_CATALOGUE, MEASURE_TYPES, isMeasureType } from './measures-catalogue.ts';
import type { MeasureDefinition, MeasureType } from './measures-catalogue.ts';
import { checkPair, checkUnit, checkValue, fmt } from './measures-units.ts';
import type { Checked, Refusal } from './measures-units.ts';
import { ADULT_YEARS, againstTarget, ageAt, bmiSeries, parisDate, seriesStats, whoBmiClass, WHO_BMI_LABELS } from './measures-statistics.ts';
import type { Age, SeriesStats, TargetPosition, WhoBmiClass } from './measures-statistics.ts';
import * as store from './measures-store.ts';
import type { MeasureAuthor, MeasureRecord, MeasureTarget, MeasuresSummary, Period } from './measures-store.ts';
import type { ProfileDeps } from './profile-crypto.ts';

/** A measure may be dated a little ahead of the server's clock (a phone's clock runs fast). */
export const CLOCK_SKEW_MS = 5 * 60_000;

const refused = (r: Refusal): AppError => new AppError('validation_failed', `${r.reason.charAt(0).toUpperCase()}${r.reason.slice(1)}.`, { details: [{ field: r.field, reason: r.reason }] });
const unwrap = <T>(c: Checked<T>): T => {
  if ('refused' in c) throw refused(c.refused);
  return c.ok;
};
const notFound = (what = 'measure'): AppError => new AppError('not_found', `No such ${what} in this space.`);

// ---------------------------------------------------------------------------------------
// Input

export interface MeasureInput {
  value?: number | undefined;
  systolic?: number | undefined;
  diastolic?: number | undefined;
  unit?: string | undefined;
  /** ISO 8601 date-time; default: now. */
  effectiveAt?: string | undefined;
}

/** A value ready to store, in the kept unit. */
interface CheckedMeasure {
  value: number;
  value2: number | null;
  enteredValue: number;
  enteredUnit: string;
  effectiveAt: Date | null;
}

export function checkType(type: string, field = 'body.type'): MeasureType {
  if (!isMeasureType(type)) throw refused({ field, reason: `"${type}" is not a type of measure: use one of ${MEASURE_TYPES.join(', ')}` });
  return type;
}

/** Shape, unit, range and pair of an entered value (pure: no date-of-birth check yet). */
export function checkMeasureInput(def: MeasureDefinition, input: MeasureInput): CheckedMeasure {
  const effectiveAt = input.effectiveAt === undefined ? null : new Date(input.effectiveAt);
  if (effectiveAt !== null && Number.isNaN(effectiveAt.getTime())) throw refused({ field: 'body.effectiveAt', reason: 'must be a date and time, e.g. 2026-01-15T08:30:00+01:00' });
  switch (def.entry) {
    case 'computed':
      throw refused({ field: 'body.type', reason: `${def.label} is computed from your last weight and height, never entered: enter those instead` });
    case 'pair': {
      if (input.value !== undefined) throw refused({ field: 'body.value', reason: `is not used for ${def.noun}: send systolic and diastolic` });
      if (input.systolic === undefined) throw refused({ field: 'body.systolic', reason: 'is required: a blood pressure is entered as a pair, systolic and diastolic' });
      if (input.diastolic === undefined) throw refused({ field: 'body.diastolic', reason: 'is required: a blood pressure is entered as a pair, systolic and diastolic' });
      const unit = unwrap(checkUnit(def, input.unit, 'body.unit'));
      const [s, d] = unwrap(checkPair(def, unit, input.systolic, input.diastolic, { systolic: 'body.systolic', diastolic: 'body.diastolic' }));
      return { value: s, value2: d, enteredValue: input.systolic, enteredUnit: unit.code, effectiveAt };
    }
    case 'value': {
      for (const f of ['systolic', 'diastolic'] as const) if (input[f] !== undefined) throw refused({ field: `body.${f}`, reason: `is only for a blood pressure: send value for ${def.noun}` });
      if (input.value === undefined) throw refused({ field: 'body.value', reason: `is required (${def.noun} in ${def.inputUnits.map((u) => u.symbol).join(', ')})` });
      const unit = unwrap(checkUnit(def, input.unit, 'body.unit'));
      return { value: unwrap(checkValue(def, unit, input.value, 'body.value')), value2: null, enteredValue: input.value, enteredUnit: unit.code, effectiveAt };
    }
  }
}

/** Not in the future (beyond a few minutes of clock skew), not before birth. */
function checkWhen(at: Date, now: Date, birthDate: string): Date {
  if (at.getTime() > now.getTime() + CLOCK_SKEW_MS) throw refused({ field: 'body.effectiveAt', reason: `is in the future (${at.toISOString()}): give the date and time the measure was taken` });
  if (parisDate(at) < birthDate) throw refused({ field: 'body.effectiveAt', reason: `is before the date of birth (${birthDate}): check the date` });
  return at;
}

async function birthDate(ctx: RecordAccessContext): Promise<string> {
  const b = await store.birthDateOf(ctx.q, ctx.patientId);
  if (b === null) throw notFound('space');
  return b;
}

/** Who acts, as a measure's author (the patient's side only: decide() lets no one else write). */
function authorOf(ctx: RecordAccessContext): MeasureAuthor {
  const a = ctx.caller.author;
  switch (a.kind) {
    case 'patient':
    case 'representative':
    case 'aidant':
      return { kind: a.kind, id: a.id, name: a.name, appId: null };
    case 'professional':
    case 'insurer':
      throw new AppError('not_found', 'No such space, or you have no access to it.');
  }
}

// ---------------------------------------------------------------------------------------
// Views

export interface MeasureView {
  measureId: string;
  type: MeasureType;
  effectiveAt: string;
  /** In `unit`; absent for a blood pressure. */
  value?: number;
  systolic?: number;
  diastolic?: number;
  unit: string;
  symbol: string;
  /** What the person typed. */
  entered: { value: number; unit: string };
  author: MeasureAuthor;
  enteredAt: string;
  updatedAt: string | null;
  updatedBy: MeasureAuthor | null;
  /** Growth measures: age at the measure. */
  age?: Age;
  /** HbA1c with a target: where the value stands. */
  target?: TargetPosition;
}

export function viewOf(m: MeasureRecord, birth: string | null, target: MeasureTarget | null): MeasureView {
  const def = MEASURE_CATALOGUE[m.type];
  return {
    measureId: m.measureId,
    type: m.type,
    effectiveAt: m.effectiveAt.toISOString(),
    ...(def.entry === 'pair' ? { systolic: m.value, diastolic: m.value2 ?? 0 } : { value: m.value }),
    unit: def.unit,
    symbol: def.symbol,
    entered: { value: m.enteredValue, unit: m.enteredUnit },
    author: m.author,
    enteredAt: m.enteredAt.toISOString(),
    updatedAt: m.updatedAt?.toISOString() ?? null,
    updatedBy: m.updatedBy,
    ...(def.growth && birth !== null ? { age: ageAt(birth, m.effectiveAt) } : {}),
    ...(target !== null ? { target: againstTarget(m.value, target) } : {}),
  };
}

const targetOf = (targets: readonly MeasureTarget[], type: MeasureType): MeasureTarget | null => targets.find((t) => t.type === type) ?? null;
const target = (type: MeasureType) => `Observation/${type}`;

// ---------------------------------------------------------------------------------------
// Writes

export async function addMeasure(deps: ProfileDeps, caller: RecordCaller, patientId: string, type: string, input: MeasureInput): Promise<MeasureView> {
  const def = MEASURE_CATALOGUE[checkType(type)];
  const checked = checkMeasureInput(def, input);
  const measureId = deps.random.uuid();
  const answer = await withRecordAccess(deps, caller, patientId, { action: 'create', kind: 'profile', traceAction: 'measure_added', target: `Observation/${measureId}` }, async (ctx) => {
    const birth = await birthDate(ctx);
    const effectiveAt = checkWhen(checked.effectiveAt ?? ctx.now, ctx.now, birth);
    const m: MeasureRecord = {
      patientId,
      measureId,
      type: def.type,
      effectiveAt,
      value: checked.value,
      value2: checked.value2,
      enteredValue: checked.enteredValue,
      enteredUnit: checked.enteredUnit,
      author: authorOf(ctx),
      enteredAt: ctx.now,
      updatedAt: null,
      updatedBy: null,
    };
    await store.insertMeasure(ctx.q, deps.sealer, m);
    const t = def.target ? targetOf(await store.readTargets(ctx.q, patientId, deps.sealer), def.type) : null;
    return { value: viewOf(m, birth, t), detail: { type: def.type } };
  });
  return answer.value;
}

export async function updateMeasure(deps: ProfileDeps, caller: RecordCaller, patientId: string, measureId: string, input: MeasureInput): Promise<MeasureView> {
  const answer = await withRecordAccess(deps, caller, patientId, { action: 'update', kind: 'profile', traceAction: 'measure_updated', target: `Observation/${measureId}` }, async (ctx) => {
    const before = await store.findMeasure(ctx.q, patientId, deps.sealer, measureId);
    if (before === null) throw notFound();
    const def = MEASURE_CATALOGUE[before.type];
    const checked = checkMeasureInput(def, input);
    const birth = await birthDate(ctx);
    const effectiveAt = checked.effectiveAt === null ? before.effectiveAt : checkWhen(checked.effectiveAt, ctx.now, birth);
    const after = await store.updateMeasure(ctx.q, patientId, deps.sealer, measureId, { ...checked, type: before.type, effectiveAt, at: ctx.now, by: authorOf(ctx) });
    if (after === null) throw notFound();
    const t = def.target ? targetOf(await store.readTargets(ctx.q, patientId, deps.sealer), def.type) : null;
    return { value: viewOf(after, birth, t), detail: { type: def.type } };
  });
  return answer.value;
}

export async function deleteMeasure(deps: ProfileDeps, caller: RecordCaller, patientId: string, measureId: string): Promise<{ deleted: true; measureId: string }> {
  const answer = await withRecordAccess(deps, caller, patientId, { action: 'delete', kind: 'profile', traceAction: 'measure_deleted', target: `Observation/${measureId}` }, async (ctx) => {
    const gone = await store.deleteMeasure(ctx.q, patientId, measureId);
    if (gone === null) throw notFound();
    return { value: { deleted: true as const, measureId }, detail: { type: gone.type } };
  });
  return answer.value;
}

export interface TargetInput {
  low?: number | null | undefined;
  high: number;
}

export async function setTarget(deps: ProfileDeps, caller: RecordCaller, patientId: string, type: string, input: TargetInput): Promise<MeasureTarget> {
  const def = MEASURE_CATALOGUE[checkType(type, 'params.type')];
  if (!def.target) throw refused({ field: 'params.type', reason: `no target can be set for ${def.noun} (only for ${Object.values(MEASURE_CATALOGUE).filter((d) => d.target).map((d) => d.type).join(', ')})` });
  const unit = unwrap(checkUnit(def, undefined, 'body.unit'));
  const high = unwrap(checkValue(def, unit, input.high, 'body.high'));
  const low = input.low === undefined || input.low === null ? null : unwrap(checkValue(def, unit, input.low, 'body.low'));
  if (low !== null && low >= high) throw refused({ field: 'body.low', reason: `the low end of the target (${fmt(low)} ${def.symbol}) must be below its high end (${fmt(high)} ${def.symbol})` });
  const answer = await withRecordAccess(deps, caller, patientId, { action: 'update', kind: 'profile', traceAction: 'measure_target_set', target: target(def.type) }, async (ctx) => {
    const by = authorOf(ctx);
    await store.upsertTarget(ctx.q, patientId, deps.sealer, { type: def.type, low, high, at: ctx.now, by });
    const t = targetOf(await store.readTargets(ctx.q, patientId, deps.sealer), def.type);
    if (t === null) throw new Error('target not stored');
    return { value: t, detail: { type: def.type } };
  });
  return answer.value;
}

export async function removeTarget(deps: ProfileDeps, caller: RecordCaller, patientId: string, type: string): Promise<{ removed: boolean }> {
  const def = MEASURE_CATALOGUE[checkType(type, 'params.type')];
  const answer = await withRecordAccess(deps, caller, patientId, { action: 'update', kind: 'profile', traceAction: 'measure_target_removed', target: target(def.type) }, async (ctx) => {
    const removed = await store.deleteTarget(ctx.q, patientId, def.type);
    return { value: { removed }, detail: { type: def.type, removed } };
  });
  return answer.value;
}

// ---------------------------------------------------------------------------------------
// Reads

export interface BmiView {
  value: number;
  effectiveAt: string;
  /** WHO class for an adult at that time; null for a child (read on the BMI-for-age curves). */
  whoClass: WhoBmiClass | null;
  whoLabel: string | null;
  weightId: string;
  heightId: string;
}

function bmiView(bmi: number, at: Date, birth: string, weightId: string, heightId: string): BmiView {
  const adult = ageAt(birth, at).years >= ADULT_YEARS;
  const cls = adult ? whoBmiClass(bmi) : null;
  return { value: bmi, effectiveAt: at.toISOString(), whoClass: cls, whoLabel: cls === null ? null : WHO_BMI_LABELS[cls], weightId, heightId };
}

export interface MeasuresOverview extends MeasuresSummary {
  patientId: string;
  /** The BMI from the last weight and the last height. */
  bmi: BmiView | null;
}

export async function readOverview(deps: ProfileDeps, caller: RecordCaller, patientId: string): Promise<MeasuresOverview> {
  const answer = await withRecordAccess(deps, caller, patientId, { action: 'list', kind: 'profile', traceAction: 'measures_read', target: 'Observation' }, async (ctx) => {
    const summary = await store.readMeasuresSummary(ctx.q, patientId, deps.sealer);
    const birth = await birthDate(ctx);
    const last = await store.lastOfEachType(ctx.q, patientId, deps.sealer);
    const w = last.find((m) => m.type === 'weight');
    const h = last.find((m) => m.type === 'height');
    const bmiItem = summary.items.find((i) => i.type === 'bmi');
    const bmi = w !== undefined && h !== undefined && bmiItem?.value !== undefined ? bmiView(bmiItem.value, new Date(bmiItem.effectiveAt), birth, w.measureId, h.measureId) : null;
    return { value: { patientId, ...summary, bmi } };
  });
  return answer.value;
}

export interface SeriesView {
  patientId: string;
  type: MeasureType;
  label: string;
  loinc: string;
  unit: string;
  symbol: string;
  period: { from: string | null; to: string | null };
  /** Newest first. */
  values: MeasureView[];
  /** Blood pressure: stats of the systolic values; see `diastolicStats`. */
  stats: SeriesStats;
  diastolicStats?: SeriesStats;
  target?: MeasureTarget | null;
  /** BMI series: one per weight, with the height it was computed with. */
  bmi?: BmiView[];
}

function checkPeriod(period: { from?: string | undefined; to?: string | undefined }): Period {
  const parse = (field: string, v: string | undefined, endOfDay: boolean): Date | undefined => {
    if (v === undefined) return undefined;
    // A date alone is a whole day (to: up to the end of that day), in UTC.
    const d = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : new Date(v);
    if (Number.isNaN(d.getTime())) throw refused({ field, reason: 'must be a date (YYYY-MM-DD) or a date and time' });
    return endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(d.getTime() + 86_400_000) : d;
  };
  const from = parse('querystring.from', period.from, false);
  const to = parse('querystring.to', period.to, true);
  if (from !== undefined && to !== undefined && from.getTime() >= to.getTime()) throw refused({ field: 'querystring.to', reason: 'must be after from' });
  return { from, to };
}

export async function readSeries(deps: ProfileDeps, caller: RecordCaller, patientId: string, type: string, query: { from?: string | undefined; to?: string | undefined }): Promise<SeriesView> {
  const def = MEASURE_CATALOGUE[checkType(type, 'params.type')];
  const period = checkPeriod(query);
  const answer = await withRecordAccess<SeriesView>(deps, caller, patientId, { action: 'list', kind: 'profile', traceAction: 'measure_series_read', target: target(def.type) }, async (ctx) => {
    const birth = await birthDate(ctx);
    const base: Omit<SeriesView, 'values' | 'stats'> = {
      patientId,
      type: def.type,
      label: def.label,
      loinc: def.loinc,
      unit: def.unit,
      symbol: def.symbol,
      period: { from: period.from?.toISOString() ?? null, to: period.to?.toISOString() ?? null },
    };
    if (def.entry === 'computed') {
      const weights = await store.listMeasures(ctx.q, patientId, deps.sealer, ['weight'], period);
      const heights = await store.listMeasures(ctx.q, patientId, deps.sealer, ['height']);
      const adultAt = (at: Date) => ageAt(birth, at).years >= ADULT_YEARS;
      const pairs = bmiSeries(
        weights.map((w) => ({ ...w, at: w.effectiveAt })),
        heights.map((h) => ({ ...h, at: h.effectiveAt })),
        adultAt,
      );
      const bmi = pairs.map((p) => bmiView(p.bmi, p.weight.effectiveAt, birth, p.weight.measureId, p.height.measureId));
      const stats = seriesStats(pairs.map((p) => ({ at: p.weight.effectiveAt, value: p.bmi })), def.decimals);
      return { value: { ...base, values: [], stats, bmi }, detail: { type: def.type, count: bmi.length } };
    }
    const rows = await store.listMeasures(ctx.q, patientId, deps.sealer, [def.type], period);
    const t = def.target ? targetOf(await store.readTargets(ctx.q, patientId, deps.sealer), def.type) : null;
    const stats = seriesStats(rows.map((m) => ({ at: m.effectiveAt, value: m.value })), def.decimals);
    const diastolic = def.entry === 'pair' ? { diastolicStats: seriesStats(rows.map((m) => ({ at: m.effectiveAt, value: m.value2 ?? 0 })), def.decimals) } : {};
    return {
      value: { ...base, values: rows.map((m) => viewOf(m, birth, t)), stats, ...diastolic, ...(def.target ? { target: t } : {}) },
      detail: { type: def.type, count: rows.length },
    };
  });
  return answer.value;
}

export interface GrowthPoint {
  measureId: string;
  effectiveAt: string;
  age: Age;
  value: number;
}

export interface GrowthView {
  patientId: string;
  birthDate: string;
  sex: string;
  /** Measures taken before 18, oldest first, in the kept units (kg, m, cm; BMI kg/m²). */
  weight: GrowthPoint[];
  height: GrowthPoint[];
  headCircumference: GrowthPoint[];
  bmi: GrowthPoint[];
}

/** The data of a child's growth curves: height, weight, head circumference and BMI with the age at each measure. */
export async function readGrowth(deps: ProfileDeps, caller: RecordCaller, patientId: string): Promise<GrowthView> {
  const answer = await withRecordAccess(deps, caller, patientId, { action: 'list', kind: 'profile', traceAction: 'growth_curves_read', target: 'Observation' }, async (ctx) => {
    const birth = await birthDate(ctx);
    const sexRow = await ctx.q.query<{ sex: string }>('SELECT sex FROM patients WHERE patient_id = $1', [patientId]);
    const rows = await store.listMeasures(ctx.q, patientId, deps.sealer, ['weight', 'height', 'head_circumference']);
    const child = rows.filter((m) => ageAt(birth, m.effectiveAt).years < ADULT_YEARS).reverse();
    const point = (m: { measureId: string; effectiveAt: Date; value: number }): GrowthPoint => ({ measureId: m.measureId, effectiveAt: m.effectiveAt.toISOString(), age: ageAt(birth, m.effectiveAt), value: m.value });
    const of = (type: MeasureType) => child.filter((m) => m.type === type);
    const bmi = bmiSeries(
      of('weight').map((w) => ({ ...w, at: w.effectiveAt })),
      of('height').map((h) => ({ ...h, at: h.effectiveAt })),
      () => false,
    ).map((p) => point({ measureId: p.weight.measureId, effectiveAt: p.weight.effectiveAt, value: p.bmi }));
    return {
      value: { patientId, birthDate: birth, sex: sexRow[0]?.sex ?? 'U', weight: of('weight').map(point), height: of('height').map(point), headCircumference: of('head_circumference').map(point), bmi },
      detail: { count: child.length },
    };
  });
  return answer.value;
}

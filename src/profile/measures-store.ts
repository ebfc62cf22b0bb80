/**
 * The SQL of measures (tables measures and measure_targets, migration 012). No access check
 * here: callers go through withRecordAccess (measures-service.ts), except readMeasuresSummary,
 * whose caller (the profile synthesis) has decided already. Every query filters on patient_id;
 * series hit the index (patient_id, type, effective_at).
 *
 * The values (kept and entered) and the targets are sealed (Invariant 4) under the patient's
 * data key, bound to the table, the patient and the row (a measure's seal to its type too):
 * SQL finds and orders rows by their clear columns, the values are opened here, and every
 * statistic is computed in code from the opened values (measures-statistics.ts).
 */
import type { Queryable, SqlParam } from '../storage/index.ts';
import type { PatientRecordSealer, RecordSealer } from './profile-crypto.ts';
import { MEASURE_CATALOGUE, isMeasureType } from './measures-catalogue.ts';
import type { MeasureType } from './measures-catalogue.ts';
import { ADULT_YEARS, ageAt, bmiOf, whoBmiClass } from './measures-statistics.ts';
import type { WhoBmiClass } from './measures-statistics.ts';

export type PatientSideAuthorKind = 'patient' | 'representative' | 'aidant';

export interface MeasureAuthor {
  kind: PatientSideAuthorKind;
  id: string;
  name: string | null;
  /** The connected app that sent the value on the author's behalf, if any. */
  appId: string | null;
}

export interface MeasureRecord {
  patientId: string;
  measureId: string;
  type: MeasureType;
  effectiveAt: Date;
  /** Kept unit; blood pressure: systolic. */
  value: number;
  /** Blood pressure: diastolic. */
  value2: number | null;
  enteredValue: number;
  enteredUnit: string;
  author: MeasureAuthor;
  enteredAt: Date;
  updatedAt: Date | null;
  updatedBy: MeasureAuthor | null;
}

interface MeasureRow {
  patient_id: string;
  measure_id: string;
  type: string;
  effective_at: Date | string;
  sealed: unknown;
  author_kind: PatientSideAuthorKind;
  author_id: string;
  author_name: string | null;
  app_id: string | null;
  entered_at: Date | string;
  updated_at: Date | string | null;
  updated_by_kind: PatientSideAuthorKind | null;
  updated_by_id: string | null;
  updated_by_name: string | null;
  updated_by_app: string | null;
}

const date = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
const COLUMNS =
  'patient_id, measure_id, type, effective_at, sealed, author_kind, author_id, author_name, app_id, entered_at, updated_at, updated_by_kind, updated_by_id, updated_by_name, updated_by_app';

const MEASURES = 'measures';
const TARGETS = 'measure_targets';
// A measure's seal is bound to its type as well as its id: relabelled (a weight as a height), it does not open.
const measureRow = (type: string, measureId: string) => `${type}/${measureId}`;

/** What is sealed of a measure. */
interface SealedValues {
  value: number;
  value2: number | null;
  enteredValue: number;
  enteredUnit: string;
}

function recordOf(s: PatientRecordSealer, r: MeasureRow): MeasureRecord {
  if (!isMeasureType(r.type)) throw new Error(`measure ${r.measure_id} has an unknown type ${r.type}`);
  const v = s.open<SealedValues>(MEASURES, measureRow(r.type, r.measure_id), r.sealed);
  return {
    patientId: r.patient_id,
    measureId: r.measure_id,
    type: r.type,
    effectiveAt: date(r.effective_at),
    value: Number(v.value),
    value2: v.value2 === null ? null : Number(v.value2),
    enteredValue: Number(v.enteredValue),
    enteredUnit: v.enteredUnit,
    author: { kind: r.author_kind, id: r.author_id, name: r.author_name, appId: r.app_id },
    enteredAt: date(r.entered_at),
    updatedAt: r.updated_at === null ? null : date(r.updated_at),
    updatedBy: r.updated_by_kind === null || r.updated_by_id === null ? null : { kind: r.updated_by_kind, id: r.updated_by_id, name: r.updated_by_name, appId: r.updated_by_app },
  };
}

/** Opens the rows' values (the data key is fetched only when there is something to open). */
async function recordsOf(q: Queryable, patientId: string, sealer: RecordSealer, rows: readonly MeasureRow[]): Promise<MeasureRecord[]> {
  if (rows.length === 0) return [];
  const s = await sealer.forPatient(q, patientId);
  return rows.map((r) => recordOf(s, r));
}

const sealedValues = (s: PatientRecordSealer, type: MeasureType, measureId: string, v: SealedValues): Buffer =>
  s.seal(MEASURES, measureRow(type, measureId), { value: v.value, value2: v.value2, enteredValue: v.enteredValue, enteredUnit: v.enteredUnit } satisfies SealedValues);

export async function insertMeasure(q: Queryable, sealer: RecordSealer, m: MeasureRecord): Promise<void> {
  const sealed = sealedValues(await sealer.forPatient(q, m.patientId), m.type, m.measureId, m);
  await q.query(
    `INSERT INTO measures (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL, NULL, NULL, NULL)`,
    [m.patientId, m.measureId, m.type, m.effectiveAt, sealed, m.author.kind, m.author.id, m.author.name, m.author.appId, m.enteredAt],
  );
}

export interface MeasureChange {
  /** The measure's type, which a change keeps (its seal is bound to it). */
  type: MeasureType;
  effectiveAt: Date;
  value: number;
  value2: number | null;
  enteredValue: number;
  enteredUnit: string;
  at: Date;
  by: MeasureAuthor;
}

export async function updateMeasure(q: Queryable, patientId: string, sealer: RecordSealer, measureId: string, c: MeasureChange): Promise<MeasureRecord | null> {
  const s = await sealer.forPatient(q, patientId);
  const rows = await q.query<MeasureRow>(
    `UPDATE measures SET effective_at = $4, sealed = $5, updated_at = $6, updated_by_kind = $7, updated_by_id = $8, updated_by_name = $9, updated_by_app = $10
     WHERE patient_id = $1 AND measure_id = $2 AND type = $3 RETURNING ${COLUMNS}`,
    [patientId, measureId, c.type, c.effectiveAt, sealedValues(s, c.type, measureId, c), c.at, c.by.kind, c.by.id, c.by.name, c.by.appId],
  );
  return rows[0] === undefined ? null : recordOf(s, rows[0]);
}

/** Deletes a measure; its type (for the trace), or null when there was none. Nothing is opened. */
export async function deleteMeasure(q: Queryable, patientId: string, measureId: string): Promise<{ type: string } | null> {
  const rows = await q.query<{ type: string }>('DELETE FROM measures WHERE patient_id = $1 AND measure_id = $2 RETURNING type', [patientId, measureId]);
  return rows[0] ?? null;
}

export async function findMeasure(q: Queryable, patientId: string, sealer: RecordSealer, measureId: string): Promise<MeasureRecord | null> {
  const rows = await q.query<MeasureRow>(`SELECT ${COLUMNS} FROM measures WHERE patient_id = $1 AND measure_id = $2`, [patientId, measureId]);
  return (await recordsOf(q, patientId, sealer, rows))[0] ?? null;
}

/** An instant range [from, to) or one of its ends. */
export interface Period {
  from?: Date | undefined;
  to?: Date | undefined;
}

/** Values of these types, newest first (ties by id, for stable paging). `extra`: more SQL conditions on the clear columns (effective_at). */
export async function listMeasures(
  q: Queryable,
  patientId: string,
  sealer: RecordSealer,
  types: readonly MeasureType[],
  period: Period = {},
  extra?: (add: (v: SqlParam) => string) => string[],
): Promise<MeasureRecord[]> {
  if (types.length === 0) return [];
  // One type (a chart): an equality, so the planner walks measures_series in order.
  const params: SqlParam[] = [patientId, types.length === 1 ? (types[0] as string) : [...types]];
  const add = (v: SqlParam): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = ['patient_id = $1', types.length === 1 ? 'type = $2' : 'type = ANY($2::text[])'];
  if (period.from !== undefined) where.push(`effective_at >= ${add(period.from)}`);
  if (period.to !== undefined) where.push(`effective_at < ${add(period.to)}`);
  if (extra) where.push(...extra(add));
  const rows = await q.query<MeasureRow>(`SELECT ${COLUMNS} FROM measures WHERE ${where.join(' AND ')} ORDER BY effective_at DESC, measure_id DESC`, params);
  return recordsOf(q, patientId, sealer, rows);
}

/** The last value of each type (one index descent per type). */
export async function lastOfEachType(q: Queryable, patientId: string, sealer: RecordSealer): Promise<MeasureRecord[]> {
  const rows = await q.query<MeasureRow>(
    `SELECT DISTINCT ON (type) ${COLUMNS} FROM measures WHERE patient_id = $1 ORDER BY type, effective_at DESC, measure_id DESC`,
    [patientId],
  );
  return recordsOf(q, patientId, sealer, rows);
}

export async function birthDateOf(q: Queryable, patientId: string): Promise<string | null> {
  const rows = await q.query<{ birth_date: string | Date }>('SELECT birth_date FROM patients WHERE patient_id = $1', [patientId]);
  const b = rows[0]?.birth_date;
  return b === undefined ? null : b instanceof Date ? b.toISOString().slice(0, 10) : b;
}

// ---------------------------------------------------------------------------------------
// Targets (HbA1c)

export interface MeasureTarget {
  type: MeasureType;
  low: number | null;
  high: number;
  setAt: string;
  setBy: { kind: PatientSideAuthorKind; id: string; name: string | null };
}

interface TargetRow {
  type: string;
  sealed: unknown;
  set_at: Date | string;
  author_kind: PatientSideAuthorKind;
  author_id: string;
  author_name: string | null;
}

export async function readTargets(q: Queryable, patientId: string, sealer: RecordSealer): Promise<MeasureTarget[]> {
  const rows = (await q.query<TargetRow>('SELECT type, sealed, set_at, author_kind, author_id, author_name FROM measure_targets WHERE patient_id = $1 ORDER BY type', [patientId])).filter((r) =>
    isMeasureType(r.type),
  );
  if (rows.length === 0) return [];
  const s = await sealer.forPatient(q, patientId);
  return rows.map((r) => {
    const v = s.open<{ low: number | null; high: number }>(TARGETS, r.type, r.sealed);
    return { type: r.type as MeasureType, low: v.low === null ? null : Number(v.low), high: Number(v.high), setAt: date(r.set_at).toISOString(), setBy: { kind: r.author_kind, id: r.author_id, name: r.author_name } };
  });
}

export async function upsertTarget(q: Queryable, patientId: string, sealer: RecordSealer, t: { type: MeasureType; low: number | null; high: number; at: Date; by: MeasureAuthor }): Promise<void> {
  const sealed = (await sealer.forPatient(q, patientId)).seal(TARGETS, t.type, { low: t.low, high: t.high });
  await q.query(
    `INSERT INTO measure_targets (patient_id, type, sealed, set_at, author_kind, author_id, author_name) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (patient_id, type) DO UPDATE SET sealed = EXCLUDED.sealed, set_at = EXCLUDED.set_at,
       author_kind = EXCLUDED.author_kind, author_id = EXCLUDED.author_id, author_name = EXCLUDED.author_name`,
    [patientId, t.type, sealed, t.at, t.by.kind, t.by.id, t.by.name],
  );
}

export async function deleteTarget(q: Queryable, patientId: string, type: MeasureType): Promise<boolean> {
  const rows = await q.query<{ type: string }>('DELETE FROM measure_targets WHERE patient_id = $1 AND type = $2 RETURNING type', [patientId, type]);
  return rows.length > 0;
}

// ---------------------------------------------------------------------------------------
// Summary for the profile synthesis (PDF)

export interface MeasureSummaryItem {
  type: MeasureType;
  label: string;
  loinc: string;
  effectiveAt: string;
  /** In the kept unit; absent for blood pressure. */
  value?: number;
  systolic?: number;
  diastolic?: number;
  unit: string;
  symbol: string;
}

export interface MeasuresSummary {
  /** The last value of each type that has one, in catalogue order; BMI computed from the last weight and height. */
  items: MeasureSummaryItem[];
  /** WHO class of the BMI, for an adult (null for a child, or without a BMI). */
  bmiClass: WhoBmiClass | null;
  targets: MeasureTarget[];
}

export function summaryItemOf(m: Pick<MeasureRecord, 'type' | 'effectiveAt' | 'value' | 'value2'>): MeasureSummaryItem {
  const def = MEASURE_CATALOGUE[m.type];
  const values = def.entry === 'pair' ? { systolic: m.value, diastolic: m.value2 ?? 0 } : { value: m.value };
  return { type: m.type, label: def.label, loinc: def.loinc, effectiveAt: m.effectiveAt.toISOString(), ...values, unit: def.unit, symbol: def.symbol };
}

/** The last value of each type, plain data opened with `sealer`, no access check: the caller has decided (profile synthesis). */
export async function readMeasuresSummary(q: Queryable, patientId: string, sealer: RecordSealer): Promise<MeasuresSummary> {
  const last = await lastOfEachType(q, patientId, sealer);
  const byType = new Map(last.map((m) => [m.type, m]));
  const weight = byType.get('weight');
  const height = byType.get('height');
  let bmiClass: WhoBmiClass | null = null;
  if (weight !== undefined && height !== undefined) {
    const at = weight.effectiveAt.getTime() >= height.effectiveAt.getTime() ? weight.effectiveAt : height.effectiveAt;
    const bmi = bmiOf(weight.value, height.value);
    byType.set('bmi', { ...weight, type: 'bmi', value: bmi, value2: null, effectiveAt: at });
    const birth = await birthDateOf(q, patientId);
    bmiClass = birth !== null && ageAt(birth, at).years >= ADULT_YEARS ? whoBmiClass(bmi) : null;
  }
  const items = Object.values(MEASURE_CATALOGUE).flatMap((d) => {
    const m = byType.get(d.type);
    return m === undefined ? [] : [summaryItemOf(m)];
  });
  return { items, bmiClass, targets: await readTargets(q, patientId, sealer) };
}

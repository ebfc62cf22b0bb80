/**
 * The SQL of the health history (tables of migration 011), private to the profile folder but
 * for `readHealthHistory`, which the profile synthesis uses. No access check here: every
 * caller runs inside withRecordAccess (or has decided already) and passes its transaction.
 *
 * Entries' content and the single values are sealed (Invariant 4) under the patient's data
 * key, bound to the table, the patient and the row (an entry's seal to its section too): the
 * sealer given by the caller seals on write and opens on read.
 */
import type { Queryable } from '../storage/index.ts';
import type { PatientRecordSealer, RecordSealer } from './profile-crypto.ts';
import { LIST_SECTIONS } from './health-history-validation.ts';
import type { BloodGroup, Lifestyle, ListSection, SectionContent } from './health-history-validation.ts';

export type RecorderKind = 'patient' | 'representative' | 'aidant';
export interface Recorder {
  kind: RecorderKind;
  id: string;
  name: string | null;
}

/** One stored entry of a list section, discriminated by its section. */
export type StoredEntry = {
  [S in ListSection]: {
    section: S;
    entryId: string;
    content: SectionContent[S];
    createdBy: Recorder;
    createdAt: string;
    updatedBy: Recorder;
    updatedAt: string;
  };
}[ListSection];

export interface SectionState<C> {
  /** "Not concerned" and the day it was said; null when not said (or cleared by an entry). */
  notConcerned: { statedOn: string } | null;
  entries: EntryView<C>[];
}

/** An entry as the API shows it: its fields, who entered it and who last changed it. */
export type EntryView<C> = C & { id: string; recordedBy: Recorder; createdAt: string; updatedBy: Recorder; updatedAt: string };

export function entryView(e: StoredEntry): EntryView<SectionContent[ListSection]> {
  return { id: e.entryId, ...e.content, recordedBy: e.createdBy, createdAt: e.createdAt, updatedBy: e.updatedBy, updatedAt: e.updatedAt };
}

export interface SingleValue<V> {
  value: V;
  recordedBy: Recorder;
  updatedAt: string;
}

/** Every section of the health history, as plain data (the synthesis PDF prints it). */
export interface HealthHistory {
  conditions: SectionState<SectionContent['conditions']>;
  treatments: SectionState<SectionContent['treatments']>;
  hospitalisations: SectionState<SectionContent['hospitalisations']>;
  disabilities: SectionState<SectionContent['disabilities']>;
  allergies: SectionState<SectionContent['allergies']>;
  familyHistory: SectionState<SectionContent['familyHistory']>;
  bloodGroup: SingleValue<BloodGroup> | null;
  lifestyle: SingleValue<Lifestyle> | null;
}

interface EntryRow {
  section: ListSection;
  entry_id: string;
  content: unknown;
  created_by_kind: RecorderKind;
  created_by_id: string;
  created_by_name: string | null;
  created_at: Date | string;
  updated_by_kind: RecorderKind;
  updated_by_id: string;
  updated_by_name: string | null;
  updated_at: Date | string;
}

interface SectionRow {
  section: ListSection | 'bloodGroup' | 'lifestyle';
  not_concerned_on: string | null;
  value: unknown;
  updated_by_kind: RecorderKind | null;
  updated_by_id: string | null;
  updated_by_name: string | null;
  updated_at: Date | string;
}

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();
const ENTRIES = 'health_history_entries';
const SECTIONS = 'health_history_sections';
// An entry's seal is bound to its section as well as its id: relabelled, it does not open.
const entryRow = (section: string, entryId: string) => `${section}/${entryId}`;

const ENTRY_COLUMNS =
  'section, entry_id, content, created_by_kind, created_by_id, created_by_name, created_at, updated_by_kind, updated_by_id, updated_by_name, updated_at';
const SECTION_COLUMNS = "section, to_char(not_concerned_on, 'YYYY-MM-DD') AS not_concerned_on, value, updated_by_kind, updated_by_id, updated_by_name, updated_at";

function entryOf(s: PatientRecordSealer, r: EntryRow): StoredEntry {
  return {
    section: r.section,
    entryId: r.entry_id,
    content: s.open(ENTRIES, entryRow(r.section, r.entry_id), r.content),
    createdBy: { kind: r.created_by_kind, id: r.created_by_id, name: r.created_by_name },
    createdAt: iso(r.created_at),
    updatedBy: { kind: r.updated_by_kind, id: r.updated_by_id, name: r.updated_by_name },
    updatedAt: iso(r.updated_at),
  } as StoredEntry;
}

/** Opens the rows' sealed content (the data key is fetched only when there is something to open). */
async function entriesOf(q: Queryable, patientId: string, sealer: RecordSealer, rows: readonly EntryRow[]): Promise<StoredEntry[]> {
  if (rows.length === 0) return [];
  const s = await sealer.forPatient(q, patientId);
  return rows.map((r) => entryOf(s, r));
}

export async function listEntries(q: Queryable, patientId: string, sealer: RecordSealer, sections: readonly ListSection[] = LIST_SECTIONS): Promise<StoredEntry[]> {
  const rows = await q.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM health_history_entries WHERE patient_id = $1 AND section = ANY($2) ORDER BY created_at, entry_id`, [
    patientId,
    [...sections],
  ]);
  return entriesOf(q, patientId, sealer, rows);
}

export async function findEntry(q: Queryable, patientId: string, sealer: RecordSealer, entryId: string): Promise<StoredEntry | null> {
  const rows = await q.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM health_history_entries WHERE patient_id = $1 AND entry_id = $2`, [patientId, entryId]);
  return (await entriesOf(q, patientId, sealer, rows))[0] ?? null;
}

export async function countEntries(q: Queryable, patientId: string, section: ListSection): Promise<number> {
  const rows = await q.query<{ n: string | number }>('SELECT count(*) AS n FROM health_history_entries WHERE patient_id = $1 AND section = $2', [patientId, section]);
  return Number(rows[0]?.n ?? 0);
}

export async function insertEntry<S extends ListSection>(q: Queryable, patientId: string, sealer: RecordSealer, entryId: string, section: S, content: SectionContent[S], by: Recorder, now: Date): Promise<void> {
  const sealed = (await sealer.forPatient(q, patientId)).seal(ENTRIES, entryRow(section, entryId), content);
  await q.query(
    `INSERT INTO health_history_entries (patient_id, entry_id, section, content, created_by_kind, created_by_id, created_by_name, created_at, updated_by_kind, updated_by_id, updated_by_name, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $5, $6, $7, $8)`,
    [patientId, entryId, section, sealed, by.kind, by.id, by.name, now],
  );
}

export async function updateEntry<S extends ListSection>(q: Queryable, patientId: string, sealer: RecordSealer, entryId: string, section: S, content: SectionContent[S], by: Recorder, now: Date): Promise<boolean> {
  const sealed = (await sealer.forPatient(q, patientId)).seal(ENTRIES, entryRow(section, entryId), content);
  const rows = await q.query(
    `UPDATE health_history_entries SET content = $4, updated_by_kind = $5, updated_by_id = $6, updated_by_name = $7, updated_at = $8
     WHERE patient_id = $1 AND entry_id = $2 AND section = $3 RETURNING entry_id`,
    [patientId, entryId, section, sealed, by.kind, by.id, by.name, now],
  );
  return rows.length === 1;
}

export async function deleteEntry(q: Queryable, patientId: string, entryId: string, section: ListSection): Promise<boolean> {
  const rows = await q.query('DELETE FROM health_history_entries WHERE patient_id = $1 AND entry_id = $2 AND section = $3 RETURNING entry_id', [patientId, entryId, section]);
  return rows.length === 1;
}

/**
 * Locks a section's state row (created if missing) for the rest of the transaction: writers of
 * the same section of the same patient then run one after the other, so "not concerned" and a
 * new entry never both win. Returns the day "not concerned" was said, or null.
 */
export async function lockSection(q: Queryable, patientId: string, section: ListSection | 'bloodGroup' | 'lifestyle', now: Date): Promise<{ notConcernedOn: string | null }> {
  await q.query('INSERT INTO health_history_sections (patient_id, section, updated_at) VALUES ($1, $2, $3) ON CONFLICT (patient_id, section) DO NOTHING', [patientId, section, now]);
  const rows = await q.query<{ not_concerned_on: string | null }>(
    "SELECT to_char(not_concerned_on, 'YYYY-MM-DD') AS not_concerned_on FROM health_history_sections WHERE patient_id = $1 AND section = $2 FOR UPDATE",
    [patientId, section],
  );
  return { notConcernedOn: rows[0]?.not_concerned_on ?? null };
}

/** Sets (a day) or clears (null) "not concerned" on a locked list section. */
export async function setNotConcerned(q: Queryable, patientId: string, section: ListSection, on: string | null, by: Recorder, now: Date): Promise<void> {
  await q.query(
    'UPDATE health_history_sections SET not_concerned_on = $3::date, updated_by_kind = $4, updated_by_id = $5, updated_by_name = $6, updated_at = $7 WHERE patient_id = $1 AND section = $2',
    [patientId, section, on, by.kind, by.id, by.name, now],
  );
}

/** Sets (an object) or clears (null) the value of a locked single-value section; false when clearing found nothing. */
export async function setSingleValue(
  q: Queryable,
  patientId: string,
  sealer: RecordSealer,
  section: 'bloodGroup' | 'lifestyle',
  value: BloodGroup | Lifestyle | null,
  by: Recorder,
  now: Date,
): Promise<boolean> {
  const sealed = value === null ? null : (await sealer.forPatient(q, patientId)).seal(SECTIONS, section, value);
  const rows = await q.query(
    `UPDATE health_history_sections SET value = $3, updated_by_kind = $4, updated_by_id = $5, updated_by_name = $6, updated_at = $7
     WHERE patient_id = $1 AND section = $2 ${value === null ? 'AND value IS NOT NULL' : ''} RETURNING section`,
    [patientId, section, sealed, by.kind, by.id, by.name, now],
  );
  return rows.length === 1;
}

async function sectionRows(q: Queryable, patientId: string): Promise<SectionRow[]> {
  return q.query<SectionRow>(`SELECT ${SECTION_COLUMNS} FROM health_history_sections WHERE patient_id = $1`, [patientId]);
}

/** The single value of a section row, opened; null when none is set. */
async function singleOf<V>(q: Queryable, patientId: string, sealer: RecordSealer, row: SectionRow | undefined): Promise<SingleValue<V> | null> {
  if (row === undefined || row.value === null || row.value === undefined || row.updated_by_kind === null || row.updated_by_id === null) return null;
  const value = (await sealer.forPatient(q, patientId)).open<V>(SECTIONS, row.section, row.value);
  return { value, recordedBy: { kind: row.updated_by_kind, id: row.updated_by_id, name: row.updated_by_name }, updatedAt: iso(row.updated_at) };
}

/** The single value of blood group or lifestyle, or null. */
export async function readSingleValue<V>(q: Queryable, patientId: string, sealer: RecordSealer, section: 'bloodGroup' | 'lifestyle'): Promise<SingleValue<V> | null> {
  return singleOf<V>(q, patientId, sealer, (await sectionRows(q, patientId)).find((r) => r.section === section));
}

/** Entries grouped by section, oldest first, with each section's "not concerned". */
function assemble(entries: readonly StoredEntry[], states: readonly SectionRow[]): Omit<HealthHistory, 'bloodGroup' | 'lifestyle'> {
  const state = (section: ListSection) => {
    const on = states.find((r) => r.section === section)?.not_concerned_on ?? null;
    return { notConcerned: on === null ? null : { statedOn: on }, entries: [] as unknown[] };
  };
  const out = Object.fromEntries(LIST_SECTIONS.map((s) => [s, state(s)])) as Record<ListSection, { notConcerned: { statedOn: string } | null; entries: unknown[] }>;
  for (const e of entries) out[e.section].entries.push(entryView(e));
  return out as unknown as Omit<HealthHistory, 'bloodGroup' | 'lifestyle'>;
}

/** The list sections and the blood group (what professionals may read: health_history). */
export async function readHistorySections(q: Queryable, patientId: string, sealer: RecordSealer): Promise<Omit<HealthHistory, 'lifestyle'>> {
  const [entries, states] = [await listEntries(q, patientId, sealer), await sectionRows(q, patientId)];
  return { ...assemble(entries, states), bloodGroup: await singleOf<BloodGroup>(q, patientId, sealer, states.find((r) => r.section === 'bloodGroup')) };
}

/**
 * Every section of a patient's health history, lifestyle included, as plain data, opened with
 * `sealer`. No access check: for a caller that has decided already (the profile synthesis,
 * inside its own access).
 */
export async function readHealthHistory(q: Queryable, patientId: string, sealer: RecordSealer): Promise<HealthHistory> {
  const [entries, states] = [await listEntries(q, patientId, sealer), await sectionRows(q, patientId)];
  return {
    ...assemble(entries, states),
    bloodGroup: await singleOf<BloodGroup>(q, patientId, sealer, states.find((r) => r.section === 'bloodGroup')),
    lifestyle: await singleOf<Lifestyle>(q, patientId, sealer, states.find((r) => r.section === 'lifestyle')),
  };
}

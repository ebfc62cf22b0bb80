/**
 * The SQL of vaccinations (table `vaccinations`), private to the profile capability. No access
 * check here: callers run inside withRecordAccess, which decided and traces; `readVaccinations`
 * is the plain reader for a caller that has already decided (the profile synthesis PDF).
 *
 * What a vaccination says (vaccine, diseases, dose, lot, route, site, performer, notes) is
 * sealed (Invariant 4) under the patient's data key, bound to the table, the patient and the
 * row; the date and who recorded it stay clear (lists are ordered and narrowed by date in
 * SQL). A filter on the vaccine is applied in code, after opening.
 */
import type { Queryable, SqlParam } from '../storage/index.ts';
import type { PatientRecordSealer, RecordSealer } from './profile-crypto.ts';
import type { AuthorKind } from '../access/index.ts';
import type { VaccinationEntry } from './vaccinations-input.ts';
import { ROUTES, ROUTE_LABELS_FR, SITES, SITE_LABELS_FR, diseaseLabel, vaccineLabel } from './vaccines.ts';
import type { RouteCode, SiteCode } from './vaccines.ts';

/** A vaccination as the API and the readers give it. */
export interface VaccinationView {
  vaccinationId: string;
  /** ATC code of the catalogue, or 'other'. */
  vaccineCode: string;
  /** The catalogue's label, or the free-text name of an 'other' vaccine. */
  vaccineLabel: string;
  /** The commercial name as entered (or the name of an 'other' vaccine), if any. */
  vaccineName: string | null;
  targetDiseases: { code: string; display: string }[];
  date: string;
  doseNumber: number | null;
  lotNumber: string | null;
  route: { code: RouteCode; display: string; label: string } | null;
  site: { code: SiteCode; display: string; label: string } | null;
  /** A professional of the directory (idNatPs and name) or a free-text name. */
  performer: { idNatPs: string | null; name: string | null } | null;
  notes: string | null;
  recordedBy: { kind: AuthorKind; id: string; name: string | null };
  recordedAt: string;
  updatedAt: string;
}

interface Row {
  vaccination_id: string;
  occurred_on: string;
  sealed: unknown;
  recorded_by_kind: AuthorKind;
  recorded_by_id: string;
  recorded_by_name: string | null;
  recorded_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = 'vaccination_id, occurred_on::text AS occurred_on, sealed, recorded_by_kind, recorded_by_id, recorded_by_name, recorded_at, updated_at';
const TABLE = 'vaccinations';

/** What is sealed of a vaccination. */
interface SealedVaccination {
  vaccineCode: string;
  vaccineName: string | null;
  targetDiseases: string[];
  doseNumber: number | null;
  lotNumber: string | null;
  route: string | null;
  site: string | null;
  performerIdNatPs: string | null;
  performerName: string | null;
  notes: string | null;
}

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();
const strings = (a: unknown): string[] => (Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : []);

function viewOf(s: PatientRecordSealer, r: Row): VaccinationView {
  const v = s.open<SealedVaccination>(TABLE, r.vaccination_id, r.sealed);
  const route = v.route !== null && Object.hasOwn(ROUTES, v.route) ? (v.route as RouteCode) : null;
  const site = v.site !== null && Object.hasOwn(SITES, v.site) ? (v.site as SiteCode) : null;
  return {
    vaccinationId: r.vaccination_id,
    vaccineCode: v.vaccineCode,
    vaccineLabel: vaccineLabel(v.vaccineCode, v.vaccineName),
    vaccineName: v.vaccineName,
    targetDiseases: strings(v.targetDiseases).map((code) => ({ code, display: diseaseLabel(code) })),
    date: r.occurred_on,
    doseNumber: v.doseNumber === null ? null : Number(v.doseNumber),
    lotNumber: v.lotNumber,
    route: route === null ? null : { code: route, display: ROUTES[route], label: ROUTE_LABELS_FR[route] },
    site: site === null ? null : { code: site, display: SITES[site], label: SITE_LABELS_FR[site] },
    performer: v.performerIdNatPs === null && v.performerName === null ? null : { idNatPs: v.performerIdNatPs, name: v.performerName },
    notes: v.notes,
    recordedBy: { kind: r.recorded_by_kind, id: r.recorded_by_id, name: r.recorded_by_name },
    recordedAt: iso(r.recorded_at),
    updatedAt: iso(r.updated_at),
  };
}

/** What a list may be narrowed to (professionals' search, FHIR). */
export interface VaccinationFilter {
  vaccineCodes?: readonly string[] | undefined;
  /** Inclusive bounds, YYYY-MM-DD. */
  from?: string | undefined;
  to?: string | undefined;
}

/** Opens the rows (the data key is fetched only when there is something to open). */
async function viewsOf(q: Queryable, patientId: string, sealer: RecordSealer, rows: readonly Row[]): Promise<VaccinationView[]> {
  if (rows.length === 0) return [];
  const s = await sealer.forPatient(q, patientId);
  return rows.map((r) => viewOf(s, r));
}

/** A patient's vaccinations, newest first, opened with `sealer` (no access check: the caller has decided). */
export async function readVaccinations(q: Queryable, patientId: string, sealer: RecordSealer, filter: VaccinationFilter = {}): Promise<VaccinationView[]> {
  const where = ['patient_id = $1'];
  const params: SqlParam[] = [patientId];
  if (filter.from !== undefined) {
    params.push(filter.from);
    where.push(`occurred_on >= $${params.length}`);
  }
  if (filter.to !== undefined) {
    params.push(filter.to);
    where.push(`occurred_on <= $${params.length}`);
  }
  const rows = await q.query<Row>(`SELECT ${COLUMNS} FROM vaccinations WHERE ${where.join(' AND ')} ORDER BY occurred_on DESC, recorded_at DESC, vaccination_id`, params);
  const all = await viewsOf(q, patientId, sealer, rows);
  // The vaccine is sealed: narrowed here, after opening.
  const codes = filter.vaccineCodes;
  return codes === undefined ? all : all.filter((v) => codes.includes(v.vaccineCode));
}

export async function readVaccination(q: Queryable, patientId: string, sealer: RecordSealer, vaccinationId: string, forUpdate = false): Promise<VaccinationView | null> {
  const rows = await q.query<Row>(`SELECT ${COLUMNS} FROM vaccinations WHERE patient_id = $1 AND vaccination_id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [patientId, vaccinationId]);
  return (await viewsOf(q, patientId, sealer, rows))[0] ?? null;
}

function sealedOf(s: PatientRecordSealer, vaccinationId: string, e: VaccinationEntry, performerName: string | null): Buffer {
  const v: SealedVaccination = {
    vaccineCode: e.vaccineCode,
    vaccineName: e.vaccineName,
    targetDiseases: e.targetDiseases,
    doseNumber: e.doseNumber,
    lotNumber: e.lotNumber,
    route: e.route,
    site: e.site,
    performerIdNatPs: e.performer?.kind === 'directory' ? e.performer.idNatPs : null,
    performerName,
    notes: e.notes,
  };
  return s.seal(TABLE, vaccinationId, v);
}

export interface Recorder {
  kind: AuthorKind;
  id: string;
  name: string | null;
}

/** Stores a checked vaccination; `performerName` is the directory's name for a directory performer. */
export async function insertVaccination(
  q: Queryable,
  patientId: string,
  sealer: RecordSealer,
  vaccinationId: string,
  e: VaccinationEntry,
  performerName: string | null,
  by: Recorder,
  now: Date,
): Promise<VaccinationView> {
  const sealed = sealedOf(await sealer.forPatient(q, patientId), vaccinationId, e, performerName);
  await q.query(
    `INSERT INTO vaccinations (patient_id, vaccination_id, occurred_on, sealed, recorded_by_kind, recorded_by_id, recorded_by_name, recorded_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
    [patientId, vaccinationId, e.occurredOn, sealed, by.kind, by.id, by.name, now],
  );
  const v = await readVaccination(q, patientId, sealer, vaccinationId);
  if (v === null) throw new Error('vaccination just written cannot be read back');
  return v;
}

export async function updateVaccination(q: Queryable, patientId: string, sealer: RecordSealer, vaccinationId: string, e: VaccinationEntry, performerName: string | null, now: Date): Promise<VaccinationView | null> {
  const sealed = sealedOf(await sealer.forPatient(q, patientId), vaccinationId, e, performerName);
  const rows = await q.query<{ vaccination_id: string }>(
    'UPDATE vaccinations SET occurred_on = $3, sealed = $4, updated_at = $5 WHERE patient_id = $1 AND vaccination_id = $2 RETURNING vaccination_id',
    [patientId, vaccinationId, e.occurredOn, sealed, now],
  );
  return rows[0] ? readVaccination(q, patientId, sealer, vaccinationId) : null;
}

export async function deleteVaccination(q: Queryable, patientId: string, vaccinationId: string): Promise<boolean> {
  const rows = await q.query<{ vaccination_id: string }>('DELETE FROM vaccinations WHERE patient_id = $1 AND vaccination_id = $2 RETURNING vaccination_id', [patientId, vaccinationId]);
  return rows.length > 0;
}

/** The patient's identity lines for a generated document, and the birth date the checks need. */
export async function patientIdentity(q: Queryable, patientId: string): Promise<{ name: string; birthDate: string; matricule: string } | null> {
  const rows = await q.query<{ birth_given_names: string; birth_name: string; used_name: string | null; birth_date: string; matricule: string }>(
    'SELECT birth_given_names, birth_name, used_name, birth_date::text AS birth_date, matricule FROM patients WHERE patient_id = $1',
    [patientId],
  );
  const p = rows[0];
  if (!p) return null;
  const family = p.used_name !== null && p.used_name !== '' && p.used_name !== p.birth_name ? `${p.used_name} (nom de naissance ${p.birth_name})` : p.birth_name;
  return { name: `${p.birth_given_names} ${family}`.trim(), birthDate: p.birth_date, matricule: p.matricule };
}

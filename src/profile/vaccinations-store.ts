/**
 * The SQL of vaccinations (table `vaccinations`), private to the profile capability. No access
 * check here: callers run inside withRecordAccess, which decided and traces; `readVaccinations`
 * is the plain reader for a caller that has already decided (the profile synthesis PDF).
 */
import type { Queryable, SqlParam } from '../storage/index.ts';
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
  vaccine_code: string;
  vaccine_name: string | null;
  target_diseases: unknown;
  occurred_on: string;
  dose_number: number | null;
  lot_number: string | null;
  route_code: string | null;
  site_code: string | null;
  performer_id_nat_ps: string | null;
  performer_name: string | null;
  notes: string | null;
  recorded_by_kind: AuthorKind;
  recorded_by_id: string;
  recorded_by_name: string | null;
  recorded_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = `vaccination_id, vaccine_code, vaccine_name, target_diseases, occurred_on::text AS occurred_on, dose_number, lot_number, route_code, site_code,
  performer_id_nat_ps, performer_name, notes, recorded_by_kind, recorded_by_id, recorded_by_name, recorded_at, updated_at`;

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();
const jsonArray = (v: unknown): string[] => {
  const a: unknown = typeof v === 'string' ? JSON.parse(v) : v;
  return Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : [];
};

function viewOf(r: Row): VaccinationView {
  const route = r.route_code !== null && Object.hasOwn(ROUTES, r.route_code) ? (r.route_code as RouteCode) : null;
  const site = r.site_code !== null && Object.hasOwn(SITES, r.site_code) ? (r.site_code as SiteCode) : null;
  return {
    vaccinationId: r.vaccination_id,
    vaccineCode: r.vaccine_code,
    vaccineLabel: vaccineLabel(r.vaccine_code, r.vaccine_name),
    vaccineName: r.vaccine_name,
    targetDiseases: jsonArray(r.target_diseases).map((code) => ({ code, display: diseaseLabel(code) })),
    date: r.occurred_on,
    doseNumber: r.dose_number === null ? null : Number(r.dose_number),
    lotNumber: r.lot_number,
    route: route === null ? null : { code: route, display: ROUTES[route], label: ROUTE_LABELS_FR[route] },
    site: site === null ? null : { code: site, display: SITES[site], label: SITE_LABELS_FR[site] },
    performer: r.performer_id_nat_ps === null && r.performer_name === null ? null : { idNatPs: r.performer_id_nat_ps, name: r.performer_name },
    notes: r.notes,
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

/** A patient's vaccinations, newest first (no access check: the caller has decided). */
export async function readVaccinations(q: Queryable, patientId: string, filter: VaccinationFilter = {}): Promise<VaccinationView[]> {
  const where = ['patient_id = $1'];
  const params: SqlParam[] = [patientId];
  if (filter.vaccineCodes !== undefined) {
    params.push([...filter.vaccineCodes]);
    where.push(`vaccine_code = ANY($${params.length})`);
  }
  if (filter.from !== undefined) {
    params.push(filter.from);
    where.push(`occurred_on >= $${params.length}`);
  }
  if (filter.to !== undefined) {
    params.push(filter.to);
    where.push(`occurred_on <= $${params.length}`);
  }
  const rows = await q.query<Row>(`SELECT ${COLUMNS} FROM vaccinations WHERE ${where.join(' AND ')} ORDER BY occurred_on DESC, recorded_at DESC, vaccination_id`, params);
  return rows.map(viewOf);
}

export async function readVaccination(q: Queryable, patientId: string, vaccinationId: string, forUpdate = false): Promise<VaccinationView | null> {
  const rows = await q.query<Row>(`SELECT ${COLUMNS} FROM vaccinations WHERE patient_id = $1 AND vaccination_id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [patientId, vaccinationId]);
  return rows[0] ? viewOf(rows[0]) : null;
}

export interface Recorder {
  kind: AuthorKind;
  id: string;
  name: string | null;
}

/** Stores a checked vaccination; `performerName` is the directory's name for a directory performer. */
export async function insertVaccination(q: Queryable, patientId: string, vaccinationId: string, e: VaccinationEntry, performerName: string | null, by: Recorder, now: Date): Promise<VaccinationView> {
  await q.query(
    `INSERT INTO vaccinations (patient_id, vaccination_id, vaccine_code, vaccine_name, target_diseases, occurred_on, dose_number, lot_number, route_code, site_code,
       performer_id_nat_ps, performer_name, notes, recorded_by_kind, recorded_by_id, recorded_by_name, recorded_at, updated_at)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)`,
    [
      patientId,
      vaccinationId,
      e.vaccineCode,
      e.vaccineName,
      JSON.stringify(e.targetDiseases),
      e.occurredOn,
      e.doseNumber,
      e.lotNumber,
      e.route,
      e.site,
      e.performer?.kind === 'directory' ? e.performer.idNatPs : null,
      performerName,
      e.notes,
      by.kind,
      by.id,
      by.name,
      now,
    ],
  );
  const v = await readVaccination(q, patientId, vaccinationId);
  if (v === null) throw new Error('vaccination just written cannot be read back');
  return v;
}

export async function updateVaccination(q: Queryable, patientId: string, vaccinationId: string, e: VaccinationEntry, performerName: string | null, now: Date): Promise<VaccinationView | null> {
  const rows = await q.query<{ vaccination_id: string }>(
    `UPDATE vaccinations SET vaccine_code = $3, vaccine_name = $4, target_diseases = $5::jsonb, occurred_on = $6, dose_number = $7, lot_number = $8, route_code = $9,
       site_code = $10, performer_id_nat_ps = $11, performer_name = $12, notes = $13, updated_at = $14
     WHERE patient_id = $1 AND vaccination_id = $2 RETURNING vaccination_id`,
    [
      patientId,
      vaccinationId,
      e.vaccineCode,
      e.vaccineName,
      JSON.stringify(e.targetDiseases),
      e.occurredOn,
      e.doseNumber,
      e.lotNumber,
      e.route,
      e.site,
      e.performer?.kind === 'directory' ? e.performer.idNatPs : null,
      performerName,
      e.notes,
      now,
    ],
  );
  return rows[0] ? readVaccination(q, patientId, vaccinationId) : null;
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

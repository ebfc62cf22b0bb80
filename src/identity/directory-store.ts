/**
 * SQL of the professional directory (tables organisations and professionals). Writes are
 * multi-row upserts that leave unchanged rows untouched (no new row version, no WAL), so a
 * daily full extract of the national directory costs little when little changed.
 */
import type { Db, Queryable } from '../storage/index.ts';
import { idNatPsOf, ORGANISATION_KINDS, professionLabel, specialtyLabel, structureIdOf } from './directory.ts';
import type { OrganisationInput, OrganisationKind, ProfessionalInput } from './directory.ts';

export interface Organisation {
  finess: string;
  /** National structure identifier: "1" + FINESS. */
  structureId: string;
  name: string;
  kind: string;
  kindLabel: string | null;
  siret: string | null;
  city: string | null;
  active: boolean;
}

export interface Professional {
  idNatPs: string;
  rpps: string;
  familyName: string;
  givenName: string;
  professionCode: string;
  professionLabel: string | null;
  specialtyCode: string | null;
  specialtyLabel: string | null;
  email: string | null;
  active: boolean;
  organisation: Organisation | null;
}

export interface UpsertCounts {
  created: number;
  updated: number;
}

const iso = (d: Date) => d.toISOString();

/** Creates or updates organisations (one per FINESS; the last one given wins). */
export async function upsertOrganisations(q: Queryable, organisations: readonly OrganisationInput[], now: Date): Promise<UpsertCounts> {
  const byFiness = new Map<string, OrganisationInput>();
  for (const o of organisations) byFiness.set(o.finess, o);
  const rows = [...byFiness.values()];
  if (rows.length === 0) return { created: 0, updated: 0 };
  const result = await q.query<{ inserted: boolean }>(
    `INSERT INTO organisations AS o (finess, name, kind, siret, city, active, updated_at)
     SELECT s.finess, s.name, s.kind, s.siret, s.city, true, $6::timestamptz
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS s (finess, name, kind, siret, city)
     ON CONFLICT (finess) DO UPDATE SET
       name = EXCLUDED.name,
       kind = EXCLUDED.kind,
       siret = COALESCE(EXCLUDED.siret, o.siret),
       city = COALESCE(EXCLUDED.city, o.city),
       active = true,
       updated_at = EXCLUDED.updated_at
     WHERE (o.name, o.kind, o.siret, o.city, o.active)
       IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, COALESCE(EXCLUDED.siret, o.siret), COALESCE(EXCLUDED.city, o.city), true)
     RETURNING (xmax = 0) AS inserted`,
    [rows.map((r) => r.finess), rows.map((r) => r.name), rows.map((r) => r.kind), rows.map((r) => r.siret), rows.map((r) => r.city), iso(now)],
  );
  return countUpserts(result);
}

/**
 * Creates or updates professionals (each RPPS at most once per call); a professional given
 * again is active again. Organisations must exist (upsertOrganisations first).
 */
export async function upsertProfessionals(q: Queryable, rows: readonly ProfessionalInput[], now: Date): Promise<UpsertCounts> {
  if (rows.length === 0) return { created: 0, updated: 0 };
  const result = await q.query<{ inserted: boolean }>(
    `INSERT INTO professionals AS p (id_nat_ps, rpps, family_name, given_name, profession_code, specialty_code, organisation_finess, email, active, updated_at)
     SELECT '8' || s.rpps, s.rpps, s.family_name, s.given_name, s.profession_code, s.specialty_code, s.finess, s.email, true, $8::timestamptz
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
            AS s (rpps, family_name, given_name, profession_code, specialty_code, finess, email)
     ON CONFLICT (id_nat_ps) DO UPDATE SET
       family_name = EXCLUDED.family_name,
       given_name = EXCLUDED.given_name,
       profession_code = EXCLUDED.profession_code,
       specialty_code = EXCLUDED.specialty_code,
       organisation_finess = EXCLUDED.organisation_finess,
       email = EXCLUDED.email,
       active = true,
       updated_at = EXCLUDED.updated_at
     WHERE (p.family_name, p.given_name, p.profession_code, p.specialty_code, p.organisation_finess, p.email, p.active)
       IS DISTINCT FROM (EXCLUDED.family_name, EXCLUDED.given_name, EXCLUDED.profession_code, EXCLUDED.specialty_code,
                         EXCLUDED.organisation_finess, EXCLUDED.email, true)
     RETURNING (xmax = 0) AS inserted`,
    [
      rows.map((r) => r.rpps),
      rows.map((r) => r.familyName),
      rows.map((r) => r.givenName),
      rows.map((r) => r.professionCode),
      rows.map((r) => r.specialtyCode),
      rows.map((r) => r.organisation?.finess ?? null),
      rows.map((r) => r.email),
      iso(now),
    ],
  );
  return countUpserts(result);
}

// A row inserted by this statement has no deleting transaction (xmax = 0); an updated one
// carries the updating transaction's id. Unchanged rows are not returned at all.
function countUpserts(rows: readonly { inserted: boolean }[]): UpsertCounts {
  const created = rows.filter((r) => r.inserted).length;
  return { created, updated: rows.length - created };
}

/**
 * Marks inactive every active professional for whom `keep(rpps)` is false (a full extract
 * of the national directory lists everyone still practising). Walks the table by pages so
 * memory stays flat; returns how many were deactivated.
 */
export async function deactivateProfessionals(db: Db, keep: (rpps: string) => boolean, now: Date, pageSize = 5000): Promise<number> {
  let after = '';
  let deactivated = 0;
  for (;;) {
    const page = await db.query<{ rpps: string }>('SELECT rpps FROM professionals WHERE active AND rpps > $1 ORDER BY rpps LIMIT $2', [after, pageSize]);
    const last = page.at(-1);
    if (last === undefined) return deactivated;
    after = last.rpps;
    const gone = page.map((r) => r.rpps).filter((rpps) => !keep(rpps));
    if (gone.length > 0) {
      const r = await db.query<{ rpps: string }>(
        'UPDATE professionals SET active = false, updated_at = $2::timestamptz WHERE rpps = ANY($1::text[]) AND active RETURNING rpps',
        [gone, iso(now)],
      );
      deactivated += r.length;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Reads

interface ProfessionalRow {
  id_nat_ps: string;
  rpps: string;
  family_name: string;
  given_name: string;
  profession_code: string;
  specialty_code: string | null;
  email: string | null;
  active: boolean;
  finess: string | null;
  org_name: string | null;
  org_kind: string | null;
  org_siret: string | null;
  org_city: string | null;
  org_active: boolean | null;
}

const PROFESSIONAL_SELECT = `
  SELECT p.id_nat_ps, p.rpps, p.family_name, p.given_name, p.profession_code, p.specialty_code, p.email, p.active,
         o.finess, o.name AS org_name, o.kind AS org_kind, o.siret AS org_siret, o.city AS org_city, o.active AS org_active
    FROM professionals p
    LEFT JOIN organisations o ON o.finess = p.organisation_finess`;

function kindLabel(kind: string): string | null {
  return Object.hasOwn(ORGANISATION_KINDS, kind) ? ORGANISATION_KINDS[kind as OrganisationKind] : null;
}

function toOrganisation(r: { finess: string; name: string; kind: string; siret: string | null; city: string | null; active: boolean }): Organisation {
  return { finess: r.finess, structureId: structureIdOf({ finess: r.finess }), name: r.name, kind: r.kind, kindLabel: kindLabel(r.kind), siret: r.siret, city: r.city, active: r.active };
}

function toProfessional(r: ProfessionalRow): Professional {
  return {
    idNatPs: r.id_nat_ps,
    rpps: r.rpps,
    familyName: r.family_name,
    givenName: r.given_name,
    professionCode: r.profession_code,
    professionLabel: professionLabel(r.profession_code),
    specialtyCode: r.specialty_code,
    specialtyLabel: r.specialty_code === null ? null : specialtyLabel(r.specialty_code),
    email: r.email,
    active: r.active,
    organisation:
      r.finess === null
        ? null
        : toOrganisation({ finess: r.finess, name: r.org_name ?? '', kind: r.org_kind ?? '', siret: r.org_siret, city: r.org_city, active: r.org_active ?? false }),
  };
}

/** A professional by national identifier (active or not), or null. */
export async function findProfessional(q: Queryable, idNatPs: string): Promise<Professional | null> {
  const rows = await q.query<ProfessionalRow>(`${PROFESSIONAL_SELECT} WHERE p.id_nat_ps = $1`, [idNatPs]);
  return rows[0] ? toProfessional(rows[0]) : null;
}

/** Same, by RPPS. */
export async function findProfessionalByRpps(q: Queryable, rpps: string): Promise<Professional | null> {
  return findProfessional(q, idNatPsOf(rpps));
}

export interface ProfessionalSearch {
  /** Words each matching the start of the family name, of the given name, or of a word of the family name (case-insensitive). */
  name?: string | undefined;
  /** TRE_G15 profession code. */
  profession?: string | undefined;
  finess?: string | undefined;
  /** Also list professionals no longer in the national directory. */
  includeInactive?: boolean | undefined;
  limit: number;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Professionals matching every criterion given, by family name, given name and RPPS. */
export async function searchProfessionals(q: Queryable, criteria: ProfessionalSearch): Promise<Professional[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const param = (v: string | number) => {
    params.push(v);
    return `$${params.length}`;
  };
  const words = (criteria.name ?? '').toLowerCase().split(/\s+/).filter((w) => w !== '').slice(0, 5);
  for (const w of words) {
    const prefix = param(`${escapeLike(w)}%`);
    const inner = param(`% ${escapeLike(w)}%`);
    where.push(`(lower(p.family_name) LIKE ${prefix} OR lower(p.given_name) LIKE ${prefix} OR lower(p.family_name) LIKE ${inner} OR lower(replace(p.family_name, '-', ' ')) LIKE ${inner})`);
  }
  if (criteria.profession) where.push(`p.profession_code = ${param(criteria.profession)}`);
  if (criteria.finess) where.push(`p.organisation_finess = ${param(criteria.finess)}`);
  if (!criteria.includeInactive) where.push('p.active');
  const limit = param(Math.max(1, Math.min(criteria.limit, 500)));
  const rows = await q.query<ProfessionalRow>(
    `${PROFESSIONAL_SELECT} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY lower(p.family_name), lower(p.given_name), p.rpps LIMIT ${limit}`,
    params,
  );
  return rows.map(toProfessional);
}

/** An organisation by FINESS (active or not), or null. */
export async function findOrganisation(q: Queryable, finess: string): Promise<Organisation | null> {
  const rows = await q.query<{ finess: string; name: string; kind: string; siret: string | null; city: string | null; active: boolean }>(
    'SELECT finess, name, kind, siret, city, active FROM organisations WHERE finess = $1',
    [finess],
  );
  return rows[0] ? toOrganisation(rows[0]) : null;
}

/**
 * SQL of the beneficiary import (private to this folder). One statement per batch, the same
 * on PostgreSQL and PGlite: data-modifying CTEs over `unnest` of one array per column.
 */
import type { Queryable } from '../storage/index.ts';

/** A batch ready to write: one array per column, all of the same length. */
export interface BatchColumns {
  matricule: string[];
  /** Id of the patient if the row is new (unused otherwise). */
  patientId: string[];
  insOid: string[];
  birthName: string[];
  birthGivenNames: string[];
  usedName: (string | null)[];
  birthDate: string[];
  sex: string[];
  birthplaceCode: (string | null)[];
  cardSerial: (string | null)[];
  email: (string | null)[];
  phone: (string | null)[];
  address: (string | null)[];
  postalCode: (string | null)[];
  city: (string | null)[];
  representativeMatricule: (string | null)[];
  deceasedOn: (string | null)[];
  /** Keyed hash of the provisional code (used only if the row is new). */
  codeHash: string[];
  messageId: string[];
  channel: string[];
  /** JSON text of the outbox recipient and params (built in JS). */
  recipient: string[];
  params: string[];
}

export interface BatchTimes {
  now: string;
  opensAt: string;
  codeExpiresAt: string;
}

export interface BatchCounts {
  created: number;
  updated: number;
  /** Valid lines of deceased people unknown to Carnet: no space is created for them. */
  skipped: number;
}

// Traits and insurer data, always taken from the file.
const INSURER_COLUMNS = [
  'ins_oid',
  'birth_name',
  'birth_given_names',
  'used_name',
  'birth_date',
  'sex',
  'birthplace_code',
  'card_serial',
  'representative_matricule',
] as const;
// Contact details: the patient chooses their own at activation; the file's apply until then.
const CONTACT_COLUMNS = ['email', 'phone', 'address', 'postal_code', 'city'] as const;

const tuple = (prefix: string, cols: readonly string[]) => `(${cols.map((c) => `${prefix}.${c}`).join(', ')})`;

/**
 * New matricules get patient_ins, patients (pending, opening after the delay), a provisional
 * code hash and an information message; known ones get their changed traits and contact
 * details (IS DISTINCT FROM: an unchanged row is not written). A death is recorded, never
 * erased by a later file. A purged space is a tombstone: the file never fills it again.
 * The lines not inserted are looked up row by row through the primary keys (LATERAL: an
 * index probe, never a scan of the whole table, whatever the planner's statistics say).
 * Every sub-statement sees the snapshot taken before the statement, so a row inserted here
 * is never "known" too.
 */
const UPSERT_BATCH = `
WITH input AS MATERIALIZED (
  SELECT * FROM unnest(
    $1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[], $8::text[],
    $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[],
    $17::date[], $18::text[], $19::uuid[], $20::text[], $21::text[], $22::text[]
  ) AS t(matricule, patient_id, ins_oid, birth_name, birth_given_names, used_name, birth_date, sex,
         birthplace_code, card_serial, email, phone, address, postal_code, city, representative_matricule,
         deceased_on, code_hash, message_id, channel, recipient, params)
),
new_ins AS (
  INSERT INTO patient_ins (matricule, patient_id)
  SELECT matricule, patient_id FROM input WHERE deceased_on IS NULL
  ON CONFLICT (matricule) DO NOTHING
  RETURNING matricule
),
fresh AS MATERIALIZED (
  SELECT i.* FROM input i JOIN new_ins n ON n.matricule = i.matricule
),
new_patients AS (
  INSERT INTO patients (patient_id, matricule, ins_oid, birth_name, birth_given_names, used_name, birth_date, sex,
    birthplace_code, card_serial, email, phone, address, postal_code, city, representative_matricule,
    status, status_changed_at, created_at, updated_at, opens_at)
  SELECT patient_id, matricule, ins_oid, birth_name, birth_given_names, used_name, birth_date, sex,
    birthplace_code, card_serial, email, phone, address, postal_code, city, representative_matricule,
    'pending', $23, $23, $23, $24
  FROM fresh
),
new_codes AS (
  INSERT INTO provisional_codes (patient_id, code_hash, created_at, expires_at)
  SELECT patient_id, code_hash, $23, $25 FROM fresh
),
new_messages AS (
  INSERT INTO outbox (message_id, patient_id, template, channel, recipient, params, status, next_attempt_at, created_at)
  SELECT message_id, patient_id, 'space_information', channel, recipient::json, params::json, 'pending', $23, $23 FROM fresh
),
known AS MATERIALIZED (
  SELECT i.*, k.patient_id AS known_id,
    k.patient_id IS NOT NULL AND k.status <> 'purged' AND (
      ${tuple('k', INSURER_COLUMNS)} IS DISTINCT FROM ${tuple('i', INSURER_COLUMNS)}
      OR (i.deceased_on IS NOT NULL AND k.deceased_on IS DISTINCT FROM i.deceased_on)
      OR (k.activated_at IS NULL AND ${tuple('k', CONTACT_COLUMNS)} IS DISTINCT FROM ${tuple('i', CONTACT_COLUMNS)})
    ) AS changed
  FROM input i
  LEFT JOIN new_ins n ON n.matricule = i.matricule
  LEFT JOIN LATERAL (
    SELECT p.* FROM patient_ins x JOIN patients p ON p.patient_id = x.patient_id WHERE x.matricule = i.matricule
  ) k ON true
  WHERE n.matricule IS NULL
),
updated AS (
  UPDATE patients p SET
    ${INSURER_COLUMNS.map((c) => `${c} = k.${c}`).join(', ')},
    ${CONTACT_COLUMNS.map((c) => `${c} = CASE WHEN p.activated_at IS NULL THEN k.${c} ELSE p.${c} END`).join(', ')},
    deceased_on = coalesce(k.deceased_on, p.deceased_on),
    updated_at = $23
  FROM known k
  WHERE k.changed AND p.patient_id = k.known_id
  RETURNING 1
)
SELECT
  (SELECT count(*) FROM new_ins)::int AS created,
  (SELECT count(*) FROM updated)::int AS updated,
  (SELECT count(*) FROM known WHERE known_id IS NULL AND deceased_on IS NOT NULL)::int AS skipped
`;

/**
 * A PostgreSQL array literal of text values, cast in SQL (`$1::text[]`): the same on both
 * engines, and several times faster than the drivers' generic conversion on large batches.
 * JSON.stringify (native) writes it: JSON and array literals quote strings and escape `"`
 * and `\\` alike, and an unquoted `null` is NULL in an array literal. JSON's other escapes
 * (control characters) mean something else there: such a batch takes the slow path.
 */
export function arrayLiteral(values: readonly (string | null)[]): string {
  const json = JSON.stringify(values);
  for (let i = json.indexOf('\\'); i !== -1; i = json.indexOf('\\', i + 2)) {
    const next = json.charCodeAt(i + 1);
    if (next !== 0x22 && next !== 0x5c) return quotedArrayLiteral(values);
  }
  return `{${json.slice(1, -1)}}`;
}

function quotedArrayLiteral(values: readonly (string | null)[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    parts[i] = v === null || v === undefined ? 'NULL' : `"${v.replace(/["\\]/g, '\\$&')}"`;
  }
  return `{${parts.join(',')}}`;
}

export async function upsertBatch(q: Queryable, c: BatchColumns, t: BatchTimes): Promise<BatchCounts> {
  const columns = [
    c.matricule,
    c.patientId,
    c.insOid,
    c.birthName,
    c.birthGivenNames,
    c.usedName,
    c.birthDate,
    c.sex,
    c.birthplaceCode,
    c.cardSerial,
    c.email,
    c.phone,
    c.address,
    c.postalCode,
    c.city,
    c.representativeMatricule,
    c.deceasedOn,
    c.codeHash,
    c.messageId,
    c.channel,
    c.recipient,
    c.params,
  ];
  const rows = await q.query<BatchCounts>(UPSERT_BATCH, [
    ...columns.map(arrayLiteral),
    t.now,
    t.opensAt,
    t.codeExpiresAt,
  ]);
  const r = rows[0];
  return { created: r?.created ?? 0, updated: r?.updated ?? 0, skipped: r?.skipped ?? 0 };
}

export interface LinkCounts {
  /** Minors newly attached to their representative (rank 1, active). */
  linked: number;
  /** Former rank-1 representatives of a child whose file names another one. */
  revoked: number;
  /** Minors whose representative is unknown to Carnet, or purged (not linked). */
  unlinked: number;
}

/**
 * Attaches minors to the representative the insurer names (representations rank 1, active);
 * a former rank-1 representative becomes 'revoked'. Idempotent: a link already in place is
 * not touched. Runs once after the last batch, so a representative listed after the child in
 * the file (or in an earlier file) is found. `scope` holds the matricules the import read:
 * only their children and themselves are looked at (index probes); null looks at every minor
 * (a national file, where a scan is cheaper than the list).
 */
function linkStatement(scoped: boolean): string {
  const children = scoped
    ? `SELECT x.patient_id FROM patient_ins x WHERE x.matricule = ANY($3::text[])
       UNION
       SELECT c.patient_id FROM patients c WHERE c.representative_matricule = ANY($3::text[])`
    : 'SELECT c.patient_id FROM patients c WHERE c.representative_matricule IS NOT NULL';
  return `
WITH scope AS MATERIALIZED (${children}),
minors AS MATERIALIZED (
  SELECT c.patient_id, c.representative_matricule
  FROM scope s JOIN patients c ON c.patient_id = s.patient_id
  WHERE c.representative_matricule IS NOT NULL AND c.birth_date > $2::date AND c.status <> 'purged'
),
wanted AS MATERIALIZED (
  SELECT m.patient_id, r.patient_id AS representative_id
  FROM minors m
  JOIN patient_ins r ON r.matricule = m.representative_matricule
  JOIN patients rp ON rp.patient_id = r.patient_id
  WHERE r.patient_id <> m.patient_id AND rp.status <> 'purged'
),
revoked AS (
  UPDATE representations s SET status = 'revoked'
  FROM wanted w
  WHERE s.patient_id = w.patient_id AND s.rank = 1 AND s.status = 'active' AND s.representative_id <> w.representative_id
  RETURNING 1
),
linked AS (
  INSERT INTO representations (patient_id, representative_id, rank, status, created_at, accepted_at)
  SELECT w.patient_id, w.representative_id, 1, 'active', $1, $1 FROM wanted w
  WHERE NOT EXISTS (
    SELECT 1 FROM representations s
    WHERE s.patient_id = w.patient_id AND s.representative_id = w.representative_id AND s.rank = 1 AND s.status = 'active')
  ON CONFLICT (patient_id, representative_id) DO UPDATE
    SET rank = 1, status = 'active', accepted_at = EXCLUDED.accepted_at, invite_hash = NULL, invite_expires_at = NULL
  RETURNING 1
)
SELECT
  (SELECT count(*) FROM linked)::int AS linked,
  (SELECT count(*) FROM revoked)::int AS revoked,
  ((SELECT count(*) FROM minors) - (SELECT count(*) FROM wanted))::int AS unlinked
`;
}

const LINK_ALL = linkStatement(false);
const LINK_SCOPED = linkStatement(true);

/** `adultBornBy`: people born on or before this date are 18 or older. */
export async function linkRepresentatives(q: Queryable, now: string, adultBornBy: string, scope: readonly string[] | null): Promise<LinkCounts> {
  const rows = scope === null ? await q.query<LinkCounts>(LINK_ALL, [now, adultBornBy]) : await q.query<LinkCounts>(LINK_SCOPED, [now, adultBornBy, arrayLiteral(scope)]);
  const r = rows[0];
  return { linked: r?.linked ?? 0, revoked: r?.revoked ?? 0, unlinked: r?.unlinked ?? 0 };
}

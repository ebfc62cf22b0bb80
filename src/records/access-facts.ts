import type { Queryable } from '../storage/index.ts';
import type { AccessFacts, AidantStatus, Matrix } from '../access/index.ts';
import { isMinor } from '../identity/ins.ts';
import type { SpaceStatus } from '../lifecycle/index.ts';

interface SettingsRow {
  emergency_samu: boolean;
  emergency_bris_de_glace: boolean;
  emergency_masked: boolean;
  mask_all: boolean;
  notify_every_ps_access: boolean;
  notify_new_document: boolean;
  medecin_traitant: string | null;
}

const DEFAULT_SETTINGS: SettingsRow = {
  emergency_samu: true,
  emergency_bris_de_glace: true,
  emergency_masked: true,
  mask_all: false,
  notify_every_ps_access: false,
  notify_new_document: true,
  medecin_traitant: null,
};

const d = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

interface RelationRow {
  id_nat_ps: string;
  authorized_since: Date | string | null;
  blocked_since: Date | string | null;
  administrator_since: Date | string | null;
  last_access_at: Date | string | null;
}

interface AidantRow {
  aidant_id: string;
  status: string;
  expires_at: Date | string;
  /** The status of the aidant's own space. */
  aidant_space: string | null;
}

/** Each person's invitations, the live one (pending, accepted) last so it wins. */
const AIDANTS_SQL = `SELECT i.aidant_id, i.status, i.expires_at, a.status AS aidant_space
  FROM aidant_invitations i LEFT JOIN patients a ON a.patient_id = i.aidant_id
  WHERE i.patient_id = p.patient_id AND i.aidant_id IS NOT NULL
  ORDER BY i.status IN ('pending', 'accepted'), i.invited_at, i.invitation_id`;

/**
 * Loads everything decide() needs to know about a patient's space, in the caller's
 * transaction (so the decision and the action see the same state). Null when no such space.
 * Connected apps (apps issue) have no table yet: empty.
 */
export async function loadAccessFacts(q: Queryable, patientId: string, matrix: Matrix, now: Date): Promise<AccessFacts | null> {
  // One round trip: every access to the record starts here.
  const rows = await q.query<{
    status: SpaceStatus;
    birth_date: string;
    settings: SettingsRow | null;
    relations: RelationRow[] | null;
    reps: { representative_id: string; rank: 1 | 2 }[] | null;
    aidants: AidantRow[] | null;
  }>(
    `SELECT p.status, p.birth_date,
       (SELECT row_to_json(s) FROM access_settings s WHERE s.patient_id = p.patient_id) AS settings,
       (SELECT json_agg(r) FROM (SELECT id_nat_ps, authorized_since, blocked_since, administrator_since, last_access_at
                                   FROM professional_relations WHERE patient_id = p.patient_id) r) AS relations,
       (SELECT json_agg(x) FROM (SELECT representative_id, rank FROM representations WHERE patient_id = p.patient_id AND status = 'active') x) AS reps,
       (SELECT json_agg(x) FROM (${AIDANTS_SQL}) x) AS aidants
     FROM patients p WHERE p.patient_id = $1`,
    [patientId],
  );
  const patient = rows[0];
  if (!patient) return null;
  const settings = patient.settings ?? DEFAULT_SETTINGS;
  const relations = patient.relations ?? [];
  const reps = patient.reps ?? [];
  const aidants = aidantsOf(patient.aidants ?? [], now);

  const authorized: Record<string, { since: Date }> = {};
  const lastAccess: Record<string, Date> = {};
  const blocked = new Set<string>();
  const administrators = new Set<string>();
  for (const r of relations) {
    if (r.authorized_since) authorized[r.id_nat_ps] = { since: d(r.authorized_since) };
    if (r.last_access_at) lastAccess[r.id_nat_ps] = d(r.last_access_at);
    if (r.blocked_since) blocked.add(r.id_nat_ps);
    if (r.administrator_since) administrators.add(r.id_nat_ps);
  }
  return {
    spaceStatus: patient.status,
    patientIsMinor: isMinor(patient.birth_date, now),
    representatives: Object.fromEntries(reps.map((r) => [r.representative_id, { rank: r.rank }])),
    aidants,
    authorized,
    lastAccess,
    blocked,
    administrators,
    medecinTraitant: settings.medecin_traitant,
    emergency: { samu: settings.emergency_samu, brisDeGlace: settings.emergency_bris_de_glace, masked: settings.emergency_masked },
    maskAll: settings.mask_all,
    notifications: { everyPsAccess: settings.notify_every_ps_access, newDocument: settings.notify_new_document },
    connectedApps: new Set(),
    matrix,
  };
}

/**
 * Aidants by person id (migration 010), from their live invitation (at most one), else their
 * latest (hence the order: ended ones first, the live one last). Pending past its 14 days
 * reads as expired (expiry is lazy; the scheduled job only catches up), and a revoked or
 * withdrawn one makes the person nobody to the space again (left out). Invitations that
 * matched nobody (aidant_id null) are not relations.
 */
function aidantsOf(rows: AidantRow[], now: Date): Record<string, { status: AidantStatus }> {
  const out: Record<string, { status: AidantStatus }> = {};
  for (const r of rows) {
    const status = r.status === 'pending' && now.getTime() >= d(r.expires_at).getTime() ? 'expired' : r.status;
    if (status === 'pending' || status === 'accepted' || status === 'refused' || status === 'expired') {
      // An aidant whose own space is no longer active (closed, deceased) helps no one.
      out[r.aidant_id] = { status: status === 'accepted' && r.aidant_space !== 'active' ? 'expired' : status };
    } else delete out[r.aidant_id];
  }
  return out;
}

/** Last-access dates are kept to the minute: a busier professional does not rewrite (and lock) the row. */
export const LAST_ACCESS_RESOLUTION_MS = 60_000;

/**
 * Records that a professional reached the space (first-access notifications depend on it).
 * The upsert locks the relation row until commit, so every concurrent request of that
 * professional on that patient would queue behind it: a plain read first skips it when the
 * recorded access is recent.
 */
export async function touchProfessionalAccess(q: Queryable, patientId: string, idNatPs: string, now: Date, facts?: Pick<AccessFacts, 'lastAccess'>): Promise<void> {
  // The facts of this transaction already hold it; else read it.
  const last =
    facts !== undefined
      ? facts.lastAccess[idNatPs]
      : (await q.query<{ last_access_at: Date | string | null }>('SELECT last_access_at FROM professional_relations WHERE patient_id = $1 AND id_nat_ps = $2', [patientId, idNatPs]))[0]?.last_access_at;
  if (last && now.getTime() - d(last).getTime() < LAST_ACCESS_RESOLUTION_MS && now.getTime() >= d(last).getTime()) return;
  await q.query(
    `INSERT INTO professional_relations (patient_id, id_nat_ps, last_access_at) VALUES ($1, $2, $3)
     ON CONFLICT (patient_id, id_nat_ps) DO UPDATE SET last_access_at = EXCLUDED.last_access_at`,
    [patientId, idNatPs, now],
  );
}

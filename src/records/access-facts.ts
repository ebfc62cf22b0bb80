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

/**
 * Loads everything decide() needs to know about a patient's space, in the caller's
 * transaction (so the decision and the action see the same state). Null when no such space.
 * Connected apps (apps issue) have no table yet: empty.
 */
export async function loadAccessFacts(q: Queryable, patientId: string, matrix: Matrix, now: Date): Promise<AccessFacts | null> {
  const patients = await q.query<{ status: SpaceStatus; birth_date: string }>('SELECT status, birth_date FROM patients WHERE patient_id = $1', [patientId]);
  const patient = patients[0];
  if (!patient) return null;
  const settings = (await q.query<SettingsRow>('SELECT * FROM access_settings WHERE patient_id = $1', [patientId]))[0] ?? DEFAULT_SETTINGS;
  const relations = await q.query<{ id_nat_ps: string; authorized_since: Date | null; blocked_since: Date | null; administrator_since: Date | null; last_access_at: Date | null }>(
    'SELECT id_nat_ps, authorized_since, blocked_since, administrator_since, last_access_at FROM professional_relations WHERE patient_id = $1',
    [patientId],
  );
  const reps = await q.query<{ representative_id: string; rank: 1 | 2 }>("SELECT representative_id, rank FROM representations WHERE patient_id = $1 AND status = 'active'", [patientId]);
  const aidants = await loadAidants(q, patientId, now);

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
async function loadAidants(q: Queryable, patientId: string, now: Date): Promise<Record<string, { status: AidantStatus }>> {
  const rows = await q.query<{ aidant_id: string; status: string; expires_at: Date | string }>(
    `SELECT aidant_id, status, expires_at FROM aidant_invitations WHERE patient_id = $1 AND aidant_id IS NOT NULL ORDER BY status IN ('pending', 'accepted'), invited_at, invitation_id`,
    [patientId],
  );
  const out: Record<string, { status: AidantStatus }> = {};
  for (const r of rows) {
    const status = r.status === 'pending' && now.getTime() >= d(r.expires_at).getTime() ? 'expired' : r.status;
    if (status === 'pending' || status === 'accepted' || status === 'refused' || status === 'expired') out[r.aidant_id] = { status };
    else delete out[r.aidant_id];
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
export async function touchProfessionalAccess(q: Queryable, patientId: string, idNatPs: string, now: Date): Promise<void> {
  const rows = await q.query<{ last_access_at: Date | string | null }>('SELECT last_access_at FROM professional_relations WHERE patient_id = $1 AND id_nat_ps = $2', [patientId, idNatPs]);
  const last = rows[0]?.last_access_at;
  if (last && now.getTime() - d(last).getTime() < LAST_ACCESS_RESOLUTION_MS && now.getTime() >= d(last).getTime()) return;
  await q.query(
    `INSERT INTO professional_relations (patient_id, id_nat_ps, last_access_at) VALUES ($1, $2, $3)
     ON CONFLICT (patient_id, id_nat_ps) DO UPDATE SET last_access_at = EXCLUDED.last_access_at`,
    [patientId, idNatPs, now],
  );
}

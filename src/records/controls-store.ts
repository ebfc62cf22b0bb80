/**
 * SQL of the patient's access controls (tables access_settings and professional_relations,
 * migration 006): the only door to them besides the read in access-facts.ts. Every function
 * runs in the caller's transaction, after decide() permitted the action.
 */
import type { Queryable } from '../storage/index.ts';
import type { EmergencySettings } from '../access/index.ts';

export interface RelationRow {
  idNatPs: string;
  authorizedSince: Date | null;
  blockedSince: Date | null;
  administratorSince: Date | null;
  lastAccessAt: Date | null;
}

const d = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

/** Every professional the patient has a relation with, with the dates facts do not keep. */
export async function relationsOf(q: Queryable, patientId: string): Promise<RelationRow[]> {
  const rows = await q.query<{ id_nat_ps: string; authorized_since: Date | null; blocked_since: Date | null; administrator_since: Date | null; last_access_at: Date | null }>(
    'SELECT id_nat_ps, authorized_since, blocked_since, administrator_since, last_access_at FROM professional_relations WHERE patient_id = $1 ORDER BY id_nat_ps',
    [patientId],
  );
  return rows.map((r) => ({
    idNatPs: r.id_nat_ps,
    authorizedSince: d(r.authorized_since),
    blockedSince: d(r.blocked_since),
    administratorSince: d(r.administrator_since),
    lastAccessAt: d(r.last_access_at),
  }));
}

/**
 * Blocks a professional (RULES §3.4): blocked from now, and no longer authorized nor
 * administrator (a blocked administrator would be a contradiction the patient did not ask for).
 */
export async function block(q: Queryable, patientId: string, idNatPs: string, now: Date): Promise<void> {
  await q.query(
    `INSERT INTO professional_relations (patient_id, id_nat_ps, blocked_since) VALUES ($1, $2, $3)
     ON CONFLICT (patient_id, id_nat_ps) DO UPDATE SET blocked_since = COALESCE(professional_relations.blocked_since, EXCLUDED.blocked_since),
       authorized_since = NULL, administrator_since = NULL`,
    [patientId, idNatPs, now],
  );
}

/** Unblocks: not blocked any more, and not authorized either (a new consent is needed, RULES §3.4). */
export async function unblock(q: Queryable, patientId: string, idNatPs: string): Promise<void> {
  await q.query('UPDATE professional_relations SET blocked_since = NULL, authorized_since = NULL WHERE patient_id = $1 AND id_nat_ps = $2', [patientId, idNatPs]);
}

export async function setAdministrator(q: Queryable, patientId: string, idNatPs: string, now: Date | null): Promise<void> {
  await q.query(
    `INSERT INTO professional_relations (patient_id, id_nat_ps, administrator_since) VALUES ($1, $2, $3)
     ON CONFLICT (patient_id, id_nat_ps) DO UPDATE SET administrator_since = EXCLUDED.administrator_since`,
    [patientId, idNatPs, now],
  );
}

/** A consent attestation: on the authorized list from now, or since the first attestation still in force. */
export async function authorize(q: Queryable, patientId: string, idNatPs: string, now: Date): Promise<Date> {
  const rows = await q.query<{ authorized_since: Date | string }>(
    `INSERT INTO professional_relations (patient_id, id_nat_ps, authorized_since) VALUES ($1, $2, $3)
     ON CONFLICT (patient_id, id_nat_ps) DO UPDATE SET authorized_since = COALESCE(professional_relations.authorized_since, EXCLUDED.authorized_since)
     RETURNING authorized_since`,
    [patientId, idNatPs, now],
  );
  return d(rows[0]?.authorized_since ?? now) ?? now;
}

/** The settings columns one change touches; the others keep their value (or default). */
export interface SettingsChange {
  emergency?: EmergencySettings;
  maskAll?: boolean;
  notifications?: { everyPsAccess: boolean; newDocument: boolean };
  /** undefined: unchanged; null: no médecin traitant. */
  medecinTraitant?: string | null;
}

/** Writes a change to the settings row, creating it with the defaults of the migration if absent. */
export async function saveSettings(q: Queryable, patientId: string, change: SettingsChange, now: Date): Promise<void> {
  await q.query('INSERT INTO access_settings (patient_id, updated_at) VALUES ($1, $2) ON CONFLICT (patient_id) DO NOTHING', [patientId, now]);
  const sets: string[] = ['updated_at = $2'];
  const params: (string | boolean | Date | null)[] = [patientId, now];
  const set = (column: string, value: string | boolean | null) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (change.emergency) {
    set('emergency_samu', change.emergency.samu);
    set('emergency_bris_de_glace', change.emergency.brisDeGlace);
    set('emergency_masked', change.emergency.masked);
  }
  if (change.maskAll !== undefined) set('mask_all', change.maskAll);
  if (change.notifications) {
    set('notify_every_ps_access', change.notifications.everyPsAccess);
    set('notify_new_document', change.notifications.newDocument);
  }
  if (change.medecinTraitant !== undefined) set('medecin_traitant', change.medecinTraitant);
  await q.query(`UPDATE access_settings SET ${sets.join(', ')} WHERE patient_id = $1`, params);
}

export interface PersonRow {
  patientId: string;
  name: string;
  email: string | null;
  address: string | null;
  postalCode: string | null;
  city: string | null;
}

/** A person holding a space (the patient, or the representative acting), as messages and traces name them. */
export async function person(q: Queryable, patientId: string): Promise<PersonRow | null> {
  const rows = await q.query<{ birth_given_names: string; birth_name: string; used_name: string | null; email: string | null; address: string | null; postal_code: string | null; city: string | null }>(
    'SELECT birth_given_names, birth_name, used_name, email, address, postal_code, city FROM patients WHERE patient_id = $1',
    [patientId],
  );
  const r = rows[0];
  if (!r) return null;
  const name = `${r.birth_given_names.split(' ')[0] ?? ''} ${r.used_name ?? r.birth_name}`.trim();
  return { patientId, name, email: r.email, address: r.address, postalCode: r.postal_code, city: r.city };
}

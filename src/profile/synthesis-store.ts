/**
 * What the profile synthesis reads beyond the profile's own readers: the patient's identity
 * traits as the INS gives them. No access check here: the caller runs inside withRecordAccess.
 */
import type { Queryable } from '../storage/index.ts';
import { patientIdentity } from './vaccinations-store.ts';

export interface SynthesisIdentity {
  /** "Claire Anne MARTIN", with the used name when it differs ("... DURAND (nom de naissance MARTIN)"). */
  name: string;
  birthDate: string;
  sex: 'M' | 'F' | 'U';
  matricule: string;
  /** OID of the matricule's authority (NIR, NIA, test NIR). */
  insOid: string;
}

export async function synthesisIdentity(q: Queryable, patientId: string): Promise<SynthesisIdentity | null> {
  const who = await patientIdentity(q, patientId);
  if (who === null) return null;
  const rows = await q.query<{ sex: 'M' | 'F' | 'U'; ins_oid: string }>('SELECT sex, ins_oid FROM patients WHERE patient_id = $1', [patientId]);
  const r = rows[0];
  if (!r) return null;
  return { name: who.name, birthDate: who.birthDate, matricule: who.matricule, sex: r.sex, insOid: r.ins_oid };
}

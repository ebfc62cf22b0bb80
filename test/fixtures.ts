import { hash } from '@node-rs/argon2';
import { randomInt, randomUUID } from 'node:crypto';
import type { Db } from '../src/storage/index.ts';
import { withNirKey } from '../src/identity/ins.ts';

/** A valid random NIR for a person of the given sex and birth date (département 75, Paris). */
export function randomNir(sex: 'M' | 'F' = 'F', birthDate = '1985-04-12'): string {
  const first13 = `${sex === 'M' ? '1' : '2'}${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}75${String(randomInt(1, 999)).padStart(3, '0')}${String(randomInt(1, 999)).padStart(3, '0')}`;
  return withNirKey(first13);
}

export interface PatientFixture {
  patientId: string;
  matricule: string;
  birthDate: string;
  sex: 'M' | 'F';
  email: string | null;
  cardSerial: string;
  status: string;
}

/** Inserts a patient row directly (bypassing the import) for tests of later steps. */
export async function insertPatient(db: Db, o: Partial<PatientFixture> & { at?: Date } = {}): Promise<PatientFixture> {
  const sex = o.sex ?? 'F';
  const birthDate = o.birthDate ?? '1985-04-12';
  const p: PatientFixture = {
    patientId: o.patientId ?? randomUUID(),
    matricule: o.matricule ?? randomNir(sex, birthDate),
    birthDate,
    sex,
    email: o.email === undefined ? `p${randomInt(1e9)}@example.org` : o.email,
    cardSerial: o.cardSerial ?? String(randomInt(1e9, 9e9)),
    status: o.status ?? 'pending',
  };
  const at = (o.at ?? new Date('2026-01-15T09:00:00Z')).toISOString();
  await db.query('INSERT INTO patient_ins (matricule, patient_id) VALUES ($1, $2)', [p.matricule, p.patientId]);
  await db.query(
    `INSERT INTO patients (patient_id, matricule, ins_oid, birth_name, birth_given_names, birth_date, sex, card_serial, email,
       status, status_changed_at, created_at, updated_at, opens_at)
     VALUES ($1, $2, '1.2.250.1.213.1.4.8', 'MARTIN', 'Claire Anne', $3, $4, $5, $6, $7, $8, $8, $8, ($8::timestamptz + interval '42 days'))`,
    [p.patientId, p.matricule, p.birthDate, p.sex, p.cardSerial, p.email, p.status, at],
  );
  return p;
}

/** An activated patient with a sign-in identifier and an argon2id password. */
export async function insertActivePatient(db: Db, o: Partial<PatientFixture> & { loginId?: string; password?: string } = {}): Promise<PatientFixture & { loginId: string; password: string }> {
  const p = await insertPatient(db, { ...o, status: 'active' });
  const loginId = o.loginId ?? `user${randomInt(1e9)}`;
  const password = o.password ?? 'Correct-Horse-42';
  await db.query('INSERT INTO patient_logins (login_id, patient_id) VALUES ($1, $2)', [loginId.toLowerCase(), p.patientId]);
  await db.query(`UPDATE patients SET login_id = $2, password_hash = $3, activated_at = created_at, terms_version = '2026-01', terms_accepted_at = created_at WHERE patient_id = $1`, [
    p.patientId,
    loginId.toLowerCase(),
    await hash(password, { algorithm: 2 }),
  ]);
  return { ...p, loginId, password };
}

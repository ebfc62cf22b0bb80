/**
 * The SQL of entourage & volontés (tables entourage_contacts, organ_donation,
 * advance_directives), private to the profile capability. No access check here: callers run
 * inside withRecordAccess; `readEntourage` is the plain reader for a caller that has already
 * decided (the profile synthesis PDF).
 *
 * Contacts (names, relation, phone, e-mail), the organ donation statement (position, comment)
 * and the advance directives' form are sealed (Invariant 4) under the patient's data key,
 * bound to the table, the patient and the row; a contact's kind stays clear (the
 * one-trusted-person index needs it), so do dates and who recorded what. Contacts are sorted
 * by name in code, after opening.
 */
import type { Queryable } from '../storage/index.ts';
import type { PatientRecordSealer, RecordSealer } from './profile-crypto.ts';
import { AppError } from '../platform/errors.ts';
import type { AdvanceDirectivesForm, Contact, ContactKind, DonationPosition, RelationCode } from './entourage-input.ts';
import { RELATIONS } from './entourage-input.ts';

export interface ContactView {
  contactId: string;
  kind: ContactKind;
  familyName: string;
  givenName: string | null;
  relation: { code: RelationCode; display: string; label: string };
  /** The relation in free text when relation is 'other'. */
  relationText: string | null;
  phone: string | null;
  email: string | null;
  updatedAt: string;
}

export interface OrganDonationView {
  position: DonationPosition;
  comment: string | null;
  statedOn: string;
}

export interface AdvanceDirectivesView {
  directiveId: string;
  source: 'form' | 'upload';
  form: AdvanceDirectivesForm | null;
  /** The EXPPAT_3 document of the shared record holding them. */
  documentId: string;
  writtenOn: string;
  recordedAt: string;
}

export interface EntourageView {
  contacts: ContactView[];
  organDonation: OrganDonationView | null;
}

interface ContactRow {
  contact_id: string;
  kind: ContactKind;
  sealed: unknown;
  updated_at: Date | string;
}

/** What is sealed of a contact. */
interface SealedContact {
  familyName: string;
  givenName: string | null;
  relation: RelationCode;
  relationText: string | null;
  phone: string | null;
  email: string | null;
}

const CONTACTS = 'entourage_contacts';
const DONATION = 'organ_donation';
const DIRECTIVES = 'advance_directives';
// A contact's seal is bound to its kind as well as its id: relabelled (a caregiver as the trusted person), it does not open.
const contactRow = (kind: string, contactId: string) => `${kind}/${contactId}`;

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();
const KIND_ORDER: Readonly<Record<ContactKind, number>> = { trusted_person: 0, emergency_contact: 1, caregiver: 2 };
const byName = new Intl.Collator('fr', { sensitivity: 'base' });

function contactOf(s: PatientRecordSealer, r: ContactRow): ContactView {
  const c = s.open<SealedContact>(CONTACTS, contactRow(r.kind, r.contact_id), r.sealed);
  const [display, label] = RELATIONS[c.relation];
  return {
    contactId: r.contact_id,
    kind: r.kind,
    familyName: c.familyName,
    givenName: c.givenName,
    relation: { code: c.relation, display, label },
    relationText: c.relationText,
    phone: c.phone,
    email: c.email,
    updatedAt: iso(r.updated_at),
  };
}

const CONTACT_COLUMNS = 'contact_id, kind, sealed, updated_at';

/** Opens the rows (the data key is fetched only when there is something to open). */
async function contactsOf(q: Queryable, patientId: string, sealer: RecordSealer, rows: readonly ContactRow[]): Promise<ContactView[]> {
  if (rows.length === 0) return [];
  const s = await sealer.forPatient(q, patientId);
  return rows.map((r) => contactOf(s, r));
}

/** The trusted person first, then emergency contacts, then caregivers; by name within each (sorted here: names are sealed). */
export async function listContacts(q: Queryable, patientId: string, sealer: RecordSealer): Promise<ContactView[]> {
  const rows = await q.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM entourage_contacts WHERE patient_id = $1`, [patientId]);
  return (await contactsOf(q, patientId, sealer, rows)).sort(
    (a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || byName.compare(a.familyName, b.familyName) || (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0),
  );
}

export async function readContact(q: Queryable, patientId: string, sealer: RecordSealer, contactId: string): Promise<ContactView | null> {
  const rows = await q.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM entourage_contacts WHERE patient_id = $1 AND contact_id = $2`, [patientId, contactId]);
  return (await contactsOf(q, patientId, sealer, rows))[0] ?? null;
}

export async function findTrustedPerson(q: Queryable, patientId: string, sealer: RecordSealer): Promise<ContactView | null> {
  const rows = await q.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM entourage_contacts WHERE patient_id = $1 AND kind = 'trusted_person' FOR UPDATE`, [patientId]);
  return (await contactsOf(q, patientId, sealer, rows))[0] ?? null;
}

function sealedContact(s: PatientRecordSealer, contactId: string, c: Contact): Buffer {
  const v: SealedContact = { familyName: c.familyName, givenName: c.givenName, relation: c.relation, relationText: c.relationText, phone: c.phone, email: c.email };
  return s.seal(CONTACTS, contactRow(c.kind, contactId), v);
}

/** The 409 of a second trusted person (RULES §7: at most one). */
export function secondTrustedPerson(current: Pick<ContactView, 'givenName' | 'familyName'> | null): AppError {
  const who = current === null ? '' : ` (${[current.givenName, current.familyName].filter((s) => s !== null).join(' ')})`;
  return new AppError(
    'conflict',
    `You already have a trusted person${who}, and you may have only one. To name someone else, replace them: PUT /api/spaces/<your id>/entourage/trusted-person (or change or delete the current one first).`,
    { details: [{ field: 'body.kind', reason: 'a trusted person already exists' }] },
  );
}

/** Runs a write, turning the one-trusted-person index's violation (a race) into the 409. */
async function guarded<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if ((e as { code?: unknown }).code === '23505' && /entourage_one_trusted_person/.test(String((e as Error).message) + String((e as { constraint?: unknown }).constraint ?? ''))) {
      throw secondTrustedPerson(null);
    }
    throw e;
  }
}

export async function insertContact(q: Queryable, patientId: string, sealer: RecordSealer, contactId: string, c: Contact, now: Date): Promise<ContactView> {
  const sealed = sealedContact(await sealer.forPatient(q, patientId), contactId, c);
  await guarded(() =>
    q.query(
      `INSERT INTO entourage_contacts (patient_id, contact_id, kind, sealed, recorded_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5)`,
      [patientId, contactId, c.kind, sealed, now],
    ),
  );
  const v = await readContact(q, patientId, sealer, contactId);
  if (v === null) throw new Error('contact just written cannot be read back');
  return v;
}

export async function updateContact(q: Queryable, patientId: string, sealer: RecordSealer, contactId: string, c: Contact, now: Date): Promise<ContactView | null> {
  const sealed = sealedContact(await sealer.forPatient(q, patientId), contactId, c);
  const rows = await guarded(() =>
    q.query<{ contact_id: string }>(
      `UPDATE entourage_contacts SET kind = $3, sealed = $4, updated_at = $5
       WHERE patient_id = $1 AND contact_id = $2 RETURNING contact_id`,
      [patientId, contactId, c.kind, sealed, now],
    ),
  );
  return rows[0] ? readContact(q, patientId, sealer, contactId) : null;
}

export async function deleteContact(q: Queryable, patientId: string, contactId: string): Promise<boolean> {
  return (await q.query('DELETE FROM entourage_contacts WHERE patient_id = $1 AND contact_id = $2 RETURNING contact_id', [patientId, contactId])).length > 0;
}

export async function deleteTrustedPerson(q: Queryable, patientId: string): Promise<void> {
  await q.query("DELETE FROM entourage_contacts WHERE patient_id = $1 AND kind = 'trusted_person'", [patientId]);
}

// One statement per patient: the row is the patient's (already in the seal's AAD).
const DONATION_ROW = 'statement';

export async function readOrganDonation(q: Queryable, patientId: string, sealer: RecordSealer): Promise<OrganDonationView | null> {
  const rows = await q.query<{ sealed: unknown; stated_on: string }>('SELECT sealed, stated_on::text AS stated_on FROM organ_donation WHERE patient_id = $1', [patientId]);
  const r = rows[0];
  if (!r) return null;
  const v = (await sealer.forPatient(q, patientId)).open<{ position: DonationPosition; comment: string | null }>(DONATION, DONATION_ROW, r.sealed);
  return { position: v.position, comment: v.comment, statedOn: r.stated_on };
}

export async function upsertOrganDonation(
  q: Queryable,
  patientId: string,
  sealer: RecordSealer,
  s: { position: DonationPosition; comment: string | null },
  statedOn: string,
  by: { kind: string; id: string },
  now: Date,
): Promise<OrganDonationView> {
  const sealed = (await sealer.forPatient(q, patientId)).seal(DONATION, DONATION_ROW, { position: s.position, comment: s.comment });
  await q.query(
    `INSERT INTO organ_donation (patient_id, sealed, stated_on, stated_by_kind, stated_by_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (patient_id) DO UPDATE SET sealed = EXCLUDED.sealed, stated_on = EXCLUDED.stated_on,
       stated_by_kind = EXCLUDED.stated_by_kind, stated_by_id = EXCLUDED.stated_by_id, updated_at = EXCLUDED.updated_at`,
    [patientId, sealed, statedOn, by.kind, by.id, now],
  );
  return { position: s.position, comment: s.comment, statedOn };
}

export async function deleteOrganDonation(q: Queryable, patientId: string): Promise<boolean> {
  return (await q.query('DELETE FROM organ_donation WHERE patient_id = $1 RETURNING patient_id', [patientId])).length > 0;
}

interface DirectiveRow {
  directive_id: string;
  source: 'form' | 'upload';
  form: unknown;
  document_id: string;
  written_on: string;
  recorded_at: Date | string;
}

/** The advance directives in force: the newest version, or null. */
export async function currentAdvanceDirectives(q: Queryable, patientId: string, sealer: RecordSealer): Promise<AdvanceDirectivesView | null> {
  const rows = await q.query<DirectiveRow>(
    'SELECT directive_id, source, form, document_id, written_on::text AS written_on, recorded_at FROM advance_directives WHERE patient_id = $1 ORDER BY recorded_at DESC, directive_id DESC LIMIT 1',
    [patientId],
  );
  const r = rows[0];
  if (!r) return null;
  const form = r.form === null || r.form === undefined ? null : (await sealer.forPatient(q, patientId)).open<AdvanceDirectivesForm>(DIRECTIVES, r.directive_id, r.form);
  return { directiveId: r.directive_id, source: r.source, form, documentId: r.document_id, writtenOn: r.written_on, recordedAt: iso(r.recorded_at) };
}

export async function insertAdvanceDirectives(
  q: Queryable,
  patientId: string,
  sealer: RecordSealer,
  v: { directiveId: string; source: 'form' | 'upload'; form: AdvanceDirectivesForm | null; documentId: string; writtenOn: string },
  by: { kind: string; id: string },
  now: Date,
): Promise<AdvanceDirectivesView> {
  const form = v.form === null ? null : (await sealer.forPatient(q, patientId)).seal(DIRECTIVES, v.directiveId, v.form);
  await q.query(
    `INSERT INTO advance_directives (patient_id, directive_id, source, form, document_id, written_on, recorded_at, recorded_by_kind, recorded_by_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [patientId, v.directiveId, v.source, form, v.documentId, v.writtenOn, now, by.kind, by.id],
  );
  return { ...v, recordedAt: now.toISOString() };
}

/** Contacts, organ donation and the advance directives in force, opened with `sealer` (no access check: the caller has decided for both kinds). */
export async function readEntourage(q: Queryable, patientId: string, sealer: RecordSealer): Promise<EntourageView & { advanceDirectives: AdvanceDirectivesView | null }> {
  return {
    contacts: await listContacts(q, patientId, sealer),
    organDonation: await readOrganDonation(q, patientId, sealer),
    advanceDirectives: await currentAdvanceDirectives(q, patientId, sealer),
  };
}

/**
 * The SQL of entourage & volontés (tables entourage_contacts, organ_donation,
 * advance_directives), private to the profile capability. No access check here: callers run
 * inside withRecordAccess; `readEntourage` is the plain reader for a caller that has already
 * decided (the profile synthesis PDF).
 */
import type { Queryable } from '../storage/index.ts';
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
  family_name: string;
  given_name: string | null;
  relation_code: RelationCode;
  relation_text: string | null;
  phone: string | null;
  email: string | null;
  updated_at: Date | string;
}

const iso = (v: Date | string): string => (v instanceof Date ? v : new Date(v)).toISOString();
const KIND_ORDER = "CASE kind WHEN 'trusted_person' THEN 0 WHEN 'emergency_contact' THEN 1 ELSE 2 END";

function contactOf(r: ContactRow): ContactView {
  const [display, label] = RELATIONS[r.relation_code];
  return {
    contactId: r.contact_id,
    kind: r.kind,
    familyName: r.family_name,
    givenName: r.given_name,
    relation: { code: r.relation_code, display, label },
    relationText: r.relation_text,
    phone: r.phone,
    email: r.email,
    updatedAt: iso(r.updated_at),
  };
}

const CONTACT_COLUMNS = 'contact_id, kind, family_name, given_name, relation_code, relation_text, phone, email, updated_at';

/** The trusted person first, then emergency contacts, then caregivers. */
export async function listContacts(q: Queryable, patientId: string): Promise<ContactView[]> {
  const rows = await q.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM entourage_contacts WHERE patient_id = $1 ORDER BY ${KIND_ORDER}, family_name, contact_id`, [patientId]);
  return rows.map(contactOf);
}

export async function readContact(q: Queryable, patientId: string, contactId: string): Promise<ContactView | null> {
  const rows = await q.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM entourage_contacts WHERE patient_id = $1 AND contact_id = $2`, [patientId, contactId]);
  return rows[0] ? contactOf(rows[0]) : null;
}

export async function findTrustedPerson(q: Queryable, patientId: string): Promise<ContactView | null> {
  const rows = await q.query<ContactRow>(`SELECT ${CONTACT_COLUMNS} FROM entourage_contacts WHERE patient_id = $1 AND kind = 'trusted_person' FOR UPDATE`, [patientId]);
  return rows[0] ? contactOf(rows[0]) : null;
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

export async function insertContact(q: Queryable, patientId: string, contactId: string, c: Contact, now: Date): Promise<ContactView> {
  await guarded(() =>
    q.query(
      `INSERT INTO entourage_contacts (patient_id, contact_id, kind, family_name, given_name, relation_code, relation_text, phone, email, recorded_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
      [patientId, contactId, c.kind, c.familyName, c.givenName, c.relation, c.relationText, c.phone, c.email, now],
    ),
  );
  const v = await readContact(q, patientId, contactId);
  if (v === null) throw new Error('contact just written cannot be read back');
  return v;
}

export async function updateContact(q: Queryable, patientId: string, contactId: string, c: Contact, now: Date): Promise<ContactView | null> {
  const rows = await guarded(() =>
    q.query<{ contact_id: string }>(
      `UPDATE entourage_contacts SET kind = $3, family_name = $4, given_name = $5, relation_code = $6, relation_text = $7, phone = $8, email = $9, updated_at = $10
       WHERE patient_id = $1 AND contact_id = $2 RETURNING contact_id`,
      [patientId, contactId, c.kind, c.familyName, c.givenName, c.relation, c.relationText, c.phone, c.email, now],
    ),
  );
  return rows[0] ? readContact(q, patientId, contactId) : null;
}

export async function deleteContact(q: Queryable, patientId: string, contactId: string): Promise<boolean> {
  return (await q.query('DELETE FROM entourage_contacts WHERE patient_id = $1 AND contact_id = $2 RETURNING contact_id', [patientId, contactId])).length > 0;
}

export async function deleteTrustedPerson(q: Queryable, patientId: string): Promise<void> {
  await q.query("DELETE FROM entourage_contacts WHERE patient_id = $1 AND kind = 'trusted_person'", [patientId]);
}

export async function readOrganDonation(q: Queryable, patientId: string): Promise<OrganDonationView | null> {
  const rows = await q.query<{ position: DonationPosition; comment: string | null; stated_on: string }>('SELECT position, comment, stated_on::text AS stated_on FROM organ_donation WHERE patient_id = $1', [patientId]);
  const r = rows[0];
  return r ? { position: r.position, comment: r.comment, statedOn: r.stated_on } : null;
}

export async function upsertOrganDonation(q: Queryable, patientId: string, s: { position: DonationPosition; comment: string | null }, statedOn: string, by: { kind: string; id: string }, now: Date): Promise<OrganDonationView> {
  await q.query(
    `INSERT INTO organ_donation (patient_id, position, comment, stated_on, stated_by_kind, stated_by_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (patient_id) DO UPDATE SET position = EXCLUDED.position, comment = EXCLUDED.comment, stated_on = EXCLUDED.stated_on,
       stated_by_kind = EXCLUDED.stated_by_kind, stated_by_id = EXCLUDED.stated_by_id, updated_at = EXCLUDED.updated_at`,
    [patientId, s.position, s.comment, statedOn, by.kind, by.id, now],
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
export async function currentAdvanceDirectives(q: Queryable, patientId: string): Promise<AdvanceDirectivesView | null> {
  const rows = await q.query<DirectiveRow>(
    'SELECT directive_id, source, form, document_id, written_on::text AS written_on, recorded_at FROM advance_directives WHERE patient_id = $1 ORDER BY recorded_at DESC, directive_id DESC LIMIT 1',
    [patientId],
  );
  const r = rows[0];
  if (!r) return null;
  const form = (typeof r.form === 'string' ? JSON.parse(r.form) : r.form) as AdvanceDirectivesForm | null;
  return { directiveId: r.directive_id, source: r.source, form, documentId: r.document_id, writtenOn: r.written_on, recordedAt: iso(r.recorded_at) };
}

export async function insertAdvanceDirectives(
  q: Queryable,
  patientId: string,
  v: { directiveId: string; source: 'form' | 'upload'; form: AdvanceDirectivesForm | null; documentId: string; writtenOn: string },
  by: { kind: string; id: string },
  now: Date,
): Promise<AdvanceDirectivesView> {
  await q.query(
    `INSERT INTO advance_directives (patient_id, directive_id, source, form, document_id, written_on, recorded_at, recorded_by_kind, recorded_by_id)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9)`,
    [patientId, v.directiveId, v.source, v.form === null ? null : JSON.stringify(v.form), v.documentId, v.writtenOn, now, by.kind, by.id],
  );
  return { ...v, recordedAt: now.toISOString() };
}

/** Contacts, organ donation and the advance directives in force (no access check: the caller has decided for both kinds). */
export async function readEntourage(q: Queryable, patientId: string): Promise<EntourageView & { advanceDirectives: AdvanceDirectivesView | null }> {
  return { contacts: await listContacts(q, patientId), organDonation: await readOrganDonation(q, patientId), advanceDirectives: await currentAdvanceDirectives(q, patientId) };
}

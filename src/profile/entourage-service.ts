/**
 * Entourage & volontés' use cases (RULES §7): contacts (at most one trusted person), the organ
 * donation statement, advance directives (form or PDF upload, both stored as an EXPPAT_3
 * document). Every access goes through withRecordAccess (decided, traced once); decide()
 * refuses advance directives for a minor (advance_directives_minor) and to aidants, who write
 * the entourage but not the directives; professionals read per the matrix (a dentist does not
 * read advance directives), in emergency modes too. Input is checked after the decision;
 * bad input rolls back: nothing stored, nothing traced.
 *
 * Writing advance directives leaves two entries in the trace, one per thing written: the
 * directives (`advance_directives_written` / `_uploaded`, decided on resource kind
 * advance_directives, so that a minor's representative is told why: 403) and the EXPPAT_3
 * document the repository creates (`document_created`, decided again on the document).
 */
import { AppError } from '../platform/errors.ts';
import { ADVANCE_DIRECTIVES_TYPE } from '../access/index.ts';
import { withRecordAccess } from '../records/index.ts';
import type { DocumentsRepository, DocumentView, RecordAccessContext, RecordCaller } from '../records/index.ts';
import { invalidInput, parisDay } from './vaccinations-input.ts';
import { patientIdentity } from './vaccinations-store.ts';
import { checkAdvanceDirectives, checkContact, checkOrganDonation } from './entourage-input.ts';
import type { AdvanceDirectivesInput, ContactInput } from './entourage-input.ts';
import {
  currentAdvanceDirectives,
  deleteContact,
  deleteOrganDonation,
  deleteTrustedPerson,
  findTrustedPerson,
  insertAdvanceDirectives,
  insertContact,
  listContacts,
  readContact,
  readOrganDonation,
  secondTrustedPerson,
  updateContact,
  upsertOrganDonation,
} from './entourage-store.ts';
import type { AdvanceDirectivesView, ContactView, EntourageView, OrganDonationView } from './entourage-store.ts';
import { renderAdvanceDirectivesPdf } from './entourage-pdf.ts';
import type { ReadOptions } from './vaccinations-service.ts';
import type { ProfileDeps } from './profile-crypto.ts';

const contactTarget = (id: string) => `RelatedPerson/${id}`;
const noSuchContact = () => new AppError('not_found', 'No such contact in this space.');

export async function readEntourageOf(deps: ProfileDeps, caller: RecordCaller, patientId: string, opts: ReadOptions = {}) {
  return withRecordAccess(deps, caller, patientId, { action: 'read', kind: 'entourage_volontes', traceAction: 'entourage_read', mode: opts.mode, justification: opts.justification }, async (ctx): Promise<{ value: EntourageView }> => ({
    value: { contacts: await listContacts(ctx.q, patientId, deps.sealer), organDonation: await readOrganDonation(ctx.q, patientId, deps.sealer) },
  }));
}

/** The contacts alone (FHIR RelatedPerson search). */
export async function listContactsOf(deps: ProfileDeps, caller: RecordCaller, patientId: string, opts: ReadOptions = {}) {
  return withRecordAccess(deps, caller, patientId, { action: 'list', kind: 'entourage_volontes', traceAction: 'entourage_contacts_listed', mode: opts.mode, justification: opts.justification }, async (ctx) => {
    const contacts = await listContacts(ctx.q, patientId, deps.sealer);
    return { value: contacts, detail: { count: contacts.length } };
  });
}

export async function readContactOf(deps: ProfileDeps, caller: RecordCaller, patientId: string, contactId: string, opts: ReadOptions = {}) {
  return withRecordAccess(
    deps,
    caller,
    patientId,
    { action: 'read', kind: 'entourage_volontes', traceAction: 'entourage_contact_read', target: contactTarget(contactId), mode: opts.mode, justification: opts.justification },
    async (ctx) => {
      const c = await readContact(ctx.q, patientId, deps.sealer, contactId);
      if (c === null) throw noSuchContact();
      return { value: c };
    },
  );
}

function checked(input: ContactInput) {
  const r = checkContact(input);
  if ('problems' in r) throw invalidInput(r.problems);
  return r.ok;
}

export async function addContact(deps: ProfileDeps, caller: RecordCaller, patientId: string, input: ContactInput): Promise<ContactView> {
  const id = deps.random.uuid();
  const r = await withRecordAccess(deps, caller, patientId, { action: 'create', kind: 'entourage_volontes', traceAction: 'entourage_contact_added', target: contactTarget(id) }, async (ctx) => {
    const c = checked(input);
    if (c.kind === 'trusted_person') {
      const current = await findTrustedPerson(ctx.q, patientId, deps.sealer);
      if (current !== null) throw secondTrustedPerson(current);
    }
    return { value: await insertContact(ctx.q, patientId, deps.sealer, id, c, ctx.now), detail: { kind: c.kind } };
  });
  return r.value;
}

export async function changeContact(deps: ProfileDeps, caller: RecordCaller, patientId: string, contactId: string, input: ContactInput): Promise<ContactView> {
  const r = await withRecordAccess(deps, caller, patientId, { action: 'update', kind: 'entourage_volontes', traceAction: 'entourage_contact_updated', target: contactTarget(contactId) }, async (ctx) => {
    const c = checked(input);
    if (c.kind === 'trusted_person') {
      const current = await findTrustedPerson(ctx.q, patientId, deps.sealer);
      if (current !== null && current.contactId !== contactId) throw secondTrustedPerson(current);
    }
    const v = await updateContact(ctx.q, patientId, deps.sealer, contactId, c, ctx.now);
    if (v === null) throw noSuchContact();
    return { value: v, detail: { kind: c.kind } };
  });
  return r.value;
}

export async function removeContact(deps: ProfileDeps, caller: RecordCaller, patientId: string, contactId: string): Promise<void> {
  await withRecordAccess(deps, caller, patientId, { action: 'delete', kind: 'entourage_volontes', traceAction: 'entourage_contact_deleted', target: contactTarget(contactId) }, async (ctx) => {
    if (!(await deleteContact(ctx.q, patientId, contactId))) throw noSuchContact();
    return { value: undefined };
  });
}

/** Names a new trusted person in place of the current one (if any): the way out of the 409. */
export async function replaceTrustedPerson(deps: ProfileDeps, caller: RecordCaller, patientId: string, input: ContactInput): Promise<ContactView> {
  const id = deps.random.uuid();
  const r = await withRecordAccess(deps, caller, patientId, { action: 'update', kind: 'entourage_volontes', traceAction: 'trusted_person_replaced', target: contactTarget(id) }, async (ctx) => {
    const c = checked({ ...input, kind: 'trusted_person' });
    const previous = await findTrustedPerson(ctx.q, patientId, deps.sealer);
    await deleteTrustedPerson(ctx.q, patientId);
    return { value: await insertContact(ctx.q, patientId, deps.sealer, id, c, ctx.now), detail: { replaced: previous === null ? null : contactTarget(previous.contactId) } };
  });
  return r.value;
}

export async function stateOrganDonation(deps: ProfileDeps, caller: RecordCaller, patientId: string, input: { position: string; comment?: string | undefined }): Promise<OrganDonationView> {
  const r = await withRecordAccess(deps, caller, patientId, { action: 'update', kind: 'entourage_volontes', traceAction: 'organ_donation_stated' }, async (ctx) => {
    const s = checkOrganDonation(input);
    if ('problems' in s) throw invalidInput(s.problems);
    const a = ctx.caller.author;
    return { value: await upsertOrganDonation(ctx.q, patientId, deps.sealer, s.ok, parisDay(ctx.now), { kind: a.kind, id: a.id }, ctx.now) };
  });
  return r.value;
}

export async function withdrawOrganDonation(deps: ProfileDeps, caller: RecordCaller, patientId: string): Promise<void> {
  await withRecordAccess(deps, caller, patientId, { action: 'delete', kind: 'entourage_volontes', traceAction: 'organ_donation_withdrawn' }, async (ctx) => {
    if (!(await deleteOrganDonation(ctx.q, patientId))) throw new AppError('not_found', 'There is no organ donation statement to withdraw.');
    return { value: undefined };
  });
}

export async function readAdvanceDirectivesOf(deps: ProfileDeps, caller: RecordCaller, patientId: string, opts: ReadOptions = {}) {
  return withRecordAccess(deps, caller, patientId, { action: 'read', kind: 'advance_directives', traceAction: 'advance_directives_read', mode: opts.mode, justification: opts.justification }, async (ctx) => {
    const v = await currentAdvanceDirectives(ctx.q, patientId, deps.sealer);
    return { value: v, ...(v === null ? {} : { target: `document:${v.documentId}` }) };
  });
}

async function identity(ctx: RecordAccessContext) {
  const who = await patientIdentity(ctx.q, ctx.patientId);
  if (who === null) throw new AppError('not_found', 'No such space, or you have no access to it.');
  return who;
}

export interface WrittenDirectives {
  advanceDirectives: AdvanceDirectivesView;
  document: DocumentView;
}

export async function writeAdvanceDirectives(deps: ProfileDeps, repo: DocumentsRepository, caller: RecordCaller, patientId: string, input: AdvanceDirectivesInput): Promise<WrittenDirectives> {
  const directiveId = deps.random.uuid();
  const r = await withRecordAccess(deps, caller, patientId, { action: 'create', kind: 'advance_directives', traceAction: 'advance_directives_written' }, async (ctx) => {
    const f = checkAdvanceDirectives(input);
    if ('problems' in f) throw invalidInput(f.problems);
    const who = await identity(ctx);
    const writtenOn = parisDay(ctx.now);
    const content = await renderAdvanceDirectivesPdf({ patientName: who.name, birthDate: who.birthDate, writtenOn, generatedAt: ctx.now }, f.ok);
    const document = await repo.submitIn(ctx.q, caller, patientId, { typeCode: ADVANCE_DIRECTIVES_TYPE, title: 'Directives anticipées', createdOn: writtenOn, format: 'application/pdf', content });
    const a = ctx.caller.author;
    const advanceDirectives = await insertAdvanceDirectives(ctx.q, patientId, deps.sealer, { directiveId, source: 'form', form: f.ok, documentId: document.documentId, writtenOn }, { kind: a.kind, id: a.id }, ctx.now);
    return { value: { advanceDirectives, document }, target: `document:${document.documentId}` };
  });
  return r.value;
}

export const PDF_MAX_BYTES = 5 * 1024 * 1024;

export async function uploadAdvanceDirectives(
  deps: ProfileDeps,
  repo: DocumentsRepository,
  caller: RecordCaller,
  patientId: string,
  upload: { content: Buffer; writtenOn: string | undefined },
): Promise<WrittenDirectives> {
  const directiveId = deps.random.uuid();
  const r = await withRecordAccess(deps, caller, patientId, { action: 'create', kind: 'advance_directives', traceAction: 'advance_directives_uploaded' }, async (ctx) => {
    if (!upload.content.subarray(0, 5).equals(Buffer.from('%PDF-'))) throw invalidInput([{ field: 'body', reason: 'is not a PDF: send the scanned or signed directives as a PDF file (Content-Type: application/pdf)' }]);
    const who = await identity(ctx);
    const today = parisDay(ctx.now);
    const writtenOn = upload.writtenOn ?? today;
    if (writtenOn > today) throw invalidInput([{ field: 'querystring.writtenOn', reason: 'is in the future: give the date the directives were written and signed' }]);
    if (writtenOn < who.birthDate) throw invalidInput([{ field: 'querystring.writtenOn', reason: 'is before your birth' }]);
    const document = await repo.submitIn(ctx.q, caller, patientId, { typeCode: ADVANCE_DIRECTIVES_TYPE, title: 'Directives anticipées', createdOn: writtenOn, format: 'application/pdf', content: upload.content });
    const a = ctx.caller.author;
    const advanceDirectives = await insertAdvanceDirectives(ctx.q, patientId, deps.sealer, { directiveId, source: 'upload', form: null, documentId: document.documentId, writtenOn }, { kind: a.kind, id: a.id }, ctx.now);
    return { value: { advanceDirectives, document }, target: `document:${document.documentId}` };
  });
  return r.value;
}

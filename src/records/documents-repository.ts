/**
 * The documents repository: the ONLY place that reads or writes the `documents` table and
 * document content (ARCHITECTURE invariant 1; STYLE, Medplum's repository). Every method runs
 * in one transaction that loads the access facts, asks decide(), carries out the obligations
 * (trace, notifications, first-access bookkeeping, warnings) and writes exactly one trace
 * entry with the action, or one `access_denied` entry with the reason when refused.
 *
 * A refusal commits its trace and then answers 404 (the document, or the whole space when the
 * actor has no relation with it): its existence does not leak (invariant 2). Two refusals are
 * told for what they are because they leak nothing: a bris de glace without justification
 * (400 naming the field) and a change to a document the actor does see but may not change (403).
 */
import type { Config } from '../config.ts';
import type { Db, Queryable } from '../storage/index.ts';
import type { Clock } from '../platform/clock.ts';
import { addMonths } from '../platform/clock.ts';
import type { Random } from '../platform/random.ts';
import { AppError } from '../platform/errors.ts';
import { DEFAULT_MATRIX, classOfType, decide } from '../access/index.ts';
import type { AccessAction, AccessFacts, AccessMode, AccessRequest, AuthorKind, Decision, DenyReason, DocumentMeta, DocumentStatus } from '../access/index.ts';
import { createMasterKeyRing, createPatientKeys, createPgBlobStore } from '../storage/blobs/index.ts';
import type { BlobStore } from '../storage/blobs/index.ts';
import { loadAccessFacts } from './access-facts.ts';
import { emergencyBannerOf, fulfilObligations, justificationRequired, resolveCaller, tracePermitted, traceRefusal } from './record-access.ts';
import type { RecordCaller, ResolvedCaller } from './record-access.ts';
import { compileDocumentsFilter } from './documents-filter.ts';
import { describeDocumentAccess } from './documents-visibility.ts';
import type { DocumentAccessAnswer } from './documents-visibility.ts';

export interface DocumentsDeps {
  db: Db;
  clock: Clock;
  random: Random;
  config: Pick<Config, 'masterKey'>;
}

/** Who calls, as the routes know them (record-access.ts turns them into decide() actors). */
export type DocumentsCaller = RecordCaller;

export interface DocumentFlagsInput {
  maskedToProfessionals?: boolean;
  invisibleToPatient?: boolean;
  invisibleToRepresentatives?: boolean;
}

/** A validated new document (routes check formats, sizes, types and dates first). */
export interface NewDocument {
  typeCode: string;
  title: string;
  /** YYYY-MM-DD, the date of the act. */
  createdOn: string;
  format: string;
  content: Buffer;
  flags?: DocumentFlagsInput;
}

export interface DocumentPatch {
  title?: string | undefined;
  typeCode?: string | undefined;
  createdOn?: string | undefined;
}

export interface DocumentView {
  documentId: string;
  versionOf: string | null;
  typeCode: string;
  classCode: string;
  title: string;
  createdOn: string;
  submittedAt: string;
  author: { kind: AuthorKind; id: string; name: string | null; profession: string | null; organisation: string | null };
  format: string;
  size: number;
  sha256: string;
  status: DocumentStatus;
  flags: { maskedToProfessionals: boolean; invisibleToPatientUntil: string | null; invisibleToRepresentatives: boolean };
  /** For professionals: 'invisible_to_patient' when the patient does not see it yet (RULES §4.4). */
  warnings: string[];
}

export interface ReadOptions {
  mode?: AccessMode | undefined;
  justification?: string | undefined;
}

export interface ListResult {
  documents: DocumentView[];
  /** Emergency access: the mode, to be shown for the whole access (RULES §3.3). */
  emergency: { mode: AccessMode; banner: true } | null;
}

export interface ContentResult {
  document: DocumentView;
  content: Buffer;
  warnings: string[];
  emergencyMode: AccessMode | null;
}

export interface DocumentsRepository {
  submit(caller: DocumentsCaller, patientId: string, doc: NewDocument): Promise<DocumentView>;
  list(caller: DocumentsCaller, patientId: string, opts?: ReadOptions & { includeSuperseded?: boolean | undefined }): Promise<ListResult>;
  readContent(caller: DocumentsCaller, patientId: string, documentId: string, opts?: ReadOptions): Promise<ContentResult>;
  /** One document's metadata (no content): decided and traced like readContent (`document_metadata_read`). */
  readMeta(caller: DocumentsCaller, patientId: string, documentId: string, opts?: ReadOptions): Promise<DocumentView>;
  replace(caller: DocumentsCaller, patientId: string, documentId: string, doc: Omit<NewDocument, 'typeCode' | 'title' | 'createdOn'> & Partial<Pick<NewDocument, 'typeCode' | 'title' | 'createdOn'>>): Promise<DocumentView>;
  remove(caller: DocumentsCaller, patientId: string, documentId: string, opts?: { onPatientRequest?: boolean }): Promise<undefined>;
  update(caller: DocumentsCaller, patientId: string, documentId: string, patch: DocumentPatch): Promise<DocumentView>;
  setMasked(caller: DocumentsCaller, patientId: string, documentId: string, masked: boolean): Promise<DocumentView>;
  /** Who can see a document and why (documents-visibility.ts); for those who read it on the patient side. */
  accessOf(caller: DocumentsCaller, patientId: string, documentId: string): Promise<DocumentAccessAnswer>;
}

interface DocumentRow {
  patient_id: string;
  document_id: string;
  version_of: string | null;
  type_code: string;
  class_code: string;
  title: string;
  created_on: string;
  submitted_at: Date | string;
  author_kind: AuthorKind;
  author_id: string;
  author_name: string | null;
  author_profession: string | null;
  author_organisation: string | null;
  format: string;
  size: number | string;
  sha256: string;
  blob_id: string;
  status: DocumentStatus;
  masked_to_professionals: boolean;
  invisible_to_patient_until: Date | string | null;
  invisible_to_representatives: boolean;
}

const COLUMNS = `patient_id, document_id, version_of, type_code, class_code, title, created_on::text AS created_on, submitted_at, author_kind, author_id,
  author_name, author_profession, author_organisation, format, size, sha256, blob_id, status, masked_to_professionals, invisible_to_patient_until, invisible_to_representatives`;

const toDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));

type Resolved = ResolvedCaller;
type Permit = Extract<Decision, { effect: 'permit' }>;

type Outcome<T> = { ok: T } | { fail: AppError };

const notFound = (what: 'document' | 'space') =>
  new AppError('not_found', what === 'document' ? 'No such document in this space.' : 'No such space, or you have no access to it.');

function metaOf(row: DocumentRow): DocumentMeta {
  return {
    typeCode: row.type_code,
    classCode: row.class_code,
    authorKind: row.author_kind,
    authorId: row.author_id,
    status: row.status,
    flags: {
      maskedToProfessionals: row.masked_to_professionals,
      invisibleToPatientUntil: row.invisible_to_patient_until === null ? null : toDate(row.invisible_to_patient_until),
      invisibleToRepresentatives: row.invisible_to_representatives,
    },
  };
}

function viewOf(row: DocumentRow, warnings: string[] = []): DocumentView {
  return {
    documentId: row.document_id,
    versionOf: row.version_of,
    typeCode: row.type_code,
    classCode: row.class_code,
    title: row.title,
    createdOn: row.created_on,
    submittedAt: toDate(row.submitted_at).toISOString(),
    author: { kind: row.author_kind, id: row.author_id, name: row.author_name, profession: row.author_profession, organisation: row.author_organisation },
    format: row.format,
    size: Number(row.size),
    sha256: row.sha256,
    status: row.status,
    flags: {
      maskedToProfessionals: row.masked_to_professionals,
      invisibleToPatientUntil: row.invisible_to_patient_until === null ? null : toDate(row.invisible_to_patient_until).toISOString(),
      invisibleToRepresentatives: row.invisible_to_representatives,
    },
    warnings,
  };
}

const warningsOf = (d: Decision): string[] => (d.effect === 'permit' && d.obligations.some((o) => o.type === 'warn_invisible_to_patient') ? ['invisible_to_patient'] : []);

const bannerOf = emergencyBannerOf;

export function createDocumentsRepository(deps: DocumentsDeps): DocumentsRepository {
  const { db, clock, random } = deps;
  const keys = createPatientKeys({ ring: createMasterKeyRing(deps.config.masterKey), clock });
  const blobs: BlobStore = createPgBlobStore({ keys, clock });

  /** Runs `fn` in a transaction that commits refusals too (their trace), then throws them. */
  async function run<T>(fn: (q: Queryable, now: Date) => Promise<Outcome<T>>): Promise<T> {
    const r = await db.tx((q) => fn(q, clock.now()));
    if ('fail' in r) throw r.fail;
    return r.ok;
  }

  async function facts(q: Queryable, patientId: string, now: Date): Promise<AccessFacts> {
    const f = await loadAccessFacts(q, patientId, DEFAULT_MATRIX, now);
    if (f === null) throw notFound('space');
    return f;
  }

  /**
   * Loads a document and decides a read of it. A missing document is "not found" for the
   * document if the space is reachable, else for the space; a refusal is traced.
   */
  async function decideRead(
    q: Queryable,
    now: Date,
    caller: DocumentsCaller,
    patientId: string,
    documentId: string,
    opts: ReadOptions,
  ): Promise<{ fail: AppError } | { row: DocumentRow; r: Resolved; d: Permit }> {
    const f = await facts(q, patientId, now);
    const r = await resolveCaller(q, caller, patientId, f);
    const row = await loadRow(q, patientId, documentId);
    if (row === null) {
      const gate = decide(request(r, patientId, 'list', undefined, opts), f, now);
      return { fail: notFound(gate.effect === 'permit' ? 'document' : 'space') };
    }
    const req = request(r, patientId, 'read', metaOf(row), opts);
    const d = decide(req, f, now);
    if (d.effect === 'deny') return { fail: await refuse(q, patientId, r, now, req, d.reason, documentId) };
    return { row, r, d };
  }

  async function loadRow(q: Queryable, patientId: string, documentId: string, forUpdate = false): Promise<DocumentRow | null> {
    const rows = await q.query<DocumentRow>(`SELECT ${COLUMNS} FROM documents WHERE patient_id = $1 AND document_id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [patientId, documentId]);
    return rows[0] ?? null;
  }


  const fulfil = (q: Queryable, patientId: string, r: Resolved, d: Permit, now: Date) => fulfilObligations(q, { clock, random }, patientId, r, d, now);
  const trace = tracePermitted;

  /**
   * Traces a refusal and says how to answer it. `visible`: the actor does see the document
   * (a change they may not make is then a 403, not a 404).
   */
  async function refuse(q: Queryable, patientId: string, r: Resolved, now: Date, req: AccessRequest, reason: DenyReason, documentId: string | null, visible = false): Promise<AppError> {
    await traceRefusal(q, patientId, r, now, req, reason, documentId === null ? undefined : `document:${documentId}`);
    if (reason === 'justification_required') return justificationRequired();
    if (visible) return new AppError('forbidden', changeRefusal(reason));
    return notFound(documentId === null ? 'space' : 'document');
  }

  function changeRefusal(reason: DenyReason): string {
    switch (reason) {
      case 'not_author':
        return 'Only the author of a document may change or delete it; you may change or delete only the documents you added yourself.';
      case 'patient_request_required':
        return 'A professional deletes a document only at the patient’s request: send {"patientRequest": true}.';
      default:
        return 'You may not make this change to this document.';
    }
  }

  const request = (r: Resolved, patientId: string, action: AccessAction, document: DocumentMeta | undefined, opts: ReadOptions & { onPatientRequest?: boolean } = {}): AccessRequest => ({
    actor: r.actor,
    action,
    target: { patientId, kind: 'document', ...(document === undefined ? {} : { document }) },
    mode: opts.mode ?? 'normal',
    ...(opts.justification === undefined ? {} : { justification: opts.justification }),
    ...(opts.onPatientRequest === undefined ? {} : { onPatientRequest: opts.onPatientRequest }),
  });

  async function insert(q: Queryable, patientId: string, r: Resolved, now: Date, doc: NewDocument, versionOf: string | null, inherited: { masked: boolean; invisibleToRepresentatives: boolean } | null): Promise<DocumentRow> {
    const documentId = random.uuid();
    const info = await blobs.put(q, patientId, documentId, doc.content, doc.format);
    const flags = doc.flags ?? {};
    const classCode = classOfType(doc.typeCode);
    if (classCode === null) throw new AppError('validation_failed', `Unknown document type ${doc.typeCode}.`, { details: [{ field: 'typeCode', reason: 'not in the DMP value set' }] });
    await q.query(
      `INSERT INTO documents (patient_id, document_id, version_of, type_code, class_code, title, created_on, submitted_at, author_kind, author_id, author_name,
         author_profession, author_organisation, format, size, sha256, blob_id, status, masked_to_professionals, invisible_to_patient_until, invisible_to_representatives, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 'current', $18, $19, $20, $8)`,
      [
        patientId,
        documentId,
        versionOf,
        doc.typeCode,
        classCode,
        doc.title,
        doc.createdOn,
        now,
        r.author.kind,
        r.author.id,
        r.author.name,
        r.author.profession,
        r.author.organisation,
        doc.format,
        info.size,
        info.sha256,
        documentId,
        flags.maskedToProfessionals ?? inherited?.masked ?? false,
        flags.invisibleToPatient === true ? addMonths(now, 1) : null,
        flags.invisibleToRepresentatives ?? inherited?.invisibleToRepresentatives ?? false,
      ],
    );
    const row = await loadRow(q, patientId, documentId);
    if (row === null) throw new AppError('internal', 'The document just written cannot be read back.');
    return row;
  }

  function newMeta(r: Resolved, doc: Pick<NewDocument, 'typeCode' | 'flags'>, now: Date): DocumentMeta {
    return {
      typeCode: doc.typeCode,
      classCode: classOfType(doc.typeCode) ?? '',
      authorKind: r.author.kind,
      authorId: r.author.id,
      status: 'current',
      flags: {
        maskedToProfessionals: doc.flags?.maskedToProfessionals ?? false,
        invisibleToPatientUntil: doc.flags?.invisibleToPatient === true ? addMonths(now, 1) : null,
        invisibleToRepresentatives: doc.flags?.invisibleToRepresentatives ?? false,
      },
    };
  }

  /** Would the actor see this document (to tell a refused change, 403, from a hidden document, 404)? */
  function sees(r: Resolved, patientId: string, row: DocumentRow, f: AccessFacts, now: Date): boolean {
    return decide(request(r, patientId, 'read', metaOf(row)), f, now).effect === 'permit';
  }

  return Object.freeze({
    submit: (caller, patientId, doc) =>
      run<DocumentView>(async (q, now) => {
        const f = await facts(q, patientId, now);
        const r = await resolveCaller(q, caller, patientId, f);
        const req = request(r, patientId, 'create', newMeta(r, doc, now));
        const d = decide(req, f, now);
        if (d.effect === 'deny') return { fail: await refuse(q, patientId, r, now, req, d.reason, null) };
        const row = await insert(q, patientId, r, now, doc, null, null);
        const extra = await fulfil(q, patientId, r, d, now);
        await trace(q, patientId, r, now, 'document_created', `document:${row.document_id}`, d, { typeCode: row.type_code, classCode: row.class_code, sha256: row.sha256, ...extra });
        return { ok: viewOf(row) };
      }),

    list: (caller, patientId, opts = {}) =>
      run<ListResult>(async (q, now) => {
        const f = await facts(q, patientId, now);
        const r = await resolveCaller(q, caller, patientId, f);
        const req = request(r, patientId, 'list', undefined, opts);
        const d = decide(req, f, now);
        if (d.effect === 'deny') return { fail: await refuse(q, patientId, r, now, req, d.reason, null) };
        // decide()'s rules compiled to SQL (documents-filter.ts; a property test checks they agree
        // row by row), so the database returns only what the actor may see and can paginate.
        const statuses = opts.includeSuperseded === true ? ['current', 'superseded'] : ['current'];
        const filter = compileDocumentsFilter({ actor: r.actor, patientId, facts: f, mode: opts.mode ?? 'normal', justification: opts.justification, now }, 2);
        const rows = await q.query<DocumentRow>(`SELECT ${COLUMNS} FROM documents WHERE status = ANY($1) AND ${filter.where} ORDER BY submitted_at DESC, document_id`, [statuses, ...filter.params]);
        const documents: DocumentView[] = [];
        for (const row of rows) {
          // Defence in depth, and the obligations (warnings) of each row: decide() still rules.
          const rd = decide(request(r, patientId, 'read', metaOf(row), opts), f, now);
          if (rd.effect === 'permit') documents.push(viewOf(row, warningsOf(rd)));
          else console.error(`[carnet] documents filter let through a row decide() refuses (${rd.reason}): document ${row.document_id}, actor ${r.audit.type}; dropped`);
        }
        const extra = await fulfil(q, patientId, r, d, now);
        await trace(q, patientId, r, now, 'documents_listed', undefined, d, { count: documents.length, ...extra });
        const mode = bannerOf(d);
        return { ok: { documents, emergency: mode === null ? null : { mode, banner: true as const } } };
      }),

    readContent: (caller, patientId, documentId, opts = {}) =>
      run<ContentResult>(async (q, now) => {
        const read = await decideRead(q, now, caller, patientId, documentId, opts);
        if ('fail' in read) return read;
        const { row, r, d } = read;
        const blob = await blobs.get(q, patientId, row.blob_id);
        if (blob === null) throw new AppError('integrity_failed', `The content of document ${documentId} is missing.`);
        if (blob.sha256 !== row.sha256) throw new AppError('integrity_failed', `The content of document ${documentId} does not match its recorded SHA-256.`);
        const extra = await fulfil(q, patientId, r, d, now);
        await trace(q, patientId, r, now, 'document_read', `document:${documentId}`, d, extra);
        const warnings = warningsOf(d);
        return { ok: { document: viewOf(row, warnings), content: blob.content, warnings, emergencyMode: bannerOf(d) } };
      }),

    readMeta: (caller, patientId, documentId, opts = {}) =>
      run<DocumentView>(async (q, now) => {
        const read = await decideRead(q, now, caller, patientId, documentId, opts);
        if ('fail' in read) return read;
        const { row, r, d } = read;
        const extra = await fulfil(q, patientId, r, d, now);
        await trace(q, patientId, r, now, 'document_metadata_read', `document:${documentId}`, d, extra);
        return { ok: viewOf(row, warningsOf(d)) };
      }),

    replace: (caller, patientId, documentId, input) =>
      run<DocumentView>(async (q, now) => {
        const f = await facts(q, patientId, now);
        const r = await resolveCaller(q, caller, patientId, f);
        const old = await loadRow(q, patientId, documentId, true);
        if (old === null) return { fail: notFound('document') };
        const doc: NewDocument = { ...input, typeCode: input.typeCode ?? old.type_code, title: input.title ?? old.title, createdOn: input.createdOn ?? old.created_on };
        const req = request(r, patientId, 'create', newMeta(r, doc, now), {});
        let d = decide(req, f, now);
        // Only the author replaces their document (a new version of it, RULES §4.6).
        if (d.effect === 'permit' && (old.author_kind !== r.author.kind || old.author_id !== r.author.id)) d = { effect: 'deny', reason: 'not_author' };
        if (d.effect === 'deny') return { fail: await refuse(q, patientId, r, now, req, d.reason, documentId, sees(r, patientId, old, f, now)) };
        if (old.status !== 'current') return { fail: new AppError('conflict', `Document ${documentId} is ${old.status}: only the current version can be replaced.`) };
        const row = await insert(q, patientId, r, now, doc, documentId, { masked: old.masked_to_professionals, invisibleToRepresentatives: old.invisible_to_representatives });
        await q.query("UPDATE documents SET status = 'superseded', updated_at = $3 WHERE patient_id = $1 AND document_id = $2", [patientId, documentId, now]);
        const extra = await fulfil(q, patientId, r, d, now);
        await trace(q, patientId, r, now, 'document_replaced', `document:${row.document_id}`, d, { replaces: documentId, typeCode: row.type_code, sha256: row.sha256, ...extra });
        return { ok: viewOf(row) };
      }),

    remove: (caller, patientId, documentId, opts = {}) =>
      run<undefined>(async (q, now) => {
        const f = await facts(q, patientId, now);
        const r = await resolveCaller(q, caller, patientId, f);
        const row = await loadRow(q, patientId, documentId, true);
        if (row === null) return { fail: notFound('document') };
        const req = request(r, patientId, 'delete', metaOf(row), opts);
        const d = decide(req, f, now);
        if (d.effect === 'deny') return { fail: await refuse(q, patientId, r, now, req, d.reason, documentId, sees(r, patientId, row, f, now)) };
        if (row.status !== 'current') return { fail: new AppError('conflict', `Document ${documentId} is ${row.status}: only the current version can be deleted.`) };
        await q.query("UPDATE documents SET status = 'deleted', updated_at = $3 WHERE patient_id = $1 AND document_id = $2", [patientId, documentId, now]);
        // The content goes; the row stays so the trace keeps pointing at what was deleted.
        await blobs.delete(q, patientId, row.blob_id);
        const extra = await fulfil(q, patientId, r, d, now);
        await trace(q, patientId, r, now, 'document_deleted', `document:${documentId}`, d, { ...(opts.onPatientRequest === true ? { onPatientRequest: true } : {}), ...extra });
        return { ok: undefined };
      }),

    update: (caller, patientId, documentId, patch) =>
      run<DocumentView>(async (q, now) => {
        const f = await facts(q, patientId, now);
        const r = await resolveCaller(q, caller, patientId, f);
        const row = await loadRow(q, patientId, documentId, true);
        if (row === null) return { fail: notFound('document') };
        const meta = metaOf(row);
        const req = request(r, patientId, 'update', patch.typeCode === undefined ? meta : { ...meta, typeCode: patch.typeCode, classCode: classOfType(patch.typeCode) ?? '' }, {});
        const d = decide(req, f, now);
        if (d.effect === 'deny') return { fail: await refuse(q, patientId, r, now, req, d.reason, documentId, sees(r, patientId, row, f, now)) };
        if (row.status !== 'current') return { fail: new AppError('conflict', `Document ${documentId} is ${row.status}: only the current version can be edited.`) };
        const typeCode = patch.typeCode ?? row.type_code;
        await q.query('UPDATE documents SET title = $3, type_code = $4, class_code = $5, created_on = $6, updated_at = $7 WHERE patient_id = $1 AND document_id = $2', [
          patientId,
          documentId,
          patch.title ?? row.title,
          typeCode,
          classOfType(typeCode) ?? row.class_code,
          patch.createdOn ?? row.created_on,
          now,
        ]);
        const extra = await fulfil(q, patientId, r, d, now);
        await trace(q, patientId, r, now, 'document_updated', `document:${documentId}`, d, { fields: Object.keys(patch).filter((k) => patch[k as keyof DocumentPatch] !== undefined), ...extra });
        const updated = await loadRow(q, patientId, documentId);
        return { ok: viewOf(updated ?? row) };
      }),

    setMasked: (caller, patientId, documentId, masked) =>
      run<DocumentView>(async (q, now) => {
        const f = await facts(q, patientId, now);
        const r = await resolveCaller(q, caller, patientId, f);
        const row = await loadRow(q, patientId, documentId, true);
        if (row === null) return { fail: notFound('document') };
        const req = request(r, patientId, masked ? 'mask' : 'unmask', metaOf(row), {});
        const d = decide(req, f, now);
        if (d.effect === 'deny') return { fail: await refuse(q, patientId, r, now, req, d.reason, documentId, sees(r, patientId, row, f, now)) };
        if (row.status !== 'current') return { fail: new AppError('conflict', `Document ${documentId} is ${row.status}: only the current version can be masked or unmasked.`) };
        // Masked and invisible to the patient do not go together (RULES §4.4): a lapsed invisibility is cleared.
        await q.query(
          `UPDATE documents SET masked_to_professionals = $3, updated_at = $4,
             invisible_to_patient_until = CASE WHEN $3 AND invisible_to_patient_until <= $4 THEN NULL ELSE invisible_to_patient_until END
           WHERE patient_id = $1 AND document_id = $2`,
          [patientId, documentId, masked, now],
        );
        const extra = await fulfil(q, patientId, r, d, now);
        await trace(q, patientId, r, now, masked ? 'document_masked' : 'document_unmasked', `document:${documentId}`, d, extra);
        const updated = await loadRow(q, patientId, documentId);
        return { ok: viewOf(updated ?? row) };
      }),

    accessOf: (caller, patientId, documentId) =>
      run<DocumentAccessAnswer>(async (q, now) => {
        const f = await facts(q, patientId, now);
        const r = await resolveCaller(q, caller, patientId, f);
        const row = await loadRow(q, patientId, documentId);
        if (row === null) {
          const gate = decide(request(r, patientId, 'list', undefined), f, now);
          return { fail: notFound(gate.effect === 'permit' ? 'document' : 'space') };
        }
        const req = request(r, patientId, 'read', metaOf(row));
        // The patient side only: a professional does not learn who else sees the record.
        const d: Decision = r.actor.kind === 'patient' || r.actor.kind === 'representative' || r.actor.kind === 'aidant' ? decide(req, f, now) : { effect: 'deny', reason: 'action_not_allowed' };
        if (d.effect === 'deny') return { fail: await refuse(q, patientId, r, now, req, d.reason, documentId) };
        const answer = await describeDocumentAccess(q, patientId, documentId, metaOf(row), f, now);
        const extra = await fulfil(q, patientId, r, d, now);
        await trace(q, patientId, r, now, 'document_access_explained', `document:${documentId}`, d, extra);
        return { ok: answer };
      }),
  } satisfies DocumentsRepository);
}

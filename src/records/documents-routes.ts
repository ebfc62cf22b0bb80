/**
 * HTTP routes of the documents of the shared record (RULES §4): professionals (session or
 * bearer token), the patient and their legal representatives (session + CSRF), the insurer
 * (staff token). They check the input and call the documents repository, which decides,
 * traces and stores; nothing here touches the tables.
 */
import { documentsCallerOf } from './professional-caller.ts';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { requirePatient } from '../auth/index.ts';
import { requireProfessional } from '../pro-auth/index.ts';
import { isIsoDate, requireStaff } from '../identity/index.ts';
import { ACCESS_MODES, REIMBURSEMENT_CLASS, classOfType, isDocumentType, isPatientUploadType } from '../access/index.ts';
import { createDocumentsRepository } from './documents-repository.ts';
import type { ContentResult, DocumentsCaller, DocumentFlagsInput, NewDocument } from './documents-repository.ts';
import { PATIENT_FORMATS, PATIENT_MAX_BYTES, PROFESSIONAL_FORMATS, PROFESSIONAL_MAX_BYTES, checkFormat } from './documents-formats.ts';
import type { DocumentFormat } from './documents-formats.ts';

type Uploader = 'professional' | 'patient' | 'insurer';

const MB = 1024 * 1024;
const bad = (field: string, reason: string, message?: string) => new AppError('validation_failed', message ?? `Invalid input: ${field} ${reason}.`, { details: [{ field, reason }] });

interface Upload {
  fields: Record<string, string>;
  file: { content: Buffer; mimetype: string; filename: string } | null;
}

/** Reads a multipart form: its text fields and at most one file, refusing a file over `maxBytes` with 413. */
async function readUpload(req: FastifyRequest, maxBytes: number, who: Uploader): Promise<Upload> {
  if (!req.isMultipart()) throw new AppError('unsupported_media_type', 'Send the document as multipart/form-data: a "file" part and the fields typeCode, title, createdOn.');
  const fields: Record<string, string> = {};
  let file: Upload['file'] = null;
  try {
    for await (const part of req.parts({ limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: 4096 } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw bad(`body.${part.fieldname}`, 'is not expected: send the document in a part named "file"');
        const content = await part.toBuffer();
        file = { content, mimetype: part.mimetype, filename: part.filename };
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    const code = (e as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError(
        'payload_too_large',
        who === 'patient'
          ? `The file is larger than ${maxBytes / MB} MB, the limit for documents you add. Reduce it (scan at a lower resolution, or save as PDF) and try again.`
          : `The file is larger than ${maxBytes / MB} MB, the limit for one document.`,
        { details: [{ field: 'body.file', reason: `larger than ${maxBytes / MB} MB` }] },
      );
    }
    if (code === 'FST_FILES_LIMIT') throw bad('body.file', 'must be a single file');
    if (code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') throw bad('body', 'has too many fields');
    throw new AppError('bad_request', 'The multipart form could not be read. Send multipart/form-data with a "file" part.', { cause: e });
  }
  return { fields, file };
}

/** Today in Paris, YYYY-MM-DD (the calendar the patient and the professionals live in). */
function today(now: Date): string {
  return now.toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

function checkDate(field: string, value: string, now: Date): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !isIsoDate(value)) throw bad(field, 'must be a date YYYY-MM-DD');
  if (value > today(now)) throw bad(field, 'is in the future: give the date of the act the document describes');
  return value;
}

function checkTitle(field: string, value: string): string {
  const t = value.trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (t === '' || t.length > 255 || /[\u0000-\u001F\u007F]/.test(t)) throw bad(field, 'must be 1 to 255 characters');
  return t;
}

/** The type code: in the DMP value set, allowed for who uploads, and agreeing with a class if one was sent. */
function checkType(field: string, typeCode: string, who: Uploader, classCode: string | undefined): string {
  if (!isDocumentType(typeCode)) throw bad(field, `"${typeCode}" is not a type of the DMP value set (JDV_J66)`);
  const cls = classOfType(typeCode);
  if (classCode !== undefined && classCode !== cls) throw bad('body.classCode', `"${classCode}" is not the class of type ${typeCode} (its class is ${cls})`);
  if (who === 'patient' && !isPatientUploadType(typeCode)) throw bad(field, `"${typeCode}" is not a type for documents you add (class 90 or DOCPAT01 to DOCPAT09)`);
  if (who === 'insurer' && cls !== REIMBURSEMENT_CLASS) throw bad(field, `"${typeCode}" is not reimbursement data: the insurer adds class ${REIMBURSEMENT_CLASS} documents only`);
  if (who === 'professional' && (cls === REIMBURSEMENT_CLASS || typeCode.startsWith('DOCPAT'))) throw bad(field, `"${typeCode}" is reserved to ${cls === REIMBURSEMENT_CLASS ? 'the insurer' : 'the patient'}`);
  return typeCode;
}

function flag(fields: Record<string, string>, name: string): boolean | undefined {
  const v = fields[name];
  if (v === undefined || v === '') return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw bad(`body.${name}`, 'must be true or false');
}

const KNOWN_FIELDS: Readonly<Record<Uploader, readonly string[]>> = {
  professional: ['typeCode', 'classCode', 'title', 'createdOn', 'maskedToProfessionals', 'invisibleToPatient', 'invisibleToRepresentatives'],
  patient: ['typeCode', 'classCode', 'title', 'createdOn'],
  insurer: ['typeCode', 'classCode', 'title', 'createdOn'],
};

/** Checks an upload into a new document; `partial`: a replacement, where absent metadata is kept. */
function newDocument(up: Upload, who: Uploader, now: Date, partial = false): Omit<NewDocument, 'typeCode' | 'title' | 'createdOn'> & Partial<Pick<NewDocument, 'typeCode' | 'title' | 'createdOn'>> {
  const f = up.fields;
  for (const k of Object.keys(f)) if (!KNOWN_FIELDS[who].includes(k)) throw bad(`body.${k}`, 'is not a field of this form');
  if (up.file === null) throw bad('body.file', 'is missing: attach the document in a part named "file"');
  if (up.file.content.length === 0) throw bad('body.file', 'is empty');
  const allowed: readonly DocumentFormat[] = who === 'patient' ? PATIENT_FORMATS : PROFESSIONAL_FORMATS;
  const format = checkFormat(up.file.content, up.file.mimetype, up.file.filename, allowed);
  if ('reason' in format) throw bad('body.file', format.reason);

  const doc: ReturnType<typeof newDocument> = { format: format.ok, content: up.file.content };
  const defaults = partial ? {} : who === 'patient' ? { typeCode: 'EXPPAT_2', createdOn: today(now), title: up.file.filename } : {};
  const typeCode = f.typeCode ?? (defaults as { typeCode?: string }).typeCode;
  const title = f.title ?? (defaults as { title?: string }).title;
  const createdOn = f.createdOn ?? (defaults as { createdOn?: string }).createdOn;
  if (!partial) {
    if (typeCode === undefined) throw bad('body.typeCode', 'is required (a type of the DMP value set, e.g. 11488-4)');
    if (title === undefined) throw bad('body.title', 'is required');
    if (createdOn === undefined) throw bad('body.createdOn', 'is required (the date of the act, YYYY-MM-DD)');
  }
  if (typeCode !== undefined) doc.typeCode = checkType('body.typeCode', typeCode, who, f.classCode);
  else if (f.classCode !== undefined) throw bad('body.classCode', 'is given without typeCode: the class follows the type');
  if (title !== undefined) doc.title = checkTitle('body.title', title);
  if (createdOn !== undefined) doc.createdOn = checkDate('body.createdOn', createdOn, now);

  if (who === 'professional') {
    const flags: DocumentFlagsInput = {};
    const masked = flag(f, 'maskedToProfessionals');
    const invisible = flag(f, 'invisibleToPatient');
    const reps = flag(f, 'invisibleToRepresentatives');
    if (masked === true && invisible === true) {
      throw bad('body.invisibleToPatient', 'cannot be combined with maskedToProfessionals', 'A document cannot be both masked to professionals and invisible to the patient (RULES §4.4): choose one.');
    }
    if (masked !== undefined) flags.maskedToProfessionals = masked;
    if (invisible !== undefined) flags.invisibleToPatient = invisible;
    if (reps !== undefined) flags.invisibleToRepresentatives = reps;
    doc.flags = flags;
  }
  return doc;
}


const EXTENSION: Readonly<Record<string, string>> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'application/rtf': 'rtf',
  'image/tiff': 'tif',
  'text/plain': 'txt',
  'application/xml': 'xml',
};

function sendContent(reply: FastifyReply, r: ContentResult): FastifyReply {
  reply
    .header('content-type', r.document.format)
    .header('content-disposition', `attachment; filename="${r.document.documentId}.${EXTENSION[r.document.format] ?? 'bin'}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .header('x-carnet-sha256', r.document.sha256);
  if (r.warnings.includes('invisible_to_patient')) {
    reply.header('x-carnet-warning', `invisible-to-patient; the patient does not see this document yet (until ${r.document.flags.invisibleToPatientUntil ?? ''}, pending an announcement consultation)`);
  }
  if (r.emergencyMode !== null) reply.header('x-carnet-emergency-mode', r.emergencyMode);
  return reply.send(r.content);
}

const PatientParams = Type.Object({ patientId: Type.String({ format: 'uuid' }) });
const DocumentParams = Type.Object({ patientId: Type.String({ format: 'uuid' }), documentId: Type.String({ format: 'uuid' }) });
const ModeQuery = {
  mode: Type.Optional(Type.Union(ACCESS_MODES.map((m) => Type.Literal(m)), { description: 'normal (default), samu (centre 15 regulators), bris_de_glace (with a justification)' })),
  justification: Type.Optional(Type.String({ maxLength: 2000, description: 'Bris de glace: why the patient cannot consent and the record is needed' })),
};
const ListQuery = Type.Object({ ...ModeQuery, includeSuperseded: Type.Optional(Type.Boolean({ description: 'Also list replaced versions' })) }, { additionalProperties: false });
const ContentQuery = Type.Object(ModeQuery, { additionalProperties: false });
const uploadConsumes = ['multipart/form-data'];

export const documentsRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  // Multipart only in this plugin's scope; the size limits are per route (readUpload).
  await fastify.register(multipart, { limits: { fileSize: PROFESSIONAL_MAX_BYTES } });
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const repo = createDocumentsRepository(deps);
  const now = () => deps.clock.now();
  const person = (req: FastifyRequest): DocumentsCaller => ({ kind: 'person', personId: requirePatient(req).patientId });

  // ---- Professionals -------------------------------------------------------------------
  const proTags = ['documents (professionals)'];

  app.post(
    '/api/pro/patients/:patientId/documents',
    {
      schema: {
        tags: proTags,
        consumes: uploadConsumes,
        summary: 'Add a document to a patient’s record (multipart: file, typeCode, title, createdOn, optional maskedToProfessionals / invisibleToPatient / invisibleToRepresentatives). Allowed to a PS treating the patient, authorized or not.',
        params: PatientParams,
      },
    },
    async (req, reply) => {
      const caller = documentsCallerOf(requireProfessional(req));
      const doc = newDocument(await readUpload(req, PROFESSIONAL_MAX_BYTES, 'professional'), 'professional', now()) as NewDocument;
      return reply.status(201).send(await repo.submit(caller, req.params.patientId, doc));
    },
  );

  app.get(
    '/api/pro/patients/:patientId/documents',
    { schema: { tags: proTags, summary: 'The documents of a patient this professional may read (metadata only).', params: PatientParams, querystring: ListQuery } },
    async (req) => {
      const caller = documentsCallerOf(requireProfessional(req));
      return repo.list(caller, req.params.patientId, req.query);
    },
  );

  app.get(
    '/api/pro/patients/:patientId/documents/:documentId',
    { schema: { tags: proTags, summary: 'One document’s metadata (decided and traced like a read; warnings when the patient does not see it yet).', params: DocumentParams, querystring: ContentQuery } },
    async (req) => repo.readMeta(documentsCallerOf(requireProfessional(req)), req.params.patientId, req.params.documentId, req.query),
  );

  app.get(
    '/api/pro/patients/:patientId/documents/:documentId/content',
    { schema: { tags: proTags, summary: 'The content of a document (X-Carnet-Warning when the patient does not see it yet).', params: DocumentParams, querystring: ContentQuery } },
    async (req, reply) => {
      const caller = documentsCallerOf(requireProfessional(req));
      return sendContent(reply, await repo.readContent(caller, req.params.patientId, req.params.documentId, req.query));
    },
  );

  app.post(
    '/api/pro/patients/:patientId/documents/:documentId/replace',
    { schema: { tags: proTags, consumes: uploadConsumes, summary: 'Replace a document one authored with a new version (multipart: file, and any metadata to change).', params: DocumentParams } },
    async (req, reply) => {
      const caller = documentsCallerOf(requireProfessional(req));
      const doc = newDocument(await readUpload(req, PROFESSIONAL_MAX_BYTES, 'professional'), 'professional', now(), true);
      return reply.status(201).send(await repo.replace(caller, req.params.patientId, req.params.documentId, doc));
    },
  );

  app.delete(
    '/api/pro/patients/:patientId/documents/:documentId',
    {
      schema: {
        tags: proTags,
        summary: 'Delete a document one authored, at the patient’s request.',
        params: DocumentParams,
        body: Type.Object({ patientRequest: Type.Literal(true, { description: 'Must be true: the patient asked for the deletion' }) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const caller = documentsCallerOf(requireProfessional(req));
      await repo.remove(caller, req.params.patientId, req.params.documentId, { onPatientRequest: req.body.patientRequest });
      return reply.status(204).send();
    },
  );

  // ---- The patient and their legal representatives --------------------------------------
  const tags = ['documents'];

  app.post(
    '/api/spaces/:patientId/documents',
    {
      schema: {
        tags,
        consumes: uploadConsumes,
        summary: `Add one of your documents (PDF, JPEG, PNG, RTF, TIFF or TXT, at most ${PATIENT_MAX_BYTES / MB} MB; multipart: file, typeCode (class 90 or DOCPAT*), title, createdOn).`,
        params: PatientParams,
      },
    },
    async (req, reply) => {
      const caller = person(req);
      const doc = newDocument(await readUpload(req, PATIENT_MAX_BYTES, 'patient'), 'patient', now()) as NewDocument;
      return reply.status(201).send(await repo.submit(caller, req.params.patientId, doc));
    },
  );

  app.get('/api/spaces/:patientId/documents', { schema: { tags, summary: 'The documents of the space (metadata).', params: PatientParams, querystring: Type.Object({ includeSuperseded: Type.Optional(Type.Boolean()) }, { additionalProperties: false }) } }, async (req) =>
    repo.list(person(req), req.params.patientId, req.query),
  );

  app.get('/api/spaces/:patientId/documents/:documentId', { schema: { tags, summary: 'One document’s metadata (traced like a read).', params: DocumentParams } }, async (req) =>
    repo.readMeta(person(req), req.params.patientId, req.params.documentId),
  );

  app.get('/api/spaces/:patientId/documents/:documentId/content', { schema: { tags, summary: 'The content of a document.', params: DocumentParams } }, async (req, reply) =>
    sendContent(reply, await repo.readContent(person(req), req.params.patientId, req.params.documentId)),
  );

  app.get(
    '/api/spaces/:patientId/documents/:documentId/access',
    {
      schema: {
        tags,
        summary: 'Who can see this document and why: the patient, representatives, each professional with their relation (the rule that lets them in, or why not), the emergency doors.',
        params: DocumentParams,
      },
    },
    async (req) => repo.accessOf(person(req), req.params.patientId, req.params.documentId),
  );

  app.patch(
    '/api/spaces/:patientId/documents/:documentId',
    {
      schema: {
        tags,
        summary: 'Edit the title, category (type) or date of a document you added.',
        params: DocumentParams,
        body: Type.Object(
          { title: Type.Optional(Type.String({ maxLength: 255 })), typeCode: Type.Optional(Type.String({ maxLength: 64 })), createdOn: Type.Optional(Type.String({ maxLength: 10 })) },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (req) => {
      const caller = person(req);
      const b = req.body;
      const patch = {
        title: b.title === undefined ? undefined : checkTitle('body.title', b.title),
        typeCode: b.typeCode === undefined ? undefined : checkType('body.typeCode', b.typeCode, 'patient', undefined),
        createdOn: b.createdOn === undefined ? undefined : checkDate('body.createdOn', b.createdOn, now()),
      };
      return repo.update(caller, req.params.patientId, req.params.documentId, patch);
    },
  );

  app.delete('/api/spaces/:patientId/documents/:documentId', { schema: { tags, summary: 'Delete a document you added.', params: DocumentParams } }, async (req, reply) => {
    await repo.remove(person(req), req.params.patientId, req.params.documentId);
    return reply.status(204).send();
  });

  for (const masked of [true, false]) {
    app.post(
      `/api/spaces/:patientId/documents/:documentId/${masked ? 'mask' : 'unmask'}`,
      { schema: { tags, summary: masked ? 'Mask a document to professionals (the depositor and administrator PS still see it).' : 'Unmask a document.', params: DocumentParams } },
      async (req) => repo.setMasked(person(req), req.params.patientId, req.params.documentId, masked),
    );
  }

  // ---- The insurer: reimbursement data, written, never read ------------------------------
  app.post(
    '/api/insurer/patients/:patientId/documents',
    {
      schema: {
        tags: ['documents (insurer)'],
        consumes: uploadConsumes,
        summary: `Add reimbursement data (class ${REIMBURSEMENT_CLASS}, type REMB) to a patient’s record. The insurer reads nothing back.`,
        params: PatientParams,
        security: [{ staffToken: [] }],
      },
    },
    async (req, reply) => {
      const account = await requireStaff(deps.db, deps.config.secret, req, ['insurer']);
      const doc = newDocument(await readUpload(req, PROFESSIONAL_MAX_BYTES, 'insurer'), 'insurer', now()) as NewDocument;
      return reply.status(201).send(await repo.submit({ kind: 'insurer', accountId: account.accountId, name: account.name }, req.params.patientId, doc));
    },
  );
};

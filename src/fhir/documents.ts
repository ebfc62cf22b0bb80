/**
 * The shared record's documents as FHIR R4 DocumentReference and Binary, for professionals.
 * Every read goes through the documents repository (decide() and the trace apply); a document
 * the caller may not see is a 404 OperationOutcome, as is one that does not exist.
 *
 * Ids: documents are partitioned by patient, so a DocumentReference (and its Binary) is named
 * by both: the patient id and the document id, hex without dashes, 64 characters (the longest
 * FHIR id). Every lookup then hits the (patient_id, document_id) key.
 */
import { documentsCallerOf } from '../records/index.ts';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Binary, Bundle, Coding, DocumentReference } from '@medplum/fhirtypes';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { requireProfessional } from '../pro-auth/index.ts';
import { DOCUMENT_CLASSES, isDocumentClass } from '../access/index.ts';
import { createDocumentsRepository } from '../records/documents-repository.ts';
import type { DocumentView, ReadOptions } from '../records/documents-repository.ts';
import type { AccessMode } from '../access/index.ts';
import { MAX_COUNT, badParam, dateMatches, givenParams, pageOf, parseDate, parseReference, parseTokens, searchset, tokenMatches } from './search.ts';
import { fhirBase, sendResource } from './http.ts';

export const LOINC_SYSTEM = 'http://loinc.org';
/** TRE_A05 TypeDocComplementaire. */
export const TRE_A05_SYSTEM = 'urn:oid:1.2.250.1.213.1.1.4.12';
/** TRE_A03 ClasseDocument. */
export const TRE_A03_SYSTEM = 'urn:oid:1.2.250.1.213.1.1.4.1';
/** TRE_A07 StatutVisibiliteDocument. */
export const VISIBILITY_SYSTEM = 'urn:oid:1.2.250.1.213.1.1.4.13';
/** The SHA-256 of the content, hex (R4's Attachment.hash is SHA-1). */
export const SHA256_EXTENSION = 'https://carnet.example/fhir/StructureDefinition/attachment-sha256';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export const typeSystemOf = (typeCode: string): string => (/^\d+-\d$/.test(typeCode) ? LOINC_SYSTEM : TRE_A05_SYSTEM);

const dashless = (uuid: string) => uuid.replaceAll('-', '');
const dashed = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/** The FHIR id of a patient's document. */
export const documentRefId = (patientId: string, documentId: string): string => `${dashless(patientId)}${dashless(documentId)}`;

/** The patient and document a FHIR id names, or null when it is not one of ours. */
export function parseDocumentRefId(id: string): { patientId: string; documentId: string } | null {
  const hex = id.toLowerCase();
  if (!HEX64.test(hex)) return null;
  return { patientId: dashed(hex.slice(0, 32)), documentId: dashed(hex.slice(32)) };
}

const STATUS = { current: 'current', superseded: 'superseded', deleted: 'entered-in-error' } as const;

function authorOf(d: DocumentView, patientId: string): NonNullable<DocumentReference['author']>[number] {
  const a = d.author;
  switch (a.kind) {
    case 'professional':
      return { reference: `Practitioner/${a.id}`, ...(a.name === null ? {} : { display: a.name }) };
    case 'patient':
      return { reference: `Patient/${patientId}`, ...(a.name === null ? {} : { display: a.name }) };
    default:
      return { display: a.name ?? (a.kind === 'insurer' ? 'Assurance Maladie' : a.kind) };
  }
}

export function documentReferenceOf(patientId: string, d: DocumentView, now: Date): DocumentReference {
  const id = documentRefId(patientId, d.documentId);
  const labels: Coding[] = [];
  if (d.flags.maskedToProfessionals) labels.push({ system: VISIBILITY_SYSTEM, code: 'MASQUE_PS' });
  if (d.flags.invisibleToPatientUntil !== null && Date.parse(d.flags.invisibleToPatientUntil) > now.getTime()) labels.push({ system: VISIBILITY_SYSTEM, code: 'INVISIBLE_PATIENT' });
  if (d.flags.invisibleToRepresentatives) labels.push({ system: VISIBILITY_SYSTEM, code: 'INVISIBLE_REPRESENTANTS_LEGAUX' });
  const classLabel = isDocumentClass(d.classCode) ? DOCUMENT_CLASSES[d.classCode] : undefined;
  return {
    resourceType: 'DocumentReference',
    id,
    meta: { lastUpdated: d.submittedAt },
    masterIdentifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${d.documentId}` },
    status: STATUS[d.status],
    docStatus: 'final',
    type: { coding: [{ system: typeSystemOf(d.typeCode), code: d.typeCode }] },
    category: [{ coding: [{ system: TRE_A03_SYSTEM, code: d.classCode, ...(classLabel === undefined ? {} : { display: classLabel }) }] }],
    subject: { reference: `Patient/${patientId}` },
    date: d.submittedAt,
    author: [authorOf(d, patientId)],
    ...(d.versionOf === null ? {} : { relatesTo: [{ code: 'replaces' as const, target: { reference: `DocumentReference/${documentRefId(patientId, d.versionOf)}` } }] }),
    description: d.title,
    ...(labels.length === 0 ? {} : { securityLabel: labels.map((c) => ({ coding: [c] })) }),
    content: [
      {
        attachment: {
          contentType: d.format,
          size: d.size,
          url: `Binary/${id}`,
          title: d.title,
          extension: [{ url: SHA256_EXTENSION, valueString: d.sha256 }],
        },
      },
    ],
    context: { period: { start: d.createdOn } },
  };
}


const notFound = (type: string, id: string) => new AppError('not_found', `${type}/${id} does not exist or you may not see it.`);

const SEARCH_PARAMS = ['patient', 'type', 'category', 'date', 'status'] as const;
const Str = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 500, description }));
const DocumentSearchQuery = Type.Object(
  {
    patient: Type.String({ minLength: 1, maxLength: 200, description: 'Patient/<id>: required, a search is within one record' }),
    type: Str('Type ([system|]code, comma = or): LOINC or TRE_A05'),
    category: Str('Class TRE_A03 ([system|]code, comma = or)'),
    date: Type.Optional(Type.Array(Type.String({ minLength: 4, maxLength: 40 }), { maxItems: 4, description: 'DocumentReference.date (submission) with prefix eq/ne/lt/le/gt/ge' })),
    status: Str('current, superseded (comma = or); default both'),
    _count: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_COUNT })),
    _offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** HL7 v3 PurposeOfUse codes a professional's software sends for an emergency access (RULES §3.3). */
const PURPOSES: Readonly<Record<string, Exclude<AccessMode, 'normal'>>> = { ETREAT: 'samu', BTG: 'bris_de_glace' };
const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

/**
 * The access mode of a FHIR request. FHIR has no search parameter for it, so it travels in
 * headers, as IHE IUA's purpose_of_use does in tokens: `X-Purpose-Of-Use: ETREAT` (SAMU) or
 * `BTG` (bris de glace) with `X-Btg-Justification` (percent-encoded UTF-8).
 */
export function emergencyOptionsOf(req: FastifyRequest): ReadOptions {
  const purpose = req.headers['x-purpose-of-use'];
  if (purpose === undefined) return {};
  const mode = typeof purpose === 'string' ? PURPOSES[purpose.trim().toUpperCase()] : undefined;
  if (mode === undefined) throw badParam('X-Purpose-Of-Use', 'must be ETREAT (SAMU regulator) or BTG (bris de glace)');
  const raw = req.headers['x-btg-justification'];
  let justification: string | undefined;
  if (typeof raw === 'string') {
    try {
      justification = decodeURIComponent(raw);
    } catch {
      throw badParam('X-Btg-Justification', 'must be percent-encoded UTF-8');
    }
  }
  return { mode, justification };
}

/** The repository names the JSON API's query parameter when a justification is missing; over FHIR it is a header. */
function inFhirTerms(e: unknown): never {
  if (e instanceof AppError && e.details[0]?.field === 'querystring.justification') {
    throw badParam('X-Btg-Justification', 'is required with X-Purpose-Of-Use: BTG: say why the patient cannot consent and why you need the record');
  }
  throw e;
}

/** Marks a resource served in emergency mode (v3-ActReason ETREAT or BTG), and says so in a header. */
function markEmergency<T extends DocumentReference | Binary | Bundle>(reply: FastifyReply, resource: T, mode: AccessMode | null | undefined): T {
  if (mode === undefined || mode === null || mode === 'normal') return resource;
  reply.header('x-carnet-emergency-mode', mode);
  const code = mode === 'samu' ? 'ETREAT' : 'BTG';
  return { ...resource, meta: { ...resource.meta, security: [...(resource.meta?.security ?? []), { system: ACT_REASON_SYSTEM, code }] } };
}

/** Does the request ask for a FHIR resource rather than the raw content? */
const wantsFhir = (req: FastifyRequest): boolean => /application\/(fhir\+json|json\+fhir)/i.test(req.headers.accept ?? '');

export const documentsFhirRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const repo = createDocumentsRepository(deps);
  const base = fhirBase(deps.config);

  app.get('/DocumentReference/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const caller = documentsCallerOf(requireProfessional(req));
    const ref = parseDocumentRefId(req.params.id);
    if (ref === null) throw notFound('DocumentReference', req.params.id);
    const opts = emergencyOptionsOf(req);
    const doc = await repo.readMeta(caller, ref.patientId, ref.documentId, opts).catch((e: unknown) => {
      if (e instanceof AppError && e.code === 'not_found') throw notFound('DocumentReference', req.params.id);
      return inFhirTerms(e);
    });
    return sendResource(reply, markEmergency(reply, documentReferenceOf(ref.patientId, doc, deps.clock.now()), opts.mode));
  });

  app.get('/DocumentReference', { schema: { querystring: DocumentSearchQuery } }, async (req, reply) => {
    const caller = documentsCallerOf(requireProfessional(req));
    const q = req.query;
    const page = pageOf(q);
    const patientId = parseReference('patient', q.patient, 'Patient', UUID);
    const types = q.type === undefined ? undefined : parseTokens('type', q.type);
    const categories = q.category === undefined ? undefined : parseTokens('category', q.category);
    const dates = (q.date ?? []).map((v) => parseDate('date', v));
    const statuses = q.status === undefined ? ['current', 'superseded'] : q.status.split(',');
    for (const s of statuses) if (s !== 'current' && s !== 'superseded' && s !== 'entered-in-error') throw badParam('status', `"${s}" is not a status (current, superseded, entered-in-error)`);

    const listed = await repo.list(caller, patientId, { ...emergencyOptionsOf(req), includeSuperseded: statuses.includes('superseded') }).catch(inFhirTerms);
    const matching = listed.documents.filter(
      (d) =>
        statuses.includes(STATUS[d.status]) &&
        (types === undefined || tokenMatches(types, typeSystemOf(d.typeCode), d.typeCode)) &&
        (categories === undefined || tokenMatches(categories, TRE_A03_SYSTEM, d.classCode)) &&
        dates.every((c) => dateMatches(c, Date.parse(d.submittedAt))),
    );
    const now = deps.clock.now();
    const shown = matching.slice(page.offset, page.offset + page.count).map((d) => documentReferenceOf(patientId, d, now));
    const params = givenParams(q, SEARCH_PARAMS);
    const bundle = searchset(base, 'DocumentReference', params, page, shown, matching.length > page.offset + page.count, matching.length);
    return sendResource(reply, markEmergency(reply, bundle, listed.emergency?.mode));
  });

  app.get('/Binary/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const caller = documentsCallerOf(requireProfessional(req));
    const ref = parseDocumentRefId(req.params.id);
    if (ref === null) throw notFound('Binary', req.params.id);
    const r = await repo.readContent(caller, ref.patientId, ref.documentId, emergencyOptionsOf(req)).catch((e: unknown) => {
      if (e instanceof AppError && e.code === 'not_found') throw notFound('Binary', req.params.id);
      return inFhirTerms(e);
    });
    if (wantsFhir(req)) {
      const binary: Binary = {
        resourceType: 'Binary',
        id: req.params.id,
        contentType: r.document.format,
        securityContext: { reference: `DocumentReference/${req.params.id}` },
        data: r.content.toString('base64'),
      };
      return sendResource(reply, markEmergency(reply, binary, r.emergencyMode));
    }
    if (r.emergencyMode !== null) reply.header('x-carnet-emergency-mode', r.emergencyMode);
    return reply
      .header('content-type', r.document.format)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .header('x-carnet-sha256', r.document.sha256)
      .send(r.content);
  });
};

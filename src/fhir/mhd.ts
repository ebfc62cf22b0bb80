/**
 * IHE MHD "Provide Document Bundle" (ITI-65), in its simplest form: `POST /fhir` with a
 * transaction Bundle holding one DocumentReference and the Binary its attachment points to
 * (`urn:uuid:` fullUrl). A List (the SubmissionSet) may come along: it is accepted and NOT
 * stored (Carnet keeps no submission sets); its response entry says so.
 *
 * The bundle is checked here (structure, references, value set, format, size), then handed to
 * the documents repository's `submit` as the professional's upload: decide(), sealing and the
 * trace happen there, exactly as for POST /api/pro/patients/:id/documents. A patient the
 * professional may not feed is a 404, like a space that does not exist.
 */
import { documentsCallerOf } from '../records/index.ts';
import type { FastifyPluginAsync } from 'fastify';
import type { Binary, Bundle, BundleEntry, DocumentReference, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { requireProfessional } from '../pro-auth/index.ts';
import { isIsoDate } from '../identity/index.ts';
import { REIMBURSEMENT_CLASS, classOfType, isDocumentType } from '../access/index.ts';
import { createDocumentsRepository } from '../records/documents-repository.ts';
import type { NewDocument } from '../records/documents-repository.ts';
import { PROFESSIONAL_FORMATS, PROFESSIONAL_MAX_BYTES, checkFormat } from '../records/documents-formats.ts';
import { LOINC_SYSTEM, TRE_A03_SYSTEM, TRE_A05_SYSTEM, documentRefId } from './documents.ts';
import { sendResource } from './http.ts';

const MB = 1024 * 1024;
/** The largest document in base64, plus room for the metadata. */
const BODY_LIMIT = Math.ceil((PROFESSIONAL_MAX_BYTES * 4) / 3) + MB;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const invalid = (field: string, reason: string) => new AppError('validation_failed', `Invalid bundle: ${field} ${reason}.`, { details: [{ field, reason }] });


const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Today in Paris, YYYY-MM-DD (as documents-routes.ts). */
const today = (now: Date): string => now.toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });

interface Submission {
  patientId: string;
  doc: NewDocument;
  /** The request's entries, in order, by role. */
  roles: ('document' | 'binary' | 'submissionset')[];
}

/** Checks an ITI-65 bundle into the patient and the new document; throws 400 naming the field. */
export function parseProvideBundle(body: unknown, now: Date): Submission {
  if (!isObject(body) || body.resourceType !== 'Bundle') throw invalid('resourceType', 'must be Bundle');
  if (body.type !== 'transaction') throw invalid('Bundle.type', `must be transaction (got ${JSON.stringify(body.type ?? null)})`);
  const entries = Array.isArray(body.entry) ? (body.entry as unknown[]) : [];
  const roles: Submission['roles'] = [];
  const documents: { entry: BundleEntry; resource: DocumentReference }[] = [];
  const binaries = new Map<string, Binary>();
  entries.forEach((raw, i) => {
    const at = `Bundle.entry[${i}]`;
    if (!isObject(raw) || !isObject(raw.resource)) throw invalid(`${at}.resource`, 'is missing');
    const entry = raw as BundleEntry;
    const resource = raw.resource as unknown as Resource;
    if (entry.request?.method !== 'POST') throw invalid(`${at}.request.method`, 'must be POST (a transaction entry creates its resource)');
    switch (resource.resourceType) {
      case 'DocumentReference':
        documents.push({ entry, resource });
        roles.push('document');
        break;
      case 'Binary': {
        if (typeof entry.fullUrl !== 'string' || !entry.fullUrl.startsWith('urn:uuid:')) throw invalid(`${at}.fullUrl`, 'must be urn:uuid:<uuid> for the Binary');
        if (binaries.has(entry.fullUrl)) throw invalid(`${at}.fullUrl`, 'is not unique');
        binaries.set(entry.fullUrl, resource);
        roles.push('binary');
        break;
      }
      case 'List':
        roles.push('submissionset');
        break;
      default:
        throw invalid(`${at}.resource.resourceType`, `"${resource.resourceType}" is not accepted (DocumentReference, Binary, List)`);
    }
  });
  const one = documents[0];
  if (documents.length !== 1 || one === undefined) throw invalid('Bundle.entry', `must hold exactly one DocumentReference (found ${documents.length})`);
  if (binaries.size !== 1) throw invalid('Bundle.entry', `must hold exactly one Binary, the document's content (found ${binaries.size})`);
  const dr = one.resource;

  const ref = dr.subject?.reference ?? '';
  const patientId = /^Patient\/([^/]+)$/.exec(ref)?.[1];
  if (patientId === undefined || !UUID.test(patientId)) throw invalid('DocumentReference.subject.reference', 'must be Patient/<id>');

  const typeCodings = (dr.type?.coding ?? []).filter((c) => c.system === LOINC_SYSTEM || c.system === TRE_A05_SYSTEM);
  const coding = typeCodings[0];
  if (coding?.code === undefined) throw invalid('DocumentReference.type', `must have a coding in ${LOINC_SYSTEM} or ${TRE_A05_SYSTEM}`);
  const typeCode = coding.code;
  const expectedSystem = /^\d+-\d$/.test(typeCode) ? LOINC_SYSTEM : TRE_A05_SYSTEM;
  if (!isDocumentType(typeCode) || coding.system !== expectedSystem) throw invalid('DocumentReference.type', `"${coding.system}|${typeCode}" is not a type of the DMP value set (JDV_J66)`);
  const cls = classOfType(typeCode);
  if (cls === REIMBURSEMENT_CLASS || typeCode.startsWith('DOCPAT')) throw invalid('DocumentReference.type', `"${typeCode}" is reserved to ${cls === REIMBURSEMENT_CLASS ? 'the insurer' : 'the patient'}`);
  for (const cat of dr.category ?? []) {
    for (const c of cat.coding ?? []) {
      if (c.system === TRE_A03_SYSTEM && c.code !== cls) throw invalid('DocumentReference.category', `"${c.code}" is not the class of type ${typeCode} (its class is ${cls})`);
    }
  }

  const title = (dr.description ?? '').trim().replace(/\s+/g, ' ');
  // eslint-disable-next-line no-control-regex
  if (title === '' || title.length > 255 || /[\u0000-\u001F\u007F]/.test(title)) throw invalid('DocumentReference.description', 'must be the title, 1 to 255 characters');

  const when = dr.context?.period?.start ?? dr.date;
  const createdOn = when?.slice(0, 10) ?? '';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(createdOn) || !isIsoDate(createdOn)) throw invalid('DocumentReference.context.period.start', 'must be the date of the act');
  if (createdOn > today(now)) throw invalid('DocumentReference.context.period.start', 'is in the future: give the date of the act the document describes');

  if ((dr.content ?? []).length !== 1) throw invalid('DocumentReference.content', 'must hold exactly one attachment');
  const attachment = dr.content[0]?.attachment;
  const url = attachment?.url ?? '';
  const binary = binaries.get(url);
  if (binary === undefined) throw invalid('DocumentReference.content[0].attachment.url', `"${url}" does not resolve to the Binary of this bundle (its fullUrl)`);
  const declared = (attachment?.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const binaryType = (binary.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (declared === '' || declared !== binaryType) throw invalid('DocumentReference.content[0].attachment.contentType', `must be the Binary's contentType (${binaryType || 'none'})`);

  const data = (binary.data ?? '').replace(/\s+/g, '');
  if (data === '' || data.length % 4 !== 0 || !BASE64.test(data)) throw invalid('Binary.data', 'must be the content in base64');
  if ((data.length / 4) * 3 > PROFESSIONAL_MAX_BYTES + 2) {
    throw new AppError('payload_too_large', `The document is larger than ${PROFESSIONAL_MAX_BYTES / MB} MB, the limit for one document.`, { details: [{ field: 'Binary.data', reason: `larger than ${PROFESSIONAL_MAX_BYTES / MB} MB` }] });
  }
  const content = Buffer.from(data, 'base64');
  if (content.length === 0) throw invalid('Binary.data', 'is empty');
  if (content.length > PROFESSIONAL_MAX_BYTES) throw new AppError('payload_too_large', `The document is larger than ${PROFESSIONAL_MAX_BYTES / MB} MB, the limit for one document.`);
  if (attachment?.size !== undefined && attachment.size !== content.length) throw invalid('DocumentReference.content[0].attachment.size', `is ${attachment.size} but the Binary holds ${content.length} bytes`);
  const format = checkFormat(content, declared, '', PROFESSIONAL_FORMATS);
  if ('reason' in format) throw invalid('Binary', format.reason);

  return { patientId, roles, doc: { typeCode, title, createdOn, format: format.ok, content } };
}

export const mhdFhirRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  const repo = createDocumentsRepository(deps);
  // FHIR JSON (Fastify parses application/json only), with Fastify's own protections.
  app.addContentTypeParser(['application/fhir+json', 'application/json+fhir'], { parseAs: 'string', bodyLimit: BODY_LIMIT }, app.getDefaultJsonParser('error', 'error'));

  app.post('/', { bodyLimit: BODY_LIMIT }, async (req, reply) => {
    const caller = documentsCallerOf(requireProfessional(req));
    const { patientId, doc, roles } = parseProvideBundle(req.body, deps.clock.now());
    const created = await repo.submit(caller, patientId, doc);
    const id = documentRefId(patientId, created.documentId);
    const ignored: OperationOutcome = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'information', code: 'informational', diagnostics: 'The SubmissionSet (List) was accepted but is not stored: Carnet keeps documents, not submission sets.' }],
    };
    const response: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: roles.map((role) =>
        role === 'document'
          ? { response: { status: '201 Created', location: `DocumentReference/${id}`, lastModified: created.submittedAt } }
          : role === 'binary'
            ? { response: { status: '201 Created', location: `Binary/${id}`, lastModified: created.submittedAt } }
            : { response: { status: '200 OK', outcome: ignored } },
      ),
    };
    return sendResource(reply, response);
  });
};

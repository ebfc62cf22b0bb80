/**
 * Vaccinations as FHIR R4 Immunization and entourage contacts as RelatedPerson, for
 * professionals (bearer token or session). Every read goes through the profile's services
 * (withRecordAccess: decide() and the trace apply); what the caller may not see is a 404
 * OperationOutcome, as is what does not exist. Normal mode only (emergency reads are on the
 * /api/pro routes, which show the mode).
 *
 * Ids: like DocumentReference, the patient id and the entry id, hex without dashes (64
 * characters), so a read hits the (patient_id, entry) key.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { CodeableConcept, ContactPoint, Immunization, ImmunizationPerformer, RelatedPerson } from '@medplum/fhirtypes';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { requireProfessional } from '../pro-auth/index.ts';
import { listVaccinations, readOneVaccination, ATC_SYSTEM, OTHER_VACCINE, ROUTE_SYSTEM, SITE_SYSTEM, SNOMED_SYSTEM, listContactsOf, readContactOf, CONTACT_KIND_LABELS_FR, profileDepsOf } from '../profile/index.ts';
import type { VaccinationView, ContactView } from '../profile/index.ts';
import { documentsCallerOf } from '../records/index.ts';
import { documentRefId, parseDocumentRefId } from './documents.ts';
import { MAX_COUNT, dateMatches, givenParams, pageOf, parseDate, parseReference, parseTokens, searchset, tokenMatches } from './search.ts';
import { fhirBase, sendResource } from './http.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Carnet's code system for the kinds of contact (no standard code for the French "personne de confiance"). */
export const CONTACT_KIND_SYSTEM = 'https://carnet.example/fhir/CodeSystem/entourage-contact-kind';
const V2_CONTACT_ROLE = 'http://terminology.hl7.org/CodeSystem/v2-0131';
const V3_ROLE_CODE = 'http://terminology.hl7.org/CodeSystem/v3-RoleCode';
const IMMUNIZATION_ORIGIN = 'http://terminology.hl7.org/CodeSystem/immunization-origin';
const PERFORMER_FUNCTION = 'http://terminology.hl7.org/CodeSystem/v2-0443';

const notFound = (type: string, id: string) => new AppError('not_found', `${type}/${id} does not exist or you may not see it.`);

/** Answers 404 for the resource (not "no such space") whatever the reason it is out of reach. */
const asNotFound = (type: string, id: string) => (e: unknown): never => {
  throw e instanceof AppError && (e.code === 'not_found' || e.code === 'forbidden') ? notFound(type, id) : e;
};

export function immunizationOf(patientId: string, v: VaccinationView): Immunization {
  const vaccineCode: CodeableConcept =
    v.vaccineCode === OTHER_VACCINE ? { text: v.vaccineLabel } : { coding: [{ system: ATC_SYSTEM, code: v.vaccineCode, display: v.vaccineLabel }], text: v.vaccineName ?? v.vaccineLabel };
  const byProfessional = v.recordedBy.kind === 'professional';
  const performer: ImmunizationPerformer[] = [];
  if (v.performer !== null) {
    const display = v.performer.name ?? undefined;
    performer.push({
      function: { coding: [{ system: PERFORMER_FUNCTION, code: 'AP', display: 'Administering Provider' }] },
      actor: v.performer.idNatPs === null ? { display: display ?? 'inconnu' } : { reference: `Practitioner/${v.performer.idNatPs}`, ...(display === undefined ? {} : { display }) },
    });
  }
  return {
    resourceType: 'Immunization',
    id: documentRefId(patientId, v.vaccinationId),
    meta: { lastUpdated: v.updatedAt },
    status: 'completed',
    vaccineCode,
    patient: { reference: `Patient/${patientId}` },
    occurrenceDateTime: v.date,
    recorded: v.recordedAt,
    // Entered by the professional who gave it: first-hand; else reported by the patient side.
    primarySource: byProfessional,
    ...(byProfessional ? {} : { reportOrigin: { coding: [{ system: IMMUNIZATION_ORIGIN, code: 'recall', display: 'Parent/Guardian/Patient Recall' }] } }),
    ...(v.lotNumber === null ? {} : { lotNumber: v.lotNumber }),
    ...(v.site === null ? {} : { site: { coding: [{ system: SITE_SYSTEM, code: v.site.code, display: v.site.display }] } }),
    ...(v.route === null ? {} : { route: { coding: [{ system: ROUTE_SYSTEM, code: v.route.code, display: v.route.display }] } }),
    ...(performer.length === 0 ? {} : { performer }),
    ...(v.notes === null ? {} : { note: [{ text: v.notes }] }),
    ...(v.targetDiseases.length === 0 && v.doseNumber === null
      ? {}
      : {
          protocolApplied: [
            {
              ...(v.targetDiseases.length === 0 ? {} : { targetDisease: v.targetDiseases.map((d) => ({ coding: [{ system: SNOMED_SYSTEM, code: d.code, display: d.display }] })) }),
              ...(v.doseNumber === null ? { doseNumberString: 'non précisé' } : { doseNumberPositiveInt: v.doseNumber }),
            },
          ],
        }),
  };
}

export function relatedPersonOf(patientId: string, c: ContactView): RelatedPerson {
  const kind: CodeableConcept = {
    coding: [
      { system: CONTACT_KIND_SYSTEM, code: c.kind, display: CONTACT_KIND_LABELS_FR[c.kind] },
      ...(c.kind === 'emergency_contact' ? [{ system: V2_CONTACT_ROLE, code: 'C', display: 'Emergency Contact' }] : []),
    ],
    text: CONTACT_KIND_LABELS_FR[c.kind],
  };
  const relation: CodeableConcept =
    c.relation.code === 'other' ? { text: c.relationText ?? c.relation.label } : { coding: [{ system: V3_ROLE_CODE, code: c.relation.code, display: c.relation.display }], text: c.relation.label };
  const telecom: ContactPoint[] = [];
  if (c.phone !== null) telecom.push({ system: 'phone', value: c.phone });
  if (c.email !== null) telecom.push({ system: 'email', value: c.email });
  return {
    resourceType: 'RelatedPerson',
    id: documentRefId(patientId, c.contactId),
    meta: { lastUpdated: c.updatedAt },
    active: true,
    patient: { reference: `Patient/${patientId}` },
    relationship: [kind, relation],
    name: [{ family: c.familyName, ...(c.givenName === null ? {} : { given: c.givenName.split(' ') }) }],
    ...(telecom.length === 0 ? {} : { telecom }),
  };
}

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const Page = {
  _count: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_COUNT })),
  _offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
};
const PatientParam = Type.String({ minLength: 1, maxLength: 200, description: 'Patient/<id>: required, a search is within one record' });
const ImmunizationSearchQuery = Type.Object(
  {
    patient: PatientParam,
    date: Type.Optional(Type.Array(Type.String({ minLength: 4, maxLength: 40 }), { maxItems: 4, description: 'Immunization.occurrence with prefix eq/ne/lt/le/gt/ge' })),
    'vaccine-code': Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'ATC code ([system|]code, comma = or)' })),
    ...Page,
  },
  { additionalProperties: false },
);
const RelatedPersonSearchQuery = Type.Object({ patient: PatientParam, ...Page }, { additionalProperties: false });
const IMMUNIZATION_PARAMS = ['patient', 'date', 'vaccine-code'] as const;

export const immunizationsFhirRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const base = fhirBase(deps.config);
  // The profile's use cases, with the sealer of its tables (Invariant 4).
  const profile = profileDepsOf(deps);

  app.get('/Immunization/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const caller = documentsCallerOf(requireProfessional(req));
    const ref = parseDocumentRefId(req.params.id);
    if (ref === null) throw notFound('Immunization', req.params.id);
    const r = await readOneVaccination(profile, caller, ref.patientId, ref.documentId).catch(asNotFound('Immunization', req.params.id));
    return sendResource(reply, immunizationOf(ref.patientId, r.value));
  });

  app.get('/Immunization', { schema: { querystring: ImmunizationSearchQuery } }, async (req, reply) => {
    const caller = documentsCallerOf(requireProfessional(req));
    const q = req.query;
    const page = pageOf(q);
    const patientId = parseReference('patient', q.patient, 'Patient', UUID);
    const codes = q['vaccine-code'] === undefined ? undefined : parseTokens('vaccine-code', q['vaccine-code']);
    const dates = (q.date ?? []).map((v) => parseDate('date', v));
    const r = await listVaccinations(profile, caller, patientId);
    const matching = r.value.filter(
      (v) => (codes === undefined || (v.vaccineCode !== OTHER_VACCINE && tokenMatches(codes, ATC_SYSTEM, v.vaccineCode))) && dates.every((c) => dateMatches(c, Date.parse(`${v.date}T00:00:00Z`))),
    );
    const shown = matching.slice(page.offset, page.offset + page.count).map((v) => immunizationOf(patientId, v));
    return sendResource(reply, searchset(base, 'Immunization', givenParams(q, IMMUNIZATION_PARAMS), page, shown, matching.length > page.offset + page.count, matching.length));
  });

  app.get('/RelatedPerson/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const caller = documentsCallerOf(requireProfessional(req));
    const ref = parseDocumentRefId(req.params.id);
    if (ref === null) throw notFound('RelatedPerson', req.params.id);
    const r = await readContactOf(profile, caller, ref.patientId, ref.documentId).catch(asNotFound('RelatedPerson', req.params.id));
    return sendResource(reply, relatedPersonOf(ref.patientId, r.value));
  });

  app.get('/RelatedPerson', { schema: { querystring: RelatedPersonSearchQuery } }, async (req, reply) => {
    const caller = documentsCallerOf(requireProfessional(req));
    const q = req.query;
    const page = pageOf(q);
    const patientId = parseReference('patient', q.patient, 'Patient', UUID);
    const r = await listContactsOf(profile, caller, patientId);
    const shown = r.value.slice(page.offset, page.offset + page.count).map((c) => relatedPersonOf(patientId, c));
    return sendResource(reply, searchset(base, 'RelatedPerson', givenParams(q, ['patient']), page, shown, r.value.length > page.offset + page.count, r.value.length));
  });
};

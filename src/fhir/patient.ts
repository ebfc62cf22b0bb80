/**
 * A patient's identity as a FHIR R4 Patient, for professionals (GET /fhir/Patient/:id).
 *
 * Who may know it: decide() has no "identity" resource kind, and `profile` is kept to the
 * patient's side (resource_not_for_professionals). The request asked is "list the documents
 * of this space" (action `list`, kind `document`, mode normal): it is permitted exactly to a
 * PS who may enter the record in normal mode (authorized list, médecin traitant or
 * administrator, not blocked, and whose profession the matrix opens documents to), which is
 * what "this PS may know this patient" means here. Emergency modes are not offered.
 *
 * Reading the identity is itself traced (`patient_identity_read`) in the transaction that
 * loaded the facts and decided; a refusal is traced as `access_denied` and answered 404, like
 * a space that does not exist.
 */
import { documentsCallerOf, withRecordAccess } from '../records/index.ts';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { HumanName, Patient } from '@medplum/fhirtypes';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { requireProfessional } from '../pro-auth/index.ts';
import type { ProfessionalPrincipal } from '../pro-auth/index.ts';
import type { Actor as AuditActor } from '../audit/index.ts';
import { patientMssAddress } from '../identity/index.ts';
import { sendResource } from './http.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

const GENDER = { M: 'male', F: 'female', U: 'unknown' } as const;

interface PatientRow {
  matricule: string;
  ins_oid: string;
  birth_name: string;
  birth_given_names: string;
  used_name: string | null;
  birth_date: string;
  sex: 'M' | 'F' | 'U';
}


export function professionalAuditActor(p: ProfessionalPrincipal): AuditActor {
  return { type: 'professional', id: p.idNatPs, name: `${p.givenName} ${p.familyName}`.trim(), profession: p.professionCode, specialty: p.specialtyCode ?? undefined };
}

export function patientOf(patientId: string, r: PatientRow): Patient {
  const given = r.birth_given_names.split(/\s+/).filter((g) => g !== '');
  const name: HumanName[] = [{ use: 'official', family: r.birth_name, given }];
  // The used name, when the patient has one, is the one to address them by.
  if (r.used_name !== null && r.used_name !== '') name.unshift({ use: 'usual', family: r.used_name, given });
  return {
    resourceType: 'Patient',
    id: patientId,
    // INS (RULES §2): the matricule under its OID (NIR, NIA or test).
    identifier: [{ use: 'official', system: `urn:oid:${r.ins_oid}`, value: r.matricule }],
    name,
    gender: GENDER[r.sex],
    birthDate: r.birth_date,
    // The patient's MSSanté secure-messaging address (RULES §2). FHIR R4 has no ContactPoint
    // system for secure messaging: it is an e-mail address, reachable only from MSSanté.
    telecom: [{ system: 'email', value: patientMssAddress(r.matricule), use: 'home' }],
  };
}

const notFound = (id: string) => new AppError('not_found', `Patient/${id} does not exist or you may not see it.`);

export const patientFhirRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/Patient/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const principal = requireProfessional(req);
    const id = req.params.id;
    if (!UUID.test(id)) throw notFound(id);
    // Refusals commit too (their trace), then answer 404; a permit carries out its
    // obligations (a first access is notified) like any access to the record.
    const answer = await withRecordAccess(deps, documentsCallerOf(principal), id, { action: 'list', kind: 'document', traceAction: 'patient_identity_read' }, async ({ q }) => {
      const rows = await q.query<PatientRow>(
        "SELECT matricule, ins_oid, birth_name, birth_given_names, used_name, to_char(birth_date, 'YYYY-MM-DD') AS birth_date, sex FROM patients WHERE patient_id = $1",
        [id],
      );
      return { value: rows[0] ?? null };
    }).catch((e: unknown) => {
      if (e instanceof AppError && e.code === 'not_found') return null;
      throw e;
    });
    const row = answer?.value ?? null;
    if (row === null) throw notFound(id);
    return sendResource(reply, patientOf(id, row));
  });
};

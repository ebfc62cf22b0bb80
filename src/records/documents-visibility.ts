/**
 * "Who can see this document, and why" for the patient side: decide() asked on behalf of
 * everyone the space knows (access/explain.ts `candidatesFor` + `explain`), so the answer
 * cannot drift from the enforcement. Each entry names the rule that lets the person in, or
 * the reason that keeps them out (matrix, masking, block, emergency settings...).
 *
 * Called by the documents repository, after decide() let the holder or a representative read
 * the document, in the same transaction.
 */
import { candidatesFor, effectiveEmergencySettings, explain, isInvisibleToPatient, isMaskedToProfessionals, ANY_PROFESSIONAL_ID } from '../access/index.ts';
import type { AccessFacts, AccessMode, ActorKind, DenyReason, DocumentMeta, KnownProfessional, RuleId } from '../access/index.ts';
import { professionLabel, specialtyLabel } from '../identity/directory.ts';
import type { Queryable } from '../storage/index.ts';

export interface AccessEntry {
  /** Who, as the patient reads it, e.g. "Sophie BERNARD, Médecin (médecin traitant, authorized)". */
  who: string;
  kind: ActorKind;
  /** Professionals: their national id, name, profession and specialty (when known), relation to the patient. */
  professional?: { idNatPs: string | null; name: string | null; profession: string | null; specialty: string | null; roles: string[] };
  mode: AccessMode;
  canSee: boolean;
  rule?: RuleId;
  reason?: DenyReason;
  /** The rule or the reason in words. */
  why: string;
}

export interface DocumentAccessAnswer {
  documentId: string;
  typeCode: string;
  document: {
    maskedToProfessionals: boolean;
    /** "Masquer tous mes documents" is on: the document is masked whatever its own flag. */
    maskedByMaskAll: boolean;
    /** Masked to professionals in effect (its flag, or mask-all). */
    masked: boolean;
    invisibleToPatientUntil: string | null;
    invisibleToRepresentatives: boolean;
  };
  canSee: AccessEntry[];
  cannotSee: AccessEntry[];
  /** The emergency doors as the patient's settings leave them (RULES §3.3). */
  emergency: { samu: boolean; brisDeGlace: boolean; maskedDocumentsIncluded: boolean; thisDocumentReachable: boolean };
  matrix: { name: string; version: string };
}

const RULE_WORDS: Partial<Record<RuleId, string>> = {
  patient_own_space: 'the holder of the space sees all of it, except documents a professional made provisionally invisible',
  representative: 'a legal representative of a minor sees the space as the patient, except documents invisible to legal representatives',
  aidant: 'an aidant the patient invited sees the space as the patient',
  ps_authorized_matrix: 'authorized by the patient, and the authorization matrix opens this type of document to their profession',
  ps_medecin_traitant: 'the declared médecin traitant reads as an authorized professional, within the authorization matrix',
  ps_administrator: 'an administrator professional reads as an authorized one, masked documents included',
  ps_author: 'the professional who deposited the document always sees it',
  emergency_samu: 'SAMU regulators (centre 15) may access in an emergency: the patient allowed it',
  emergency_bris_de_glace: 'any professional facing the patient unable to consent may access with a written justification (bris de glace): the patient allowed it',
  app_within_scope: 'an app the patient connected, within the data the patient consented to',
};

const REASON_WORDS: Partial<Record<DenyReason, string>> = {
  not_authorized: 'not on the authorized list (the patient never consented, or the authorization ended)',
  blocked: 'blocked by the patient',
  matrix_excludes_type: 'the authorization matrix does not open this type of document to their profession',
  unknown_document_type: 'the type of this document is not in the DMP value set',
  unknown_profession: 'unknown profession',
  masked: 'the document is masked to professionals',
  invisible_to_patient: 'not yet visible to the patient (pending an announcement consultation)',
  invisible_to_representatives: 'the document is invisible to legal representatives',
  representative_of_adult: 'the patient is of age: legal representatives no longer act for them',
  emergency_refused: 'the patient refused this emergency access in their settings',
  insurer_no_read: 'the insurer never reads the health content',
  operator_no_health_data: 'the operator of the platform never reads health data',
  document_deleted: 'the document is deleted',
  space_closed: 'the space is closed',
};

const professionalName = (p: { given_name: string; family_name: string }) => `${p.given_name} ${p.family_name}`.trim();

/** The answer for one document the caller (holder or representative) is allowed to read. */
export async function describeDocumentAccess(q: Queryable, patientId: string, documentId: string, doc: DocumentMeta, facts: AccessFacts, now: Date): Promise<DocumentAccessAnswer> {
  const ids = new Set<string>([...Object.keys(facts.authorized), ...facts.administrators, ...facts.blocked]);
  if (facts.medecinTraitant !== null) ids.add(facts.medecinTraitant);
  if (doc.authorKind === 'professional') ids.add(doc.authorId);
  const rows =
    ids.size === 0
      ? []
      : await q.query<{ id_nat_ps: string; given_name: string; family_name: string; profession_code: string; specialty_code: string | null }>(
          'SELECT id_nat_ps, given_name, family_name, profession_code, specialty_code FROM professionals WHERE id_nat_ps = ANY($1::text[])',
          [[...ids]],
        );
  const directory = new Map(rows.map((r) => [r.id_nat_ps, r]));
  const known: Record<string, KnownProfessional> = {};
  for (const r of rows) {
    const prof = [professionLabel(r.profession_code), r.specialty_code === null ? null : specialtyLabel(r.specialty_code)].filter((x) => x !== null).join(', ');
    known[r.id_nat_ps] = { professionCode: r.profession_code, specialtyCode: r.specialty_code, label: `${professionalName(r)}${prof === '' ? '' : `, ${prof}`}` };
  }

  const target = { patientId, document: doc };
  const canSee: AccessEntry[] = [];
  const cannotSee: AccessEntry[] = [];
  for (const e of explain(target, facts, candidatesFor(patientId, facts, known, doc), now)) {
    const entry: AccessEntry = { who: e.label, kind: e.actor.kind, mode: e.mode, canSee: e.decision.effect === 'permit', why: '' };
    if (e.actor.kind === 'professional') {
      const id = e.actor.idNatPs;
      const d = directory.get(id);
      const roles = [
        facts.medecinTraitant === id ? 'médecin traitant' : null,
        facts.administrators.has(id) ? 'administrator' : null,
        Object.hasOwn(facts.authorized, id) ? 'authorized' : null,
        facts.blocked.has(id) ? 'blocked' : null,
        doc.authorKind === 'professional' && doc.authorId === id ? 'author' : null,
      ].filter((r) => r !== null);
      entry.professional = {
        idNatPs: id === ANY_PROFESSIONAL_ID ? null : id,
        name: d === undefined ? null : professionalName(d),
        profession: professionLabel(e.actor.professionCode),
        specialty: e.actor.specialtyCode === null ? null : specialtyLabel(e.actor.specialtyCode),
        roles,
      };
    }
    if (e.decision.effect === 'permit') {
      entry.rule = e.decision.rule;
      entry.why = RULE_WORDS[e.decision.rule] ?? e.decision.rule;
      canSee.push(entry);
    } else {
      entry.reason = e.decision.reason;
      entry.why = REASON_WORDS[e.decision.reason] ?? e.decision.reason;
      cannotSee.push(entry);
    }
  }

  const settings = effectiveEmergencySettings(facts.emergency);
  return {
    documentId,
    typeCode: doc.typeCode,
    document: {
      maskedToProfessionals: doc.flags.maskedToProfessionals,
      maskedByMaskAll: facts.maskAll,
      masked: isMaskedToProfessionals(doc, facts),
      invisibleToPatientUntil: isInvisibleToPatient(doc, now) && doc.flags.invisibleToPatientUntil !== null ? doc.flags.invisibleToPatientUntil.toISOString() : null,
      invisibleToRepresentatives: doc.flags.invisibleToRepresentatives,
    },
    canSee,
    cannotSee,
    emergency: {
      samu: settings.samu,
      brisDeGlace: settings.brisDeGlace,
      maskedDocumentsIncluded: settings.masked,
      // Asked of decide() for a physician: an emergency door open, the matrix, and masking with the MASKED setting.
      thisDocumentReachable: canSee.some((c) => c.mode !== 'normal'),
    },
    matrix: { name: facts.matrix.name, version: facts.matrix.version },
  };
}

import { describe, expect, it } from 'vitest';
import { decide, effectiveEmergencySettings } from './decide.ts';
import { ACTORS, AIDANT, APP, doc, facts, IDS, minorFacts, NOW, OTHER_PATIENT, PATIENT, ps, REP1, req } from './test-fixtures.ts';
import type { AccessFacts, AccessRequest, Decision, DenyReason, Obligation, RuleId } from './types.ts';

const LATER = new Date('2026-04-15T00:00:00Z');
const invisibleDoc = doc({ flags: { invisibleToPatientUntil: new Date('2026-03-20T00:00:00Z') } });
const maskedDoc = doc({ flags: { maskedToProfessionals: true } });
const secretDoc = doc({ flags: { invisibleToRepresentatives: true } });
const ownUpload = doc({ typeCode: 'DOCPAT03', classCode: '10', authorKind: 'patient', authorId: PATIENT });
const ofType = (typeCode: string) => doc({ typeCode });
const appActor = (scopes: { kind: 'document' | 'vaccination'; read: boolean; write: boolean }[]) => ({ kind: 'app' as const, appId: APP, user: ACTORS.patient, scopes });

type Expect = { rule: RuleId } | { reason: DenyReason };
interface Case {
  name: string;
  request: AccessRequest;
  facts?: AccessFacts;
  now?: Date;
  expect: Expect;
  /** Obligations that must be present (deep-equal members). */
  has?: Obligation[];
  /** Obligation types that must be absent. */
  lacks?: Obligation['type'][];
}

const CASES: Case[] = [
  // §1 patient
  { name: 'patient reads a document of their own space', request: req(ACTORS.patient, 'read'), expect: { rule: 'patient_own_space' }, has: [{ type: 'trace', mode: 'normal' }] },
  { name: 'a patient reads nothing of another space', request: req(ACTORS.otherPatient, 'read'), expect: { reason: 'not_authorized' } },
  { name: 'patient sees masked documents (§4.3)', request: req(ACTORS.patient, 'read', { document: maskedDoc }), expect: { rule: 'patient_own_space' } },
  { name: 'patient does not see an invisible-to-patient document before its date (§4.4)', request: req(ACTORS.patient, 'read', { document: invisibleDoc }), expect: { reason: 'invisible_to_patient' } },
  { name: 'nor list it', request: req(ACTORS.patient, 'list', { document: invisibleDoc }), expect: { reason: 'invisible_to_patient' } },
  { name: 'patient sees it once the date has passed', request: req(ACTORS.patient, 'read', { document: invisibleDoc }), now: LATER, expect: { rule: 'patient_own_space' } },
  { name: 'patient uploads a DOCPAT document (§4.2)', request: req(ACTORS.patient, 'create', { document: ownUpload }), expect: { rule: 'patient_own_space' } },
  { name: 'patient cannot upload reimbursement data', request: req(ACTORS.patient, 'create', { document: doc({ typeCode: 'REMB', authorKind: 'patient', authorId: PATIENT }) }), expect: { reason: 'type_not_allowed_for_author' } },
  { name: 'patient cannot upload in someone else\'s name', request: req(ACTORS.patient, 'create', { document: doc({ typeCode: 'DOCPAT03', authorKind: 'professional', authorId: IDS.authorizedGp }) }), expect: { reason: 'author_mismatch' } },
  { name: 'patient deletes their own upload (§4.6)', request: req(ACTORS.patient, 'delete', { document: ownUpload }), expect: { rule: 'patient_own_space' } },
  { name: 'patient does not delete a professional\'s document', request: req(ACTORS.patient, 'delete'), expect: { reason: 'not_author' } },
  { name: 'patient does not edit a professional\'s document', request: req(ACTORS.patient, 'update'), expect: { reason: 'not_author' } },
  { name: 'patient masks a document', request: req(ACTORS.patient, 'mask'), expect: { rule: 'patient_own_space' } },
  { name: 'patient manages settings', request: req(ACTORS.patient, 'manage_settings', { kind: 'settings' }), expect: { rule: 'patient_own_space' } },
  { name: 'patient reads their trace (§5)', request: req(ACTORS.patient, 'read', { kind: 'trace' }), expect: { rule: 'patient_own_space' } },
  { name: 'patient closes the space', request: req(ACTORS.patient, 'close_space', { kind: 'space' }), expect: { rule: 'patient_own_space' } },
  { name: 'an action not defined on a kind is refused', request: req(ACTORS.patient, 'mask', { kind: 'trace' }), expect: { reason: 'action_not_allowed' } },
  { name: 'a minor holder does not manage the space (§6)', request: req(ACTORS.patient, 'manage_settings', { kind: 'settings' }), facts: minorFacts(), expect: { reason: 'minor_space_managed_by_representative' } },
  { name: 'a minor holder reads their record, secret care included (§4.5)', request: req(ACTORS.patient, 'read', { document: secretDoc }), facts: minorFacts(), expect: { rule: 'patient_own_space' } },
  { name: 'advance directives do not apply to minors (§6)', request: req(ACTORS.rep1, 'create', { kind: 'advance_directives' }), facts: minorFacts(), expect: { reason: 'advance_directives_minor' } },
  // §1 legal representatives
  { name: 'representative reads the minor\'s record', request: req(ACTORS.rep1, 'read'), facts: minorFacts(), expect: { rule: 'representative' } },
  { name: 'representative never sees invisible-to-representatives (§4.5)', request: req(ACTORS.rep2, 'read', { document: secretDoc }), facts: minorFacts(), expect: { reason: 'invisible_to_representatives' } },
  { name: 'representative does not see invisible-to-patient either', request: req(ACTORS.rep1, 'read', { document: invisibleDoc }), facts: minorFacts(), expect: { reason: 'invisible_to_patient' } },
  { name: 'representative of an adult has no access', request: req(ACTORS.rep1, 'read'), facts: minorFacts({ patientIsMinor: false }), expect: { reason: 'representative_of_adult' } },
  { name: 'an unknown representative has no access', request: req(ACTORS.rep1, 'read'), expect: { reason: 'not_authorized' } },
  { name: 'rank 1 invites the second representative', request: req(ACTORS.rep1, 'invite_representative', { kind: 'space' }), facts: minorFacts(), expect: { rule: 'representative' } },
  { name: 'rank 2 does not close the space', request: req(ACTORS.rep2, 'close_space', { kind: 'space' }), facts: minorFacts(), expect: { reason: 'representative_rank' } },
  { name: 'rank 2 writes as the patient', request: req(ACTORS.rep2, 'manage_settings', { kind: 'settings' }), facts: minorFacts(), expect: { rule: 'representative' } },
  { name: 'representative upload in their own name', request: req(ACTORS.rep1, 'create', { document: doc({ typeCode: 'DOCPAT07', authorKind: 'representative', authorId: REP1 }) }), facts: minorFacts(), expect: { rule: 'representative' } },
  // §1 aidants
  { name: 'accepted aidant reads as the patient', request: req(ACTORS.aidant, 'read'), expect: { rule: 'aidant' } },
  { name: 'pending aidant has no access', request: req(ACTORS.aidantPending, 'read'), expect: { reason: 'not_authorized' } },
  { name: 'aidant adds a document', request: req(ACTORS.aidant, 'create', { document: doc({ typeCode: 'DOCPAT05', authorKind: 'aidant', authorId: AIDANT }) }), expect: { rule: 'aidant' } },
  { name: 'aidant edits the profile', request: req(ACTORS.aidant, 'update', { kind: 'health_history' }), expect: { rule: 'aidant' } },
  { name: 'an authorized GP adds a vaccination', request: req(ACTORS.gp, 'create', { kind: 'vaccination' }), expect: { rule: 'ps_vaccination_entry' } },
  { name: 'an unauthorized PS does not add a vaccination', request: req(ACTORS.stranger, 'create', { kind: 'vaccination' }), expect: { reason: 'not_authorized' } },
  {
    name: 'the GP corrects the vaccination they recorded',
    request: req(ACTORS.gp, 'update', { kind: 'vaccination', entry: { authorKind: 'professional', authorId: ACTORS.gp.idNatPs } }),
    expect: { rule: 'ps_vaccination_entry' },
  },
  { name: 'a PS does not correct another’s vaccination', request: req(ACTORS.gp, 'delete', { kind: 'vaccination', entry: { authorKind: 'professional', authorId: '899900000029' } }), expect: { reason: 'not_author' } },
  { name: 'the patient does not change a professional’s vaccination', request: req(ACTORS.patient, 'update', { kind: 'vaccination', entry: { authorKind: 'professional', authorId: '899900000029' } }), expect: { reason: 'not_author' } },
  { name: 'aidant deletes a profile entry', request: req(ACTORS.aidant, 'delete', { kind: 'vaccination' }), expect: { rule: 'aidant' } },
  ...(
    [
      ['manage_aidants', 'space'],
      ['close_space', 'space'],
      ['download_all', 'space'],
      ['update', 'contact_details'],
      ['read', 'credentials'],
      ['update', 'credentials'],
      ['delete', 'document'],
      ['manage_settings', 'settings'],
      ['mask', 'document'],
      ['create', 'advance_directives'],
    ] as const
  ).map(([action, kind]): Case => ({ name: `aidant may not ${action} ${kind} (§1 NOTs)`, request: req(ACTORS.aidant, action, { kind }), expect: { reason: 'aidant_forbidden_action' } })),
  { name: 'aidant does not upload advance directives', request: req(ACTORS.aidant, 'create', { document: doc({ typeCode: 'EXPPAT_3', authorKind: 'aidant', authorId: AIDANT }) }), expect: { reason: 'aidant_forbidden_action' } },
  { name: 'aidant does not see invisible-to-representatives', request: req(ACTORS.aidant, 'read', { document: secretDoc }), expect: { reason: 'invisible_to_representatives' } },
  // §3.1 care team, consent attestation
  { name: 'a PS with no relation is denied', request: req(ACTORS.stranger, 'read'), expect: { reason: 'not_authorized' } },
  { name: 'a PS attests the patient\'s consent and joins the authorized list', request: req(ACTORS.stranger, 'attest_consent', { kind: 'space' }), expect: { rule: 'ps_consent_attestation' }, has: [{ type: 'add_to_authorized_list' }, { type: 'trace', mode: 'normal' }] },
  {
    name: 'once authorized, the first read notifies the patient (§5)',
    request: req(ACTORS.stranger, 'read'),
    facts: facts({ authorized: { [IDS.stranger]: { since: NOW } } }),
    expect: { rule: 'ps_authorized_matrix' },
    has: [{ type: 'notify_patient', event: 'first_access' }],
  },
  { name: 'later reads are not first accesses', request: req(ACTORS.gp, 'read'), expect: { rule: 'ps_authorized_matrix' }, lacks: ['notify_patient'] },
  { name: 'every PS access notified when the patient asked for it', request: req(ACTORS.gp, 'read'), facts: facts({ notifications: { everyPsAccess: true, newDocument: false } }), expect: { rule: 'ps_authorized_matrix' }, has: [{ type: 'notify_patient', event: 'ps_access' }] },
  { name: 'médecin traitant reads as an authorized PS', request: req(ACTORS.mt, 'read'), expect: { rule: 'ps_medecin_traitant' } },
  { name: 'PS reads vaccinations', request: req(ACTORS.gp, 'read', { kind: 'vaccination' }), expect: { rule: 'ps_authorized_matrix' } },
  { name: 'PS does not read the trace', request: req(ACTORS.gp, 'read', { kind: 'trace' }), expect: { reason: 'resource_not_for_professionals' } },
  { name: 'PS does not read the patient-side profile', request: req(ACTORS.gp, 'read', { kind: 'profile' }), expect: { reason: 'resource_not_for_professionals' } },
  { name: 'PS does not manage settings', request: req(ACTORS.gp, 'manage_settings', { kind: 'settings' }), expect: { reason: 'action_not_allowed' } },
  { name: 'a profession Carnet does not know is denied', request: req(ps(IDS.authorizedGp, '99'), 'read'), expect: { reason: 'unknown_profession' } },
  { name: 'a type outside JDV_J66 is not readable by a PS', request: req(ACTORS.gp, 'read', { document: ofType('XX-1') }), expect: { reason: 'unknown_document_type' } },
  { name: 'PS opening an invisible-to-patient document is warned (§4.4)', request: req(ACTORS.gp, 'read', { document: invisibleDoc }), expect: { rule: 'ps_authorized_matrix' }, has: [{ type: 'warn_invisible_to_patient' }] },
  // §3.2 matrix
  { name: 'physicians read everything but ATTEST-RESID', request: req(ACTORS.gp, 'read', { document: ofType('68599-0') }), expect: { rule: 'ps_authorized_matrix' } },
  { name: 'physicians do not read ATTEST-RESID', request: req(ACTORS.gp, 'read', { document: ofType('ATTEST-RESID') }), expect: { reason: 'matrix_excludes_type' } },
  ...['80788-3', '75496-0', '83981-1', '83901-9', '68599-0', 'EXPPAT_3'].map((t): Case => ({ name: `dentists do not read ${t}`, request: req(ACTORS.dentist, 'read', { document: ofType(t) }), expect: { reason: 'matrix_excludes_type' } })),
  { name: 'dentists read a consultation report', request: req(ACTORS.dentist, 'read', { document: ofType('11488-4') }), expect: { rule: 'ps_authorized_matrix' } },
  { name: 'dentists do not see the advance directives form', request: req(ACTORS.dentist, 'read', { kind: 'advance_directives' }), expect: { reason: 'matrix_excludes_type' } },
  ...['75496-0', '68599-0', '83901-9', '68817-6', '89601-9'].map((t): Case => ({ name: `nurses do not read ${t}`, request: req(ACTORS.nurse, 'read', { document: ofType(t) }), expect: { reason: 'matrix_excludes_type' } })),
  { name: 'nurses read advance directives', request: req(ACTORS.nurse, 'read', { kind: 'advance_directives' }), expect: { rule: 'ps_authorized_matrix' } },
  { name: 'podiatrists do not read the delivery report', request: req(ACTORS.podiatrist, 'read', { document: ofType('15508-5') }), expect: { reason: 'matrix_excludes_type' } },
  { name: 'fallback: pharmacists do not read the delivery report', request: req(ACTORS.pharmacist, 'read', { document: ofType('15508-5') }), expect: { reason: 'matrix_excludes_type' } },
  { name: 'fallback: pharmacists read a dispensation', request: req(ACTORS.pharmacist, 'read', { document: ofType('60593-1') }), expect: { rule: 'ps_authorized_matrix' } },
  { name: 'default for midwives: the delivery report', request: req(ACTORS.midwife, 'read', { document: ofType('15508-5') }), expect: { rule: 'ps_authorized_matrix' } },
  { name: 'default for midwives: not the psychiatric synthesis', request: req(ACTORS.midwife, 'read', { document: ofType('68599-0') }), expect: { reason: 'matrix_excludes_type' } },
  { name: 'occupational medicine reads nothing (L. 1111-18)', request: req(ACTORS.occupational, 'read'), expect: { reason: 'matrix_excludes_type' } },
  { name: 'occupational medicine reads no vaccination either', request: req(ACTORS.occupational, 'read', { kind: 'vaccination' }), expect: { reason: 'matrix_excludes_type' } },
  { name: 'occupational medicine cannot be authorized', request: req(ACTORS.occupational, 'attest_consent', { kind: 'space' }), expect: { reason: 'matrix_excludes_type' } },
  // §3.4 blocking, mask-all
  ...(['document', 'vaccination', 'health_history', 'entourage_volontes', 'advance_directives'] as const).map(
    (kind): Case => ({ name: `a blocked PS reads no ${kind} (§3.4)`, request: req(ps(IDS.blocked), 'read', { kind }), facts: facts({ authorized: { [IDS.blocked]: { since: NOW } } }), expect: { reason: 'blocked' } }),
  ),
  { name: 'a blocked PS does not feed', request: req(ACTORS.blocked, 'create', { document: doc({ authorId: IDS.blocked }) }), expect: { reason: 'blocked' } },
  { name: 'a blocked PS does not attest consent again', request: req(ACTORS.blocked, 'attest_consent', { kind: 'space' }), expect: { reason: 'blocked' } },
  { name: 'a blocked PS has no bris de glace', request: req(ACTORS.blocked, 'read', {}, { mode: 'bris_de_glace', justification: 'unconscious' }), expect: { reason: 'blocked' } },
  { name: 'a blocked SAMU regulator has no SAMU access', request: req(ps(IDS.blocked, '10', null, true), 'read', {}, { mode: 'samu' }), expect: { reason: 'blocked' } },
  { name: 'a blocked administrator is blocked', request: req(ACTORS.admin, 'read'), facts: facts({ blocked: new Set([IDS.admin]) }), expect: { reason: 'blocked' } },
  { name: 'unblocking does not re-authorize', request: req(ACTORS.blocked, 'read'), facts: facts({ blocked: new Set() }), expect: { reason: 'not_authorized' } },
  { name: 'masked documents are hidden from authorized PS (§4.3)', request: req(ACTORS.gp, 'read', { document: maskedDoc }), expect: { reason: 'masked' } },
  { name: 'masked documents are hidden from the médecin traitant', request: req(ACTORS.mt, 'read', { document: maskedDoc }), expect: { reason: 'masked' } },
  { name: 'administrator PS sees masked documents', request: req(ACTORS.admin, 'read', { document: maskedDoc }), expect: { rule: 'ps_administrator' } },
  { name: 'mask-all hides every document from authorized PS', request: req(ACTORS.gp, 'read'), facts: facts({ maskAll: true }), expect: { reason: 'masked' } },
  { name: 'mask-all: the administrator still sees', request: req(ACTORS.admin, 'read'), facts: facts({ maskAll: true }), expect: { rule: 'ps_administrator' } },
  { name: 'mask-all: the depositor still sees', request: req(ACTORS.stranger, 'read', { document: doc({ authorId: IDS.stranger }) }), facts: facts({ maskAll: true }), expect: { rule: 'ps_author' } },
  { name: 'the depositor sees their masked document', request: req(ACTORS.stranger, 'read', { document: doc({ authorId: IDS.stranger, flags: { maskedToProfessionals: true } }) }), expect: { rule: 'ps_author' } },
  { name: 'administrator blocks another PS', request: req(ACTORS.admin, 'block_professional', { kind: 'settings' }), expect: { rule: 'ps_administrator_blocks' } },
  { name: 'an authorized PS does not block', request: req(ACTORS.gp, 'block_professional', { kind: 'settings' }), expect: { reason: 'not_authorized' } },
  { name: 'PS masks at the patient\'s request', request: req(ACTORS.gp, 'mask', {}, { onPatientRequest: true }), expect: { rule: 'ps_mask_at_patient_request' } },
  { name: 'PS does not mask on their own', request: req(ACTORS.gp, 'mask'), expect: { reason: 'patient_request_required' } },
  // §3.6 feeding, §4.6 deletion
  {
    name: 'a PS with no read access adds a document; first time notified (§3.6)',
    request: req(ACTORS.stranger, 'create', { document: doc({ authorId: IDS.stranger }) }),
    expect: { rule: 'ps_feeding' },
    has: [{ type: 'trace', mode: 'normal' }, { type: 'notify_patient', event: 'first_access' }],
  },
  { name: 'later additions are not first accesses', request: req(ACTORS.gp, 'create', { document: doc({ authorId: IDS.authorizedGp }) }), expect: { rule: 'ps_feeding' }, lacks: ['notify_patient'] },
  { name: 'new documents notified per preferences', request: req(ACTORS.gp, 'create', { document: doc({ authorId: IDS.authorizedGp }) }), facts: facts({ notifications: { everyPsAccess: false, newDocument: true } }), expect: { rule: 'ps_feeding' }, has: [{ type: 'notify_patient', event: 'new_document' }] },
  { name: 'a PS adds only in their own name', request: req(ACTORS.gp, 'create'), expect: { reason: 'author_mismatch' } },
  { name: 'a PS does not add reimbursement data', request: req(ACTORS.gp, 'create', { document: doc({ typeCode: 'REMB', authorId: IDS.authorizedGp }) }), expect: { reason: 'type_not_allowed_for_author' } },
  { name: 'a PS adds no advance directives for a minor', request: req(ACTORS.gp, 'create', { document: doc({ typeCode: 'EXPPAT_3', authorId: IDS.authorizedGp }) }), facts: minorFacts(), expect: { reason: 'advance_directives_minor' } },
  { name: 'the author PS deletes at the patient\'s request', request: req(ACTORS.gp, 'delete', { document: doc({ authorId: IDS.authorizedGp }) }, { onPatientRequest: true }), expect: { rule: 'ps_author_delete' } },
  { name: 'not without the patient\'s request', request: req(ACTORS.gp, 'delete', { document: doc({ authorId: IDS.authorizedGp }) }), expect: { reason: 'patient_request_required' } },
  { name: 'a PS does not delete another\'s document', request: req(ACTORS.admin, 'delete', {}, { onPatientRequest: true }), expect: { reason: 'not_author' } },
  { name: 'a deleted document is read by nobody', request: req(ACTORS.patient, 'read', { document: doc({ status: 'deleted' }) }), expect: { reason: 'document_deleted' } },
  { name: 'a superseded document stays readable', request: req(ACTORS.gp, 'read', { document: doc({ status: 'superseded' }) }), expect: { rule: 'ps_authorized_matrix' } },
  { name: 'document actions need the metadata', request: { actor: ACTORS.gp, action: 'read', target: { patientId: PATIENT, kind: 'document' }, mode: 'normal' }, expect: { reason: 'document_metadata_required' } },
  // §3.3 emergency
  {
    name: 'SAMU regulator reads without justification (ETREAT)',
    request: req(ACTORS.samu, 'read', {}, { mode: 'samu' }),
    expect: { rule: 'emergency_samu' },
    has: [
      { type: 'trace', mode: 'samu' },
      { type: 'notify_patient', event: 'emergency_access' },
      { type: 'notify_medecin_traitant', event: 'emergency_access', idNatPs: IDS.medecinTraitant },
      { type: 'show_emergency_banner' },
    ],
  },
  { name: 'SAMU mode is for regulators only', request: req(ACTORS.stranger, 'read', {}, { mode: 'samu' }), expect: { reason: 'not_samu_regulator' } },
  { name: 'SAMU refused by the patient', request: req(ACTORS.samu, 'read', {}, { mode: 'samu' }), facts: facts({ emergency: { samu: false, brisDeGlace: true, masked: true } }), expect: { reason: 'emergency_refused' } },
  {
    name: 'bris de glace with a justification (BTG)',
    request: req(ACTORS.stranger, 'read', {}, { mode: 'bris_de_glace', justification: '  unconscious, no relative  ' }),
    expect: { rule: 'emergency_bris_de_glace' },
    has: [{ type: 'trace', mode: 'bris_de_glace', justification: 'unconscious, no relative' }, { type: 'show_emergency_banner' }],
  },
  { name: 'bris de glace needs a justification', request: req(ACTORS.stranger, 'read', {}, { mode: 'bris_de_glace' }), expect: { reason: 'justification_required' } },
  { name: 'a blank justification is none', request: req(ACTORS.stranger, 'read', {}, { mode: 'bris_de_glace', justification: '   ' }), expect: { reason: 'justification_required' } },
  { name: 'bris de glace refused by the patient', request: req(ACTORS.stranger, 'read', {}, { mode: 'bris_de_glace', justification: 'x' }), facts: facts({ emergency: { samu: true, brisDeGlace: false, masked: true } }), expect: { reason: 'emergency_refused' } },
  { name: 'emergency sees masked documents when MASKED is allowed', request: req(ACTORS.samu, 'read', { document: maskedDoc }, { mode: 'samu' }), expect: { rule: 'emergency_samu' } },
  { name: 'emergency does not see masked documents when MASKED is refused', request: req(ACTORS.samu, 'read', { document: maskedDoc }, { mode: 'samu' }), facts: facts({ emergency: { samu: true, brisDeGlace: true, masked: false } }), expect: { reason: 'masked' } },
  { name: 'emergency sees vaccinations', request: req(ACTORS.samu, 'read', { kind: 'vaccination' }, { mode: 'samu' }), expect: { rule: 'emergency_samu' } },
  { name: 'the matrix applies in emergency', request: req(ps(IDS.stranger, '40'), 'read', { document: ofType('EXPPAT_3') }, { mode: 'bris_de_glace', justification: 'x' }), expect: { reason: 'matrix_excludes_type' } },
  { name: 'emergency modes only read', request: req(ACTORS.samu, 'create', { document: doc({ authorId: IDS.stranger }) }, { mode: 'samu' }), expect: { reason: 'emergency_read_only' } },
  { name: 'emergency modes are for professionals', request: req(ACTORS.patient, 'read', {}, { mode: 'bris_de_glace', justification: 'x' }), expect: { reason: 'emergency_professionals_only' } },
  { name: 'emergency without a médecin traitant still carries the obligation', request: req(ACTORS.samu, 'read', {}, { mode: 'samu' }), facts: facts({ medecinTraitant: null }), expect: { rule: 'emergency_samu' }, has: [{ type: 'notify_medecin_traitant', event: 'emergency_access', idNatPs: null }] },
  // §3.5 closed space, §6
  { name: 'closed space: no PS access', request: req(ACTORS.gp, 'read'), facts: facts({ spaceStatus: 'closed' }), expect: { reason: 'space_closed' } },
  { name: 'closed space: not even SAMU', request: req(ACTORS.samu, 'read', {}, { mode: 'samu' }), facts: facts({ spaceStatus: 'closed' }), expect: { reason: 'space_closed' } },
  { name: 'closed space: not even bris de glace', request: req(ACTORS.stranger, 'read', {}, { mode: 'bris_de_glace', justification: 'x' }), facts: facts({ spaceStatus: 'closed' }), expect: { reason: 'space_closed' } },
  { name: 'closed space: no feeding', request: req(ACTORS.gp, 'create', { document: doc({ authorId: IDS.authorizedGp }) }), facts: facts({ spaceStatus: 'closed' }), expect: { reason: 'space_closed' } },
  { name: 'purged space is closed', request: req(ACTORS.patient, 'read'), facts: facts({ spaceStatus: 'purged' }), expect: { reason: 'space_closed' } },
  { name: 'a space not open yet is not accessible', request: req(ACTORS.gp, 'read'), facts: facts({ spaceStatus: 'pending' }), expect: { reason: 'space_not_open' } },
  { name: 'an opened, not yet activated space is fed and read', request: req(ACTORS.gp, 'read'), facts: facts({ spaceStatus: 'open' }), expect: { rule: 'ps_authorized_matrix' } },
  // §1 insurer, operator
  { name: 'insurer reads nothing', request: req(ACTORS.insurer, 'read', { document: doc({ typeCode: 'REMB', authorKind: 'insurer', authorId: 'cnam' }) }), expect: { reason: 'insurer_no_read' } },
  { name: 'insurer lists nothing', request: req(ACTORS.insurer, 'list'), expect: { reason: 'insurer_no_read' } },
  { name: 'insurer writes reimbursement data (class 60)', request: req(ACTORS.insurer, 'create', { document: doc({ typeCode: 'REMB', classCode: '60', authorKind: 'insurer', authorId: 'cnam' }) }), expect: { rule: 'insurer_write_reimbursement' } },
  { name: 'insurer writes nothing else', request: req(ACTORS.insurer, 'create', { document: doc({ authorKind: 'insurer', authorId: 'cnam' }) }), expect: { reason: 'insurer_write_only' } },
  { name: 'insurer deletes nothing', request: req(ACTORS.insurer, 'delete'), expect: { reason: 'insurer_write_only' } },
  { name: 'operator reads no health data', request: req(ACTORS.operator, 'read'), expect: { reason: 'operator_no_health_data' } },
  { name: 'operator writes no health data', request: req(ACTORS.operator, 'create'), expect: { reason: 'operator_no_health_data' } },
  // §7 apps
  { name: 'app reads within its scope', request: req(appActor([{ kind: 'document', read: true, write: false }]), 'read'), expect: { rule: 'app_within_scope' } },
  { name: 'app without the scope', request: req(appActor([{ kind: 'vaccination', read: true, write: true }]), 'read'), expect: { reason: 'app_scope' } },
  { name: 'app with read scope does not write', request: req(appActor([{ kind: 'document', read: true, write: false }]), 'create', { document: ownUpload }), expect: { reason: 'app_scope' } },
  { name: 'app never gets what the user cannot', request: req(appActor([{ kind: 'document', read: true, write: true }]), 'read', { document: invisibleDoc }), expect: { reason: 'invisible_to_patient' } },
  { name: 'app never manages settings', request: req(appActor([{ kind: 'document', read: true, write: true }]), 'manage_settings', { kind: 'settings' }), expect: { reason: 'app_scope' } },
  { name: 'a disconnected app gets nothing', request: req(appActor([{ kind: 'document', read: true, write: true }]), 'read'), facts: facts({ connectedApps: new Set() }), expect: { reason: 'app_not_connected' } },
  { name: 'an app acting for a patient on another space', request: { ...req({ kind: 'app', appId: APP, user: ACTORS.patient, scopes: [{ kind: 'document', read: true, write: true }] }, 'read'), target: { patientId: OTHER_PATIENT, kind: 'document', document: doc() } }, expect: { reason: 'not_authorized' } },
];

function check(d: Decision, c: Case): void {
  if ('rule' in c.expect) {
    expect(d).toMatchObject({ effect: 'permit', rule: c.expect.rule });
    const obligations = d.effect === 'permit' ? d.obligations : [];
    expect(obligations).toContainEqual({ type: 'trace', mode: c.request.mode, ...(c.request.mode === 'bris_de_glace' ? { justification: expect.any(String) } : {}) });
    for (const o of c.has ?? []) expect(obligations).toContainEqual(o);
    for (const t of c.lacks ?? []) expect(obligations.map((o) => o.type)).not.toContain(t);
  } else {
    expect(d).toEqual({ effect: 'deny', reason: c.expect.reason });
  }
}

describe('decide(): one case per rule', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    check(decide(c.request, c.facts ?? facts(), c.now ?? NOW), c);
  });
});

describe('effectiveEmergencySettings (§3.3)', () => {
  it('forces MASKED off when both emergency settings are off, and keeps it otherwise', () => {
    expect(effectiveEmergencySettings({ samu: false, brisDeGlace: false, masked: true }).masked).toBe(false);
    expect(effectiveEmergencySettings({ samu: true, brisDeGlace: false, masked: true }).masked).toBe(true);
    expect(effectiveEmergencySettings({ samu: false, brisDeGlace: true, masked: true }).masked).toBe(true);
    expect(effectiveEmergencySettings({ samu: true, brisDeGlace: true, masked: false }).masked).toBe(false);
  });
});

describe('decide() is pure', () => {
  it('does not touch its inputs and answers the same twice', () => {
    const f = facts();
    const r = req(ACTORS.gp, 'read');
    const before = JSON.stringify([r, { ...f, blocked: [...f.blocked], administrators: [...f.administrators], connectedApps: [...f.connectedApps], matrix: null }]);
    const a = decide(r, f, NOW);
    const b = decide(r, f, NOW);
    expect(a).toEqual(b);
    expect(JSON.stringify([r, { ...f, blocked: [...f.blocked], administrators: [...f.administrators], connectedApps: [...f.connectedApps], matrix: null }])).toBe(before);
  });
});

/**
 * decide(): the one access decision of Carnet (ARCHITECTURE "Access decision", invariants 1-3).
 * Pure, synchronous, no I/O, deny by default: every permit names the rule that let the actor
 * in and the obligations the caller must carry out (trace, notify, warn); every deny names
 * the rule that kept them out (for the trace only: the caller answers "not found").
 *
 * Each step checks one thing and returns a deny, or null to go on (node-oidc-provider's
 * "an endpoint is a list of named steps").
 *
 * Choices the rules leave open, made here:
 * - A blocked PS is denied everything, emergency modes included. RULES §3.4: blocking means
 *   "no more access to documents, vaccinations, health history, entourage & volontés", with no
 *   exception; the block names this PS, whereas the emergency settings are general, and the
 *   specific choice of the patient prevails. Feeding (§3.6) is refused too: the patient
 *   removed this PS from their care.
 * - Emergency modes open reads only (read, list); a PS in an emergency still adds documents
 *   under the feeding rule, in normal mode. The matrix applies in every mode: it rules on
 *   professions, not on consent.
 * - Mask-all (RULES §3.4, "masquer tous mes documents") acts on documents only, as the rule's
 *   wording says; vaccinations, history and entourage follow the authorized list.
 * - The médecin traitant reads as an authorized PS (RULES §1) without a separate attestation;
 *   an administrator PS likewise (the patient designated them).
 * - The author PS reads their own document (depositor, RULES §4.3) without being authorized,
 *   whatever its type or masking; a blocked author does not.
 * - Aidants: besides the NOTs of RULES §1 (manage aidants, contact details, credentials,
 *   closure, deletion, download), they delete no document (profile entries yes), write neither settings nor visibility flags (masking:
 *   not in their list of writes) nor advance directives (a personal act of the patient), and
 *   they do not see documents invisible to legal representatives (a minor's secret care must
 *   not reach a carer a parent may have invited).
 * - Legal representatives act only while the patient is a minor; closing the space and
 *   inviting the second representative are reserved to rank 1 ("only the representative the
 *   child is attached to manages it", RULES §6). A minor holder reads and writes their own
 *   record but does not manage it (settings, aidants, closure).
 * - A closed (or purged) space is closed to every actor here; reopening is a lifecycle
 *   transition, not an access decision. A space not yet open (pending, opposed) likewise.
 */
import { ADVANCE_DIRECTIVES_TYPE, classOfType, isPatientSideType, REIMBURSEMENT_CLASS } from './document-types.ts';
import { readsKind, readsType, rowFor } from './matrix.ts';
import type { MatrixRow } from './matrix.ts';
import { APP_RESOURCE_KINDS, PROFESSIONAL_RESOURCE_KINDS } from './types.ts';
import type {
  AccessAction,
  AccessFacts,
  AccessRequest,
  AppActor,
  Decision,
  DenyReason,
  DocumentMeta,
  EmergencySettings,
  InsurerActor,
  Obligation,
  PatientSideActor,
  ProfessionalActor,
  ResourceKind,
  RuleId,
} from './types.ts';

const permit = (rule: RuleId, obligations: Obligation[]): Decision => ({ effect: 'permit', rule, obligations: Object.freeze(obligations) });
const deny = (reason: DenyReason): Decision => ({ effect: 'deny', reason });
const traceNormal: Obligation = { type: 'trace', mode: 'normal' };

export function decide(request: AccessRequest, facts: AccessFacts, now: Date): Decision {
  const { actor } = request;
  // Invariant 3: the operator never reads health data, whatever the rest.
  if (actor.kind === 'operator') return deny('operator_no_health_data');
  const gate = spaceGate(facts) ?? (request.mode !== 'normal' && actor.kind !== 'professional' ? 'emergency_professionals_only' : null);
  if (gate) return deny(gate);
  switch (actor.kind) {
    case 'patient':
    case 'representative':
    case 'aidant':
      return decidePatientSide(actor, request, facts, now);
    case 'professional':
      return decideProfessional(actor, request, facts, now);
    case 'insurer':
      return decideInsurer(actor, request, facts);
    case 'app':
      return decideApp(actor, request, facts, now);
  }
}

/** The MASKED emergency setting counts only if SAMU or bris de glace is allowed (RULES §3.3). */
export function effectiveEmergencySettings(s: EmergencySettings): EmergencySettings {
  return { samu: s.samu, brisDeGlace: s.brisDeGlace, masked: s.masked && (s.samu || s.brisDeGlace) };
}

/** True while a document is provisionally invisible to the patient (RULES §4.4). */
export function isInvisibleToPatient(doc: DocumentMeta, now: Date): boolean {
  const until = doc.flags.invisibleToPatientUntil;
  return until !== null && now.getTime() < until.getTime();
}

/** Masked to professionals, by the document's flag or by the patient's mask-all. */
export function isMaskedToProfessionals(doc: DocumentMeta, facts: AccessFacts): boolean {
  return doc.flags.maskedToProfessionals || facts.maskAll;
}

// ---------------------------------------------------------------------------------------
// Shared steps

function spaceGate(facts: AccessFacts): DenyReason | null {
  switch (facts.spaceStatus) {
    case 'open':
    case 'active':
      return null;
    case 'closed':
    case 'purged':
      return 'space_closed';
    case 'pending':
    case 'opposed':
      return 'space_not_open';
  }
}

/** Actions that need the document's metadata (a list is filtered row by row with `read`). */
function needsDocument(action: AccessAction, kind: ResourceKind): boolean {
  return kind === 'document' && action !== 'list';
}

function documentGate(request: AccessRequest): { doc: DocumentMeta | null; reason: DenyReason | null } {
  const doc = request.target.document ?? null;
  if (needsDocument(request.action, request.target.kind) && doc === null) return { doc, reason: 'document_metadata_required' };
  if (doc !== null && request.action !== 'create' && doc.status === 'deleted') return { doc, reason: 'document_deleted' };
  return { doc, reason: null };
}

function isAdvanceDirectives(request: AccessRequest): boolean {
  return request.target.kind === 'advance_directives' || request.target.document?.typeCode === ADVANCE_DIRECTIVES_TYPE;
}

/** Advance directives do not apply to minors (RULES §6). */
function advanceDirectivesMinorGate(request: AccessRequest, facts: AccessFacts): DenyReason | null {
  const writes = request.action === 'create' || request.action === 'update';
  return writes && facts.patientIsMinor && isAdvanceDirectives(request) ? 'advance_directives_minor' : null;
}

// ---------------------------------------------------------------------------------------
// Patient, legal representatives, aidants (RULES §1)

/** What the holder of a space may do, by resource kind. */
const HOLDER_RIGHTS: Readonly<Record<ResourceKind, readonly AccessAction[]>> = {
  document: ['read', 'list', 'create', 'update', 'delete', 'mask', 'unmask'],
  vaccination: ['read', 'list', 'create', 'update', 'delete'],
  health_history: ['read', 'list', 'create', 'update', 'delete'],
  entourage_volontes: ['read', 'list', 'create', 'update', 'delete'],
  advance_directives: ['read', 'list', 'create', 'update', 'delete'],
  profile: ['read', 'list', 'create', 'update', 'delete'],
  trace: ['read', 'list'],
  settings: ['read', 'manage_settings', 'block_professional'],
  contact_details: ['read', 'update'],
  credentials: ['read', 'update'],
  space: ['manage_aidants', 'invite_representative', 'close_space', 'download_all'],
};

/** What an aidant may do among the holder's rights (RULES §1 and the choices above). */
const AIDANT_WRITABLE: ReadonlySet<ResourceKind> = new Set(['document', 'vaccination', 'health_history', 'entourage_volontes', 'profile']);
function aidantAllows(action: AccessAction, kind: ResourceKind): boolean {
  if (kind === 'credentials') return false;
  if (action === 'read' || action === 'list') return true;
  if (action === 'create' || action === 'update') return AIDANT_WRITABLE.has(kind);
  // The issue on the profile has aidants "add, edit, delete" its entries; the "deletion" RULES §1
  // denies them is read as deleting documents (and the space): a document may be the only copy.
  return action === 'delete' && kind !== 'document' && AIDANT_WRITABLE.has(kind);
}

/** Managing the space: not for a minor holder (RULES §6). */
const MANAGEMENT: ReadonlySet<AccessAction> = new Set(['manage_settings', 'block_professional', 'manage_aidants', 'invite_representative', 'close_space']);
/** Reserved to the representative the child is attached to (RULES §1, §6). */
const RANK_ONE_ONLY: ReadonlySet<AccessAction> = new Set(['close_space', 'invite_representative']);

const PATIENT_SIDE_AUTHORS: ReadonlySet<string> = new Set(['patient', 'representative', 'aidant']);

function decidePatientSide(actor: PatientSideActor, request: AccessRequest, facts: AccessFacts, now: Date): Decision {
  const { action, target } = request;
  let rule: RuleId;
  let selfId: string;
  switch (actor.kind) {
    case 'patient':
      if (actor.patientId !== target.patientId) return deny('not_authorized');
      rule = 'patient_own_space';
      selfId = actor.patientId;
      break;
    case 'representative': {
      if (!Object.hasOwn(facts.representatives, actor.personId)) return deny('not_authorized');
      if (!facts.patientIsMinor) return deny('representative_of_adult');
      if (RANK_ONE_ONLY.has(action) && facts.representatives[actor.personId]?.rank !== 1) return deny('representative_rank');
      rule = 'representative';
      selfId = actor.personId;
      break;
    }
    case 'aidant':
      if (!Object.hasOwn(facts.aidants, actor.personId) || facts.aidants[actor.personId]?.status !== 'accepted') return deny('not_authorized');
      rule = 'aidant';
      selfId = actor.personId;
      break;
  }

  if (!HOLDER_RIGHTS[target.kind].includes(action)) return deny('action_not_allowed');
  if (actor.kind === 'aidant' && !aidantAllows(action, target.kind)) return deny('aidant_forbidden_action');
  if (actor.kind === 'patient' && facts.patientIsMinor && MANAGEMENT.has(action)) return deny('minor_space_managed_by_representative');
  const adMinor = advanceDirectivesMinorGate(request, facts);
  if (adMinor) return deny(adMinor);

  const { doc, reason } = documentGate(request);
  if (reason) return deny(reason);
  const obligations: Obligation[] = [traceNormal];

  if (doc !== null && action === 'create') {
    if (doc.authorKind !== actor.kind || doc.authorId !== selfId) return deny('author_mismatch');
    if (!isPatientSideType(doc.typeCode)) return deny('type_not_allowed_for_author');
    if (actor.kind === 'aidant' && doc.typeCode === ADVANCE_DIRECTIVES_TYPE) return deny('aidant_forbidden_action');
    if (actor.kind !== 'patient' && facts.notifications.newDocument) obligations.push({ type: 'notify_patient', event: 'new_document' });
  } else if (doc !== null) {
    if (isInvisibleToPatient(doc, now)) return deny('invisible_to_patient');
    if (actor.kind !== 'patient' && doc.flags.invisibleToRepresentatives) return deny('invisible_to_representatives');
    // The holder edits and deletes what was uploaded from their side, never a professional's or the insurer's document.
    if ((action === 'update' || action === 'delete') && !PATIENT_SIDE_AUTHORS.has(doc.authorKind)) return deny('not_author');
  }
  // Likewise for a profile entry a professional recorded (a vaccination they performed).
  if ((action === 'update' || action === 'delete') && target.entry !== undefined && !PATIENT_SIDE_AUTHORS.has(target.entry.authorKind)) return deny('not_author');
  return permit(rule, obligations);
}

// ---------------------------------------------------------------------------------------
// Professionals (RULES §3, §4)

function decideProfessional(actor: ProfessionalActor, request: AccessRequest, facts: AccessFacts, now: Date): Decision {
  const row = rowFor(facts.matrix, actor.professionCode, actor.specialtyCode);
  if (row === null) return deny('unknown_profession');
  if (facts.blocked.has(actor.idNatPs)) return deny('blocked');
  if (request.mode !== 'normal') return decideEmergency(actor, row, request, facts, now);

  const { action, target } = request;
  switch (action) {
    case 'attest_consent':
      if (target.kind !== 'space') return deny('action_not_allowed');
      // A profession the matrix opens nothing to (e.g. occupational medicine) cannot be authorized.
      if (row.resourceKinds.size === 0) return deny('matrix_excludes_type');
      return permit('ps_consent_attestation', [traceNormal, { type: 'add_to_authorized_list' }]);
    case 'block_professional':
      if (target.kind !== 'settings') return deny('action_not_allowed');
      return facts.administrators.has(actor.idNatPs) ? permit('ps_administrator_blocks', [traceNormal]) : deny('not_authorized');
    case 'create':
      if (target.kind === 'vaccination') return decideVaccinationEntry(actor, row, request, facts, now);
      return decideFeeding(actor, request, facts);
    case 'update':
      return target.kind === 'vaccination' ? decideVaccinationChange(actor, row, request, facts, now) : deny('action_not_allowed');
    case 'delete':
      return target.kind === 'vaccination' ? decideVaccinationChange(actor, row, request, facts, now) : decideAuthorDelete(actor, request);
    case 'read':
    case 'list':
      return decideProfessionalRead(actor, row, request, facts, now);
    case 'mask':
    case 'unmask': {
      if (target.kind !== 'document') return deny('action_not_allowed');
      if (request.onPatientRequest !== true) return deny('patient_request_required');
      const read = decideProfessionalRead(actor, row, { ...request, action: 'read' }, facts, now);
      return read.effect === 'permit' ? permit('ps_mask_at_patient_request', [traceNormal]) : read;
    }
    default:
      return deny('action_not_allowed');
  }
}

function isAuthor(actor: ProfessionalActor, doc: DocumentMeta): boolean {
  return doc.authorKind === 'professional' && doc.authorId === actor.idNatPs;
}

function firstAccess(actor: ProfessionalActor, facts: AccessFacts): boolean {
  return !Object.hasOwn(facts.lastAccess, actor.idNatPs);
}

/** RULES §3.6: a PS who treats the patient adds documents without read access; the patient is informed. */
function decideFeeding(actor: ProfessionalActor, request: AccessRequest, facts: AccessFacts): Decision {
  if (request.target.kind !== 'document') return deny('action_not_allowed');
  const doc = request.target.document;
  if (!doc) return deny('document_metadata_required');
  if (!isAuthor(actor, doc)) return deny('author_mismatch');
  const cls = classOfType(doc.typeCode);
  if (cls === null) return deny('unknown_document_type');
  // Reimbursement data is the insurer's; DOCPAT* are the patient's own uploads.
  if (cls === REIMBURSEMENT_CLASS || doc.typeCode.startsWith('DOCPAT')) return deny('type_not_allowed_for_author');
  const adMinor = advanceDirectivesMinorGate(request, facts);
  if (adMinor) return deny(adMinor);
  const obligations: Obligation[] = [traceNormal];
  if (firstAccess(actor, facts)) obligations.push({ type: 'notify_patient', event: 'first_access' });
  if (facts.notifications.newDocument) obligations.push({ type: 'notify_patient', event: 'new_document' });
  return permit('ps_feeding', obligations);
}

/**
 * The profile issue: an authorized PS adds a vaccination (they are its performer). Only a PS
 * who may read the patient's vaccinations (authorized list, médecin traitant or administrator,
 * and the matrix) may add one: unlike documents (feeding, §3.6), a vaccination joins a list the
 * PS sees, so it goes with read access.
 */
function decideVaccinationEntry(actor: ProfessionalActor, row: MatrixRow, request: AccessRequest, facts: AccessFacts, now: Date): Decision {
  const read = decideProfessionalRead(actor, row, { ...request, action: 'list' }, facts, now);
  if (read.effect === 'deny') return read;
  const obligations: Obligation[] = [traceNormal];
  if (facts.notifications.newDocument) obligations.push({ type: 'notify_patient', event: 'new_document' });
  return permit('ps_vaccination_entry', obligations);
}

/** The PS who recorded a vaccination corrects or deletes it, as long as they may still read the list. */
function decideVaccinationChange(actor: ProfessionalActor, row: MatrixRow, request: AccessRequest, facts: AccessFacts, now: Date): Decision {
  const entry = request.target.entry;
  if (entry === undefined) return deny('document_metadata_required');
  if (entry.authorKind !== 'professional' || entry.authorId !== actor.idNatPs) return deny('not_author');
  const read = decideProfessionalRead(actor, row, { ...request, action: 'list' }, facts, now);
  return read.effect === 'permit' ? permit('ps_vaccination_entry', [traceNormal]) : read;
}

/** RULES §4.6: the author PS deletes, at the patient's request. */
function decideAuthorDelete(actor: ProfessionalActor, request: AccessRequest): Decision {
  if (request.target.kind !== 'document') return deny('action_not_allowed');
  const { doc, reason } = documentGate(request);
  if (reason) return deny(reason);
  if (doc === null || !isAuthor(actor, doc)) return deny('not_author');
  if (request.onPatientRequest !== true) return deny('patient_request_required');
  return permit('ps_author_delete', [traceNormal]);
}

function isProfessionalKind(kind: ResourceKind): boolean {
  return (PROFESSIONAL_RESOURCE_KINDS as readonly string[]).includes(kind);
}

/** The matrix for a resource kind and, for a document, its type. */
function matrixGate(row: MatrixRow, kind: ResourceKind, doc: DocumentMeta | null): DenyReason | null {
  if (!readsKind(row, kind)) return 'matrix_excludes_type';
  if (doc === null) return null;
  if (classOfType(doc.typeCode) === null) return 'unknown_document_type';
  return readsType(row, doc.typeCode) ? null : 'matrix_excludes_type';
}

function decideProfessionalRead(actor: ProfessionalActor, row: MatrixRow, request: AccessRequest, facts: AccessFacts, now: Date): Decision {
  const { kind } = request.target;
  if (!isProfessionalKind(kind)) return deny('resource_not_for_professionals');
  const { doc, reason } = documentGate(request);
  if (reason) return deny(reason);

  const obligations: Obligation[] = [traceNormal];
  if (firstAccess(actor, facts)) obligations.push({ type: 'notify_patient', event: 'first_access' });
  if (facts.notifications.everyPsAccess) obligations.push({ type: 'notify_patient', event: 'ps_access' });
  if (doc !== null && isInvisibleToPatient(doc, now)) obligations.push({ type: 'warn_invisible_to_patient' });

  // The depositor sees what they deposited (RULES §4.3).
  if (doc !== null && isAuthor(actor, doc)) return permit('ps_author', obligations);

  let rule: RuleId;
  if (facts.administrators.has(actor.idNatPs)) rule = 'ps_administrator';
  else if (Object.hasOwn(facts.authorized, actor.idNatPs)) rule = 'ps_authorized_matrix';
  else if (facts.medecinTraitant === actor.idNatPs) rule = 'ps_medecin_traitant';
  else return deny('not_authorized');

  const matrix = matrixGate(row, kind, doc);
  if (matrix) return deny(matrix);
  if (doc !== null && rule !== 'ps_administrator' && isMaskedToProfessionals(doc, facts)) return deny('masked');
  return permit(rule, obligations);
}

/** RULES §3.3: SAMU (ETREAT) and bris de glace (BTG), each allowed or refused by the patient. */
function decideEmergency(actor: ProfessionalActor, row: MatrixRow, request: AccessRequest, facts: AccessFacts, now: Date): Decision {
  const settings = effectiveEmergencySettings(facts.emergency);
  const { action, target } = request;
  if (action !== 'read' && action !== 'list') return deny('emergency_read_only');
  let rule: RuleId;
  const trace: Obligation = { type: 'trace', mode: request.mode };
  if (request.mode === 'samu') {
    if (actor.samuRegulator !== true) return deny('not_samu_regulator');
    if (!settings.samu) return deny('emergency_refused');
    rule = 'emergency_samu';
  } else {
    if (!settings.brisDeGlace) return deny('emergency_refused');
    const justification = request.justification?.trim() ?? '';
    if (justification === '') return deny('justification_required');
    trace.justification = justification;
    rule = 'emergency_bris_de_glace';
  }
  if (!isProfessionalKind(target.kind)) return deny('resource_not_for_professionals');
  const { doc, reason } = documentGate(request);
  if (reason) return deny(reason);
  const matrix = matrixGate(row, target.kind, doc);
  if (matrix) return deny(matrix);
  if (doc !== null && isMaskedToProfessionals(doc, facts) && !settings.masked) return deny('masked');

  const obligations: Obligation[] = [
    trace,
    { type: 'notify_patient', event: 'emergency_access' },
    { type: 'notify_medecin_traitant', event: 'emergency_access', idNatPs: facts.medecinTraitant },
    { type: 'show_emergency_banner' },
  ];
  if (doc !== null && isInvisibleToPatient(doc, now)) obligations.push({ type: 'warn_invisible_to_patient' });
  return permit(rule, obligations);
}

// ---------------------------------------------------------------------------------------
// Insurer (RULES §1, invariant 3): writes reimbursement data, reads nothing.

function decideInsurer(actor: InsurerActor, request: AccessRequest, facts: AccessFacts): Decision {
  const { action, target } = request;
  if (action === 'read' || action === 'list' || action === 'download_all') return deny('insurer_no_read');
  if (action !== 'create' || target.kind !== 'document') return deny('insurer_write_only');
  const doc = target.document;
  if (!doc) return deny('document_metadata_required');
  if (classOfType(doc.typeCode) !== REIMBURSEMENT_CLASS) return deny('insurer_write_only');
  if (doc.authorKind !== 'insurer' || doc.authorId !== actor.organisationId) return deny('author_mismatch');
  const obligations: Obligation[] = [traceNormal];
  if (facts.notifications.newDocument) obligations.push({ type: 'notify_patient', event: 'new_document' });
  return permit('insurer_write_reimbursement', obligations);
}

// ---------------------------------------------------------------------------------------
// Apps (RULES §7): scopes only narrow. Permitted only if the user it acts for is permitted
// AND a consented scope covers the resource kind and the action.

function scopeCovers(actor: AppActor, action: AccessAction, kind: ResourceKind): boolean {
  if (!(APP_RESOURCE_KINDS as readonly string[]).includes(kind)) return false;
  const need = action === 'read' || action === 'list' ? 'read' : action === 'create' || action === 'update' || action === 'delete' ? 'write' : null;
  if (need === null) return false;
  return actor.scopes.some((s) => s.kind === kind && s[need]);
}

function decideApp(actor: AppActor, request: AccessRequest, facts: AccessFacts, now: Date): Decision {
  if (!facts.connectedApps.has(actor.appId)) return deny('app_not_connected');
  const asUser = decidePatientSide(actor.user, { ...request, actor: actor.user }, facts, now);
  if (asUser.effect === 'deny') return asUser;
  if (!scopeCovers(actor, request.action, request.target.kind)) return deny('app_scope');
  return permit('app_within_scope', [...asUser.obligations]);
}

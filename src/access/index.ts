// What other capabilities may use of access control: the one decision function, its
// vocabulary, the authorization matrix (bundled or operator-supplied) and "who can see this".
export { decide, effectiveEmergencySettings, isInvisibleToPatient, isMaskedToProfessionals } from './decide.ts';
export { explain, whoCanSee, candidatesFor, ANY_PROFESSIONAL_ID } from './explain.ts';
export type { Candidate, Explanation, KnownProfessional } from './explain.ts';
export { DEFAULT_MATRIX, parseMatrix, loadMatrixFile, rowFor, readsType, readsKind, READ_MODES } from './matrix.ts';
export type { Matrix, MatrixRow, ReadMode } from './matrix.ts';
export { DOCUMENT_CLASSES, DOCUMENT_TYPES, ADVANCE_DIRECTIVES_TYPE, REIMBURSEMENT_CLASS, classOfType, isDocumentType, isDocumentClass, isPatientUploadType, isPatientSideType, PATIENT_GENERATED_TYPES } from './document-types.ts';
export type { DocumentClassCode } from './document-types.ts';
export {
  ACCESS_ACTIONS,
  ACCESS_MODES,
  AIDANT_STATUSES,
  APP_RESOURCE_KINDS,
  AUTHOR_KINDS,
  DENY_REASONS,
  DOCUMENT_STATUSES,
  PROFESSIONAL_RESOURCE_KINDS,
  RESOURCE_KINDS,
  RULE_IDS,
} from './types.ts';
export type {
  AccessAction,
  AccessFacts,
  AccessMode,
  AccessRequest,
  AccessTarget,
  Actor,
  ActorKind,
  AidantActor,
  AidantStatus,
  AppActor,
  AppResourceKind,
  AppScope,
  AuthorKind,
  Decision,
  DenyReason,
  DocumentFlags,
  DocumentMeta,
  DocumentStatus,
  EmergencySettings,
  InsurerActor,
  NotifyPatientEvent,
  Obligation,
  ObligationType,
  OperatorActor,
  PatientActor,
  PatientSideActor,
  ProfessionalActor,
  ProfessionalResourceKind,
  RepresentativeActor,
  ResourceKind,
  RuleId,
} from './types.ts';

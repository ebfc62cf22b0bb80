/** The shapes of the API answers the portal reads (see /docs). */
export interface PatientSession {
  patientId: string;
  csrfToken: string;
  expiresAt: string;
  status: string;
  displayName: string;
}

export type SpaceStatus = 'pending' | 'open' | 'active' | 'opposed' | 'closed' | 'purged';

export interface SpaceView {
  patientId: string;
  name: string;
  status: SpaceStatus;
  birthDate: string;
  activatedAt: string | null;
  closedAt: string | null;
  closeReason: string | null;
  purgeAt: string | null;
  deletionRequestedAt: string | null;
  deletionDeadline: string | null;
}

export interface SpacesOverview {
  space: SpaceView;
  manages: { patientId: string; name: string; status: SpaceStatus; rank: 1 | 2; birthDate: string }[];
}

/** What the signed-in person may do in a space (GET /api/me/spaces asks the access decision). */
export interface Capabilities {
  canReadRecord: boolean;
  canAddDocuments: boolean;
  canEditProfile: boolean;
  canReadTrace: boolean;
  canManageSettings: boolean;
  canManageAidants: boolean;
  canInviteRepresentative: boolean;
  canEditContactDetails: boolean;
  canClose: boolean;
  canDownload: boolean;
}

/** A space the signed-in person may open: their own, a child's, an aidé's. */
export interface SpaceChoice {
  patientId: string;
  name: string;
  role: 'holder' | 'representative' | 'aidant';
  rank?: 1 | 2 | null;
  status: SpaceStatus;
  capabilities: Capabilities;
}

export type AuthorKind = 'professional' | 'patient' | 'insurer' | 'representative' | 'aidant' | 'system' | 'app' | string;

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
  status: string;
  flags: { maskedToProfessionals: boolean; invisibleToPatientUntil: string | null; invisibleToRepresentatives: boolean };
  warnings: string[];
}

export interface DocumentList {
  documents: DocumentView[];
  emergency: { mode: string; banner: true } | null;
}

export interface AccessEntry {
  who: string;
  kind: string;
  professional?: { idNatPs: string | null; name: string | null; profession: string | null; specialty: string | null; roles: string[] };
  mode: string;
  canSee: boolean;
  rule?: string;
  reason?: string;
  why: string;
}

export interface DocumentAccess {
  documentId: string;
  typeCode: string;
  document: { maskedToProfessionals: boolean; maskedByMaskAll: boolean; masked: boolean; invisibleToPatientUntil: string | null; invisibleToRepresentatives: boolean };
  canSee: AccessEntry[];
  cannotSee: AccessEntry[];
  emergency: { samu: boolean; brisDeGlace: boolean; maskedDocumentsIncluded: boolean; thisDocumentReachable: boolean };
  matrix: { name: string; version: string };
}

export interface ProfessionalView {
  idNatPs: string;
  name: string | null;
  profession: { code: string; label: string | null } | null;
  specialty: { code: string; label: string | null } | null;
  organisation: { finess: string; name: string } | null;
}

export interface AccessControls {
  patientId: string;
  authorized: (ProfessionalView & { since: string | null; lastAccess: string | null; consented: boolean; administrator: boolean; medecinTraitant: boolean })[];
  blocked: (ProfessionalView & { since: string; lastAccess: string | null })[];
  administrators: (ProfessionalView & { since: string })[];
  medecinTraitant: ProfessionalView | null;
  emergency: { samu: boolean; brisDeGlace: boolean; masked: boolean; maskedEffective: boolean };
  maskAll: boolean;
  notifications: { everyPsAccess: boolean; newDocument: boolean };
}

export interface TraceEntry {
  seq: number;
  at: string;
  actorType: string;
  actorName: string | null;
  actorProfession: { code: string; label: string | null; specialty: { code: string; label: string | null } | null } | null;
  action: string;
  target: string | null;
  mode: string;
}

export interface TracePage {
  entries: TraceEntry[];
  nextCursor: string | null;
}

export interface ProMe {
  idNatPs: string;
  rpps: string;
  familyName: string;
  givenName: string;
  professionCode: string;
  specialtyCode: string | null;
  organisationFiness: string | null;
  via: string;
}

export interface FoundPatient {
  patientId: string;
  birthName: string;
  usedName: string | null;
  givenNames: string;
  birthDate: string;
  sex: string;
  status: string;
}

/**
 * Every action the server writes to a patient's trace (src/audit, records, lifecycle, aidants,
 * profile, export, fhir). Each has a label in every language (the dictionaries are checked
 * against this list); an action added later without one shows its raw name.
 */
export const TRACE_ACTIONS = [
  // sign-in and the life of the space
  'sign_in', 'sign_out', 'sign_in_failed', 'account_locked',
  'space_activated', 'space_opened', 'space_opposed', 'space_closed', 'space_reopened', 'deletion_requested', 'code_regenerated', 'space_exported',
  'representative_invited', 'representative_accepted', 'representative_refused',
  // documents
  'documents_listed', 'document_read', 'document_metadata_read', 'document_created', 'document_replaced', 'document_deleted', 'document_updated',
  'document_masked', 'document_unmasked', 'document_access_explained', 'document_awaiting_notified', 'document_visible_notified',
  // access and settings
  'access_denied', 'settings_read', 'professional_blocked', 'professional_unblocked', 'administrator_added', 'administrator_removed',
  'medecin_traitant_set', 'medecin_traitant_removed', 'emergency_settings_changed', 'mask_all_changed', 'notification_preferences_changed',
  'consent_attested', 'consent_code_issued', 'patient_identity_lookup', 'patient_identity_read', 'trace_read',
  // aidants
  'aidants_listed', 'aidant_invited', 'aidant_accepted', 'aidant_refused', 'aidant_revoked', 'aidant_withdrawn', 'aidant_invitation_expired',
  // health history
  'health_history_read', 'health_history_searched', 'health_history_entry_read', 'health_history_entry_added', 'health_history_entry_updated', 'health_history_entry_deleted',
  'health_history_not_concerned_stated', 'health_history_not_concerned_withdrawn', 'blood_group_stated', 'blood_group_deleted', 'lifestyle_read', 'lifestyle_stated', 'lifestyle_deleted',
  // measures
  'measures_read', 'measure_series_read', 'measure_added', 'measure_updated', 'measure_deleted', 'measure_target_set', 'measure_target_removed', 'growth_curves_read',
  'observations_listed', 'observation_read',
  // vaccinations
  'vaccinations_listed', 'vaccination_read', 'vaccination_added', 'vaccination_updated', 'vaccination_deleted',
  // entourage & volontés
  'entourage_read', 'entourage_contacts_listed', 'entourage_contact_read', 'entourage_contact_added', 'entourage_contact_updated', 'entourage_contact_deleted', 'trusted_person_replaced',
  'organ_donation_stated', 'organ_donation_withdrawn', 'advance_directives_read', 'advance_directives_written', 'advance_directives_uploaded',
  // profile synthesis
  'profile_synthesis_read',
] as const;
export type TraceAction = (typeof TRACE_ACTIONS)[number];

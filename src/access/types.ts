/**
 * The vocabulary of access decisions (ARCHITECTURE "Access decision"): who asks (actor), to
 * do what (action), on what (target), in which mode; the facts about the patient's space the
 * caller loads beforehand; and the decision with the obligations the caller must carry out.
 */
import type { SpaceStatus } from '../lifecycle/space-lifecycle.ts';
import type { Matrix } from './matrix.ts';

export const ACCESS_ACTIONS = [
  'read',
  'list',
  'create',
  'update',
  'delete',
  'mask',
  'unmask',
  /** A PS attests the patient's consent at a consultation (RULES §3.1): joins the authorized list. */
  'attest_consent',
  'manage_settings',
  /** Block a professional (the patient, a representative, an administrator PS: RULES §1, §3.4). */
  'block_professional',
  'manage_aidants',
  /** The representative the child is attached to invites the second one (RULES §1). */
  'invite_representative',
  'close_space',
  'download_all',
] as const;
export type AccessAction = (typeof ACCESS_ACTIONS)[number];

/**
 * What is reached. `vaccination`, `health_history` (diseases, treatments, hospitalisations,
 * allergies, disabilities, family history), `entourage_volontes` (contacts, trusted person,
 * organ donation) and `advance_directives` (the form; an uploaded one is an EXPPAT_3
 * document) are the parts of the medical profile professionals may read (RULES §3.4);
 * `profile` is the rest (measures, lifestyle...), kept to the patient's side; `space` is the
 * target of space-wide actions (attest_consent, close_space, download_all, manage_aidants,
 * invite_representative).
 */
export const RESOURCE_KINDS = [
  'document',
  'vaccination',
  'health_history',
  'entourage_volontes',
  'advance_directives',
  'profile',
  'trace',
  'settings',
  'contact_details',
  'credentials',
  'space',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Resource kinds a matrix row may open to professionals. */
export const PROFESSIONAL_RESOURCE_KINDS = ['document', 'vaccination', 'health_history', 'entourage_volontes', 'advance_directives'] as const;
export type ProfessionalResourceKind = (typeof PROFESSIONAL_RESOURCE_KINDS)[number];

export const AUTHOR_KINDS = ['professional', 'patient', 'representative', 'aidant', 'insurer'] as const;
export type AuthorKind = (typeof AUTHOR_KINDS)[number];

export const DOCUMENT_STATUSES = ['current', 'superseded', 'deleted'] as const;
export type DocumentStatus = (typeof DOCUMENT_STATUSES)[number];

export const ACCESS_MODES = ['normal', 'samu', 'bris_de_glace'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

export interface DocumentFlags {
  /** MASQUE_PS (RULES §4.3). */
  maskedToProfessionals: boolean;
  /** INVISIBLE_PATIENT until this instant (the caller sets created + 1 month, RULES §4.4); null: visible. */
  invisibleToPatientUntil: Date | null;
  /** INVISIBLE_REPRESENTANTS_LEGAUX (RULES §4.5). */
  invisibleToRepresentatives: boolean;
}

/** A document's metadata (RULES §4.1). For `create`, the metadata of the document to be added. */
export interface DocumentMeta {
  /** JDV_J66 type code; its class is taken from the value set, not from `classCode`. */
  typeCode: string;
  /** TRE_A03 class as stored; informative (the type's class from the value set prevails). */
  classCode: string;
  authorKind: AuthorKind;
  /** idNatPs, patient id, person id of the representative or aidant, insurer id. */
  authorId: string;
  flags: DocumentFlags;
  status: DocumentStatus;
}

export interface AccessTarget {
  patientId: string;
  kind: ResourceKind;
  /** Required for document actions except `list` (a list is then filtered row by row with `read`). */
  document?: DocumentMeta;
  /** A profile entry being changed or deleted (a vaccination...): who recorded it. */
  entry?: { authorKind: AuthorKind; authorId: string };
}

/** The person holding the space. */
export interface PatientActor {
  kind: 'patient';
  patientId: string;
}
/** A legal representative; their rank (1: the one the child is attached to) comes from the facts. */
export interface RepresentativeActor {
  kind: 'representative';
  personId: string;
}
export interface AidantActor {
  kind: 'aidant';
  personId: string;
}
export interface ProfessionalActor {
  kind: 'professional';
  idNatPs: string;
  /** TRE_G15. */
  professionCode: string;
  /** TRE_R38 SMnn, physicians only. */
  specialtyCode: string | null;
  /** Médecin régulateur of a centre 15, as established at sign-in (directory); may use mode `samu`. */
  samuRegulator?: boolean;
}
export interface InsurerActor {
  kind: 'insurer';
  organisationId: string;
}
export interface OperatorActor {
  kind: 'operator';
  staffId: string;
}
/** A referenced app the user connected (RULES §7); it acts for that user, never beyond. */
export interface AppActor {
  kind: 'app';
  appId: string;
  /** Who connected the app and on whose rights it acts. */
  user: PatientSideActor;
  scopes: readonly AppScope[];
}
export type PatientSideActor = PatientActor | RepresentativeActor | AidantActor;
export type Actor = PatientSideActor | ProfessionalActor | InsurerActor | OperatorActor | AppActor;
export type ActorKind = Actor['kind'];

/** Resource kinds an app may be granted (the categories of its consent screen). */
export const APP_RESOURCE_KINDS = ['document', 'vaccination', 'health_history', 'entourage_volontes', 'advance_directives', 'profile'] as const;
export type AppResourceKind = (typeof APP_RESOURCE_KINDS)[number];
/** One consented data category: read (read, list) and/or write (create, update, delete). */
export interface AppScope {
  kind: AppResourceKind;
  read: boolean;
  write: boolean;
}

export interface AccessRequest {
  actor: Actor;
  action: AccessAction;
  target: AccessTarget;
  mode: AccessMode;
  /** Bris de glace: the PS's written justification (RULES §3.3). */
  justification?: string;
  /** The PS acts at the patient's request (deleting a document they authored, masking: RULES §4.3, §4.6). */
  onPatientRequest?: boolean;
}

export interface EmergencySettings {
  /** ETREAT: the SAMU regulator may access without justification. */
  samu: boolean;
  /** BTG: any PS facing a patient unable to consent, with a justification. */
  brisDeGlace: boolean;
  /** Emergency access also sees masked documents; effective only if samu or brisDeGlace. */
  masked: boolean;
}

export const AIDANT_STATUSES = ['pending', 'accepted', 'refused', 'expired'] as const;
export type AidantStatus = (typeof AIDANT_STATUSES)[number];

/**
 * Everything decide() depends on besides the request and the time: the patient's settings and
 * relations, loaded by the caller beforehand, and the matrix in force (from configuration).
 */
export interface AccessFacts {
  spaceStatus: SpaceStatus;
  /** Computed by the caller from the date of birth and `now`. */
  patientIsMinor: boolean;
  /** Legal representatives in force, by person id. */
  representatives: Readonly<Record<string, { rank: 1 | 2 }>>;
  /** Aidants by person id, with the status of their invitation. */
  aidants: Readonly<Record<string, { status: AidantStatus }>>;
  /** The authorized list (RULES §3.1), by idNatPs. */
  authorized: Readonly<Record<string, { since: Date }>>;
  /** Last access of any PS to this space (read or feed), by idNatPs; absent = the next one is their first access. */
  lastAccess: Readonly<Record<string, Date>>;
  blocked: ReadonlySet<string>;
  administrators: ReadonlySet<string>;
  /** idNatPs of the declared médecin traitant. */
  medecinTraitant: string | null;
  emergency: EmergencySettings;
  /** "Masquer tous mes documents" (RULES §3.4): every document is treated as masked to professionals. */
  maskAll: boolean;
  /** Optional notifications (RULES §5); first accesses and emergency accesses are always notified. */
  notifications: { everyPsAccess: boolean; newDocument: boolean };
  /** Apps the patient connected and did not disconnect. */
  connectedApps: ReadonlySet<string>;
  matrix: Matrix;
}

/** The rule that let the actor in. */
export const RULE_IDS = [
  'patient_own_space',
  'representative',
  'aidant',
  'ps_authorized_matrix',
  'ps_medecin_traitant',
  'ps_administrator',
  'ps_author',
  'ps_feeding',
  /** An authorized PS adds a vaccination to the patient's list. */
  'ps_vaccination_entry',
  'ps_consent_attestation',
  'ps_author_delete',
  'ps_mask_at_patient_request',
  'ps_administrator_blocks',
  'emergency_samu',
  'emergency_bris_de_glace',
  'insurer_write_reimbursement',
  'app_within_scope',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** The rule that kept the actor out (goes to the trace only: the caller answers 404). */
export const DENY_REASONS = [
  'not_authorized',
  'unknown_profession',
  'blocked',
  'matrix_excludes_type',
  'unknown_document_type',
  'resource_not_for_professionals',
  'masked',
  'invisible_to_patient',
  'invisible_to_representatives',
  'document_deleted',
  'space_closed',
  'space_not_open',
  'emergency_refused',
  'emergency_read_only',
  'emergency_professionals_only',
  'not_samu_regulator',
  'justification_required',
  'insurer_no_read',
  'insurer_write_only',
  'operator_no_health_data',
  'aidant_forbidden_action',
  'representative_rank',
  'representative_of_adult',
  'minor_space_managed_by_representative',
  'advance_directives_minor',
  'not_author',
  'author_mismatch',
  'patient_request_required',
  'type_not_allowed_for_author',
  'action_not_allowed',
  'document_metadata_required',
  'app_not_connected',
  'app_scope',
] as const;
export type DenyReason = (typeof DENY_REASONS)[number];

export type NotifyPatientEvent = 'first_access' | 'emergency_access' | 'ps_access' | 'new_document';

/** What the caller must do when it acts on a permit. */
export type Obligation =
  /** Trace the action (RULES §5) in the same transaction, with this mode (and the bris de glace justification). */
  | { type: 'trace'; mode: AccessMode; justification?: string }
  | { type: 'notify_patient'; event: NotifyPatientEvent }
  /** idNatPs null: no médecin traitant declared; the caller traces that nobody could be told. */
  | { type: 'notify_medecin_traitant'; event: 'emergency_access'; idNatPs: string | null }
  /** Tell the PS the document is not yet visible to the patient (RULES §4.4). */
  | { type: 'warn_invisible_to_patient' }
  /** Show the emergency mode to the PS for the whole access (RULES §3.3). */
  | { type: 'show_emergency_banner' }
  /** Put the PS on the authorized list (consent attestation, RULES §3.1). */
  | { type: 'add_to_authorized_list' };
export type ObligationType = Obligation['type'];

export type Decision =
  | { effect: 'permit'; rule: RuleId; obligations: readonly Obligation[] }
  | { effect: 'deny'; reason: DenyReason };

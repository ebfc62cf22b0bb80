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

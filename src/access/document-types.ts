/**
 * The document vocabularies the access rules need (RULES §4.1, `valuesets.md`): the classes
 * of TRE_A03 (the 11 categories of the authorization matrix) and the types of the DMP value
 * set JDV_J66 with their class (concept map ASS_X16). Pure data.
 *
 * Where ASS_X16 gives no class, the class is derived by meaning, and said so below:
 * - 28617-9 Bilan bucco-dentaire, 34120-6 Bilan par professionnel de santé, 89233-1 CR de
 *   grossesse, 60280-5 Fiche de retour du service des urgences: reports -> 10 (Compte rendu),
 *   like the other "CR"/"bilan" types (47420-5 CR de bilan fonctionnel is 10).
 * - 78341-5 Fiche de transfert vers le service des urgences -> 11 (Synthèse), like
 *   18761-7 Note de transfert.
 * - 101881-1 Carte d'implant -> 52 (Certificat, déclaration): a card declaring a device.
 */
export const DOCUMENT_CLASSES = {
  '10': 'Compte rendu',
  '11': 'Synthèse',
  '31': 'Imagerie médicale',
  '42': 'Prescription',
  '43': 'Dispensation',
  '44': 'Plan de soins, protocole de soins',
  '45': 'Traitement administré',
  '52': 'Certificat, déclaration',
  '60': 'Données de remboursement',
  '90': 'Autres documents déposés par le patient',
  '95': 'Document de gestion',
} as const;
export type DocumentClassCode = keyof typeof DOCUMENT_CLASSES;

/** Document types of JDV_J66 -> class (TRE_A03). */
export const DOCUMENT_TYPES: Readonly<Record<string, DocumentClassCode>> = Object.freeze({
  // LOINC
  '11369-6': '52',
  '11488-4': '10',
  '11490-0': '10',
  '11502-2': '10',
  '11505-5': '10',
  '11506-3': '10',
  '15507-7': '10',
  '15508-5': '10',
  '18748-4': '31',
  '18761-7': '11',
  '18776-5': '44',
  '28617-9': '10', // derived (no class in ASS_X16)
  '28653-4': '10',
  '29274-8': '10',
  '34112-3': '10',
  '34120-6': '10', // derived
  '34133-9': '11',
  '34749-2': '10',
  '34794-8': '10',
  '34842-5': '11',
  '34874-8': '10',
  '34875-5': '10',
  '47420-5': '10',
  '52040-3': '31',
  '51969-4': '10',
  '55115-0': '42',
  '56445-0': '11',
  '57057-2': '11',
  '57055-6': '11',
  '57075-4': '11',
  '57828-6': '42',
  '57832-8': '42',
  '57833-6': '42',
  '59283-2': '10',
  '59284-0': '95',
  '60280-5': '10', // derived
  '60568-3': '10',
  '60591-5': '11',
  '60593-1': '43',
  '61357-0': '42',
  '67851-6': '10',
  '68599-0': '11',
  '68817-6': '11',
  '70004-7': '10',
  '74207-2': '11',
  '74465-6': '90',
  '75468-9': '42',
  '75482-0': '10',
  '75492-9': '10',
  '75496-0': '10',
  '77436-4': '10',
  '77604-7': '44',
  '78341-5': '11', // derived
  '78489-2': '11',
  '78513-9': '10',
  '78601-2': '10',
  '80565-5': '45',
  '80771-9': '44',
  '80788-3': '44',
  '80820-4': '11',
  '83836-7': '11',
  '83869-8': '44',
  '83901-9': '11',
  '83981-1': '10',
  '85208-7': '10',
  '86531-1': '95',
  '87273-9': '52',
  '88348-8': '11',
  '89233-1': '10', // derived
  '89235-6': '11',
  '89601-9': '52',
  '93024-8': '10',
  '96349-6': '10',
  '96173-0': '52',
  '96874-3': '52',
  '101881-1': '52', // derived
  // TRE_A05
  'AUTORIS-SOINS': '95',
  'ATTEST-RESID': '95',
  'ATTEST-DROITS-AM': '95',
  'ATTEST-ASS-COMPL': '95',
  'ATTEST-HEBGT': '95',
  BIL_AUTO: '10',
  CERT_DECL: '52',
  DISP_AUT: '43',
  EXPPAT_1: '90',
  EXPPAT_2: '90',
  EXPPAT_3: '90',
  'IMG-KOS': '31',
  PROT_ALD: '44',
  REMB: '60',
  SYNTH: '11',
  DOCPAT01: '11',
  DOCPAT02: '42',
  DOCPAT03: '10',
  DOCPAT04: '31',
  DOCPAT05: '10',
  DOCPAT06: '10',
  DOCPAT07: '52',
  DOCPAT08: '11',
  DOCPAT09: '95',
  'PRESC-AAT': '42',
  'PRESC-BIO': '42',
  'PRESC-KINE': '42',
  'PRESC-INF': '42',
  'PRESC-PEDI': '42',
  'PRESC-ORTHOPTIE': '42',
  'PRESC-ORTHOPHO': '42',
});

/** Advance directives (RULES §7): the type that also governs the `advance_directives` resource. */
export const ADVANCE_DIRECTIVES_TYPE = 'EXPPAT_3';
/** Reimbursement data, the only class the insurer writes (RULES §1). */
export const REIMBURSEMENT_CLASS: DocumentClassCode = '60';

export function isDocumentType(code: string): boolean {
  return Object.hasOwn(DOCUMENT_TYPES, code);
}

export function isDocumentClass(code: string): code is DocumentClassCode {
  return Object.hasOwn(DOCUMENT_CLASSES, code);
}

/** The class of a type per the value set, or null for a type outside JDV_J66. */
export function classOfType(typeCode: string): DocumentClassCode | null {
  return Object.hasOwn(DOCUMENT_TYPES, typeCode) ? (DOCUMENT_TYPES[typeCode] ?? null) : null;
}

/**
 * Documents Carnet generates on the patient's request and saves as theirs (profile issue): the
 * vaccination history (11369-6). Uploads of these types stay refused (the upload route allows
 * only `isPatientUploadType`); decide() lets the patient side create them.
 */
export const PATIENT_GENERATED_TYPES: ReadonlySet<string> = new Set(['11369-6']);

/** Types the patient side may create: uploads, and what Carnet generates for them. */
export function isPatientSideType(typeCode: string): boolean {
  return isPatientUploadType(typeCode) || PATIENT_GENERATED_TYPES.has(typeCode);
}

/** Types a patient (or someone acting as the patient) may upload: class 90 or DOCPAT* (RULES §4.2). */
export function isPatientUploadType(typeCode: string): boolean {
  return classOfType(typeCode) === '90' || (isDocumentType(typeCode) && typeCode.startsWith('DOCPAT'));
}

/** Labels of the DMP value sets the portal shows (classes TRE_A03, the usual types of JDV_J66). */
import type { Lang } from './i18n/index.ts';

type L = Record<Lang, string>;

export const CLASSES: Record<string, L> = {
  '10': { fr: 'Comptes rendus', en: 'Reports' },
  '11': { fr: 'Synthèses', en: 'Summaries' },
  '31': { fr: 'Imagerie médicale', en: 'Medical imaging' },
  '42': { fr: 'Prescriptions', en: 'Prescriptions' },
  '43': { fr: 'Dispensations', en: 'Dispensations' },
  '44': { fr: 'Plans et protocoles de soins', en: 'Care plans and protocols' },
  '45': { fr: 'Traitements administrés', en: 'Treatments administered' },
  '52': { fr: 'Certificats, déclarations', en: 'Certificates, statements' },
  '60': { fr: 'Données de remboursement', en: 'Reimbursement data' },
  '90': { fr: 'Mes documents', en: 'My documents' },
  '95': { fr: 'Documents administratifs', en: 'Administrative documents' },
};

export const TYPES: Record<string, L> = {
  '11488-4': { fr: 'Compte rendu de consultation', en: 'Consultation report' },
  '11490-0': { fr: 'Lettre de liaison de sortie', en: 'Discharge letter' },
  '11502-2': { fr: 'Compte rendu d’examens biologiques', en: 'Laboratory report' },
  '18748-4': { fr: 'Compte rendu d’imagerie médicale', en: 'Imaging report' },
  '34133-9': { fr: 'Synthèse d’épisode de soins', en: 'Care episode summary' },
  '57833-6': { fr: 'Prescription de produits de santé', en: 'Prescription of health products' },
  '60591-5': { fr: 'Synthèse médicale', en: 'Medical summary' },
  '87273-9': { fr: 'Note de vaccination', en: 'Vaccination note' },
  '15508-5': { fr: 'Compte rendu d’accouchement', en: 'Delivery report' },
  'PRESC-BIO': { fr: 'Prescription d’actes de biologie', en: 'Laboratory tests prescription' },
  CERT_DECL: { fr: 'Certificat, déclaration', en: 'Certificate, statement' },
  SYNTH: { fr: 'Synthèse', en: 'Summary' },
  REMB: { fr: 'Données de remboursement', en: 'Reimbursement data' },
  EXPPAT_1: { fr: 'Volontés et droits du patient', en: 'Wishes and rights of the patient' },
  EXPPAT_2: { fr: 'Autre document', en: 'Other document' },
  EXPPAT_3: { fr: 'Directives anticipées', en: 'Advance directives' },
  DOCPAT01: { fr: 'Synthèse', en: 'Summary' },
  DOCPAT02: { fr: 'Traitement ou document de soins', en: 'Treatment or care document' },
  DOCPAT03: { fr: 'Compte rendu', en: 'Report' },
  DOCPAT04: { fr: 'Imagerie', en: 'Imaging' },
  DOCPAT05: { fr: 'Compte rendu de biologie', en: 'Laboratory report' },
  DOCPAT06: { fr: 'Compte rendu de prévention', en: 'Prevention report' },
  DOCPAT07: { fr: 'Certificat', en: 'Certificate' },
  DOCPAT08: { fr: 'Profil médical (synthèse)', en: 'Medical profile (summary)' },
  DOCPAT09: { fr: 'Document administratif', en: 'Administrative document' },
};

/** Types a patient may give to a document they add (class 90 or DOCPAT*, RULES §4.2). */
export const PATIENT_UPLOAD_TYPES = ['EXPPAT_2', 'DOCPAT03', 'DOCPAT05', 'DOCPAT04', 'DOCPAT02', 'DOCPAT07', 'DOCPAT06', 'DOCPAT01', 'DOCPAT09', 'EXPPAT_1', 'EXPPAT_3'];

/** Types a professional usually submits. */
export const PRO_SUBMIT_TYPES = ['11488-4', '11502-2', '18748-4', '11490-0', '34133-9', '60591-5', '57833-6', 'PRESC-BIO', '87273-9', 'CERT_DECL', '15508-5'];

export const typeLabel = (lang: Lang, code: string): string => TYPES[code]?.[lang] ?? code;
export const classLabel = (lang: Lang, code: string): string => CLASSES[code]?.[lang] ?? code;

/** What the browser can show inline. */
export function viewKind(format: string): 'pdf' | 'image' | 'text' | 'none' {
  if (format === 'application/pdf') return 'pdf';
  if (format === 'image/jpeg' || format === 'image/png') return 'image';
  if (format === 'text/plain' || format === 'application/xml') return 'text';
  return 'none';
}

export const PATIENT_ACCEPT = '.pdf,.jpg,.jpeg,.png,.rtf,.tif,.tiff,.txt,application/pdf,image/jpeg,image/png,application/rtf,image/tiff,text/plain';
export const PATIENT_MAX_BYTES = 5 * 1024 * 1024;

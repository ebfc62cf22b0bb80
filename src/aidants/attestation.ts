/**
 * The attestation saved in the record of the person helped each time an aidant designation
 * changes (accepted, refused, ended): a one-page PDF saying who, whom, what and when.
 *
 * Type EXPPAT_1 "Volontés et droits du patient" (class 90, patient side, valuesets.md): naming
 * who may act in one's space is an exercise of the patient's rights, like designating a
 * trusted person, and class 90 is what the patient's side deposits. DOCPAT09 (administrative)
 * would hide it among insurance papers; EXPPAT_2 ("other") says nothing.
 */
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import type { PDFFont, PDFPage } from 'pdf-lib';
import { winAnsi } from '../platform/mail/letter-folder.ts';
import type { NewDocument } from '../records/index.ts';

export const ATTESTATION_TYPE = 'EXPPAT_1';

export const ATTESTATION_EVENTS = ['accepted', 'refused', 'revoked', 'withdrawn'] as const;
export type AttestationEvent = (typeof ATTESTATION_EVENTS)[number];

export interface AttestationFacts {
  event: AttestationEvent;
  /** The person helped. */
  patientName: string;
  patientBirthDate: string;
  aidantName: string;
  /** Who sent the invitation (the holder, or a legal representative). */
  inviterName: string;
  inviterIsRepresentative: boolean;
  invitedAt: Date;
  /** When the event happened. */
  at: Date;
  invitationId: string;
  /** Revoked: who ended it (the holder, or "X, son représentant légal"). */
  revokedBy?: string;
}

const frDateTime = (d: Date): string =>
  d.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const frDate = (iso: string): string => new Date(`${iso}T12:00:00Z`).toLocaleDateString('fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
/** The calendar day in Paris (YYYY-MM-DD): the document's date. */
export const parisDay = (d: Date): string => d.toLocaleDateString('en-CA', { timeZone: 'Europe/Paris' });

const TITLES: Record<AttestationEvent, string> = {
  accepted: 'Attestation de désignation d’un aidant',
  refused: 'Attestation de refus d’une invitation d’aidant',
  revoked: 'Attestation de fin de désignation d’un aidant',
  withdrawn: 'Attestation de retrait d’un aidant',
};

/** The document's title as listed in the record (short). */
export function attestationTitle(f: Pick<AttestationFacts, 'event' | 'aidantName'>): string {
  const what: Record<AttestationEvent, string> = { accepted: 'désigné(e)', refused: 'invitation refusée', revoked: 'désignation révoquée', withdrawn: 'retrait' };
  return `Aidant ${f.aidantName} : ${what[f.event]}`.slice(0, 255);
}

/** The paragraphs of the attestation (also what the tests read). */
export function attestationText(f: AttestationFacts): { title: string; paragraphs: string[] } {
  const when = frDateTime(f.at);
  const inviter = f.inviterIsRepresentative ? `${f.inviterName}, son représentant légal` : f.inviterName;
  const head = [
    `Personne aidée : ${f.patientName}, né(e) le ${frDate(f.patientBirthDate)}.`,
    `Aidant : ${f.aidantName}.`,
    `Invitation envoyée le ${frDateTime(f.invitedAt)} par ${inviter} (référence ${f.invitationId}).`,
  ];
  const rights =
    'Un aidant consulte l’espace comme la personne aidée, y ajoute des documents et complète son profil médical. Il ne peut pas gérer les aidants, modifier les coordonnées ni les identifiants de connexion, changer les paramètres d’accès, fermer ou supprimer l’espace, ni télécharger l’ensemble des données.';
  let event: string[];
  switch (f.event) {
    case 'accepted':
      event = [`Le ${when}, ${f.aidantName} a accepté d’être l’aidant(e) de ${f.patientName} dans Carnet. La désignation vaut jusqu’à ce que l’espace la révoque ou que l’aidant(e) s’en retire.`, rights];
      break;
    case 'refused':
      event = [`Le ${when}, ${f.aidantName} a refusé l’invitation à être l’aidant(e) de ${f.patientName} dans Carnet. Aucun accès n’a été donné.`];
      break;
    case 'revoked':
      event = [`Le ${when}, ${f.revokedBy ?? f.patientName} a mis fin à la désignation de ${f.aidantName} comme aidant(e) de ${f.patientName}. Depuis ce moment, ${f.aidantName} n’a plus accès à l’espace.`];
      break;
    case 'withdrawn':
      event = [`Le ${when}, ${f.aidantName} a renoncé à être l’aidant(e) de ${f.patientName}. Depuis ce moment, ${f.aidantName} n’a plus accès à l’espace.`];
      break;
  }
  return { title: TITLES[f.event], paragraphs: [...head, ...event, 'Document établi automatiquement par Carnet et enregistré dans l’espace de la personne aidée.'] };
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 56;

/** Renders the attestation to a one-page A4 PDF with the standard fonts. */
export async function renderAttestationPdf(f: AttestationFacts): Promise<Buffer> {
  const { title, paragraphs } = attestationText(f);
  const doc = await PDFDocument.create();
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  doc.setTitle(winAnsi(title, regular));
  doc.setAuthor('Carnet');
  doc.setCreator('Carnet');
  doc.setProducer('Carnet (pdf-lib)');
  doc.setLanguage('fr-FR');
  doc.setCreationDate(f.at);
  doc.setModificationDate(f.at);
  const page = doc.addPage([A4.width, A4.height]);
  let y = A4.height - MARGIN;
  page.drawText('Carnet', { x: MARGIN, y, size: 20, font: bold, color: rgb(0, 0, 0.57) });
  y -= 40;
  y = drawWrapped(page, winAnsi(title, bold), bold, 15, y);
  y -= 12;
  for (const p of paragraphs) y = drawWrapped(page, winAnsi(p, regular), regular, 11, y) - 8;
  return Buffer.from(await doc.save());
}

/** Draws text wrapped to the page width; returns the y below it. */
function drawWrapped(page: PDFPage, text: string, font: PDFFont, size: number, top: number): number {
  const width = A4.width - 2 * MARGIN;
  const lineHeight = size * 1.4;
  let y = top;
  let line = '';
  const flush = () => {
    page.drawText(line, { x: MARGIN, y, size, font, color: rgb(0.09, 0.09, 0.09) });
    y -= lineHeight;
    line = '';
  };
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (line !== '' && font.widthOfTextAtSize(candidate, size) > width) {
      flush();
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line !== '') flush();
  return y;
}

/** The document to submit in the record (the patient as author). */
export async function attestationDocument(f: AttestationFacts): Promise<NewDocument> {
  return { typeCode: ATTESTATION_TYPE, title: attestationTitle(f), createdOn: parisDay(f.at), format: 'application/pdf', content: await renderAttestationPdf(f) };
}

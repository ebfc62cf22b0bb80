/**
 * The vaccination history (LOINC 11369-6, "Historique des vaccinations") as an A4 PDF: a
 * header with the patient's identity, then one table row per vaccination, oldest first (the
 * order of a paper carnet), the header row repeated on every page, page numbers at the foot.
 * Standard PDF fonts (WinAnsi covers French); text a font lacks is replaced, never dropped
 * silently into an exception.
 */
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import type { PDFFont, PDFPage } from 'pdf-lib';
import { winAnsi } from '../platform/mail/letter-folder.ts';
import type { VaccinationView } from './vaccinations-store.ts';

/** A4 landscape, in points: seven columns read better across. */
const PAGE = { width: 841.89, height: 595.28 };
const MARGIN = 36;
const SIZE = 8.5;
const LINE = 11;
const PAD = 4;

export interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
}

/** Splits text into lines no wider than `width` (a word wider than the line is cut). */
export function wrapText(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\s*\u2028\s*/).map((t) => winAnsi(t, font))) {
    let line = '';
    for (const word of paragraph.split(/ +/).filter((w) => w !== '')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (font.widthOfTextAtSize(candidate, size) <= width) {
        line = candidate;
        continue;
      }
      if (line !== '') lines.push(line);
      let rest = word;
      while (font.widthOfTextAtSize(rest, size) > width && rest.length > 1) {
        let n = rest.length - 1;
        while (n > 1 && font.widthOfTextAtSize(rest.slice(0, n), size) > width) n--;
        lines.push(rest.slice(0, n));
        rest = rest.slice(n);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

/** "2026-01-10" -> "10/01/2026". */
export const frenchDate = (iso: string): string => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

interface Column {
  title: string;
  width: number;
  cell: (v: VaccinationView) => string;
}

const COLUMNS: Column[] = [
  { title: 'Date', width: 62, cell: (v) => frenchDate(v.date) },
  { title: 'Vaccin', width: 170, cell: (v) => [v.vaccineLabel, v.vaccineName !== null && v.vaccineName !== v.vaccineLabel ? `(${v.vaccineName})` : '', v.vaccineCode === 'other' ? '' : `ATC ${v.vaccineCode}`].filter((s) => s !== '').join(' ') },
  { title: 'Maladies ciblées', width: 160, cell: (v) => v.targetDiseases.map((d) => d.display).join(', ') },
  { title: 'Dose', width: 36, cell: (v) => (v.doseNumber === null ? '' : String(v.doseNumber)) },
  { title: 'Lot', width: 72, cell: (v) => v.lotNumber ?? '' },
  { title: 'Voie / site', width: 100, cell: (v) => [v.route?.label, v.site?.label].filter((s) => s !== undefined).join(', ') },
  { title: 'Vacciné par', width: 170, cell: (v) => [v.performer?.name ?? v.performer?.idNatPs ?? '', v.notes === null ? '' : `Note : ${v.notes}`].filter((s) => s !== '').join('\u2028') },
];

export interface HistoryHeader {
  patientName: string;
  birthDate: string;
  /** When the document is generated (creation date of the PDF). */
  generatedAt: Date;
  /** YYYY-MM-DD in the patient's calendar. */
  generatedOn: string;
}

/** Renders the history; `vaccinations` in any order (sorted oldest first here). */
export async function renderVaccinationHistoryPdf(header: HistoryHeader, vaccinations: readonly VaccinationView[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const fonts: Fonts = { regular: await doc.embedFont(StandardFonts.Helvetica), bold: await doc.embedFont(StandardFonts.HelveticaBold) };
  const title = 'Historique des vaccinations';
  doc.setTitle(`${title} – ${winAnsi(header.patientName, fonts.regular)}`);
  doc.setSubject('LOINC 11369-6');
  doc.setAuthor('Carnet');
  doc.setCreator('Carnet');
  doc.setProducer('Carnet (pdf-lib)');
  doc.setLanguage('fr-FR');
  doc.setCreationDate(header.generatedAt);
  doc.setModificationDate(header.generatedAt);

  const rows = [...vaccinations].sort((a, b) => (a.date === b.date ? a.recordedAt.localeCompare(b.recordedAt) : a.date.localeCompare(b.date)));
  let page: PDFPage = doc.addPage([PAGE.width, PAGE.height]);
  let y = PAGE.height - MARGIN;
  const text = (p: PDFPage, s: string, x: number, yy: number, font: PDFFont, size: number, color = rgb(0, 0, 0)) => p.drawText(winAnsi(s, font), { x, y: yy, size, font, color });

  // Title block, first page only.
  text(page, title, MARGIN, y - 16, fonts.bold, 16);
  y -= 34;
  text(page, `Patient : ${header.patientName}`, MARGIN, y, fonts.bold, 10);
  text(page, `Né(e) le ${frenchDate(header.birthDate)}`, MARGIN + 360, y, fonts.regular, 10);
  y -= 14;
  text(page, `Document édité le ${frenchDate(header.generatedOn)} depuis Carnet, à partir des vaccinations enregistrées dans le profil médical.`, MARGIN, y, fonts.regular, 9, rgb(0.3, 0.3, 0.3));
  y -= 20;

  const tableWidth = COLUMNS.reduce((s, c) => s + c.width, 0);
  const headerRow = () => {
    const h = LINE + 2 * PAD;
    page.drawRectangle({ x: MARGIN, y: y - h, width: tableWidth, height: h, color: rgb(0.87, 0.9, 0.96) });
    let x = MARGIN;
    for (const c of COLUMNS) {
      text(page, c.title, x + PAD, y - PAD - SIZE, fonts.bold, SIZE);
      x += c.width;
    }
    y -= h;
  };
  headerRow();

  if (rows.length === 0) {
    text(page, 'Aucune vaccination n’est enregistrée dans le profil médical.', MARGIN + PAD, y - PAD - SIZE - 4, fonts.regular, 10);
  }
  rows.forEach((v, i) => {
    const cells = COLUMNS.map((c) => wrapText(c.cell(v), fonts.regular, SIZE, c.width - 2 * PAD));
    const h = Math.max(1, ...cells.map((l) => l.length)) * LINE + 2 * PAD;
    if (y - h < MARGIN + 20) {
      page = doc.addPage([PAGE.width, PAGE.height]);
      y = PAGE.height - MARGIN;
      headerRow();
    }
    if (i % 2 === 1) page.drawRectangle({ x: MARGIN, y: y - h, width: tableWidth, height: h, color: rgb(0.96, 0.96, 0.96) });
    let x = MARGIN;
    cells.forEach((lines, ci) => {
      lines.forEach((line, li) => page.drawText(line, { x: x + PAD, y: y - PAD - SIZE - li * LINE, size: SIZE, font: fonts.regular }));
      x += COLUMNS[ci]?.width ?? 0;
    });
    page.drawLine({ start: { x: MARGIN, y: y - h }, end: { x: MARGIN + tableWidth, y: y - h }, thickness: 0.5, color: rgb(0.7, 0.7, 0.7) });
    y -= h;
  });

  const pages = doc.getPages();
  pages.forEach((p, i) => text(p, `Carnet · Historique des vaccinations · ${header.patientName} · page ${i + 1}/${pages.length}`, MARGIN, 18, fonts.regular, 7.5, rgb(0.35, 0.35, 0.35)));
  return Buffer.from(await doc.save());
}

/**
 * The vaccination history (LOINC 11369-6, "Historique des vaccinations") as an A4 PDF: a
 * header with the patient's identity, then one table row per vaccination, oldest first (the
 * order of a paper carnet), the header row repeated on every page, page numbers at the foot.
 * Standard PDF fonts (WinAnsi covers French); text a font lacks is replaced, never dropped
 * silently into an exception.
 */
import { PDFDocument, rgb } from 'pdf-lib';
import { A4_LANDSCAPE, Flow, GREY, describePdf, drawFooters, drawTable, embedFonts, frenchDate } from './pdf-layout.ts';
import type { TableColumn } from './pdf-layout.ts';
import type { VaccinationView } from './vaccinations-store.ts';

/** A4 landscape: seven columns read better across. */
const MARGIN = 36;

const COLUMNS: TableColumn<VaccinationView>[] = [
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
  const fonts = await embedFonts(doc);
  const title = 'Historique des vaccinations';
  describePdf(doc, { title: `${title} – ${header.patientName}`, subject: 'LOINC 11369-6', at: header.generatedAt });

  const rows = [...vaccinations].sort((a, b) => (a.date === b.date ? a.recordedAt.localeCompare(b.recordedAt) : a.date.localeCompare(b.date)));
  const flow = new Flow(doc, { page: A4_LANDSCAPE, x: MARGIN, top: MARGIN, bottom: MARGIN + 20 });

  // Title block, first page only.
  flow.line(title, fonts.bold, 16, { lineHeight: 24 });
  flow.gap(10);
  flow.line(`Patient : ${header.patientName}`, fonts.bold, 10, { lineHeight: 12 });
  flow.page.drawText(`Né(e) le ${frenchDate(header.birthDate)}`, { x: MARGIN + 360, y: flow.y, size: 10, font: fonts.regular });
  flow.paragraph(`Document édité le ${frenchDate(header.generatedOn)} depuis Carnet, à partir des vaccinations enregistrées dans le profil médical.`, fonts.regular, 9, { color: rgb(0.3, 0.3, 0.3), lineHeight: 14, after: 8 });

  drawTable(flow, fonts, COLUMNS, rows, { empty: 'Aucune vaccination n’est enregistrée dans le profil médical.' });

  drawFooters(doc, fonts.regular, (n, total) => [`Carnet · Historique des vaccinations · ${header.patientName} · page ${n}/${total}`], { x: MARGIN, y: 18, color: GREY });
  return Buffer.from(await doc.save());
}

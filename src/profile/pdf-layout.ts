/**
 * Layout shared by the PDFs the profile generates (vaccination history, advance directives,
 * profile synthesis): the standard fonts with WinAnsi-safe text (readable in any viewer, no font
 * to embed), the document's metadata, wrapping, French dates, a flow of lines that breaks
 * pages between lines (never inside one), tables whose header row repeats on every page, and
 * a footer on every page once the page count is known.
 */
import { StandardFonts, rgb } from 'pdf-lib';
import type { Color, PDFDocument, PDFFont, PDFPage } from 'pdf-lib';
import { winAnsi } from '../platform/mail/letter-folder.ts';

/** Page sizes, in points. */
export const A4_PORTRAIT = { width: 595.28, height: 841.89 } as const;
export const A4_LANDSCAPE = { width: 841.89, height: 595.28 } as const;
export interface PageSize {
  width: number;
  height: number;
}

export const BLACK = rgb(0, 0, 0);
/** Secondary text (explanations, footers). */
export const GREY = rgb(0.35, 0.35, 0.35);

export interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
}

export async function embedFonts(doc: PDFDocument): Promise<Fonts> {
  return { regular: await doc.embedFont(StandardFonts.Helvetica), bold: await doc.embedFont(StandardFonts.HelveticaBold) };
}

export interface PdfInfo {
  title: string;
  /** The document type ("LOINC 11369-6", "DOCPAT08"...). */
  subject: string;
  author?: string;
  /** When it is generated. */
  at: Date;
}

/** The metadata viewers show (French, made by Carnet). */
export function describePdf(doc: PDFDocument, info: PdfInfo): void {
  doc.setTitle(info.title);
  doc.setSubject(info.subject);
  doc.setAuthor(info.author ?? 'Carnet');
  doc.setCreator('Carnet');
  doc.setProducer('Carnet (pdf-lib)');
  doc.setLanguage('fr-FR');
  doc.setCreationDate(info.at);
  doc.setModificationDate(info.at);
}

/** Splits text into lines no wider than `width` (a word wider than the line is cut); U+2028 forces a line break. */
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

const MONTHS_FR = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/**
 * A date as French prose writes it: "2026-03-12" -> "12 mars 2026", "2026-03-01" -> "1er mars
 * 2026"; a partial date stays partial ("2019-03" -> "mars 2019", "2019" -> "2019"). Anything
 * else is returned as given.
 */
export function longFrenchDate(iso: string): string {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(iso);
  if (m === null) return iso;
  const [, year = '', month, day] = m;
  const name = month === undefined ? undefined : MONTHS_FR[Number(month) - 1];
  if (name === undefined) return year;
  if (day === undefined) return `${name} ${year}`;
  const d = Number(day);
  return `${d === 1 ? '1er' : d} ${name} ${year}`;
}

export interface FlowOptions {
  page: PageSize;
  /** Left and right margin. */
  x: number;
  top: number;
  /** Nothing is drawn below this height (the footer lives there). */
  bottom: number;
}

export interface LineStyle {
  /** From the left margin. */
  indent?: number;
  color?: Color;
  /** Default: 1.35 × size. */
  lineHeight?: number;
}

/**
 * Text flowing down A4 pages: each line takes its height, and a line that would cross the
 * bottom margin starts a new page, so a page break never cuts a line. `keep(h)` moves to a new
 * page when a block of height `h` would not fit, so short blocks stay together.
 */
export class Flow {
  readonly doc: PDFDocument;
  readonly opts: FlowOptions;
  page: PDFPage;
  y: number;

  constructor(doc: PDFDocument, opts: FlowOptions) {
    this.doc = doc;
    this.opts = opts;
    this.page = doc.addPage([opts.page.width, opts.page.height]);
    this.y = opts.page.height - opts.top;
  }

  get left(): number {
    return this.opts.x;
  }

  /** The width between the margins. */
  get width(): number {
    return this.opts.page.width - 2 * this.opts.x;
  }

  /** The height left on the page, down to the bottom margin. */
  get room(): number {
    return this.y - this.opts.bottom;
  }

  newPage(): void {
    this.page = this.doc.addPage([this.opts.page.width, this.opts.page.height]);
    this.y = this.opts.page.height - this.opts.top;
  }

  /** A new page unless `height` fits below (a block taller than a whole page is left to break). */
  keep(height: number): void {
    const full = this.opts.page.height - this.opts.top - this.opts.bottom;
    if (height > this.room && height <= full) this.newPage();
  }

  gap(height: number): void {
    this.y -= height;
  }

  /** One line, already wrapped (made WinAnsi-safe here): its baseline goes one line height down. */
  line(text: string, font: PDFFont, size: number, style: LineStyle = {}): void {
    const lh = style.lineHeight ?? size * 1.35;
    if (this.y - lh < this.opts.bottom) this.newPage();
    this.y -= lh;
    if (text !== '') this.page.drawText(winAnsi(text, font), { x: this.left + (style.indent ?? 0), y: this.y, size, font, color: style.color ?? BLACK });
  }

  /** Wrapped text; "\n" starts a new paragraph line. */
  paragraph(text: string, font: PDFFont, size: number, style: LineStyle & { after?: number } = {}): void {
    for (const l of this.wrap(text, font, size, style.indent ?? 0)) this.line(l, font, size, style);
    this.y -= style.after ?? 0;
  }

  /** The lines `paragraph` would draw (to measure a block before drawing it). */
  wrap(text: string, font: PDFFont, size: number, indent = 0): string[] {
    return text.split('\n').flatMap((p) => wrapText(p, font, size, this.width - indent));
  }
}

export interface TableColumn<R> {
  title: string;
  width: number;
  cell: (row: R) => string;
}

export interface TableStyle {
  size?: number;
  lineHeight?: number;
  pad?: number;
  /** Shown in one full-width row when there are no rows. */
  empty?: string;
}

const HEADER_FILL = rgb(0.87, 0.9, 0.96);
const ZEBRA_FILL = rgb(0.96, 0.96, 0.96);
const RULE = rgb(0.7, 0.7, 0.7);

const cellsHeight = (cells: string[][], lh: number, pad: number) => Math.max(1, ...cells.map((l) => l.length)) * lh + 2 * pad;

/** The wrapped header and body cells (body null: the "empty" row instead). */
function tableCells<R>(fonts: Fonts, columns: readonly TableColumn<R>[], rows: readonly R[], style: TableStyle): { header: string[][]; body: string[][][] | null } {
  const size = style.size ?? 8.5;
  const pad = style.pad ?? 4;
  const header = columns.map((c) => wrapText(c.title, fonts.bold, size, c.width - 2 * pad));
  const body = rows.length === 0 && style.empty !== undefined ? null : rows.map((r) => columns.map((c) => wrapText(c.cell(r), fonts.regular, size, c.width - 2 * pad)));
  return { header, body };
}

/** The height `drawTable` will take on one page (to keep a short table in one piece). */
export function tableHeight<R>(fonts: Fonts, columns: readonly TableColumn<R>[], rows: readonly R[], style: TableStyle = {}): number {
  const lh = style.lineHeight ?? 11;
  const pad = style.pad ?? 4;
  const { header, body } = tableCells(fonts, columns, rows, style);
  return cellsHeight(header, lh, pad) + (body === null ? lh + 2 * pad : body.reduce((h, cells) => h + cellsHeight(cells, lh, pad), 0));
}

/**
 * A table at the flow's left margin: a tinted header row, then one row per item with wrapped
 * cells, alternate rows shaded. A row that would cross the bottom margin goes to a new page,
 * whole, under a repeated header row.
 */
export function drawTable<R>(flow: Flow, fonts: Fonts, columns: readonly TableColumn<R>[], rows: readonly R[], style: TableStyle = {}): void {
  const size = style.size ?? 8.5;
  const lh = style.lineHeight ?? 11;
  const pad = style.pad ?? 4;
  const tableWidth = columns.reduce((s, c) => s + c.width, 0);
  const x0 = flow.left;

  const drawRow = (cells: string[][], fill: Color | null, font: PDFFont) => {
    const h = Math.max(1, ...cells.map((l) => l.length)) * lh + 2 * pad;
    if (fill !== null) flow.page.drawRectangle({ x: x0, y: flow.y - h, width: tableWidth, height: h, color: fill });
    let x = x0;
    cells.forEach((lines, ci) => {
      lines.forEach((line, li) => flow.page.drawText(line, { x: x + pad, y: flow.y - pad - size - li * lh, size, font, color: BLACK }));
      x += columns[ci]?.width ?? 0;
    });
    flow.page.drawLine({ start: { x: x0, y: flow.y - h }, end: { x: x0 + tableWidth, y: flow.y - h }, thickness: 0.5, color: RULE });
    flow.y -= h;
  };
  const heightOf = (cells: string[][]) => cellsHeight(cells, lh, pad);
  const { header, body } = tableCells(fonts, columns, rows, style);
  const headerRow = () => drawRow(header, HEADER_FILL, fonts.bold);

  // The header never stands alone at the foot of a page.
  const first = body === null ? lh + 2 * pad : heightOf(body[0] ?? []);
  if (heightOf(header) + first > flow.room) flow.newPage();
  headerRow();
  if (body === null) {
    drawRow([wrapText(style.empty ?? '', fonts.regular, size, tableWidth - 2 * pad)], null, fonts.regular);
    return;
  }
  body.forEach((cells, i) => {
    if (heightOf(cells) > flow.room) {
      flow.newPage();
      headerRow();
    }
    drawRow(cells, i % 2 === 1 ? ZEBRA_FILL : null, fonts.regular);
  });
}

export interface FooterStyle {
  x: number;
  /** Baseline of the first footer line; the next ones go down. */
  y: number;
  size?: number;
  color?: Color;
  /** A thin rule of this width above the first line. */
  ruleWidth?: number;
}

/** Draws footer lines on every page once they are all laid out (`page n / N` needs N). */
export function drawFooters(doc: PDFDocument, font: PDFFont, lines: (page: number, pages: number) => readonly string[], style: FooterStyle): void {
  const size = style.size ?? 7.5;
  const pages = doc.getPages();
  pages.forEach((p, i) => {
    if (style.ruleWidth !== undefined) p.drawLine({ start: { x: style.x, y: style.y + size + 3 }, end: { x: style.x + style.ruleWidth, y: style.y + size + 3 }, thickness: 0.5, color: RULE });
    lines(i + 1, pages.length).forEach((text, li) => p.drawText(winAnsi(text, font), { x: style.x, y: style.y - li * size * 1.35, size, font, color: style.color ?? GREY }));
  });
}

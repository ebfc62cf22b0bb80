import { mkdir, readdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import type { PDFFont, PDFPage } from 'pdf-lib';
import type { Recipient } from './outbox.ts';
import type { Block, Inline, Locale } from './templates.ts';
import { formatLongDate, withColon } from './templates.ts';

/** A paper letter, composed (templates.ts) and addressed. */
export interface Letter {
  messageId: string;
  date: Date;
  recipient: Recipient;
  subject: string;
  blocks: readonly Block[];
  locale: Locale;
}

/** Where paper letters go: PDFs a print provider collects. */
export interface LetterSink {
  send(letter: Letter): Promise<void>;
}

/** The letterhead: who writes, and the place printed before the date. */
export interface LetterSender {
  lines: readonly string[];
  place: string;
}

// Placeholder letterhead: an installation would set its own postal address.
export const DEFAULT_SENDER: LetterSender = {
  lines: ['Carnet', 'Service des espaces santé', 'Centre de gestion des courriers', '75000 PARIS'],
  place: 'Paris',
};

/** A letter id is the outbox message id; strict, as it names a file. */
export const LETTER_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * Renders each letter to `<dir>/<messageId>.pdf` (`<dataDir>/letters`). A message sent twice
 * (the outbox is at-least-once) overwrites the same file, so it is printed once.
 */
export function createLetterFolder(dir: string, opts: { sender?: LetterSender } = {}): LetterSink {
  const sender = opts.sender ?? DEFAULT_SENDER;
  return {
    async send(letter) {
      if (!LETTER_ID.test(letter.messageId)) throw new Error('letter: messageId must be 1-64 letters, digits or dashes');
      const pdf = await renderLetterPdf(letter, sender);
      await mkdir(dir, { recursive: true });
      // Written aside then renamed: the print provider never collects half a file.
      const tmp = join(dir, `.${letter.messageId}.tmp`);
      await writeFile(tmp, pdf, { mode: 0o600 });
      await rename(tmp, join(dir, `${letter.messageId}.pdf`));
    },
  };
}

export interface LetterEntry {
  id: string;
  date: Date;
  size: number;
}

/** Letters in the folder, newest first. A missing folder is an empty one. */
export async function listLetters(dir: string, limit = 200): Promise<LetterEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const ids = names.filter((n) => n.endsWith('.pdf')).map((n) => n.slice(0, -4)).filter((id) => LETTER_ID.test(id));
  const entries = await Promise.all(
    ids.map(async (id) => {
      const s = await stat(join(dir, `${id}.pdf`));
      return { id, date: s.mtime, size: s.size };
    }),
  );
  return entries.sort((a, b) => b.date.getTime() - a.date.getTime()).slice(0, limit);
}

// ---------------------------------------------------------------------------------------
// Layout, in millimetres from the top-left corner of an A4 sheet (210 x 297 mm).

const MM = 72 / 25.4;
const A4 = { width: 210 * MM, height: 297 * MM };
const MARGIN_X = 20;
const TEXT_WIDTH = 170;
const BOTTOM = 272; // body text stops here; the footer sits below
/*
 * The window of a French DL (110 x 220 mm) or C5 window envelope is 100 x 45 mm, 20 mm from
 * the right edge and 15 mm from the bottom: on the folded A4 sheet, x 100-200 mm and
 * y 50-95 mm from the top. The address stays a few millimetres inside it, so a sheet that
 * moves in the envelope still shows it whole.
 */
const ADDRESS = { x: 105, y: 55, width: 90, maxLines: 6 };
const BODY_SIZE = 10.5;
const LINE = 5.2; // mm between body lines

const LABELS = {
  fr: { subject: 'Objet', page: 'Page', ref: 'Réf.' },
  en: { subject: 'Subject', page: 'Page', ref: 'Ref.' },
} as const;

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  mono: PDFFont;
}

/** Renders a letter to a one- or two-page A4 PDF with the standard PDF fonts. */
export async function renderLetterPdf(letter: Letter, sender: LetterSender = DEFAULT_SENDER): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const fonts: Fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
    mono: await doc.embedFont(StandardFonts.CourierBold),
  };
  doc.setTitle(winAnsi(letter.subject, fonts.regular));
  doc.setAuthor('Carnet');
  doc.setCreator('Carnet');
  doc.setProducer('Carnet (pdf-lib)');
  doc.setLanguage(letter.locale === 'fr' ? 'fr-FR' : 'en-GB');
  doc.setCreationDate(letter.date);
  doc.setModificationDate(letter.date);

  const w = new Writer(doc, fonts);
  const labels = LABELS[letter.locale];

  // Letterhead.
  sender.lines.forEach((line, i) => w.text(line, MARGIN_X, 20 + i * 4.6, i === 0 ? fonts.bold : fonts.regular, i === 0 ? 13 : 9));

  // Recipient, in the envelope's window.
  addressLines(letter.recipient)
    .slice(0, ADDRESS.maxLines)
    .forEach((line, i) => w.text(fitWidth(line, fonts.regular, 10.5, ADDRESS.width * MM), ADDRESS.x, ADDRESS.y + 5 + i * 5, fonts.regular, 10.5));

  // Place and date, right-aligned under the window.
  const date = formatLongDate(letter.date, letter.locale);
  const placeDate = letter.locale === 'fr' ? `${sender.place}, le ${date}` : `${sender.place}, ${date}`;
  w.textRight(placeDate, MARGIN_X + TEXT_WIDTH, 110, fonts.regular, 10.5);

  // Subject.
  w.y = 122;
  w.paragraph([{ strong: `${withColon(labels.subject, letter.locale)} ${letter.subject}` }], BODY_SIZE);
  w.y += 4;

  for (const block of letter.blocks) {
    switch (block.type) {
      case 'paragraph':
        w.paragraph(block.content, BODY_SIZE);
        w.y += 2.4;
        break;
      case 'heading':
        w.keep(LINE * 3);
        w.y += 1.5;
        w.paragraph([{ strong: block.text }], 11.5);
        w.y += 1;
        break;
      case 'code':
        w.code(withColon(block.label, letter.locale), block.value);
        break;
      case 'action':
        w.keep(LINE * 2);
        w.paragraph([{ strong: withColon(block.label, letter.locale) }], BODY_SIZE);
        w.paragraph([block.url], BODY_SIZE);
        w.y += 2.4;
        break;
      case 'list':
        for (const item of block.items) w.paragraph(['–  ', ...item], BODY_SIZE, 5);
        w.y += 2.4;
        break;
    }
  }

  // Footer on every page: the reference lets the print provider and support find the message.
  const pages = doc.getPages();
  pages.forEach((page, i) => {
    const footer = `Carnet · ${labels.ref} ${letter.messageId} · ${labels.page} ${i + 1}/${pages.length}`;
    drawText(page, winAnsi(footer, fonts.regular), MARGIN_X, 287, fonts.regular, 7.5, rgb(0.35, 0.35, 0.35));
  });
  return doc.save();
}

function addressLines(r: Recipient): string[] {
  if (!r.address || !r.postalCode || !r.city) throw new Error('letter: the recipient has no complete postal address');
  // La Poste: the last line in capitals, without accents.
  const city = r.city.normalize('NFD').replace(/\p{Diacritic}/gu, '').toUpperCase();
  return [r.name, ...r.address.split(/\r?\n/).filter((l) => l.trim() !== ''), `${r.postalCode} ${city}`];
}

/** Cuts a line to `width` (an address line longer than the window would be hidden anyway). */
function fitWidth(text: string, font: PDFFont, size: number, width: number): string {
  let s = winAnsi(text, font);
  while (s.length > 1 && font.widthOfTextAtSize(s, size) > width) s = s.slice(0, -1);
  return s;
}

function drawText(page: PDFPage, text: string, xMm: number, yMm: number, font: PDFFont, size: number, color = rgb(0, 0, 0)): void {
  drawRun(page, text, xMm * MM, A4.height - yMm * MM, font, size, color);
}

// pdf-lib adds a font entry to the page's resources at every drawText given a font: set the
// font only when it changes.
const pageFont = new WeakMap<PDFPage, PDFFont>();
function drawRun(page: PDFPage, text: string, x: number, y: number, font: PDFFont, size: number, color = rgb(0, 0, 0)): void {
  if (pageFont.get(page) !== font) {
    page.setFont(font);
    pageFont.set(page, font);
  }
  page.drawText(text, { x, y, size, color });
}

/**
 * Lays text out top to bottom, starting a new page when one is full. `y` is the baseline of
 * the next line, in mm from the top of the current page.
 */
class Writer {
  y = 0;
  #page: PDFPage;
  readonly #doc: PDFDocument;
  readonly #fonts: Fonts;

  constructor(doc: PDFDocument, fonts: Fonts) {
    this.#doc = doc;
    this.#fonts = fonts;
    this.#page = doc.addPage([A4.width, A4.height]);
  }

  text(s: string, xMm: number, yMm: number, font: PDFFont, size: number): void {
    drawText(this.#page, winAnsi(s, font), xMm, yMm, font, size);
  }

  textRight(s: string, rightMm: number, yMm: number, font: PDFFont, size: number): void {
    const clean = winAnsi(s, font);
    drawText(this.#page, clean, rightMm - font.widthOfTextAtSize(clean, size) / MM, yMm, font, size);
  }

  /** Starts a new page unless `heightMm` still fits on this one. */
  keep(heightMm: number): void {
    if (this.y + heightMm > BOTTOM) {
      this.#page = this.#doc.addPage([A4.width, A4.height]);
      this.y = 25;
    }
  }

  paragraph(content: readonly Inline[], size: number, indentMm = 0): void {
    const lineMm = (LINE * size) / BODY_SIZE;
    const words = content.flatMap((part) => {
      const font = typeof part === 'string' ? this.#fonts.regular : this.#fonts.bold;
      const text = winAnsi(typeof part === 'string' ? part : part.strong, font);
      // Keep the spaces as separate tokens so runs of different fonts join naturally.
      return text
        .split(/( )/)
        .filter((t) => t !== '')
        .map((t) => ({ text: t, font }));
    });
    const maxWidth = (TEXT_WIDTH - indentMm) * MM;
    let line: { text: string; font: PDFFont }[] = [];
    let width = 0;
    const flush = () => {
      while (line.length > 0 && line[line.length - 1]?.text === ' ') line.pop();
      this.keep(lineMm);
      this.y += lineMm;
      // One text run per change of font: fewer operators, and the words of a phrase stay
      // together for copy and for screen readers.
      const runs: { text: string; font: PDFFont }[] = [];
      for (const t of line) {
        const last = runs[runs.length - 1];
        if (last !== undefined && last.font === t.font) last.text += t.text;
        else runs.push({ ...t });
      }
      let x = (MARGIN_X + indentMm) * MM;
      for (const r of runs) {
        drawRun(this.#page, r.text, x, A4.height - this.y * MM, r.font, size);
        x += r.font.widthOfTextAtSize(r.text, size);
      }
      line = [];
      width = 0;
    };
    for (const word of words) {
      if (word.text === ' ' && line.length === 0) continue;
      let w = word.font.widthOfTextAtSize(word.text, size);
      if (width + w > maxWidth && line.length > 0) flush();
      if (word.text === ' ' && line.length === 0) continue;
      // A word wider than the line (a long address) is cut where it must.
      let rest = word.text;
      while (w > maxWidth) {
        let n = rest.length;
        while (n > 1 && word.font.widthOfTextAtSize(rest.slice(0, n), size) > maxWidth) n--;
        line.push({ text: rest.slice(0, n), font: word.font });
        flush();
        rest = rest.slice(n);
        w = word.font.widthOfTextAtSize(rest, size);
      }
      line.push({ text: rest, font: word.font });
      width += w;
    }
    if (line.length > 0) flush();
  }

  /** The code, large and monospace in a frame, with its label above. */
  code(label: string, value: string): void {
    const size = 22;
    this.keep(6 + 16 + 6);
    this.paragraph([label], BODY_SIZE);
    const mono = this.#fonts.mono;
    const clean = winAnsi(value, mono);
    const textW = mono.widthOfTextAtSize(clean, size);
    const boxW = textW + 12 * MM;
    const boxH = 14 * MM;
    const top = this.y + 3;
    const x = (MARGIN_X + TEXT_WIDTH / 2) * MM - boxW / 2;
    this.#page.drawRectangle({ x, y: A4.height - top * MM - boxH, width: boxW, height: boxH, borderColor: rgb(0, 0, 0.57), borderWidth: 1.5 });
    drawRun(this.#page, clean, x + 6 * MM, A4.height - top * MM - boxH / 2 - size * 0.3, mono, size);
    this.y = top + 14 + 6;
  }
}

/** Characters the standard fonts (WinAnsi) lack, and what prints instead. */
const REPLACEMENTS: Record<string, string> = {
  '\u202f': '\u00a0', // narrow no-break space (French typography) -> no-break space
  '\u2009': ' ',
  '\u2007': ' ',
  '\u2011': '-',
  '\u2010': '-',
  '\u2212': '-',
  '\u2192': '->',
  '\u2190': '<-',
  '\u2264': '<=',
  '\u2265': '>=',
  '\u2713': 'v',
  '\u2116': 'No',
  '\u00ad': '',
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  '\t': ' ',
};

/**
 * Makes text printable with a standard font: WinAnsi covers French (é è à ç œ « » ’ …) but not
 * everything; a character it lacks would make pdf-lib throw, so it is replaced (or dropped).
 */
export function winAnsi(text: string, font: PDFFont): string {
  const supported = charsetOf(font);
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '\n' || ch === '\r') out += ' ';
    else if (supported.has(cp)) out += ch;
    else if (REPLACEMENTS[ch] !== undefined) out += REPLACEMENTS[ch];
    else {
      // Letters with an accent WinAnsi lacks (ő, ł...) lose the accent; anything else is a '?'.
      const base = ch.normalize('NFD').replace(/\p{Diacritic}/gu, '');
      out += base !== ch && [...base].every((c) => supported.has(c.codePointAt(0) ?? 0)) ? base : '?';
    }
  }
  return out;
}

const charsets = new WeakMap<PDFFont, Set<number>>();
function charsetOf(font: PDFFont): Set<number> {
  let set = charsets.get(font);
  if (set === undefined) {
    set = new Set(font.getCharacterSet());
    charsets.set(font, set);
  }
  return set;
}

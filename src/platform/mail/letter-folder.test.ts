import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFArray, PDFDocument, PDFRawStream, StandardFonts, decodePDFRawStream } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { TEMPLATES } from './outbox.ts';
import { createLetterFolder, listLetters, renderLetterPdf, winAnsi } from './letter-folder.ts';
import type { Letter } from './letter-folder.ts';
import { composeMessage } from './templates.ts';

const A4 = { width: 595.28, height: 841.89 };
const PARAMS: Record<string, string> = {
  code: 'ABCD-EFGH-JKMN',
  expiresOn: '2026-03-01',
  opensOn: '2026-02-26',
  activateUrl: 'https://carnet.example.fr/activer?jeton=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  opposeUrl: 'https://carnet.example.fr/opposition',
  childName: 'Zoé Lefèvre-Œuvray',
  reference: 'OPP-2026-000123',
  date: '2026-01-20',
  minutes: '10',
  archiveUntil: '2036-01-20',
  deadline: '2026-04-20',
  inviterName: 'François Garçon',
  acceptUrl: 'https://carnet.example.fr/invitation/abc',
};

function letterFor(template: (typeof TEMPLATES)[number], locale: 'fr' | 'en' = 'fr', params = PARAMS): Letter {
  const m = composeMessage(template, template === 'login_otp' ? { ...params, code: '482913' } : params, locale);
  return {
    messageId: '3f1c2d3e-1111-4222-8333-944445555666',
    date: new Date('2026-01-15T09:00:00Z'),
    recipient: { name: 'Mme Hélène DUPRÉ', address: '12 rue de l’Église\nBâtiment B', postalCode: '69003', city: 'Lyon' },
    subject: m.subject,
    blocks: m.blocks,
    locale,
  };
}

/** The drawing operators of a page, inflated. */
function pageContent(doc: PDFDocument, index: number): string {
  const contents = doc.getPage(index).node.Contents();
  const streams = contents instanceof PDFArray ? Array.from({ length: contents.size() }, (_, i) => contents.lookup(i)) : [contents];
  return streams
    .filter((s): s is PDFRawStream => s instanceof PDFRawStream)
    .map((s) => Buffer.from(decodePDFRawStream(s).decode()).toString('latin1'))
    .join('\n');
}

// WinAnsi is Latin-1 but for a few typographic characters in 0x80-0x9F.
const WIN_ANSI_EXTRA: Record<string, number> = { '€': 0x80, '…': 0x85, 'Œ': 0x8c, 'œ': 0x9c, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94 };

/** Text as pdf-lib writes it for a standard font: WinAnsi bytes in a hex string. */
function hex(text: string): string {
  const bytes = [...text].map((c) => WIN_ANSI_EXTRA[c] ?? (c.codePointAt(0) as number));
  if (bytes.some((b) => b > 0xff)) throw new Error(`not WinAnsi: ${text}`);
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

describe('letters', () => {
  it('writes <dir>/<messageId>.pdf, an A4 PDF that loads back with its title and language', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'carnet-letters-')), 'letters');
    const letters = createLetterFolder(dir);
    await letters.send(letterFor('space_information'));
    expect(readdirSync(dir)).toEqual(['3f1c2d3e-1111-4222-8333-944445555666.pdf']);
    const doc = await PDFDocument.load(readFileSync(join(dir, '3f1c2d3e-1111-4222-8333-944445555666.pdf')));
    expect([1, 2]).toContain(doc.getPageCount());
    for (const page of doc.getPages()) {
      expect(page.getWidth()).toBeCloseTo(A4.width, 1);
      expect(page.getHeight()).toBeCloseTo(A4.height, 1);
    }
    expect(doc.getTitle()).toBe('L’espace santé Carnet de Zoé Lefèvre-Œuvray va être créé');
    expect(doc.getAuthor()).toBe('Carnet');
    const all = doc.getPages().map((_, i) => pageContent(doc, i)).join('\n');
    // The code, large (22 pt) in Courier Bold.
    expect(all).toMatch(new RegExp(`/Courier-Bold-\\d+ 22 Tf[\\s\\S]{0,200}<${hex('ABCD-EFGH-JKMN')}> Tj`));
    // Accents in WinAnsi: the recipient, the date, the body.
    expect(all).toContain(`<${hex('Mme Hélène DUPRÉ')}>`);
    expect(all).toContain(`<${hex('69003 LYON')}>`);
    expect(all).toContain(`<${hex('Paris, le 15 janvier 2026')}>`);
    expect(all).toContain(`<${hex('Madame, Monsieur,')}>`);
    expect(all).toContain(hex('Zoé Lefèvre-Œuvray'));
    expect(all).toContain(hex('l’espace Carnet de'));
    const listed = await listLetters(dir);
    expect(listed.map((l) => l.id)).toEqual(['3f1c2d3e-1111-4222-8333-944445555666']);
  });

  it('puts the recipient in the window of a DL/C5 envelope', async () => {
    const doc = await PDFDocument.load(await renderLetterPdf(letterFor('code_regenerated')));
    const content = pageContent(doc, 0);
    const m = new RegExp(`1 0 0 1 ([0-9.]+) ([0-9.]+) Tm\\s*<${hex('Mme Hélène DUPRÉ')}>`).exec(content);
    expect(m).not.toBeNull();
    const xMm = (Number(m?.[1]) * 25.4) / 72;
    const yFromTopMm = ((A4.height - Number(m?.[2])) * 25.4) / 72;
    // Window: x 100-200 mm, y 50-95 mm from the top of the sheet.
    expect(xMm).toBeGreaterThanOrEqual(100);
    expect(xMm).toBeLessThan(200);
    expect(yFromTopMm).toBeGreaterThan(50);
    expect(yFromTopMm).toBeLessThan(95);
  });

  for (const locale of ['fr', 'en'] as const) {
    it(`renders every template in ${locale} on one or two pages`, async () => {
      for (const t of TEMPLATES) {
        const doc = await PDFDocument.load(await renderLetterPdf(letterFor(t, locale)));
        expect([1, 2], t).toContain(doc.getPageCount());
      }
    });
  }

  it('prints characters the standard fonts lack instead of failing', async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    // French needs nothing replaced...
    const french = 'é è ê ë à â ç ô ù û ü ÿ î ï œ Œ æ « » ’ “ ” … € É À Ç';
    expect(winAnsi(french, font)).toBe(french);
    // ...except what WinAnsi lacks: narrow no-break space, arrows, other scripts.
    expect(winAnsi('Prêt\u202f? → ok', font)).toBe('Prêt\u00a0? -> ok');
    expect(winAnsi('Łódź Ωmega', font)).toBe('Lódz ?mega');
    const tricky = { ...PARAMS, childName: 'Zoé\u202fŁukasz → 東京 😀', inviterName: 'Ève “Test”' };
    const pdf = await PDFDocument.load(await renderLetterPdf(letterFor('representative_invitation', 'fr', tricky)));
    const content = pageContent(pdf, 0);
    expect(content).toContain(hex('Ève “Test”'));
    expect(content).toContain(hex('Zoé\u00a0Lukasz -> ?? ?'));
  });

  it('refuses a recipient without a postal address', async () => {
    const letter = { ...letterFor('login_otp'), recipient: { name: 'Sans Adresse' } };
    await expect(renderLetterPdf(letter)).rejects.toThrow('no complete postal address');
  });
});

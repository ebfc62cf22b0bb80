import { beforeAll, beforeEach, expect, it } from 'vitest';
import { PDFArray, PDFDocument, PDFRawStream, decodePDFRawStream } from 'pdf-lib';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { traceOf } from '../records/controls-test-kit.ts';

interface DocumentView {
  documentId: string;
  typeCode: string;
  classCode: string;
  title: string;
  createdOn: string;
  format: string;
  author: { kind: string; id: string };
}

const FORM = { situation: 'good_health', lifeSustainingTreatments: 'Pas d’acharnement thérapeutique.', deepSedation: 'wants', place: 'Lyon' };

// WinAnsiEncoding 0x80-0x9F (PDF 32000 annex D); the rest is Latin-1. Node's TextDecoder may
// lack windows-1252 (small-icu builds), hence this table.
const WIN_ANSI_80_9F = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const fromWinAnsi = (bytes: Buffer): string => [...bytes].map((b) => (b >= 0x80 && b <= 0x9f ? WIN_ANSI_80_9F[b - 0x80] : String.fromCharCode(b))).join('');

/**
 * The text of each page: the strings drawn with Tj in the page's content streams (pdf-lib
 * writes them as hex in WinAnsi, the encoding of the standard fonts), one per line. Enough to
 * check what a page says without a PDF text extractor on the machine.
 */
async function pdfText(bytes: Uint8Array): Promise<string[]> {
  const pdf = await PDFDocument.load(bytes);
  return pdf.getPages().map((page) => {
    const contents = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray().map((ref) => pdf.context.lookup(ref)) : [contents];
    const lines: string[] = [];
    for (const stream of streams) {
      if (!(stream instanceof PDFRawStream)) continue;
      const ops = Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
      for (const m of ops.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)) lines.push(fromWinAnsi(Buffer.from(m[1] ?? '', 'hex')));
    }
    return lines.join('\n');
  });
}

/** Lines joined, spaces normalised: a phrase wrapped over two lines still reads as one. */
const flat = (pages: readonly string[]) => pages.join('\n').replace(/\s+/g, ' ');

describeEngines('profile synthesis', (getDb) => {
  let t: TestContext;
  let patient: SignedIn;
  let patientId: string;

  const send = async (method: 'POST' | 'PUT', url: string, payload?: object) => {
    const res = await t.app.inject({ method, url: `/api/spaces/${patientId}${url}`, headers: patient.headers, ...(payload === undefined ? {} : { payload }) });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res;
  };
  const synthesis = (headers: Record<string, string> = patient.headers, pid = patientId) => t.app.inject({ method: 'POST', url: `/api/spaces/${pid}/profile/synthesis`, headers });
  const documents = async (pid: string) => Number((await t.db.query<{ n: string | number }>('SELECT count(*) AS n FROM documents WHERE patient_id = $1', [pid]))[0]?.n);
  /** Generates the synthesis, checks the answer, and reads the PDF back through the documents API. */
  const generate = async (): Promise<{ doc: DocumentView; pdf: PDFDocument; pages: string[] }> => {
    const res = await synthesis();
    expect(res.statusCode, res.body).toBe(201);
    const doc = res.json() as DocumentView;
    expect(res.headers.location).toBe(`/api/spaces/${patientId}/documents/${doc.documentId}/content`);
    const content = await t.app.inject({ method: 'GET', url: res.headers.location as string, headers: { cookie: patient.cookie } });
    expect(content.statusCode).toBe(200);
    expect(content.headers['content-type']).toMatch(/^application\/pdf/);
    expect(content.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    return { doc, pdf: await PDFDocument.load(content.rawPayload), pages: await pdfText(content.rawPayload) };
  };

  beforeAll(async () => {
    t = await testApp(getDb());
  });

  beforeEach(async () => {
    const p = await insertActivePatient(t.db, { birthDate: '1985-04-12' });
    patientId = p.patientId;
    patient = await signIn(t, p.loginId, p.password);
  });

  it('prints every section the patient filled, and says which ones do not concern them', async () => {
    const hh = '/health-history';
    await send('POST', `${hh}/conditions`, { kind: 'disease', label: 'Diabète de type 2', cim10: 'E11.9', status: 'active', onsetDate: '2019-03', note: 'Suivi tous les trois mois.' });
    await send('POST', `${hh}/treatments`, { medication: 'Metformine 1000 mg', atc: 'A10BA02', dosage: '1 comprimé matin et soir', reason: 'diabète', ongoing: true, startDate: '2019-04' });
    await send('POST', `${hh}/hospitalisations`, { reason: 'Appendicectomie', establishment: 'Hôpital Saint-Louis', startDate: '2010-06-02', endDate: '2010-06-05' });
    await send('PUT', `${hh}/disabilities/not-concerned`);
    await send('POST', `${hh}/allergies`, { substance: 'Pénicilline', type: 'allergy', category: 'medication', reaction: 'Urticaire géante', severity: 'severe', since: '2002' });
    await send('POST', `${hh}/family-history`, { condition: 'Cancer du sein', relation: 'MTH', ageAtOnset: 52 });
    await send('PUT', `${hh}/blood-group`, { abo: 'A', rh: 'positive', statedOn: '2020-02-03' });
    await send('PUT', '/lifestyle', { tobacco: { status: 'former', quitYear: 2015 }, alcohol: { status: 'occasional', drinksPerWeek: 2 }, physicalActivity: { level: 'moderate', minutesPerWeek: 150 } });
    await send('POST', '/measures', { type: 'weight', value: 68.5, effectiveAt: '2026-01-10T08:00:00Z' });
    await send('POST', '/measures', { type: 'height', value: 165, unit: 'cm', effectiveAt: '2026-01-10T08:00:00Z' });
    await send('POST', '/measures', { type: 'blood_pressure', systolic: 128, diastolic: 82, effectiveAt: '2026-01-12T08:00:00Z' });
    await send('POST', '/measures', { type: 'hba1c', value: 7.4, effectiveAt: '2026-01-05T08:00:00Z' });
    await send('PUT', '/measures/targets/hba1c', { high: 7 });
    await send('POST', '/vaccinations', { vaccineCode: 'J07BD52', vaccineName: 'Priorix', date: '1986-06-01', doseNumber: 1, performer: { name: 'Dr Paul Roux' } });
    await send('PUT', '/entourage/trusted-person', { familyName: 'Dupont', givenName: 'Jean', relation: 'SPS', phone: '06 12 34 56 78' });
    await send('POST', '/entourage/contacts', { kind: 'emergency_contact', familyName: 'Martin', givenName: 'Lucie', relation: 'SIB', email: 'lucie@example.org' });
    await send('PUT', '/entourage/organ-donation', { position: 'accepts' });
    await send('POST', '/entourage/advance-directives', FORM);
    const before = (await traceOf(t, patientId)).length;

    const { doc, pdf, pages } = await generate();
    expect(doc).toMatchObject({ typeCode: 'DOCPAT08', classCode: '11', title: 'Synthèse du profil médical', createdOn: '2026-01-15', format: 'application/pdf', author: { kind: 'patient', id: patientId } });
    expect(pdf.getTitle()).toMatch(/^Profil médical — synthèse/);
    const page = pdf.getPage(0);
    expect([Math.round(page.getWidth()), Math.round(page.getHeight())]).toEqual([595, 842]); // A4 portrait

    const text = flat(pages);
    for (const expected of [
      'Profil médical — synthèse',
      'Claire Anne MARTIN',
      'Née le 12 avril 1985 (40 ans) · sexe : féminin',
      'Synthèse établie le 15 janvier 2026 à la demande de Claire MARTIN (titulaire de l’espace)',
      // Health history
      'Maladies et sujets de santé',
      'Diabète de type 2',
      'Maladie · en cours · début : mars 2019 · CIM-10 E11.9',
      'Note : Suivi tous les trois mois.',
      'Metformine 1000 mg',
      '1 comprimé matin et soir · pour : diabète · en cours',
      'Appendicectomie',
      'Hôpital Saint-Louis · entrée : 2 juin 2010 · sortie : 5 juin 2010',
      'Handicaps Non concerné (déclaré le 15 janvier 2026)',
      'Pénicilline',
      'Allergie médicamenteuse · réaction : Urticaire géante · gravité : sévère · depuis : 2002',
      'Cancer du sein',
      'Mère · survenue à 52 ans',
      'A Rhésus positif (A+), déclaré le 3 février 2020',
      // Measures: French labels, decimal commas, the BMI and its class, the HbA1c target
      'Poids',
      '68,5 kg',
      '1,65 m',
      'Indice de masse corporelle (IMC)',
      '25,2 kg/m²',
      'Surpoids',
      '128/82 mmHg',
      '7,4 %',
      'Au-dessus de l’objectif (au plus 7 %)',
      'Objectif d’HbA1c fixé le 15 janvier 2026 : au plus 7 %',
      // Vaccinations
      '1er juin 1986',
      'ROR (rougeole, oreillons, rubéole) (Priorix)',
      'Dr Paul Roux',
      // Lifestyle
      'Tabac : Ancien fumeur, arrêt en 2015',
      'Alcool : Consommation occasionnelle, 2 verres standard par semaine',
      'Activité physique : Modérée, 150 minutes par semaine',
      // Entourage & volontés: contacts, and only the existence and date of the statements
      'Jean DUPONT',
      'Personne de confiance · Conjoint(e) · tél. 06 12 34 56 78',
      'Lucie MARTIN',
      'Contact en cas d’urgence · Frère ou sœur · lucie@example.org',
      'Je souhaite donner mes organes et tissus (déclaré le 15 janvier 2026)',
      'Rédigées le 15 janvier 2026 (formulaire rempli dans Carnet)',
      // Footer
      `Carnet — synthèse du profil médical — page 1 / ${pages.length}`,
      'Ce document reflète ce que le patient (ou ses proches) a saisi dans son profil médical',
    ]) {
      expect(text).toContain(expected);
    }
    // The advance directives' content stays in their own document.
    expect(text).not.toContain('acharnement');
    // A footer on every page.
    pages.forEach((p, i) => expect(p).toContain(`page ${i + 1} / ${pages.length}`));

    // Traced in one transaction: the document's creation and the read of the profile that
    // fills it (both aimed at the new document); then reading it back, as any document.
    const trace = (await traceOf(t, patientId)).slice(before);
    expect(trace.map((r) => r.action)).toEqual(['document_created', 'profile_synthesis_read', 'document_read']);
    expect(trace.find((r) => r.action === 'profile_synthesis_read')).toMatchObject({ actor_id: patientId, target: `document:${doc.documentId}` });
    expect(trace.find((r) => r.action === 'document_created')).toMatchObject({ actor_id: patientId, target: `document:${doc.documentId}` });

    // It is one of the documents of the space.
    const list = await t.app.inject({ method: 'GET', url: `/api/spaces/${patientId}/documents`, headers: { cookie: patient.cookie } });
    expect((list.json() as { documents: DocumentView[] }).documents.map((d) => d.documentId)).toContain(doc.documentId);
  });

  it('an empty profile still gives a valid one-page PDF that says "Non renseigné"', async () => {
    const { doc, pdf, pages } = await generate();
    expect(doc).toMatchObject({ typeCode: 'DOCPAT08', classCode: '11' });
    expect(pdf.getPageCount()).toBe(1);
    const text = flat(pages);
    for (const heading of ['Maladies et sujets de santé', 'Traitements', 'Hospitalisations', 'Handicaps', 'Allergies et intolérances', 'Antécédents familiaux', 'Groupe sanguin', 'Mesures', 'Vaccinations', 'Mode de vie', 'Entourage', 'Don d’organes et de tissus', 'Directives anticipées']) {
      expect(text).toContain(`${heading}`);
    }
    expect(text.match(/Non renseigné/g)).toHaveLength(13);
    expect(text).toContain('Carnet — synthèse du profil médical — page 1 / 1');
  });

  it('a long profile flows over several pages, each with its footer', async () => {
    for (let i = 1; i <= 40; i++) {
      await send('POST', '/health-history/conditions', { kind: 'health_topic', label: `Sujet de santé numéro ${i}`, status: 'resolved', onsetDate: '2001', resolvedDate: '2002', note: 'Une note assez longue pour tenir sur plusieurs lignes : '.repeat(4) });
    }
    const { pdf, pages } = await generate();
    expect(pdf.getPageCount()).toBeGreaterThan(1);
    expect(pages).toHaveLength(pdf.getPageCount());
    pages.forEach((p, i) => expect(p).toContain(`Carnet — synthèse du profil médical — page ${i + 1} / ${pages.length}`));
    const text = flat(pages);
    for (let i = 1; i <= 40; i++) expect(text).toContain(`Sujet de santé numéro ${i}`);
  });

  it('a stranger gets 404 and nothing is created; a write without the CSRF token is refused', async () => {
    const other = await insertActivePatient(t.db);
    const res = await synthesis(patient.headers, other.patientId);
    expect(res.statusCode).toBe(404);
    expect(await documents(other.patientId)).toBe(0);
    expect((await traceOf(t, other.patientId)).at(-1)).toMatchObject({ action: 'access_denied', actor_id: patientId, detail: { attempted: 'read' } });

    const noCsrf = await synthesis({ cookie: patient.cookie });
    expect(noCsrf.statusCode).toBe(403);
    expect(await documents(patientId)).toBe(0);
    const anonymous = await synthesis({});
    expect(anonymous.statusCode).toBe(401);
    expect(await documents(patientId)).toBe(0);
  });
});

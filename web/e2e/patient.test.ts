/**
 * The patient's portal, end to end in Chromium: the public pages (English switch, opposition),
 * activation with the provisional code, sign-in with the e-mailed code, the home page, adding
 * a document with its progress, its inline view, masking, editing; access settings, history,
 * notifications, closure and reopening; a parent switching to their child's space. Every page
 * passes axe (WCAG 2.1 AA); the main ones are photographed at phone and desktop widths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../src/dev/demo-data.ts';
import { expectAccessible, HAS_CHROMIUM, launchChromium, provisionalCode, shoot, signInPatient, startCarnet, watchedPage } from './harness.ts';
import type { Carnet } from './harness.ts';

const LUCAS = { loginId: 'lucas.petit', password: 'Zebre-Bleu-4827!', email: 'lucas.petit@demo.carnet.example' };
const CLAIRE = { ...DEMO.patient, email: 'claire.martin@demo.carnet.example' };

async function pdf(text: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  page.drawText(text, { x: 60, y: 760, size: 20, font });
  page.drawText('Hémoglobine : 14,2 g/dL — Glycémie : 0,92 g/L', { x: 60, y: 720, size: 12, font });
  return Buffer.from(await doc.save());
}

describe.skipIf(!HAS_CHROMIUM)('portal, patient side (Chromium)', { timeout: 60_000 }, () => {
  let carnet: Carnet;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    [carnet, browser] = await Promise.all([startCarnet(), launchChromium()]);
    ({ page, problems } = await watchedPage(browser));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await carnet?.close();
  });

  it('serves the first page under 250 KB of compressed JavaScript, with its CSP, and switches to English', async () => {
    const scripts = new Map<string, Buffer>();
    page.on('response', async (r) => {
      if (r.request().resourceType() === 'script' && r.ok()) scripts.set(r.url(), await r.body().catch(() => Buffer.alloc(0)));
    });
    const res = await page.goto(`${carnet.base}/`);
    expect(res?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await page.getByRole('heading', { level: 1, name: 'Carnet, votre espace santé' }).waitFor();
    await page.waitForLoadState('networkidle');
    const gzipped = [...scripts.values()].reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
    console.log(`[e2e] first page: ${scripts.size} scripts, ${(gzipped / 1024).toFixed(1)} KB gzip: ${[...scripts].map(([u, b]) => `${u.replace(carnet.base, '')} ${(gzipSync(b).length / 1024).toFixed(1)}`).join(', ')}`);
    expect(gzipped).toBeLessThan(250 * 1024);
    page.removeAllListeners('response');
    await expectAccessible(page, 'landing');
    await shoot(page, 'landing');

    await page.getByRole('button', { name: 'EN – English' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Carnet, your health space' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await expectAccessible(page, 'landing (English)');
    await shoot(page, 'landing-en');
    await page.getByRole('button', { name: 'FR – Français' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Carnet, votre espace santé' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');
  });

  it('records an opposition with the carte Vitale and shows its proof', async () => {
    await page.goto(`${carnet.base}/opposition`);
    await expectAccessible(page, 'opposition');
    await page.locator('input[name=matricule]').fill(DEMO.opposable.matricule);
    await page.locator('input[name=birthDate]').fill(DEMO.opposable.birthDate);
    await page.getByText('le numéro de série de ma carte Vitale').click();
    await page.locator('input[name=secret]').fill(DEMO.opposable.cardSerial);
    await shoot(page, 'opposition');
    await page.getByRole('button', { name: 'Confirmer mon opposition' }).click();
    await page.getByRole('heading', { level: 1, name: 'Preuve d’opposition' }).waitFor();
    await page.getByText('Paul LEROY').waitFor();
    await shoot(page, 'opposition-proof');
    await expectAccessible(page, 'opposition proof');
  });

  it('shows what is wrong on a bad activation, then activates with the provisional code', async () => {
    await page.goto(`${carnet.base}/activer`);
    await expectAccessible(page, 'activation');
    const fill = async (code: string) => {
      await page.locator('input[name=matricule]').fill(DEMO.pending.matricule);
      await page.locator('input[name=birthDate]').fill(DEMO.pending.birthDate);
      await page.locator('input[name=code]').fill(code);
      await page.locator('input[name=loginId]').fill(LUCAS.loginId);
      await page.locator('input[name=password]').fill(LUCAS.password);
      await page.locator('input[name=password2]').fill(LUCAS.password);
      await page.locator('input[name=email]').fill(LUCAS.email);
      await page.getByText('J’ai lu et j’accepte').click();
    };
    await fill('ZZZZ-ZZZZ-ZZZZ');
    await shoot(page, 'activation');
    await page.getByRole('button', { name: 'Activer mon espace' }).click();
    await page.getByRole('alert').filter({ hasText: 'ne correspondent pas' }).waitFor();
    await expectAccessible(page, 'activation error');

    await page.reload();
    await fill(await provisionalCode(carnet.base, LUCAS.email));
    await page.getByRole('button', { name: 'Activer mon espace' }).click();
    await page.waitForTimeout(1500);
    await page.getByRole('heading', { level: 1, name: 'Votre espace est activé' }).waitFor();
    await expectAccessible(page, 'activation done');
  });

  it('signs in with the e-mailed code and lands on a home page that says what is new', async () => {
    await page.goto(`${carnet.base}/documents`);
    await page.waitForURL(/\/connexion\?retour=/);
    await expectAccessible(page, 'sign-in');
    await shoot(page, 'sign-in');
    await signInPatient(page, carnet.base, LUCAS.loginId, LUCAS.password, LUCAS.email);
    await page.getByRole('heading', { level: 1, name: /Bonjour/ }).waitFor();
    await page.getByText('Aucun nouveau document ces 30 derniers jours.').waitFor();
    await page.getByText('Espace ouvert :').waitFor();
    await expectAccessible(page, 'home');
    await shoot(page, 'home');
  });

  it('adds a PDF with its progress, lists it by category, finds it by title and views it inline', async () => {
    await page.getByRole('link', { name: 'Documents', exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Documents' }).waitFor();
    await page.getByRole('button', { name: 'Ajouter un document' }).click();
    await page.setInputFiles('#doc-file', { name: 'bilan-sanguin.pdf', mimeType: 'application/pdf', buffer: await pdf('Bilan sanguin du 3 mars') });
    await page.locator('input[name=title]').fill('Bilan sanguin de mars');
    await page.locator('select[name=typeCode]').selectOption('DOCPAT05');
    await expectAccessible(page, 'documents (upload form)');
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.getByText('« Bilan sanguin de mars » a été ajouté à vos documents.').waitFor();
    await page.getByRole('button', { name: 'Ajouter un document' }).click();
    await page.setInputFiles('#doc-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Questions pour le Dr Bernard :\n- douleurs au genou\n- vaccin grippe ?\n') });
    await page.locator('input[name=title]').fill('Questions pour la consultation');
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.getByText('« Questions pour la consultation » a été ajouté').waitFor();
    await page.getByText('2 documents').waitFor();
    await expect(page.getByText('Ajouté par vous').count()).resolves.toBe(2);

    await page.locator('#doc-search').fill('bilan');
    await page.getByText('1 document', { exact: true }).waitFor();
    await page.locator('#doc-search').fill('');
    await page.getByRole('combobox', { name: 'Catégorie' }).selectOption({ label: 'Comptes rendus (1)' });
    await page.waitForURL(/categorie=10/);
    await page.getByText('1 document', { exact: true }).waitFor();
    await expectAccessible(page, 'documents');
    await shoot(page, 'documents');

    await page.getByRole('link', { name: 'Bilan sanguin de mars' }).click();
    await page.getByRole('heading', { level: 1, name: 'Bilan sanguin de mars' }).waitFor();
    const frame = page.locator('iframe.carnet-viewer__pdf');
    await frame.waitFor();
    expect(await frame.getAttribute('src')).toMatch(/^blob:/);
    await page.waitForTimeout(1000);
    await expectAccessible(page, 'document view');
    await shoot(page, 'document');
  });

  it('masks, edits and explains who can see a document; deletes one of its own', async () => {
    await page.getByRole('button', { name: 'Masquer aux professionnels' }).click();
    await page.getByText('Le document est masqué aux professionnels.').waitFor();
    await page.locator('.fr-badge', { hasText: 'Masqué aux professionnels' }).first().waitFor();
    await page.getByRole('button', { name: 'Modifier' }).click();
    await page.locator('input[name=title]').fill('Bilan sanguin – mars');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('heading', { level: 1, name: 'Bilan sanguin – mars' }).waitFor();
    await page.getByRole('button', { name: 'Afficher qui peut le voir' }).click();
    await page.getByRole('heading', { name: /^Le voient/ }).waitFor();
    await expectAccessible(page, 'document (masked, who can see)');
    await shoot(page, 'document-masked');

    await page.goto(`${carnet.base}/documents`);
    await page.getByRole('link', { name: 'Questions pour la consultation' }).click();
    await page.locator('pre.carnet-viewer__text').filter({ hasText: 'douleurs au genou' }).waitFor();
    await page.getByRole('button', { name: 'Supprimer' }).click();
    await page.getByRole('button', { name: 'Oui, supprimer' }).click();
    await page.waitForURL(/\/documents$/);
    await page.getByText('1 document', { exact: true }).waitFor();
    await page.locator('.fr-badge', { hasText: 'Masqué aux professionnels' }).waitFor();
  });

  it('shows the access settings with the emergency dependency rule, the history with filters and the notification preferences', async () => {
    await page.getByRole('link', { name: 'Accès', exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Accès à mon dossier' }).waitFor();
    await expectAccessible(page, 'access');
    const masked = page.getByRole('checkbox', { name: 'Inclure mes documents masqués' });
    expect(await masked.isDisabled()).toBe(false);
    await page.getByText('Médecins régulateurs du SAMU (centre 15)').click();
    await page.getByText('Réglage enregistré.').waitFor();
    await page.getByText('Bris de glace', { exact: true }).click();
    await expect.poll(() => masked.isDisabled()).toBe(true);
    expect(await masked.isChecked()).toBe(false);
    await shoot(page, 'access-emergency-off');
    await page.getByText('Médecins régulateurs du SAMU (centre 15)').click();
    await expect.poll(() => masked.isDisabled()).toBe(false);
    await page.getByText('Bris de glace', { exact: true }).click();
    await expect.poll(async () => (await page.getByRole('checkbox', { name: 'Bris de glace' }).isChecked()) && !(await page.getByRole('checkbox', { name: 'Bris de glace' }).isDisabled())).toBe(true);
    await shoot(page, 'access');

    await page.getByRole('link', { name: 'Historique', exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Historique des activités' }).waitFor();
    await page.getByText('Ajout d’un document').first().waitFor();
    await page.getByText('Modification des réglages d’urgence').first().waitFor();
    // A document action names the document (as the patient sees it now); no action shows a raw name.
    await page.locator('.carnet-trace__item a', { hasText: '« Bilan sanguin – mars »' }).first().waitFor();
    for (const line of await page.locator('.carnet-trace__item p:nth-child(3)').allTextContents()) expect(line).not.toMatch(/\b[a-z]+_[a-z_]+\b/);
    await page.getByRole('combobox', { name: 'Qui' }).selectOption('professional');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.getByText('Aucune activité pour ces critères.').waitFor();
    await page.getByRole('combobox', { name: 'Qui' }).selectOption('patient');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.getByText('Activation de l’espace').waitFor();
    await expectAccessible(page, 'history');
    await shoot(page, 'history');

    await page.getByRole('link', { name: 'Notifications', exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    await page.getByText('Chaque nouveau document').click();
    await page.getByText('Réglage enregistré.').waitFor();
    await expectAccessible(page, 'notifications');
    await shoot(page, 'notifications');
  });

  it('downloads all the data of the space as one ZIP', async () => {
    await page.getByRole('link', { name: 'Mes données', exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Télécharger toutes mes données' }).waitFor();
    await expectAccessible(page, 'my data');
    await shoot(page, 'my-data');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Télécharger (ZIP)' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^carnet-export-\d{4}-\d{2}-\d{2}\.zip$/);
    const path = await download.path();
    const { unzipSync } = await import('fflate');
    const { readFileSync } = await import('node:fs');
    const files = Object.keys(unzipSync(new Uint8Array(readFileSync(path))));
    expect(files).toEqual(expect.arrayContaining(['LISEZMOI.txt', 'documents.json', 'historique.json', 'profil/antecedents.json']));
    expect(files.some((f) => f.startsWith('documents/'))).toBe(true);
  });

  it('states the consequences of closing, closes and reopens the space', async () => {
    await page.getByRole('link', { name: 'Fermer l’espace', exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Fermer mon espace' }).waitFor();
    await page.getByText('Les données sont archivées pendant 10 ans').waitFor();
    expect(await page.getByRole('button', { name: 'Fermer l’espace' }).isDisabled()).toBe(true);
    await expectAccessible(page, 'closure');
    await shoot(page, 'closure');
    await page.getByText('J’ai lu ces conséquences').click();
    await page.getByRole('button', { name: 'Fermer l’espace' }).click();
    await page.getByText(/L’espace est fermé\. Ses données sont archivées jusqu’au/).waitFor();
    await expectAccessible(page, 'closure done');
    await page.getByRole('button', { name: 'Rouvrir l’espace' }).click();
    await page.getByRole('button', { name: 'Fermer l’espace' }).waitFor();
  });

  it('lets a parent switch to their child’s space, always saying whose space is open', async () => {
    await page.getByRole('button', { name: 'Se déconnecter' }).first().click();
    await page.waitForURL(/\/connexion/);
    await signInPatient(page, carnet.base, CLAIRE.loginId, CLAIRE.password, CLAIRE.email);
    await page.getByText('Espace ouvert :').waitFor();
    expect(await page.locator('#carnet-space-open').textContent()).toContain('Claire MARTIN');
    await page.getByLabel('Changer d’espace').selectOption({ label: 'Léo MARTIN (représentant légal)' });
    await page.getByRole('heading', { level: 1, name: 'Espace de Léo MARTIN' }).waitFor();
    expect(await page.locator('#carnet-space-open').textContent()).toContain('Léo MARTIN');
    await expectAccessible(page, 'home (child’s space)');
    await shoot(page, 'home-child');
    await page.getByRole('link', { name: 'Documents', exact: true }).first().click();
    await page.getByText('Aucun document pour le moment.').waitFor();
    expect(await page.locator('#carnet-space-open').textContent()).toContain('Léo MARTIN');
    expect(problems).toEqual([]);
  });
});

/**
 * A caregiver (aidant) end to end in Chromium: Claire MARTIN invites another Carnet user by
 * identifier and date of birth; he reads the e-mail, accepts at /aidants/invitations, switches
 * to Claire's space (the banner always says whose space is open and in which role), sees her
 * documents and adds one; he is not offered what an aidant may not do (access settings,
 * notifications, aidants, closure, masking, deleting, downloading) and a direct visit to those
 * pages is refused clearly; Claire sees him as her aidant; he withdraws. Every page passes axe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { DEMO } from '../../src/dev/demo-data.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { expectAccessible, HAS_CHROMIUM, launchChromium, shoot, signInPatient, startCarnet, waitForMail, watchedPage } from './harness.ts';
import type { Carnet } from './harness.ts';

const CLAIRE = { ...DEMO.patient, email: 'claire.martin@demo.carnet.example' };
const MARC = { loginId: 'marc.dubois', password: 'Aidant-Fidele-73!', birthDate: '1979-09-30', email: 'marc.dubois@demo.carnet.example', name: 'Marc DUBOIS' };

async function pdf(text: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  page.drawText(text, { x: 60, y: 760, size: 18, font: await doc.embedFont(StandardFonts.Helvetica) });
  return Buffer.from(await doc.save());
}

/** The links of the header's main navigation (what the open space offers). */
async function navLinks(page: Page): Promise<string[]> {
  return (await page.locator('.fr-header .fr-nav a.fr-nav__link, .fr-header .fr-nav button.fr-nav__btn').allTextContents()).map((s) => s.trim());
}

describe.skipIf(!HAS_CHROMIUM)('portal, a caregiver’s rights and limits (Chromium)', { timeout: 60_000 }, () => {
  let carnet: Carnet;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[][] = [];
  let claire: Page;
  let marc: Page;

  async function newPage(): Promise<Page> {
    const w = await watchedPage(browser);
    contexts.push(w.context);
    problems.push(w.problems);
    return w.page;
  }

  beforeAll(async () => {
    [carnet, browser] = await Promise.all([startCarnet(), launchChromium()]);
    // Another adult with an activated space, as the API tests make them.
    const m = await insertActivePatient(carnet.db, { loginId: MARC.loginId, password: MARC.password, birthDate: MARC.birthDate, email: MARC.email, sex: 'M' });
    await carnet.db.query('UPDATE patients SET birth_given_names = $2, birth_name = $3 WHERE patient_id = $1', [m.patientId, 'Marc', 'DUBOIS']);
    claire = await newPage();
    marc = await newPage();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await carnet?.close();
  });

  it('lets Claire invite a caregiver by identifier and date of birth', async () => {
    await signInPatient(claire, carnet.base, CLAIRE.loginId, CLAIRE.password, CLAIRE.email);
    expect(await navLinks(claire)).toEqual(expect.arrayContaining(['Accès', 'Notifications', 'Aidants', 'Fermer l’espace']));
    await claire.getByRole('link', { name: 'Aidants', exact: true }).first().click();
    await claire.getByRole('heading', { level: 1, name: 'Aidants' }).waitFor();
    await claire.getByText('Aucun aidant ni invitation.').waitFor();
    await expectAccessible(claire, 'aidants (empty)');
    await claire.locator('input[name=loginId]').fill(MARC.loginId);
    await claire.locator('input[name=birthDate]').fill(MARC.birthDate);
    await claire.getByRole('button', { name: 'Inviter', exact: true }).click();
    await claire.getByText('Invitation enregistrée.').waitFor();
    await claire.getByRole('heading', { name: `Identifiant « ${MARC.loginId} »` }).waitFor();
    await claire.locator('.fr-badge', { hasText: 'En attente' }).waitFor();
    await expectAccessible(claire, 'aidants (pending invitation)');
    await shoot(claire, 'aidants');
  });

  it('lets the invitee accept from the page the e-mail links to, then switch to Claire’s space', async () => {
    const { match: link } = await waitForMail(carnet.base, MARC.email, /(https?:\/\/\S+\/aidants\/invitations)\b/);
    expect(link).toBe(`${carnet.base}/aidants/invitations`);
    await signInPatient(marc, carnet.base, MARC.loginId, MARC.password, MARC.email);
    await marc.goto(link);
    await marc.getByRole('heading', { level: 1, name: 'Invitations à être aidant' }).waitFor();
    await marc.getByText('Claire MARTIN vous invite à être son aidant.').waitFor();
    await marc.getByText('Vous n’êtes l’aidant de personne pour le moment.').waitFor();
    await expectAccessible(marc, 'invitations');
    await shoot(marc, 'aidant-invitations');
    await marc.getByRole('button', { name: 'Accepter', exact: true }).click();
    await marc.getByText('Vous êtes maintenant l’aidant de Claire MARTIN.').waitFor();
    await marc.getByText('Aucune invitation en attente.').waitFor();
    await marc.getByRole('heading', { level: 3, name: 'Claire MARTIN' }).waitFor();
    await expectAccessible(marc, 'invitations (accepted)');

    // The switch: his own space, and now Claire's, in the role of aidant.
    expect(await marc.locator('#carnet-space-open').textContent()).toContain(MARC.name);
    await marc.goto(`${carnet.base}/accueil`);
    await marc.getByLabel('Changer d’espace').selectOption({ label: 'Claire MARTIN (aidant)' });
    await marc.getByRole('heading', { level: 1, name: 'Espace de Claire MARTIN' }).waitFor();
    const banner = await marc.locator('#carnet-space-open').textContent();
    expect(banner).toContain('Claire MARTIN');
    expect(banner).toContain('vous en êtes l’aidant');
    await expectAccessible(marc, 'home (aidé’s space)');
    await shoot(marc, 'aidant-home');
  });

  it('shows the caregiver Claire’s documents and lets him add one, offering nothing an aidant may not do', async () => {
    const links = await navLinks(marc);
    expect(links).toEqual(expect.arrayContaining(['Accueil', 'Documents', 'Profil médical']));
    for (const denied of ['Accès', 'Notifications', 'Aidants', 'Fermer l’espace']) expect(links, `nav offers ${denied}`).not.toContain(denied);
    expect(await marc.getByRole('link', { name: /^Accès/ }).count()).toBe(0);

    await marc.getByRole('link', { name: 'Documents', exact: true }).first().click();
    await marc.getByRole('heading', { level: 1, name: 'Documents' }).waitFor();
    // The attestation of his designation is in Claire's documents.
    await marc.getByRole('link', { name: /aidant/i }).first().waitFor();
    await marc.getByRole('button', { name: 'Ajouter un document' }).click();
    await marc.setInputFiles('#doc-file', { name: 'ordonnance.pdf', mimeType: 'application/pdf', buffer: await pdf('Ordonnance du Dr Bernard') });
    await marc.locator('input[name=title]').fill('Ordonnance de Claire (scannée)');
    await marc.getByRole('button', { name: 'Envoyer' }).click();
    await marc.getByText('« Ordonnance de Claire (scannée) » a été ajouté à vos documents.').waitFor();
    expect(await marc.locator('#carnet-space-open').textContent()).toContain('Claire MARTIN');
    await expectAccessible(marc, 'documents (aidant)');
    await shoot(marc, 'aidant-documents');

    await marc.getByRole('link', { name: 'Ordonnance de Claire (scannée)' }).click();
    await marc.getByRole('heading', { level: 1, name: 'Ordonnance de Claire (scannée)' }).waitFor();
    await marc.locator('iframe.carnet-viewer__pdf').waitFor();
    for (const denied of ['Masquer aux professionnels', 'Supprimer']) expect(await marc.getByRole('button', { name: denied }).count(), `offers ${denied}`).toBe(0);
    expect(await marc.getByRole('link', { name: 'Télécharger' }).count()).toBe(0);
    await expectAccessible(marc, 'document (aidant)');
  });

  it('refuses clearly, without a crash, a direct visit to the pages an aidant may not use', async () => {
    for (const [path, title] of [
      ['/acces', 'Accès à mon dossier'],
      ['/notifications', 'Notifications'],
      ['/aidants', 'Aidants'],
      ['/cloture', 'Fermer mon espace'],
    ] as const) {
      await marc.goto(`${carnet.base}${path}`);
      await marc.getByRole('heading', { level: 1, name: title }).waitFor();
      await marc.getByText('Cette page ne vous est pas ouverte').waitFor();
      await marc.getByText(/Vous êtes l’aidant de Claire MARTIN/).waitFor();
      expect(await marc.locator('#carnet-space-open').textContent()).toContain('Claire MARTIN');
      expect(await marc.locator('main button').count(), `${path} offers an action`).toBe(0);
    }
    await expectAccessible(marc, 'refusal');
    await shoot(marc, 'aidant-refusal');
  });

  it('shows Claire her aidant and what he added; the caregiver withdraws', async () => {
    await claire.reload();
    await claire.getByRole('heading', { name: MARC.name }).waitFor();
    await claire.locator('.fr-badge', { hasText: 'Aidant' }).first().waitFor();
    await claire.goto(`${carnet.base}/documents`);
    await claire.getByText(`Ajouté par un aidant (${MARC.name})`).waitFor();

    await marc.goto(`${carnet.base}/aidants/invitations`);
    await marc.getByRole('button', { name: 'Me retirer', exact: true }).click();
    await marc.getByRole('button', { name: 'Oui, me retirer' }).click();
    await marc.getByText('Vous n’êtes plus l’aidant de Claire MARTIN.').waitFor();
    await marc.getByText('Vous n’êtes l’aidant de personne pour le moment.').waitFor();
    expect(await marc.locator('#carnet-space-open').textContent()).toContain(MARC.name);
    expect(await marc.getByLabel('Changer d’espace').count()).toBe(0);
    for (const p of problems) expect(p).toEqual([]);
  });
});

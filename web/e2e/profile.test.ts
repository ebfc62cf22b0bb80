/**
 * The medical profile end to end in Chromium, as Claire MARTIN: a few health history sections
 * (an allergy, "not concerned", the blood group, lifestyle), weights in kg and lb and an HbA1c
 * with its target seen on the chart, a vaccination and the vaccination history document, a
 * trusted person (and its replacement), the profile synthesis; a physician then records a
 * vaccination from her record. Every page passes axe; photographed at phone and desktop widths.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO } from '../../src/dev/demo-data.ts';
import { expectAccessible, HAS_CHROMIUM, launchChromium, shoot, signInPatient, signInProfessional, startCarnet, watchedPage } from './harness.ts';
import type { Carnet } from './harness.ts';

const CLAIRE = { ...DEMO.patient, email: 'claire.martin@demo.carnet.example' };

/** A datetime-local value `days` ago, at 08:30. */
const daysAgo = (days: number) => `${new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10)}T08:30`;

describe.skipIf(!HAS_CHROMIUM)('portal, the medical profile (Chromium)', { timeout: 60_000 }, () => {
  let carnet: Carnet;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[][] = [];
  let page: Page;
  let claireId = '';

  async function newPage(): Promise<Page> {
    const w = await watchedPage(browser);
    contexts.push(w.context);
    problems.push(w.problems);
    return w.page;
  }

  beforeAll(async () => {
    [carnet, browser] = await Promise.all([startCarnet(), launchChromium()]);
    claireId = (await carnet.db.query<{ patient_id: string }>('SELECT patient_id FROM patient_ins WHERE matricule = $1', [DEMO.patient.matricule]))[0]?.patient_id ?? '';
    page = await newPage();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await carnet?.close();
  });

  it('fills health history sections: an allergy, “not concerned” with its date, the blood group, the lifestyle', async () => {
    await signInPatient(page, carnet.base, CLAIRE.loginId, CLAIRE.password, CLAIRE.email);
    await page.getByRole('button', { name: 'Profil médical' }).first().click();
    await page.getByRole('link', { name: 'Antécédents et mode de vie' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Profil médical' }).waitFor();
    await expectAccessible(page, 'profile (empty)');

    await page.getByRole('button', { name: 'Ajouter', exact: true }).nth(4).click();
    await page.getByRole('heading', { name: 'Ajouter – Allergies et intolérances' }).waitFor();
    await page.locator('input[name=substance]').fill('Pénicilline');
    await page.locator('select[name=category]').selectOption('medication');
    await page.locator('input[name=reaction]').fill('Urticaire géante');
    await page.locator('select[name=severity]').selectOption('severe');
    await page.locator('input[name=since]').fill('2004');
    await expectAccessible(page, 'profile (allergy form)');
    await page.locator('form[aria-labelledby=allergies-new-title]').getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByRole('heading', { level: 3, name: 'Pénicilline' }).waitFor();
    await page.getByText(/Allergie · Médicament · Réaction : Urticaire géante · Sévère · Depuis : 2004/).waitFor();

    // "Not concerned" by hospitalisations, dated today; then withdrawn and said again.
    await page.getByRole('button', { name: 'Je ne suis pas concerné(e)' }).nth(2).click();
    await page.getByText(/Non concerné\(e\), déclaré le/).waitFor();

    await page.locator('select[name=abo]').selectOption('A');
    await page.locator('select[name=rh]').selectOption('negative');
    await page.locator('input[name=statedOn]').fill('2010-05-03');
    await page.locator('#blood-group').locator('..').getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText('Groupe A négatif, renseigné le 3 mai 2010.').waitFor();

    await page.locator('select[name=tobacco]').selectOption('former');
    await page.locator('select[name=activity]').selectOption('moderate');
    await page.getByText('Végétarien', { exact: true }).click();
    await page.locator('#lifestyle').locator('..').getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText(/^Renseigné le/).waitFor();
    await expectAccessible(page, 'profile (filled)');
    await shoot(page, 'profile');
  });

  it('adds weights in kg and in lb and an HbA1c with its target, and shows them on a chart with the target band', async () => {
    await page.goto(`${carnet.base}/mesures`);
    await page.getByRole('heading', { level: 1, name: 'Mesures' }).waitFor();
    await page.getByText('Aucune mesure pour le moment.').waitFor();
    await expectAccessible(page, 'measures (empty)');
    const add = async (type: string, value: string, unit: string | null, when: string) => {
      await page.locator('select[name=type]').selectOption(type);
      await page.locator('input[name=value]').fill(value);
      if (unit !== null) await page.locator('select[name=unit]').selectOption(unit);
      await page.locator('input[name=effectiveAt]').fill(when);
      await page.getByRole('button', { name: 'Ajouter', exact: true }).click();
      await page.getByText('Mesure ajoutée.').waitFor();
    };
    await add('weight', '64,5', 'kg', daysAgo(60));
    await add('weight', '140', '[lb_av]', daysAgo(30));
    await add('weight', '63.2', 'kg', daysAgo(2));
    // 140 lb = 63.5 kg, kept in kg; the table says what was entered.
    await page.getByRole('cell', { name: '63,5 kg' }).waitFor();
    await page.getByRole('cell', { name: '140 lb' }).waitFor();
    await expect.poll(() => page.locator('svg.carnet-chart circle').count()).toBe(3);

    await add('hba1c', '7.4', '%', daysAgo(90));
    await add('hba1c', '6.8', '%', daysAgo(5));
    await page.locator('input[name=high]').fill('7');
    await page.locator('input[name=low]').fill('6,5');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText('Objectif actuel : 6,5 à 7 %.').waitFor();
    await page.locator('svg.carnet-chart rect.carnet-chart__band').waitFor();
    await page.locator('.fr-badge', { hasText: 'au-dessus de l’objectif' }).waitFor();
    await page.locator('.fr-badge', { hasText: 'dans l’objectif' }).waitFor();
    expect(await page.locator('svg.carnet-chart').getAttribute('role')).toBe('img');
    expect(await page.locator('svg.carnet-chart desc').textContent()).toMatch(/Hémoglobine glyquée \(HbA1c\), 2 valeurs/);
    await expectAccessible(page, 'measures (HbA1c chart)');
    await shoot(page, 'measures-hba1c');
  });

  it('adds a vaccination and generates the vaccination history document', async () => {
    await page.goto(`${carnet.base}/vaccinations`);
    await page.getByRole('heading', { level: 1, name: 'Vaccinations' }).waitFor();
    await page.getByText('Aucune vaccination enregistrée.').waitFor();
    await page.getByRole('button', { name: 'Ajouter une vaccination' }).click();
    await page.locator('select[name=vaccineCode]').selectOption({ index: 1 });
    await page.locator('input[name=date]').fill('2024-10-15');
    await page.locator('input[name=doseNumber]').fill('1');
    await page.locator('input[name=lotNumber]').fill('AB123');
    await page.locator('select[name=route]').selectOption('IM');
    await page.locator('select[name=site]').selectOption('LD');
    await page.locator('input[name=performer]').fill('Dr Sophie Bernard');
    await expectAccessible(page, 'vaccinations (form)');
    await page.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText('Vaccination enregistrée.', { exact: true }).waitFor();
    await page.getByText('1 vaccination', { exact: true }).waitFor();
    await page.getByText(/dose 1 · lot AB123 · intramusculaire · deltoïde gauche · par Dr Sophie Bernard/).waitFor();
    await page.getByRole('button', { name: 'Générer l’historique (PDF)' }).click();
    await page.getByText('L’historique des vaccinations est enregistré dans les documents.').waitFor();
    await expectAccessible(page, 'vaccinations');
    await shoot(page, 'vaccinations');
    await page.getByRole('link', { name: 'Ouvrir l’historique des vaccinations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Historique des vaccinations' }).waitFor();
    await page.locator('iframe.carnet-viewer__pdf').waitFor();
  });

  it('sets a trusted person, offers to replace her rather than add a second one, and generates the profile synthesis', async () => {
    await page.goto(`${carnet.base}/entourage`);
    await page.getByRole('heading', { level: 1, name: 'Entourage et volontés' }).waitFor();
    await expectAccessible(page, 'entourage (empty)');
    await page.getByRole('button', { name: 'Ajouter un contact' }).click();
    await page.locator('select[name=kind]').selectOption('trusted_person');
    await page.locator('select[name=relation]').selectOption('SIB');
    await page.locator('input[name=familyName]').fill('Martin');
    await page.locator('input[name=givenName]').fill('Julie');
    await page.locator('input[name=phone]').fill('06 12 34 56 78');
    await page.locator('form[aria-labelledby=contact-form]').getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByRole('heading', { level: 3, name: 'Julie MARTIN' }).waitFor();
    await page.locator('.fr-badge', { hasText: 'Personne de confiance' }).waitFor();

    await page.getByRole('button', { name: 'Remplacer', exact: true }).click();
    await page.getByText('Julie MARTIN ne sera plus votre personne de confiance').waitFor();
    await page.locator('select[name=relation]').selectOption('FRND');
    await page.locator('input[name=familyName]').fill('Durand');
    await page.locator('input[name=givenName]').fill('Anne');
    await page.locator('input[name=email]').fill('anne.durand@example.org');
    await expectAccessible(page, 'entourage (replace the trusted person)');
    await page.locator('form[aria-labelledby=contact-form]').getByRole('button', { name: 'Remplacer la personne de confiance' }).click();
    await page.getByRole('heading', { level: 3, name: 'Anne DURAND' }).waitFor();
    expect(await page.locator('.fr-badge', { hasText: 'Personne de confiance' }).count()).toBe(1);
    expect(await page.getByRole('heading', { level: 3, name: 'Julie MARTIN' }).count()).toBe(0);

    await page.getByText('Je refuse le don de mes organes et tissus').click();
    await page.locator('#donation-title').locator('..').getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await page.getByText(/Position déclarée le/).waitFor();
    await expectAccessible(page, 'entourage');
    await shoot(page, 'entourage');

    await page.goto(`${carnet.base}/profil`);
    await page.getByRole('button', { name: 'Générer la synthèse PDF' }).click();
    await page.getByText('La synthèse du profil médical est enregistrée dans les documents.').waitFor();
    await page.getByRole('link', { name: 'Ouvrir la synthèse' }).click();
    await page.waitForURL(/\/documents\/[0-9a-f-]{36}$/);
    await page.locator('iframe.carnet-viewer__pdf').waitFor();
  });

  it('lets a physician read the vaccinations and record one from the patient’s record', async () => {
    const sophie = await newPage();
    await signInProfessional(sophie, carnet.base, /BERNARD/);
    await sophie.goto(`${carnet.base}/pro/patients/${claireId}`);
    await sophie.getByText('Le patient, présent, consent à mon accès').click();
    await sophie.getByRole('button', { name: 'Attester le consentement' }).click();
    await sophie.getByRole('heading', { level: 2, name: 'Vaccinations' }).waitFor();
    await sophie.getByText(/dose 1 · lot AB123/).waitFor();
    await sophie.locator('select[name=vaccineCode]').selectOption({ index: 2 });
    await sophie.locator('input[name=lotNumber]').fill('XK-778');
    await sophie.locator('select[name=route]').selectOption('IM');
    await sophie.locator('select[name=site]').selectOption('RD');
    await sophie.locator('input[name=doseNumber]').fill('2');
    await sophie.getByRole('button', { name: 'Ajouter une vaccination' }).click();
    await sophie.getByText('Vaccination enregistrée.', { exact: true }).waitFor();
    await sophie.getByText(/dose 2 · lot XK-778/).waitFor();
    await expectAccessible(sophie, 'professional record with vaccinations');
    await shoot(sophie, 'pro-vaccinations');

    await page.goto(`${carnet.base}/vaccinations`);
    await page.getByText('2 vaccinations', { exact: true }).waitFor();
    await page.getByText('Saisie par un professionnel').waitFor();

    // Read-only: the health history and the entourage & volontés, as the answers allow.
    const history = sophie.locator('section[aria-labelledby=pro-health-history]');
    await history.getByText('Pénicilline').waitFor();
    await history.getByText(/Non concerné\(e\), déclaré le/).waitFor();
    await history.getByText('Groupe A négatif, renseigné le 3 mai 2010.').waitFor();
    const entourage = sophie.locator('section[aria-labelledby=pro-entourage]');
    await entourage.getByText('Anne DURAND').waitFor();
    await entourage.getByText(/^Refuse le don de ses organes et tissus\. Position déclarée le/).waitFor();
    await entourage.getByText('Aucune directive anticipée.').waitFor();
    expect(await sophie.getByRole('button', { name: 'Modifier' }).count()).toBe(1); // only on her own entry
    await expectAccessible(sophie, 'professional record with the profile');
    await shoot(sophie, 'pro-profile');

    // She corrects the lot number of the vaccination she recorded, then deletes it.
    await sophie.getByRole('button', { name: 'Modifier' }).click();
    const edit = sophie.locator('form[aria-labelledby^=pro-vac-edit-]');
    await edit.locator('input[name=lotNumber]').fill('XK-779');
    await expectAccessible(sophie, 'professional record (correcting a vaccination)');
    await edit.getByRole('button', { name: 'Enregistrer' }).click();
    await sophie.getByText('Vaccination modifiée.').waitFor();
    await sophie.getByText(/dose 2 · lot XK-779/).waitFor();
    await sophie.getByRole('button', { name: 'Supprimer' }).click();
    await sophie.getByRole('alertdialog').getByRole('button', { name: 'Supprimer' }).click();
    await sophie.getByText('Vaccination supprimée.').waitFor();
    // The list reloads after the message: wait for it.
    await expect.poll(() => sophie.getByText(/lot XK-779/).count()).toBe(0);
    await sophie.getByText(/dose 1 · lot AB123/).waitFor();
    for (const p of problems) expect(p).toEqual([]);
  });

  it('shows a child’s growth by age once two heights and weights are entered in his space', async () => {
    await page.goto(`${carnet.base}/accueil`);
    await page.getByLabel('Changer d’espace').selectOption({ label: 'Léo MARTIN (représentant légal)' });
    await page.getByRole('heading', { level: 1, name: 'Espace de Léo MARTIN' }).waitFor();
    await page.goto(`${carnet.base}/mesures`);
    await page.getByRole('heading', { level: 1, name: 'Mesures' }).waitFor();
    expect(await page.locator('#carnet-space-open').textContent()).toContain('Léo MARTIN');
    const add = async (type: string, value: string, unit: string, when: string) => {
      await page.locator('select[name=type]').selectOption(type);
      await page.locator('input[name=value]').fill(value);
      await page.locator('select[name=unit]').selectOption(unit);
      await page.locator('input[name=effectiveAt]').fill(when);
      await page.getByRole('button', { name: 'Ajouter', exact: true }).click();
      await page.getByText('Mesure ajoutée.').waitFor();
    };
    await add('height', '128', 'cm', daysAgo(400));
    await add('weight', '26,5', 'kg', daysAgo(400));
    await add('height', '134', 'cm', daysAgo(10));
    await add('weight', '29', 'kg', daysAgo(10));
    const growth = page.locator('section[aria-labelledby=growth-title]');
    await growth.getByRole('heading', { level: 2, name: 'Croissance' }).waitFor();
    await growth.getByRole('heading', { level: 3, name: /^Taille/ }).waitFor();
    await growth.getByRole('heading', { level: 3, name: /^Poids/ }).waitFor();
    const ages = await growth.locator('tbody tr td:first-child').allTextContents();
    expect(ages).toHaveLength(4);
    for (const a of ages) expect(a).toMatch(/^\d+ ans( \d+ mois)?$/);
    expect(new Set(ages).size).toBe(2);
    await growth.getByRole('cell', { name: '134,0 cm' }).or(growth.getByRole('cell', { name: '134 cm' })).first().waitFor();
    expect(await growth.locator('svg.carnet-chart').count()).toBe(2);
    await expectAccessible(page, 'measures (growth)');
    await shoot(page, 'measures-growth');
    for (const p of problems) expect(p).toEqual([]);
  });
});

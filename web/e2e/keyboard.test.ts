/**
 * The portal with the keyboard only, as Claire MARTIN: the skip link comes first and moves
 * focus to the content; the header navigation opens the documents; the search field filters;
 * a confirmation keeps focus inside, Escape closes it and focus returns to the button that
 * opened it; every focused element shows a visible focus ring.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../src/dev/demo-data.ts';
import { HAS_CHROMIUM, axe, launchChromium, signInPatient, startCarnet, watchedPage } from './harness.ts';
import type { Carnet } from './harness.ts';

const CLAIRE = { ...DEMO.patient, email: 'claire.martin@demo.carnet.example' };

/** What is focused now: its tag, id, text or accessible name, and whether its focus ring shows. */
interface Focused {
  tag: string;
  id: string;
  text: string;
  inHeader: boolean;
  ring: boolean;
}

/**
 * What is focused now: its tag, id, text or accessible name, whether it is in the header, and
 * whether its focus ring shows: the DSFR draws some rings on the element itself, others (links
 * enlarged to a tile or a card) on its ::before. A script, as the page runs it (this file has no DOM types).
 */
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (el === null) return { tag: '', id: '', text: '', inHeader: false, ring: false };
  const drawn = (s) => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow !== 'none' && s.boxShadow !== '');
  const ring = drawn(getComputedStyle(el)) || drawn(getComputedStyle(el, '::before'));
  return { tag: el.tagName.toLowerCase(), id: el.id, text: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim(), inHeader: el.closest('header') !== null, ring };
})()`;
const focused = (page: Page): Promise<Focused> => page.evaluate<Focused>(FOCUSED);

/** Presses Tab until the focused element matches, at most `max` times; returns it. */
async function tabTo(page: Page, match: (f: Focused) => boolean, max = 40): Promise<Focused> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (match(f)) return f;
  }
  throw new Error(`Tab never reached the element (last: ${JSON.stringify(await focused(page))})`);
}

describe.skipIf(!HAS_CHROMIUM)('portal, keyboard only (Chromium)', { timeout: 60_000 }, () => {
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

  it('reaches the skip link first, the documents through the header, the search, and a confirmation that keeps focus', async () => {
    await signInPatient(page, carnet.base, CLAIRE.loginId, CLAIRE.password, CLAIRE.email);
    // A document of her own to search for and to (not) delete; set up through the API, as the page would.
    await page.evaluate(async () => {
      const s = (await (await fetch('/api/auth/session')).json()) as { patientId: string; csrfToken: string };
      const f = new FormData();
      f.append('file', new Blob(['Questions pour le Dr Bernard\n'], { type: 'text/plain' }), 'questions.txt');
      f.append('title', 'Questions pour le rendez-vous');
      f.append('typeCode', 'EXPPAT_2');
      f.append('createdOn', new Date().toISOString().slice(0, 10));
      const res = await fetch(`/api/spaces/${s.patientId}/documents`, { method: 'POST', headers: { 'x-csrf-token': s.csrfToken }, body: f });
      if (!res.ok) throw new Error(`upload: ${res.status}`);
    });

    await page.goto(`${carnet.base}/accueil`);
    await page.getByRole('heading', { level: 1, name: /Bonjour/ }).waitFor();
    await page.keyboard.press('Tab');
    const skip = await focused(page);
    expect(skip.text).toBe('Contenu');
    expect(skip.ring, 'focus ring on the skip link').toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focused(page)).id).toBe('contenu');

    // From the top again, through the header to "Documents".
    await page.reload();
    await page.getByRole('heading', { level: 1, name: /Bonjour/ }).waitFor();
    const docsLink = await tabTo(page, (f) => f.tag === 'a' && f.text === 'Documents');
    expect(docsLink.inHeader, 'the header navigation comes before the content').toBe(true);
    expect(docsLink.ring, 'focus ring on the navigation link').toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/documents$/);
    await page.getByRole('heading', { level: 1, name: 'Documents' }).waitFor();
    await expect.poll(async () => (await focused(page)).id).toBe('contenu');

    const search = await tabTo(page, (f) => f.id === 'doc-search');
    expect(search.ring, 'focus ring on the search field').toBe(true);
    await page.keyboard.type('zzz');
    await page.getByText('Aucun document', { exact: true }).waitFor();
    for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('rendez');
    await page.getByText('1 document', { exact: true }).waitFor();

    await tabTo(page, (f) => f.tag === 'a' && f.text === 'Questions pour le rendez-vous');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Questions pour le rendez-vous' }).waitFor();
    const del = await tabTo(page, (f) => f.tag === 'button' && f.text === 'Supprimer');
    expect(del.ring, 'focus ring on a button').toBe(true);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    // Focus is in the confirmation (moved there once it is drawn) and stays there.
    await expect.poll(async () => (await focused(page)).text).toBe('Oui, supprimer');
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Annuler');
    await page.keyboard.press('Tab');
    expect((await focused(page)).text).toBe('Oui, supprimer');
    await page.keyboard.press('Shift+Tab');
    expect((await focused(page)).text).toBe('Annuler');
    expect(await axe(page), 'axe on the confirmation').toEqual([]);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(async () => (await focused(page)).text).toBe('Supprimer');
    await page.getByRole('heading', { level: 1, name: 'Questions pour le rendez-vous' }).waitFor();
    expect(problems).toEqual([]);
  });
});

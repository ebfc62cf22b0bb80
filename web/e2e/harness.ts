/**
 * End-to-end harness: a real Carnet server (buildApp on a fresh embedded PGlite with the demo
 * data, listening on 127.0.0.1) serving the built portal, and Debian's Chromium driven by
 * playwright-core. Every page is checked with axe (WCAG 2.1 AA) and may be photographed at
 * phone and desktop widths into test-output/screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'vitest';
import { buildApp } from '../../src/app.ts';
import type { App, AppDeps } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { cryptoRandom } from '../../src/platform/random.ts';
import { createPgliteDb, migrate } from '../../src/storage/index.ts';
import type { Db } from '../../src/storage/index.ts';
import { loadDemoData } from '../../src/dev/demo-data.ts';
import { startMailWorker } from '../../src/platform/mail/index.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) {
  console.warn(`\n[carnet] The portal's end-to-end tests are SKIPPED: no Chromium at ${CHROMIUM}. Install it with: apt-get install -y chromium\n`);
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SCREENSHOTS = join(ROOT, 'test-output', 'screenshots');

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface Carnet {
  base: string;
  app: App;
  db: Db;
  deps: AppDeps;
  close(): Promise<void>;
}

/** A Carnet server with the demo data, as `npm start` runs it, on a fresh database. */
export async function startCarnet(): Promise<Carnet> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'carnet-e2e-'));
  const base = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    CARNET_DATA_DIR: dataDir,
    CARNET_SECRET: randomBytes(32).toString('base64'),
    CARNET_DEMO: '0',
    CARNET_BASE_URL: base,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
  });
  const db = await createPgliteDb(undefined);
  await migrate(db);
  const deps: AppDeps = { config, db, clock: systemClock, random: cryptoRandom };
  await loadDemoData(deps);
  const app = await buildApp(deps);
  await app.listen({ host: '127.0.0.1', port });
  const stopMail = startMailWorker(deps, { intervalMs: 300 });
  return {
    base,
    app,
    db,
    deps,
    async close() {
      await stopMail();
      await app.close();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface Watched {
  context: BrowserContext;
  page: Page;
  /** Errors the page raised, and Content-Security-Policy refusals: a test expects none. */
  problems: string[];
}

/** A new page in `context` whose script errors and CSP refusals are collected. */
/** A page in a fresh desktop, French browser context (10 s per action), watched for errors. */
export async function watchedPage(browser: Browser): Promise<Watched> {
  const context = await browser.newContext({ viewport: DESKTOP, locale: 'fr-FR' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (/Content.Security.Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
  });
  return { context, page, problems };
}

/** Axe with the WCAG 2.1 A and AA rules: the list of violations, each with its nodes, for the failure message. */
export async function axe(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.map((v) => `${v.id} (${v.impact ?? '?'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(' | ')}`);
}

/** The page passes axe (WCAG 2.1 A and AA) with no violation. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  expect(await axe(page), `axe on ${what}`).toEqual([]);
}

/** Saves `name`-desktop.png and `name`-phone.png (full page), then restores the desktop size. */
export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(150);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

interface Mail {
  id: string;
  to: string;
  subject: string;
  text: string;
}

/** The development mailbox (/dev/mail), newest first: what a person would read. */
export async function mailbox(base: string): Promise<Mail[]> {
  const res = await fetch(`${base}/dev/mail?format=json`);
  return (await res.json()) as Mail[];
}

/** Waits for a message to `to` matching `re` that is not among `seen` ids; returns it and the first match. */
export async function waitForMail(base: string, to: string, re: RegExp, seen: ReadonlySet<string> = new Set()): Promise<{ mail: Mail; match: string }> {
  const t0 = Date.now();
  for (;;) {
    for (const m of await mailbox(base)) {
      if (m.to !== to || seen.has(m.id)) continue;
      const found = re.exec(`${m.subject}\n${m.text}`);
      if (found) return { mail: m, match: found[1] ?? found[0] };
    }
    if (Date.now() - t0 > 15_000) throw new Error(`no e-mail to ${to} matching ${re}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const seenIds = async (base: string): Promise<Set<string>> => new Set((await mailbox(base)).map((m) => m.id));

/** The provisional code of the information e-mail sent to `to`. */
export async function provisionalCode(base: string, to: string): Promise<string> {
  return (await waitForMail(base, to, /\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b/)).match;
}

/** Signs a patient in through the portal's pages: identifier and password, then the code read in their mailbox. */
export async function signInPatient(page: Page, base: string, loginId: string, password: string, email: string): Promise<void> {
  const before = await seenIds(base);
  await page.goto(`${base}/connexion`);
  await page.locator('input[name=identifier]').fill(loginId);
  await page.locator('input[name=password]').fill(password);
  await page.getByRole('button', { name: 'Continuer' }).click();
  await page.locator('input[name=code]').waitFor();
  const { match } = await waitForMail(base, email, /\b(\d{6})\b/, before);
  await page.locator('input[name=code]').fill(match);
  await page.getByRole('button', { name: 'Se connecter' }).last().click();
  await page.waitForURL(/\/accueil/);
}

/** Signs a professional in through the development OpenID Connect provider, picking them by name. */
export async function signInProfessional(page: Page, base: string, name: RegExp): Promise<void> {
  await page.goto(`${base}/pro/patients`);
  await page.getByRole('link', { name: 'Se connecter avec Pro Santé Connect' }).click();
  await page.waitForURL(/\/dev\/oidc\/interaction\//);
  await page.getByLabel(name).check();
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(/\/pro\/patients$/);
  await page.getByText('Connecté en tant que').waitFor();
}

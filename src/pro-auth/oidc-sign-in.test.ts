import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { testApp } from '../../test/helpers.ts';
import type { TestContext } from '../../test/helpers.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { PRO_SESSION_COOKIE } from './professional-principal.ts';
import { PRO_SIGN_IN_COOKIE, safeReturnTo } from './oidc-sign-in-plugin.ts';
import { PRO_SESSION_IDLE_MS } from './pro-session-store.ts';

const GP = DEMO_PROFESSIONALS.generalPractitioner; // Sophie Bernard, 10/SM54, Cabinet médical des Lilas 759990013
const CARDIOLOGIST = DEMO_PROFESSIONALS.cardiologist;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Luhn key appended: a well-formed RPPS (for an idNatPs nobody has in the directory). */
function withLuhn(payload: string): string {
  for (let k = 0; k <= 9; k++) {
    const digits = `${payload}${k}`;
    let sum = 0;
    for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
      let d = Number(digits[i]);
      if (double) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 === 0) return digits;
  }
  throw new Error('unreachable');
}

/** What a browser keeps: cookies by name (paths and domains are all this one server's). */
class Browser {
  readonly cookies = new Map<string, string>();
  readonly setCookieLines: string[] = [];
  constructor(readonly base: string) {}

  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(new URL(url, this.base), { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      this.setCookieLines.push(line);
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now()));
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** Follows redirects by hand until `stop(url)` or a non-redirect; returns the last response and its URL. */
  async follow(start: string | URL, stop: (url: URL) => boolean = () => false): Promise<{ res: Response; url: URL }> {
    let url = new URL(start, this.base);
    for (let hops = 0; hops < 20; hops++) {
      const res = await this.fetch(url);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || location === null) return { res, url };
      url = new URL(location, url);
      if (stop(url)) return { res, url };
    }
    throw new Error('too many redirects');
  }

  async postForm(url: string | URL, fields: Record<string, string>): Promise<Response> {
    return this.fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  }
}

const isCallback = (u: URL) => u.pathname === '/pro/callback';

describeEngines('professional sign-in through the development OpenID Connect provider (real HTTP)', (getDb) => {
  let t: TestContext;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await testApp(getDb(), { config: { baseUrl: base } });
    await loadDemoDirectory(t.db, t.clock);
    await t.app.listen({ port, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t?.app.close();
  });

  /** /pro/login -> provider -> its login screen; returns the browser, the screen and its form actions. */
  async function toLoginScreen(returnTo?: string) {
    const browser = new Browser(base);
    const login = await browser.fetch(`/pro/login${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`);
    expect(login.status, await login.clone().text()).toBe(302);
    const authorize = new URL(login.headers.get('location') ?? '');
    const { res, url } = await browser.follow(authorize);
    expect(res.status).toBe(200);
    expect(url.pathname).toMatch(/^\/dev\/oidc\/interaction\/[A-Za-z0-9_-]+$/);
    const page = await res.text();
    const action = /<form method="post" action="([^"]+\/login)">/.exec(page)?.[1];
    const abort = /<form method="post" action="([^"]+\/abort)">/.exec(page)?.[1];
    if (action === undefined || abort === undefined) throw new Error(`no login form in ${page}`);
    return { browser, authorize, page, action, abort };
  }

  /** Picks a professional on the provider's screen and follows the redirects (consent included) back to Carnet's callback URL. */
  async function pickAndReturn(fields: Record<string, string>, returnTo?: string) {
    const screen = await toLoginScreen(returnTo);
    const picked = await screen.browser.postForm(new URL(screen.action, base), fields);
    expect(picked.status).toBe(303);
    const { url: callback } = await screen.browser.follow(new URL(picked.headers.get('location') ?? '', base), isCallback);
    expect(isCallback(callback)).toBe(true);
    return { ...screen, callback };
  }

  async function signIn(idNatPs: string, returnTo?: string) {
    const flow = await pickAndReturn({ idNatPs }, returnTo);
    const res = await flow.browser.fetch(flow.callback);
    return { ...flow, res };
  }

  it('signs the médecin traitant in (code flow with PKCE, state, nonce) and reaches a protected route', async () => {
    const { browser, authorize, page, res } = await signIn(GP, '/pro?tab=patients');

    // The authorization request Carnet made.
    expect(authorize.origin + authorize.pathname).toBe(`${base}/dev/oidc/auth`);
    const q = authorize.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('carnet-dev');
    expect(q.get('redirect_uri')).toBe(`${base}/pro/callback`);
    expect(q.get('scope')).toBe('openid scope_all');
    expect(q.get('acr_values')).toBe('eidas1');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The provider's screen: French, lists the demo professionals.
    expect(page).toContain('<html lang="fr">');
    expect(page).toContain('Sophie BERNARD');
    expect(page).toContain('Médecin – Médecine générale');
    expect(page).toContain('Karim HADDAD');

    // Back at Carnet: a session cookie, then the requested local page.
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/pro?tab=patients');
    const cookieLine = browser.setCookieLines.find((l) => l.startsWith(`${PRO_SESSION_COOKIE}=`)) ?? '';
    expect(cookieLine).toMatch(/HttpOnly/i);
    expect(cookieLine).toMatch(/SameSite=Lax/i);
    expect(cookieLine).toMatch(/Path=\//);
    expect(cookieLine).not.toMatch(/Secure/i); // http://127.0.0.1
    expect(browser.cookies.has(PRO_SIGN_IN_COOKIE)).toBe(false); // single use

    const me = await browser.fetch('/api/pro/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({
      idNatPs: GP,
      rpps: GP.slice(1),
      familyName: 'BERNARD',
      givenName: 'Sophie',
      professionCode: '10',
      specialtyCode: 'SM54',
      organisationFiness: '759990013',
      via: 'oidc',
      clientId: null,
    });

    // The token is only stored as a keyed hash; the row is keyed by the professional.
    const token = (browser.cookies.get(PRO_SESSION_COOKIE) ?? '').split('.')[1] ?? '';
    const rows = await t.db.query<{ id_nat_ps: string; token_hash: string }>('SELECT id_nat_ps, token_hash FROM professional_sessions WHERE id_nat_ps = $1', [GP]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.token_hash !== token)).toBe(true);

    // The /pro page says who is signed in; the session reports its CSRF token and deadline.
    const home = await browser.fetch('/pro');
    expect(home.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await home.text()).toContain('Sophie BERNARD');
    const session = (await (await browser.fetch('/api/pro/session')).json()) as { idNatPs: string; csrfToken: string; expiresAt: string };
    expect(session.idNatPs).toBe(GP);
    expect(new Date(session.expiresAt).getTime()).toBe(t.clock.now().getTime() + PRO_SESSION_IDLE_MS);
  });

  it('is not signed in without the cookie', async () => {
    const res = await fetch(`${base}/api/pro/me`);
    expect(res.status).toBe(401);
  });

  it('refuses a callback whose state was tampered with, and the sign-in cannot be replayed', async () => {
    const { browser, callback } = await pickAndReturn({ idNatPs: GP });
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state') ?? ''}x`);
    const res = await browser.fetch(tampered);
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain('Connexion refusée');
    expect(page).toContain('href="/pro/login"');
    expect(browser.cookies.has(PRO_SESSION_COOKIE)).toBe(false);

    // The state cookie is spent: the genuine callback now finds no sign-in in progress.
    const again = await browser.fetch(callback);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('Connexion expirée');
    expect(browser.cookies.has(PRO_SESSION_COOKIE)).toBe(false);
  });

  it('refuses a callback arriving in another browser (no state cookie)', async () => {
    const { callback } = await pickAndReturn({ idNatPs: GP });
    const stranger = new Browser(base);
    const res = await stranger.fetch(callback);
    expect(res.status).toBe(400);
    expect(stranger.cookies.has(PRO_SESSION_COOKIE)).toBe(false);
  });

  it('refuses a state cookie that was not signed by Carnet', async () => {
    const { browser, callback } = await pickAndReturn({ idNatPs: GP });
    const signed = browser.cookies.get(PRO_SIGN_IN_COOKIE) ?? '';
    const payload = decodeURIComponent(signed).split('.')[0] ?? '';
    browser.cookies.set(PRO_SIGN_IN_COOKIE, payload); // unsigned copy of the same state
    const res = await browser.fetch(callback);
    expect(res.status).toBe(400);
    expect(browser.cookies.has(PRO_SESSION_COOKIE)).toBe(false);
  });

  it('refuses with a clear page (403) a professional the provider knows but the directory has as inactive', async () => {
    await t.db.query('UPDATE professionals SET active = false WHERE id_nat_ps = $1', [CARDIOLOGIST]);
    try {
      const { browser, page, res } = await signIn(CARDIOLOGIST);
      expect(page).toContain('inactif dans l’annuaire de Carnet'); // still offered by the provider
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const body = await res.text();
      expect(body).toContain('<html lang="fr">');
      expect(body).toContain('Accès refusé');
      expect(body).toContain('inactive');
      expect(body).toContain(CARDIOLOGIST);
      expect(body).toContain('ordre professionnel');
      expect(browser.cookies.has(PRO_SESSION_COOKIE)).toBe(false);
      expect((await browser.fetch('/api/pro/me')).status).toBe(401);
    } finally {
      await t.db.query('UPDATE professionals SET active = true WHERE id_nat_ps = $1', [CARDIOLOGIST]);
    }
  });

  it('refuses with a clear page (403) a professional absent from the directory', async () => {
    const stranger = `8${withLuhn('9990000999')}`;
    const flow = await pickAndReturn({ other: stranger });
    const res = await flow.browser.fetch(flow.callback);
    expect(res.status).toBe(403);
    const body = await res.text();
    expect(body).toContain('ne figurez pas dans l’annuaire');
    expect(body).toContain(stranger);
    expect(flow.browser.cookies.has(PRO_SESSION_COOKIE)).toBe(false);
  });

  it('ends a session already open for a professional deactivated since', async () => {
    const { browser } = await signIn(CARDIOLOGIST);
    expect((await browser.fetch('/api/pro/me')).status).toBe(200);
    await t.db.query('UPDATE professionals SET active = false WHERE id_nat_ps = $1', [CARDIOLOGIST]);
    try {
      expect((await browser.fetch('/api/pro/me')).status).toBe(401);
    } finally {
      await t.db.query('UPDATE professionals SET active = true WHERE id_nat_ps = $1', [CARDIOLOGIST]);
    }
  });

  it('says the sign-in was cancelled when the professional cancels at the provider', async () => {
    const screen = await toLoginScreen();
    const cancelled = await screen.browser.postForm(new URL(screen.abort, base), {});
    expect(cancelled.status).toBe(303);
    const { url } = await screen.browser.follow(new URL(cancelled.headers.get('location') ?? '', base), isCallback);
    expect(url.searchParams.get('error')).toBe('access_denied');
    const res = await screen.browser.fetch(url);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Connexion annulée');
    expect(screen.browser.cookies.has(PRO_SESSION_COOKIE)).toBe(false);
  });

  it('asks again on a malformed national id typed at the provider', async () => {
    const screen = await toLoginScreen();
    const res = await screen.browser.postForm(new URL(screen.action, base), { other: '812345' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('role="alert"');
  });

  it('signs out only with the CSRF token; the cookie no longer works afterwards', async () => {
    const { browser } = await signIn(GP);
    const { csrfToken } = (await (await browser.fetch('/api/pro/session')).json()) as { csrfToken: string };
    const cookie = browser.cookies.get(PRO_SESSION_COOKIE) ?? '';

    const without = await browser.fetch('/pro/logout', { method: 'POST' });
    expect(without.status).toBe(403);
    expect(((await without.json()) as { code: string }).code).toBe('csrf_failed');
    const wrong = await browser.fetch('/pro/logout', { method: 'POST', headers: { 'x-csrf-token': `${csrfToken}x` } });
    expect(wrong.status).toBe(403);
    expect((await browser.fetch('/api/pro/me')).status).toBe(200);

    const ok = await browser.fetch('/pro/logout', { method: 'POST', headers: { 'x-csrf-token': csrfToken } });
    expect(ok.status).toBe(204);
    expect(browser.cookies.has(PRO_SESSION_COOKIE)).toBe(false);
    const replay = await fetch(`${base}/api/pro/me`, { headers: { cookie: `${PRO_SESSION_COOKIE}=${cookie}` } });
    expect(replay.status).toBe(401);
  });

  it('signs out from the /pro page form (csrf field) and lands back on /pro', async () => {
    const { browser } = await signIn(GP);
    const page = await (await browser.fetch('/pro')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    expect(csrf).not.toBe('');
    const res = await browser.postForm('/pro/logout', { csrf });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/pro');
    expect(await (await browser.fetch('/pro')).text()).toContain('Se connecter avec Pro Santé Connect');
    expect((await browser.fetch('/api/pro/me')).status).toBe(401);
  });

  it('publishes the discovery document of a provider shaped like Pro Santé Connect', async () => {
    const res = await fetch(`${base}/dev/oidc/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const d = (await res.json()) as Record<string, unknown>;
    expect(d.issuer).toBe(`${base}/dev/oidc`);
    expect(d.authorization_endpoint).toBe(`${base}/dev/oidc/auth`);
    expect(d.scopes_supported).toEqual(expect.arrayContaining(['openid', 'scope_all']));
    expect(d.claims_supported).toEqual(expect.arrayContaining(['sub', 'SubjectNameID', 'preferred_username', 'family_name', 'given_name', 'SubjectRefPro']));
    expect(d.acr_values_supported).toEqual(['eidas1']);
    expect(d.code_challenge_methods_supported).toEqual(['S256']);
  });
});

describeEngines('professional sign-in when the development provider must not exist', (getDb) => {
  it('in production: /dev/oidc is refused with a clear 404 and /pro/login says sign-in is not configured', async () => {
    const t = await testApp(getDb(), { config: { env: 'production' } });
    try {
      const dev = await t.app.inject({ method: 'GET', url: '/dev/oidc/.well-known/openid-configuration' });
      expect(dev.statusCode).toBe(404);
      expect((dev.json() as { detail: string }).detail).toMatch(/does not exist in production.*Pro Santé Connect/);
      for (const url of ['/dev/oidc', '/dev/oidc/auth?client_id=carnet-dev', '/dev/oidc/interaction/abc']) {
        expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(404);
      }
      const login = await t.app.inject({ method: 'GET', url: '/pro/login' });
      expect(login.statusCode).toBe(503);
      expect(login.body).toContain('PRO_OIDC_ISSUER');
      expect(login.body).toContain('refusé en production');
    } finally {
      await t.app.close();
    }
  });

  it('with PRO_OIDC_* set: no development provider, no discovery at start-up, a clear page when the provider is unreachable', async () => {
    const t = await testApp(getDb(), {
      config: { env: 'production', proOidc: { issuer: 'https://127.0.0.1:1/auth/realms/esante-wallet', clientId: 'carnet', clientSecret: 's3cret' } },
    });
    try {
      expect((await t.app.inject({ method: 'GET', url: '/dev/oidc/.well-known/openid-configuration' })).statusCode).toBe(404);
      const login = await t.app.inject({ method: 'GET', url: '/pro/login' });
      expect(login.statusCode).toBe(503);
      expect(login.body).toContain('Pro Santé Connect est injoignable');
      expect(login.headers['set-cookie']).toBeUndefined();
    } finally {
      await t.app.close();
    }
  });
});

describe('safeReturnTo', () => {
  it('keeps local paths and refuses anything that could leave Carnet', () => {
    expect(safeReturnTo('/pro?tab=patients#top')).toBe('/pro?tab=patients#top');
    expect(safeReturnTo('/api/pro/me')).toBe('/api/pro/me');
    for (const bad of [undefined, '', 'https://evil.example/', '//evil.example/x', '/\\evil.example', 'pro', '/\nx', `/${'a'.repeat(600)}`]) {
      expect(safeReturnTo(bad)).toBe('/pro');
    }
  });
});

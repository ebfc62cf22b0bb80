import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDb, migrate } from '../storage/index.ts';
import type { Db } from '../storage/index.ts';
import { testApp } from '../../test/helpers.ts';
import type { TestContext } from '../../test/helpers.ts';
import { PORTAL_DIST } from './plugin.ts';

// The portal is built by the tests' global setup (scripts/build-portal.ts).
const html = { accept: 'text/html,application/xhtml+xml' };

describe('the portal, served by the server', () => {
  let db: Db;
  let t: TestContext;
  beforeAll(async () => {
    db = await createPgliteDb(undefined);
    await migrate(db);
    t = await testApp(db);
  }, 60_000);
  afterAll(async () => {
    await t.app.close();
    await db.close();
  });

  it('answers every page navigation with index.html, its CSP and no-cache', async () => {
    for (const url of ['/', '/connexion', '/documents/123', '/pro/patients', '/accueil?x=1']) {
      const res = await t.app.inject({ method: 'GET', url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<div id="root">');
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
    }
  });

  it('leaves the API, the server pages and non-HTML requests to their own routes and 404', async () => {
    const api = await t.app.inject({ method: 'GET', url: '/api/nowhere', headers: html });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/problem\+json/);
    const plain = await t.app.inject({ method: 'GET', url: '/nowhere' });
    expect(plain.statusCode).toBe(404);
    expect(plain.json()).toMatchObject({ code: 'not_found' });
    for (const url of ['/fhir/nothing', '/dev/nothing', '/oauth/nothing', '/pro/logout']) {
      const res = await t.app.inject({ method: 'GET', url, headers: html });
      expect(res.body, url).not.toContain('<div id="root">');
    }
    const login = await t.app.inject({ method: 'GET', url: '/pro/login', headers: html });
    expect(login.body).not.toContain('<div id="root">');
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toMatchObject({ status: 'ok' });
  });

  it('serves hashed bundles immutable and pre-compressed, DSFR assets for a day, and 404 for a missing asset', async () => {
    const js = readdirSync(join(PORTAL_DIST, 'assets')).find((f) => /^index-.*\.js$/.test(f));
    expect(js).toBeDefined();
    const res = await t.app.inject({ method: 'GET', url: `/assets/${js}`, headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    const css = await t.app.inject({ method: 'GET', url: '/dsfr/dsfr.min.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['cache-control']).toBe('public, max-age=86400');
    const missing = await t.app.inject({ method: 'GET', url: '/assets/nope-123.js', headers: html });
    expect(missing.statusCode).toBe(404);
    const traversal = await t.app.inject({ method: 'GET', url: '/assets/..%2f..%2fpackage.json' });
    expect([400, 403, 404]).toContain(traversal.statusCode);
  });
});

import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT, base64url } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeEngines } from '../../test/engines.ts';
import { testApp } from '../../test/helpers.ts';
import type { TestContext } from '../../test/helpers.ts';
import { cryptoRandom } from '../platform/random.ts';
import { createStaffAccount, DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { registerSoftwareClient, revokeSoftwareClient } from './software-clients.ts';
import type { SoftwareClient } from './software-clients.ts';
import { bearerToken, scopeForPath } from './token-bearer.ts';
import { parseTokenForm, TOKEN_RATE_LIMIT } from './token-endpoint.ts';
import { ACCESS_TOKEN_PREFIX, JWT_BEARER_GRANT_TYPE, tokenEndpointUrl } from './token-grant.ts';
import { purgeExpiredTokenState } from './token-store.ts';
import { exchange, postToken, signAssertion, softwareKey } from './token-test-kit.ts';
import type { AssertionInput, SoftwareKey } from './token-test-kit.ts';

const GP = DEMO_PROFESSIONALS.generalPractitioner; // Sophie Bernard, 10/SM54, Cabinet des Lilas 759990013
const NURSE = DEMO_PROFESSIONALS.nurse; // Julien Moreau, 60, Cabinet des Lilas
const PHARMACIST = DEMO_PROFESSIONALS.pharmacist; // Pharmacie du Marché 759990039
const DENTIST = DEMO_PROFESSIONALS.dentist; // no organisation
const LILAS = '759990013';
const GP_CLAIMS = { profession: '10', specialty: 'SM54', organisation: LILAS };

function expectOAuthError(res: LightMyRequestResponse, error: string, status = 400, description?: RegExp): void {
  expect({ status: res.statusCode, body: res.json() as unknown }).toMatchObject({ status, body: { error, error_description: expect.any(String) } });
  if (description) expect((res.json() as { error_description: string }).error_description).toMatch(description);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.headers['cache-control']).toBe('no-store');
}

describeEngines('software access: JWT-bearer grant (RFC 7523)', (getDb) => {
  let t: TestContext;
  let key: SoftwareKey;
  let client: SoftwareClient;
  let aud: string;

  /** An assertion of `client` for the GP, valid now; `over` changes any part. */
  const assertion = (over: Partial<AssertionInput> = {}, k: SoftwareKey = key) =>
    signAssertion(k, { iss: client.clientId, sub: GP, aud, now: t.clock.now(), claims: GP_CLAIMS, ...over });
  const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/pro/me', headers: { authorization: `Bearer ${token}` } });
  const tokenFor = async (a: string): Promise<string> => {
    const res = await exchange(t.app, a);
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { access_token: string }).access_token;
  };
  const register = async (jwks: unknown, organisationFiness = LILAS) =>
    registerSoftwareClient(t.db, { clock: t.clock, random: cryptoRandom }, { name: 'DPI test', organisationFiness, jwks });

  beforeAll(async () => {
    t = await testApp(getDb());
    await loadDemoDirectory(t.db, t.clock);
    key = await softwareKey('ES256');
    client = await register(key.jwks);
    aud = tokenEndpointUrl(t.config);
  });

  describe('a valid assertion', () => {
    it('gets a short-lived bearer token that makes the software act as the professional', async () => {
      const res = await exchange(t.app, await assertion());
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['pragma']).toBe('no-cache');
      const body = res.json() as { access_token: string };
      expect(body).toEqual({ access_token: expect.stringMatching(new RegExp(`^${ACCESS_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`)), token_type: 'Bearer', expires_in: 300, scope: 'api fhir' });

      const who = await me(body.access_token);
      expect(who.statusCode, who.body).toBe(200);
      expect(who.json()).toEqual({
        idNatPs: GP,
        rpps: GP.slice(1),
        familyName: 'BERNARD',
        givenName: 'Sophie',
        professionCode: '10',
        specialtyCode: 'SM54',
        organisationFiness: LILAS,
        via: 'jwt-bearer',
        clientId: client.clientId,
      });
      // Only a keyed hash of the token is stored.
      const rows = await t.db.query<{ token_hash: string }>('SELECT token_hash FROM access_tokens WHERE client_id = $1', [client.clientId]);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((r) => r.token_hash)).not.toContain(body.access_token);
    });

    it('accepts a form with a charset, a narrower scope, an aud list and a matching client_id', async () => {
      const a = await assertion({ aud: ['https://elsewhere.example', aud] });
      const res = await postToken(
        t.app,
        { grant_type: JWT_BEARER_GRANT_TYPE, assertion: a, scope: 'api', client_id: client.clientId },
        { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      );
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ scope: 'api' });
    });

    it('accepts RS256 and PS256 keys, and finds the right key among several without kid', async () => {
      const rsa = await softwareKey('RS256');
      const ps = await softwareKey('PS256');
      const ec = await softwareKey('ES256');
      const multi = await register({ keys: [rsa.publicJwk, ec.publicJwk, key.publicJwk] });
      for (const k of [rsa, key, ec]) {
        const token = await tokenFor(await signAssertion(k, { iss: multi.clientId, sub: GP, aud, now: t.clock.now(), claims: GP_CLAIMS }));
        expect((await me(token)).json()).toMatchObject({ clientId: multi.clientId, via: 'jwt-bearer' });
      }
      const psClient = await register(ps.jwks);
      await tokenFor(await signAssertion(ps, { iss: psClient.clientId, sub: GP, aud, now: t.clock.now(), claims: GP_CLAIMS }));
    });

    it('selects the key by kid', async () => {
      const k1 = await softwareKey('ES256', 'k1');
      const k2 = await softwareKey('ES256', 'k2');
      const c = await register({ keys: [k1.publicJwk, k2.publicJwk] });
      await tokenFor(await signAssertion(k2, { iss: c.clientId, sub: GP, aud, now: t.clock.now(), claims: GP_CLAIMS, kid: 'k2' }));
      // k2's signature under k1's kid: refused.
      const wrongKid = await exchange(t.app, await signAssertion(k2, { iss: c.clientId, sub: GP, aud, now: t.clock.now(), claims: GP_CLAIMS, kid: 'k1' }));
      expectOAuthError(wrongKid, 'invalid_grant', 400, /signature does not verify/);
    });

    it('tolerates a small clock difference', async () => {
      await tokenFor(await assertion({ expIn: -10, iatIn: -60 }));
      await tokenFor(await assertion({ iatIn: 20, nbfIn: 20 }));
    });

    it('omits specialty and iat if the software does', async () => {
      await tokenFor(await assertion({ iatIn: null, claims: { profession: '10', organisation: LILAS } }));
    });
  });

  describe('refusals, each with its RFC error code', () => {
    it('a replayed jti (invalid_grant), also when two uses race; the jti is free again once its assertion expired', async () => {
      const a = await assertion({ jti: 'once' });
      await tokenFor(a);
      expectOAuthError(await exchange(t.app, a), 'invalid_grant', 400, /already used/);
      // Same jti in a fresh assertion: still a replay while the first could be accepted.
      expectOAuthError(await exchange(t.app, await assertion({ jti: 'once' })), 'invalid_grant', 400, /already used/);

      const raced = await assertion({ jti: randomUUID() });
      const answers = await Promise.all([exchange(t.app, raced), exchange(t.app, raced), exchange(t.app, raced)]);
      expect(answers.map((r) => r.statusCode).sort()).toEqual([200, 400, 400]);

      t.clock.advance(6 * 60_000);
      await tokenFor(await assertion({ jti: 'once' }));
    });

    it('an expired assertion (invalid_grant)', async () => {
      expectOAuthError(await exchange(t.app, await assertion({ iatIn: -200, expIn: -60 })), 'invalid_grant', 400, /expired/);
    });

    it('an assertion without exp, or living longer than 5 minutes (invalid_grant)', async () => {
      expectOAuthError(await exchange(t.app, await assertion({ expIn: null })), 'invalid_grant', 400, /"exp"/);
      expectOAuthError(await exchange(t.app, await assertion({ expIn: 600, iatIn: null })), 'invalid_grant', 400, /too far ahead/);
      expectOAuthError(await exchange(t.app, await assertion({ expIn: 3600 })), 'invalid_grant', 400, /too far ahead/);
      // exp close, but issued long before: the assertion was made to live too long.
      expectOAuthError(await exchange(t.app, await assertion({ iatIn: -240, expIn: 120 })), 'invalid_grant', 400, /at most 300 s/);
    });

    it('a future-dated assertion: iat or nbf ahead of our clock (invalid_grant)', async () => {
      expectOAuthError(await exchange(t.app, await assertion({ iatIn: 120, expIn: 200 })), 'invalid_grant', 400, /"iat"/);
      expectOAuthError(await exchange(t.app, await assertion({ nbfIn: 120, expIn: 200 })), 'invalid_grant', 400, /"nbf"/);
    });

    it('a wrong or missing audience (invalid_grant)', async () => {
      for (const wrong of ['https://other.example/oauth/token', `${aud}/`, t.config.baseUrl]) {
        expectOAuthError(await exchange(t.app, await assertion({ aud: wrong })), 'invalid_grant', 400, /"aud" must be/);
      }
      expectOAuthError(await exchange(t.app, await assertion({ aud: [] })), 'invalid_grant', 400, /aud/);
    });

    it('a missing jti (invalid_grant)', async () => {
      expectOAuthError(await exchange(t.app, await assertion({ jti: null })), 'invalid_grant', 400, /no "jti"/);
      expectOAuthError(await exchange(t.app, await assertion({ jti: 'x'.repeat(256) })), 'invalid_grant', 400, /"jti"/);
    });

    it('an unknown client (invalid_client, 401), a missing iss (invalid_grant), a client_id that is not the issuer (invalid_client)', async () => {
      expectOAuthError(await exchange(t.app, await assertion({ iss: 'sw_unknownunknownunknown' })), 'invalid_client', 401, /Unknown client/);
      expectOAuthError(await exchange(t.app, await assertion({ iss: 'not-even-shaped' })), 'invalid_client', 401, /Unknown client/);
      const noIss = await new SignJWT({ sub: GP, aud, ...GP_CLAIMS, jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256' })
        .setExpirationTime(Math.floor(t.clock.now().getTime() / 1000) + 60)
        .sign(key.privateKey);
      expectOAuthError(await exchange(t.app, noIss), 'invalid_grant', 400, /no "iss"/);
      expectOAuthError(await exchange(t.app, await assertion(), { client_id: 'sw_someoneelsesomeoneelse' }), 'invalid_client', 401);
    });

    it('a revoked client (invalid_client, 401), whose live tokens stop working at once', async () => {
      const k = await softwareKey('ES256');
      const c = await register(k.jwks);
      const token = await tokenFor(await signAssertion(k, { iss: c.clientId, sub: GP, aud, now: t.clock.now(), claims: GP_CLAIMS }));
      expect((await me(token)).statusCode).toBe(200);
      expect(await revokeSoftwareClient(t.db, t.clock, c.clientId)).toEqual({ outcome: 'revoked', tokensInvalidated: 1 });
      const after = await me(token);
      expect(after.statusCode).toBe(401);
      expect(after.headers['www-authenticate']).toMatch(/^Bearer realm="carnet", error="invalid_token"/);
      const res = await exchange(t.app, await signAssertion(k, { iss: c.clientId, sub: GP, aud, now: t.clock.now(), claims: GP_CLAIMS }));
      expectOAuthError(res, 'invalid_client', 401, /revoked/);
    });

    it('a bad signature: another key, or a tampered payload (invalid_grant)', async () => {
      const other = await softwareKey('ES256');
      expectOAuthError(await exchange(t.app, await assertion({}, other)), 'invalid_grant', 400, /signature does not verify/);
      const rsa = await softwareKey('RS256');
      expectOAuthError(await exchange(t.app, await assertion({}, rsa)), 'invalid_grant', 400, /signature does not verify/);

      const [h, p, s] = (await assertion()).split('.');
      const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p ?? ''))) as Record<string, unknown>;
      const tampered = base64url.encode(JSON.stringify({ ...claims, sub: DEMO_PROFESSIONALS.nurse, profession: '60', specialty: undefined }));
      expectOAuthError(await exchange(t.app, `${h}.${tampered}.${s}`), 'invalid_grant', 400, /signature does not verify/);
    });

    it('alg none and HS256 (invalid_grant), even with the public key as the HMAC secret', async () => {
      const now = Math.floor(t.clock.now().getTime() / 1000);
      const claims = { iss: client.clientId, sub: GP, aud, exp: now + 60, iat: now, jti: randomUUID(), ...GP_CLAIMS };
      const none = new UnsecuredJWT(claims).encode();
      expectOAuthError(await exchange(t.app, none), 'invalid_grant', 400, /algorithm "none" is not accepted/);
      const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(JSON.stringify(key.publicJwk)));
      expectOAuthError(await exchange(t.app, hs), 'invalid_grant', 400, /algorithm "HS256" is not accepted/);
    });

    it('a professional the client\'s organisation does not employ (invalid_grant)', async () => {
      const pharmacist = await assertion({ sub: PHARMACIST, claims: { profession: '21', organisation: '759990039' } });
      expectOAuthError(await exchange(t.app, pharmacist), 'invalid_grant', 400, /does not list professional 899900000037 at organisation 759990013/);
      const dentist = await assertion({ sub: DENTIST, claims: { profession: '40', organisation: LILAS } });
      expectOAuthError(await exchange(t.app, dentist), 'invalid_grant', 400, /does not list professional/);
    });

    it('an unknown professional, or a sub that is no idNatPs (invalid_grant)', async () => {
      expectOAuthError(await exchange(t.app, await assertion({ sub: '810005173140' })), 'invalid_grant', 400, /No professional 810005173140/);
      expectOAuthError(await exchange(t.app, await assertion({ sub: '10005173140' })), 'invalid_grant', 400, /not an idNatPs/);
    });

    it('an inactive professional (invalid_grant), whose live tokens stop working', async () => {
      const nurse = await assertion({ sub: NURSE, claims: { profession: '60', organisation: LILAS } });
      const token = await tokenFor(nurse);
      expect((await me(token)).json()).toMatchObject({ idNatPs: NURSE, professionCode: '60', specialtyCode: null });
      await t.db.query('UPDATE professionals SET active = false WHERE id_nat_ps = $1', [NURSE]);
      expect((await me(token)).statusCode).toBe(401);
      const again = await assertion({ sub: NURSE, claims: { profession: '60', organisation: LILAS } });
      expectOAuthError(await exchange(t.app, again), 'invalid_grant', 400, /no longer active/);
    });

    it('claims that disagree with the directory (invalid_grant)', async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ ...GP_CLAIMS, profession: '21' }, /"profession" "21" disagrees/],
        [{ ...GP_CLAIMS, specialty: 'SM04' }, /"specialty" "SM04" disagrees/],
        [{ ...GP_CLAIMS, organisation: '759990021' }, /"organisation" "759990021" disagrees/],
        [{ specialty: 'SM54', organisation: LILAS }, /no "profession"/],
        [{ profession: '10', specialty: 'SM54' }, /no "organisation"/],
      ];
      for (const [claims, why] of cases) expectOAuthError(await exchange(t.app, await assertion({ claims })), 'invalid_grant', 400, why);
    });

    it('an unsupported grant type (unsupported_grant_type), a missing grant type or assertion (invalid_request)', async () => {
      expectOAuthError(await postToken(t.app, { grant_type: 'client_credentials' }), 'unsupported_grant_type');
      expectOAuthError(await postToken(t.app, { grant_type: 'password', username: 'x', password: 'y' }), 'unsupported_grant_type');
      expectOAuthError(await postToken(t.app, { assertion: await assertion() }), 'invalid_request', 400, /grant_type is required/);
      expectOAuthError(await postToken(t.app, { grant_type: JWT_BEARER_GRANT_TYPE }), 'invalid_request', 400, /assertion is required/);
      expectOAuthError(await postToken(t.app, { grant_type: JWT_BEARER_GRANT_TYPE, assertion: '' }), 'invalid_request', 400, /assertion is required/);
    });

    it('a malformed assertion (invalid_grant), a repeated parameter (invalid_request), an unknown scope (invalid_scope)', async () => {
      for (const bad of ['garbage', 'a.b.c', 'x.y', `${(await assertion()).split('.').slice(0, 2).join('.')}`]) {
        expectOAuthError(await exchange(t.app, bad), 'invalid_grant', 400, /not a signed JWT/);
      }
      const a = await assertion();
      const repeated = await t.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=${encodeURIComponent(JWT_BEARER_GRANT_TYPE)}&assertion=${a}&assertion=${a}`,
      });
      expectOAuthError(repeated, 'invalid_request', 400, /"assertion" is repeated/);
      expectOAuthError(await exchange(t.app, await assertion(), { scope: 'api admin' }), 'invalid_scope', 400, /"admin"/);
    });

    it('bad input: JSON, another content type or none (400 invalid_request), a huge body (413), GET (404)', async () => {
      const a = await assertion();
      const json = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: JWT_BEARER_GRANT_TYPE, assertion: a } });
      expectOAuthError(json, 'invalid_request', 400, /application\/x-www-form-urlencoded/);
      const text = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'text/plain' }, payload: 'grant_type=x' });
      expectOAuthError(text, 'invalid_request', 400, /application\/x-www-form-urlencoded/);
      const empty = await t.app.inject({ method: 'POST', url: '/oauth/token' });
      expectOAuthError(empty, 'invalid_request', 400);
      const huge = await postToken(t.app, { grant_type: JWT_BEARER_GRANT_TYPE, assertion: 'a'.repeat(200_000) });
      expectOAuthError(huge, 'invalid_request', 413, /larger than 64 KiB/);
      expect((await t.app.inject({ method: 'GET', url: '/oauth/token' })).statusCode).toBe(404);
    });
  });

  describe('access tokens on protected routes', () => {
    it('expire after 5 minutes: 401 with WWW-Authenticate invalid_token', async () => {
      const token = await tokenFor(await assertion());
      t.clock.advance(299_000);
      expect((await me(token)).statusCode).toBe(200);
      t.clock.advance(2_000);
      const res = await me(token);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'unauthenticated' });
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="carnet", error="invalid_token", error_description="[^"]+"$/);
    });

    it('an unknown or malformed bearer token: 401 invalid_token; no token: 401 without it', async () => {
      for (const authorization of [`Bearer ${ACCESS_TOKEN_PREFIX}nope`, 'Bearer not a token', 'Bearer ']) {
        const res = await t.app.inject({ method: 'GET', url: '/api/pro/me', headers: { authorization } });
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/error="invalid_token"/);
      }
      const none = await t.app.inject({ method: 'GET', url: '/api/pro/me' });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toBeUndefined();
    });

    it('a token limited to fhir does not open /api (insufficient_scope)', async () => {
      const res = await exchange(t.app, await assertion(), { scope: 'fhir' });
      const token = (res.json() as { access_token: string }).access_token;
      const who = await me(token);
      expect(who.statusCode).toBe(401);
      expect(who.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    });

    it('leave staff tokens on operator routes alone, and do not open operator routes', async () => {
      const staff = await createStaffAccount(t.db, { clock: t.clock, random: cryptoRandom, config: t.config }, 'operator', 'Exploitation');
      const ok = await t.app.inject({ method: 'GET', url: `/api/operator/professionals/${GP}`, headers: { authorization: `Bearer ${staff.token}` } });
      expect(ok.statusCode, ok.body).toBe(200);
      const token = await tokenFor(await assertion());
      const refused = await t.app.inject({ method: 'GET', url: `/api/operator/professionals/${GP}`, headers: { authorization: `Bearer ${token}` } });
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['www-authenticate']).toBeUndefined();
      // A staff token is no access token.
      expect((await me(staff.token)).headers['www-authenticate']).toMatch(/invalid_token/);
    });

    it('expired rows are purged by the scheduled-job function', async () => {
      await tokenFor(await assertion());
      t.clock.advance(10 * 60_000);
      const purged = await purgeExpiredTokenState(t.db, t.clock.now());
      expect(purged.accessTokens).toBeGreaterThan(0);
      expect(purged.assertionJtis).toBeGreaterThan(0);
      const left = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM access_tokens WHERE expires_at <= $1::timestamptz', [t.clock.now().toISOString()]);
      expect(left[0]?.n).toBe(0);
      expect(await purgeExpiredTokenState(t.db, t.clock.now())).toEqual({ accessTokens: 0, assertionJtis: 0 });
    });
  });

  it('rate-limits the token endpoint per client address (429, OAuth body, Retry-After)', async () => {
    const own = await testApp(getDb());
    try {
      for (let i = 0; i < TOKEN_RATE_LIMIT.max; i++) {
        const res = await postToken(own.app, { grant_type: 'client_credentials' });
        expect(res.statusCode).toBe(400);
      }
      const limited = await postToken(own.app, { grant_type: 'client_credentials' });
      expectOAuthError(limited, 'invalid_request', 429, /Too many/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      // Another address is not affected.
      const other = await own.app.inject({
        method: 'POST',
        url: '/oauth/token',
        remoteAddress: '192.0.2.7',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'grant_type=client_credentials',
      });
      expect(other.statusCode).toBe(400);
    } finally {
      await own.app.close();
    }
  });
});

describe('token endpoint helpers', () => {
  it('parses forms and refuses repeated parameters', () => {
    expect(parseTokenForm('a=1&b=x%20y&c=')).toEqual({ a: '1', b: 'x y', c: '' });
    expect(() => parseTokenForm('a=1&a=2')).toThrow(/"a" is repeated/);
  });

  it('reads bearer headers', () => {
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer abc-_.~+/=')).toBe('abc-_.~+/=');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Bearer a b')).toBe('');
    expect(bearerToken('Bearer')).toBe('');
  });

  it('maps paths to scopes, leaving operator routes alone', () => {
    expect(scopeForPath('/api/pro/me')).toBe('api');
    expect(scopeForPath('/fhir/Patient')).toBe('fhir');
    expect(scopeForPath('/fhir')).toBe('fhir');
    expect(scopeForPath('/fhirx')).toBeNull();
    expect(scopeForPath('/api/operator/professionals')).toBeNull();
    expect(scopeForPath('/health')).toBeNull();
  });
});

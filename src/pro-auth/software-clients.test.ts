import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { ManualClock } from '../platform/clock.ts';
import { cryptoRandom } from '../platform/random.ts';
import { AppError } from '../platform/errors.ts';
import type { Db } from '../storage/index.ts';
import { loadDemoDirectory } from '../identity/index.ts';
import { checkClientJwks, findSoftwareClient, listSoftwareClients, parseClientJwks, registerSoftwareClient, revokeSoftwareClient } from './software-clients.ts';

async function keyPair(alg: 'ES256' | 'RS256'): Promise<{ publicJwk: JWK; privateJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { publicJwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey) };
}

/** The AppError `fn` throws (fails the test if it throws nothing or something else). */
async function refusal(fn: () => Promise<unknown>): Promise<AppError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('checkClientJwks', () => {
  let ec: { publicJwk: JWK; privateJwk: JWK };
  let rsa: { publicJwk: JWK; privateJwk: JWK };
  beforeAll(async () => {
    ec = await keyPair('ES256');
    rsa = await keyPair('RS256');
  });

  it('keeps the public members of RSA and EC P-256 keys, and nothing else', async () => {
    const jwks = await checkClientJwks({ keys: [{ ...ec.publicJwk, kid: 'ec-1', alg: 'ES256', x5t: 'ignored' }, { ...rsa.publicJwk, alg: 'PS256' }] });
    expect(jwks).toEqual({
      keys: [
        { kty: 'EC', crv: 'P-256', x: ec.publicJwk.x, y: ec.publicJwk.y, kid: 'ec-1', alg: 'ES256', use: 'sig' },
        { kty: 'RSA', n: rsa.publicJwk.n, e: rsa.publicJwk.e, alg: 'PS256', use: 'sig' },
      ],
    });
  });

  it('refuses a private key, and says so', async () => {
    for (const jwks of [{ keys: [ec.privateJwk] }, { keys: [ec.publicJwk, rsa.privateJwk] }, { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }]) {
      const e = await refusal(() => checkClientJwks(jwks));
      expect(e.code).toBe('validation_failed');
      expect(e.message).toMatch(/contains a PRIVATE key/);
      expect(e.details[0]?.reason).toMatch(/private key material \("d"|private key material \("k"\)/);
    }
  });

  it('refuses unsupported keys: short RSA, other curves, symmetric or OKP keys, wrong alg, enc keys', async () => {
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const cases: [unknown, RegExp][] = [
      [short, /RSA key of 1024 bits is too short: at least 2048 bits/],
      [p384, /unsupported EC curve "P-384"/],
      [ed, /unsupported key type "OKP"/],
      [{ kty: 'oct' }, /unsupported key type "oct"/],
      [{ ...ec.publicJwk, alg: 'HS256' }, /"alg" "HS256" is not accepted/],
      [{ ...ec.publicJwk, alg: 'RS256' }, /"alg" RS256 does not go with an EC P-256 key/],
      [{ ...rsa.publicJwk, alg: 'ES256' }, /"alg" ES256 does not go with an RSA key/],
      [{ ...ec.publicJwk, use: 'enc' }, /"use" must be "sig"/],
      [{ ...ec.publicJwk, key_ops: ['encrypt'] }, /"key_ops" must include "verify"/],
      [{ ...ec.publicJwk, x: ec.publicJwk.y }, /not a usable public key/],
      [{ kty: 'RSA', e: 'AQAB' }, /needs "n" and "e"/],
    ];
    for (const [key, why] of cases) {
      const e = await refusal(() => checkClientJwks({ keys: [key] }));
      expect(e.code).toBe('validation_failed');
      expect(e.details.map((d) => d.reason).join('; ')).toMatch(why);
      expect(e.details[0]?.field).toBe('keys[0]');
    }
  });

  it('refuses what is not a JWKS', async () => {
    expect((await refusal(() => parseClientJwks('{"keys": ['))).message).toMatch(/is not JSON/);
    expect((await refusal(() => parseClientJwks('[1, 2]'))).message).toMatch(/not a JWKS: expected a JSON object \{"keys"/);
    expect((await refusal(() => parseClientJwks('{"jwks": []}'))).message).toMatch(/not a JWKS/);
    expect((await refusal(() => checkClientJwks(ec.publicJwk))).message).toMatch(/single key, not a key set: wrap it as \{"keys"/);
    expect((await refusal(() => checkClientJwks({ keys: [] }))).message).toMatch(/has no key/);
    expect((await refusal(() => checkClientJwks({ keys: Array.from({ length: 11 }, () => ec.publicJwk) }))).message).toMatch(/at most 10/);
    const dup = await refusal(() => checkClientJwks({ keys: [{ ...ec.publicJwk, kid: 'a' }, { ...rsa.publicJwk, kid: 'a' }] }));
    expect(dup.details).toEqual([{ field: 'keys', reason: 'kid "a" is used by several keys' }]);
  });
});

describeEngines('software clients', (getDb) => {
  let db: Db;
  const clock = new ManualClock();
  const deps = { clock, random: cryptoRandom };
  let jwks: { keys: JWK[] };

  beforeAll(async () => {
    db = getDb();
    await loadDemoDirectory(db, clock);
    jwks = { keys: [(await keyPair('ES256')).publicJwk] };
  });

  it('registers a client for an organisation of the directory, lists and revokes it', async () => {
    const c = await registerSoftwareClient(db, deps, { name: '  DPI   Hôpital Paris-Est ', organisationFiness: '759990021', jwks });
    expect(c).toMatchObject({ clientId: expect.stringMatching(/^sw_[A-Za-z0-9_-]{22}$/), name: 'DPI Hôpital Paris-Est', organisationFiness: '759990021', revokedAt: null });
    expect(await findSoftwareClient(db, c.clientId)).toEqual(c);

    clock.advance(60_000);
    const kid = { keys: [{ ...(await keyPair('ES256')).publicJwk, kid: 'lab-2026' }] };
    const lab = await registerSoftwareClient(db, deps, { name: 'SIL', organisationFiness: '759990013', jwks: kid });
    const listed = await listSoftwareClients(db);
    expect(listed.map((l) => [l.clientId, l.organisationName, l.keyIds.length])).toEqual([
      [c.clientId, 'Hôpital de démonstration Paris-Est', 1],
      [lab.clientId, 'Cabinet médical des Lilas', 1],
    ]);
    expect(listed[0]?.keyIds[0]).toMatch(/^[A-Za-z0-9_-]{43}$/); // RFC 7638 thumbprint
    expect(listed[1]?.keyIds).toEqual(['lab-2026']);

    expect(await revokeSoftwareClient(db, clock, c.clientId)).toEqual({ outcome: 'revoked', tokensInvalidated: 0 });
    expect(await revokeSoftwareClient(db, clock, c.clientId)).toEqual({ outcome: 'already_revoked', tokensInvalidated: 0 });
    expect((await findSoftwareClient(db, c.clientId))?.revokedAt).toEqual(clock.now());
  });

  it('refuses an unknown, malformed or inactive organisation, and a bad name', async () => {
    const unknown = await refusal(() => registerSoftwareClient(db, deps, { name: 'X', organisationFiness: '750712184', jwks }));
    expect(unknown).toMatchObject({ code: 'not_found', message: expect.stringMatching(/No organisation with FINESS 750712184 in the directory/) });
    const malformed = await refusal(() => registerSoftwareClient(db, deps, { name: 'X', organisationFiness: '759990012', jwks }));
    expect(malformed).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/control key/) });
    await db.query("UPDATE organisations SET active = false WHERE finess = '759990047'");
    const inactive = await refusal(() => registerSoftwareClient(db, deps, { name: 'X', organisationFiness: '759990047', jwks }));
    expect(inactive).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/no longer active/) });
    for (const name of ['', '   ', 'x'.repeat(101), 'a\u0007b']) {
      expect(await refusal(() => registerSoftwareClient(db, deps, { name, organisationFiness: '759990013', jwks }))).toMatchObject({ code: 'validation_failed' });
    }
    const count = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM software_clients WHERE name = 'X'");
    expect(count[0]?.n).toBe(0);
  });

  it('refuses to revoke an unknown or malformed client id', async () => {
    expect(await refusal(() => revokeSoftwareClient(db, clock, 'sw_0000000000000000000000'))).toMatchObject({ code: 'not_found' });
    expect(await refusal(() => revokeSoftwareClient(db, clock, "x' OR 1=1"))).toMatchObject({ code: 'bad_request' });
  });
});

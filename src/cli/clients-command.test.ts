import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TEST_DATABASE_URL } from '../../test/engines.ts';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { ManualClock } from '../platform/clock.ts';
import { cryptoRandom } from '../platform/random.ts';
import { migrate, openDatabase } from '../storage/index.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { exchange, signAssertion, softwareKey } from '../pro-auth/token-test-kit.ts';
import { carnet } from '../../test/cli.ts';


const GP = DEMO_PROFESSIONALS.generalPractitioner;
const LILAS = '759990013';

// The CLI opens the database the environment names: an embedded one in a fresh data folder,
// or a PostgreSQL schema of its own (when TEST_DATABASE_URL is set).
for (const engine of ['pglite', 'postgres'] as const) {
  const run = engine === 'postgres' && TEST_DATABASE_URL === undefined ? describe.skip : describe;
  run(`carnet clients [${engine}]`, () => {
    let dir: string;
    let databaseUrl = '';
    let schema: string | undefined;
    const env = () => ({ NODE_ENV: 'test', CARNET_DATA_DIR: join(dir, 'data'), CARNET_SECRET: process.env.CARNET_SECRET, DATABASE_URL: databaseUrl, CARNET_BASE_URL: 'https://carnet.test' });

    /** Opens the database the CLI uses, for the test's own reads and for an HTTP app. */
    async function withDb<T>(fn: (opened: Awaited<ReturnType<typeof openDatabase>>, config: ReturnType<typeof loadConfig>) => Promise<T>): Promise<T> {
      const config = loadConfig(env());
      const opened = await openDatabase(config);
      try {
        await migrate(opened.db);
        return await fn(opened, config);
      } finally {
        await opened.close();
      }
    }

    beforeAll(async () => {
      if (engine === 'postgres') {
        schema = `t_${randomBytes(6).toString('hex')}`;
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(`CREATE SCHEMA ${schema}`);
        await admin.end();
        const url = new URL(TEST_DATABASE_URL as string);
        url.searchParams.set('options', `-c search_path=${schema}`);
        databaseUrl = url.toString();
      }
    });
    afterAll(async () => {
      if (schema !== undefined) {
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(`DROP SCHEMA ${schema} CASCADE`);
        await admin.end();
      }
    });
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'carnet-cli-'));
      vi.stubEnv('CARNET_SECRET', randomBytes(32).toString('base64'));
      for (const [k, v] of Object.entries(env())) vi.stubEnv(k, v);
      await withDb(async ({ db }) => {
        await db.query('DELETE FROM access_tokens');
        await db.query('DELETE FROM assertion_jtis');
        await db.query('DELETE FROM software_clients');
        await loadDemoDirectory(db, new ManualClock(new Date()));
      });
    }, 60_000);
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('registers a client whose key then gets a token for GET /api/pro/me; list; revoke invalidates the token', async () => {
      const key = await softwareKey('ES256', 'dpi-2026');
      const file = join(dir, 'dpi.jwks.json');
      writeFileSync(file, JSON.stringify(key.jwks));

      expect((await carnet('clients', 'list')).out).toMatch(/No software client yet/);
      const added = await carnet('clients', 'add', '--name', 'DPI Cabinet des Lilas', '--organisation', LILAS, '--jwks', file);
      expect(added.err).toBe('');
      expect(added.code).toBe(0);
      const clientId = /^ {2}client_id: +(sw_\S+)$/m.exec(added.out)?.[1] as string;
      expect(clientId).toBeDefined();
      expect(added.out).toMatch(/^ {2}token endpoint: +https:\/\/carnet\.test\/oauth\/token$/m);
      expect(added.out).toContain('grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>');

      const listed = await carnet('clients', 'list');
      expect(listed.code).toBe(0);
      const lines = listed.out.split('\n');
      expect(lines[0]).toMatch(/^client_id\s+name\s+organisation\s+keys\s+created\s+revoked$/);
      expect(lines[2]).toMatch(new RegExp(`^${clientId}\\s+DPI Cabinet des Lilas\\s+759990013 Cabinet médical des Lilas\\s+dpi-2026\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`));

      // The software signs an assertion with its private key and gets a token.
      const token = await withDb(async ({ db }, config) => {
        const clock = new ManualClock(new Date());
        const app = await buildApp({ config, db, clock, random: cryptoRandom });
        try {
          const assertion = await signAssertion(key, {
            iss: clientId,
            sub: GP,
            aud: 'https://carnet.test/oauth/token',
            now: clock.now(),
            claims: { profession: '10', specialty: 'SM54', organisation: LILAS },
            kid: 'dpi-2026',
          });
          const res = await exchange(app, assertion);
          expect(res.statusCode, res.body).toBe(200);
          const accessToken = (res.json() as { access_token: string }).access_token;
          const who = await app.inject({ method: 'GET', url: '/api/pro/me', headers: { authorization: `Bearer ${accessToken}` } });
          expect(who.statusCode, who.body).toBe(200);
          expect(who.json()).toMatchObject({ idNatPs: GP, familyName: 'BERNARD', via: 'jwt-bearer', clientId, organisationFiness: LILAS });
          return accessToken;
        } finally {
          await app.close();
        }
      });

      const revoked = await carnet('clients', 'revoke', clientId);
      expect(revoked).toMatchObject({ code: 0, out: `Client ${clientId} revoked: its assertions are refused from now on; 1 live access token(s) invalidated.` });
      expect((await carnet('clients', 'revoke', clientId)).out).toBe(`Client ${clientId} was already revoked.`);
      expect((await carnet('clients', 'list')).out.split('\n')[2]).toMatch(/Z\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);

      await withDb(async ({ db }, config) => {
        const app = await buildApp({ config, db, clock: new ManualClock(new Date()), random: cryptoRandom });
        try {
          const who = await app.inject({ method: 'GET', url: '/api/pro/me', headers: { authorization: `Bearer ${token}` } });
          expect(who.statusCode).toBe(401);
          expect(who.headers['www-authenticate']).toMatch(/error="invalid_token"/);
        } finally {
          await app.close();
        }
      });
    }, 120_000);

    it('refuses, with a clear message: unreadable file, not a JWKS, a private key, an unsupported key, an unknown FINESS', async () => {
      const write = (name: string, content: unknown) => {
        const path = join(dir, name);
        writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
        return path;
      };
      const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
      const publicJwk = await exportJWK(publicKey);
      const add = (file: string, organisation = LILAS) => carnet('clients', 'add', '--name', 'DPI', '--organisation', organisation, '--jwks', file);

      const missing = await add(join(dir, 'nope.json'));
      expect(missing).toMatchObject({ code: 1, err: expect.stringMatching(/Cannot read the JWKS file .*nope\.json: no such file\./) });
      const folder = await add(dir);
      expect(folder.err).toMatch(/Cannot read the JWKS file .*: it is a folder\./);
      if (process.getuid?.() !== 0) {
        const locked = write('locked.json', { keys: [publicJwk] });
        chmodSync(locked, 0o000);
        expect((await add(locked)).err).toMatch(/permission denied/);
      }

      expect((await add(write('text.json', 'ssh-rsa AAAA...'))).err).toMatch(/text\.json: The JWKS file is not JSON/);
      expect((await add(write('single.json', publicJwk))).err).toMatch(/single key, not a key set: wrap it as \{"keys": \[ <the key> \]\}/);
      expect((await add(write('other.json', { jwk: publicJwk }))).err).toMatch(/not a JWKS: expected a JSON object \{"keys": \[ \.\.\. \]\}/);

      const privateFile = write('private.json', { keys: [await exportJWK(privateKey)] });
      const priv = await add(privateFile);
      expect(priv.code).toBe(1);
      expect(priv.err).toMatch(/contains a PRIVATE key: Carnet must only ever receive public keys/);
      expect(priv.err).toMatch(/keys\[0\]: contains private key material \("d"\)/);

      const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
      expect((await add(write('short.json', { keys: [short] }))).err).toMatch(/RSA key of 1024 bits is too short: at least 2048 bits/);
      const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
      expect((await add(write('p384.json', { keys: [p384] }))).err).toMatch(/unsupported EC curve "P-384": only P-256 \(ES256\) is accepted/);

      const good = write('good.json', { keys: [publicJwk] });
      const unknown = await add(good, '750712184');
      expect(unknown).toMatchObject({ code: 1, err: expect.stringMatching(/No organisation with FINESS 750712184 in the directory/) });
      expect((await add(good, '12345')).err).toMatch(/The organisation FINESS must be 9 characters/);

      const missingOption = await carnet('clients', 'add', '--name', 'DPI', '--jwks', good);
      expect(missingOption.code).not.toBe(0);
      expect((await carnet('clients', 'revoke', 'sw_0000000000000000000000')).err).toMatch(/No software client sw_0000000000000000000000/);
      expect((await carnet('clients', 'list')).out).toMatch(/No software client yet/);
    }, 120_000);
  });
}

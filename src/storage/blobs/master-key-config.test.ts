import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { configRefusal } from '../../../test/config-refusal.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'carnet-master-key-'));
const KEY = Buffer.alloc(32, 9);
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://x@h/db',
  SMTP_URL: 'smtp://h:25',
  CARNET_SECRET: Buffer.alloc(32, 7).toString('base64'),
  PRO_OIDC_ISSUER: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet',
  PRO_OIDC_CLIENT_ID: 'carnet',
  PRO_OIDC_CLIENT_SECRET: 'x',
};

const refusal = configRefusal;

describe('master key configuration', () => {
  it('reads CARNET_MASTER_KEY (base64, 32 bytes)', () => {
    const c = loadConfig({ CARNET_DATA_DIR: dir(), CARNET_MASTER_KEY: KEY.toString('base64') });
    expect(c.masterKey.equals(KEY)).toBe(true);
    expect(c.masterKeyIsGenerated).toBe(false);
  });

  it('refuses a key of the wrong length or not base64, without repeating it', () => {
    for (const bad of [Buffer.alloc(16, 1).toString('base64'), Buffer.alloc(33, 1).toString('base64'), 'x'.repeat(43) + '!', 'not a key']) {
      const e = refusal({ CARNET_DATA_DIR: dir(), CARNET_MASTER_KEY: bad });
      expect(e.details[0]?.field).toBe('CARNET_MASTER_KEY');
      expect(e.message).toMatch(/32 random bytes.*openssl rand -base64 32/);
      expect(e.message).not.toContain(bad);
    }
  });

  it('reads the key from CARNET_MASTER_KEY_FILE, and refuses a missing or malformed file', () => {
    const d = dir();
    const file = join(d, 'key');
    writeFileSync(file, KEY.toString('base64') + '\n', { mode: 0o600 });
    const c = loadConfig({ CARNET_DATA_DIR: d, CARNET_MASTER_KEY_FILE: file });
    expect(c.masterKey.equals(KEY)).toBe(true);
    expect(c.masterKeyIsGenerated).toBe(false);

    expect(refusal({ CARNET_DATA_DIR: d, CARNET_MASTER_KEY_FILE: join(d, 'absent') }).message).toMatch(/CARNET_MASTER_KEY_FILE cannot be read \(ENOENT\)/);
    writeFileSync(file, 'c2hvcnQ=\n');
    expect(refusal({ CARNET_DATA_DIR: d, CARNET_MASTER_KEY_FILE: file }).details[0]?.field).toBe('CARNET_MASTER_KEY_FILE');
    expect(refusal({ CARNET_DATA_DIR: d, CARNET_MASTER_KEY_FILE: file, CARNET_MASTER_KEY: KEY.toString('base64') }).message).toMatch(/both set/);
  });

  it('generates a development key once under the data folder (mode 0600) and reuses it', () => {
    const d = dir();
    const c = loadConfig({ CARNET_DATA_DIR: d });
    expect(c.masterKeyIsGenerated).toBe(true);
    expect(c.masterKey).toHaveLength(32);
    const file = join(d, 'master.key');
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(c.masterKey)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig({ CARNET_DATA_DIR: d }).masterKey.equals(c.masterKey)).toBe(true);
    expect(c.masterKey.equals(c.secret)).toBe(false);
  });

  it('refuses a damaged development key file instead of replacing it', () => {
    const d = dir();
    writeFileSync(join(d, 'master.key'), 'damaged\n');
    expect(refusal({ CARNET_DATA_DIR: d }).message).toMatch(/master\.key is not a master key/);
  });

  it('is required in production, with a message saying how to generate one', () => {
    const d = dir();
    const e = refusal({ ...PRODUCTION, CARNET_DATA_DIR: d });
    expect(e.details[0]?.field).toBe('CARNET_MASTER_KEY');
    expect(e.message).toMatch(/required in production.*CARNET_MASTER_KEY_FILE.*openssl rand -base64 32/);
    // A development key left in the data folder is not taken in production.
    loadConfig({ CARNET_DATA_DIR: d });
    expect(refusal({ ...PRODUCTION, CARNET_DATA_DIR: d }).details[0]?.field).toBe('CARNET_MASTER_KEY');
    const c = loadConfig({ ...PRODUCTION, CARNET_DATA_DIR: d, CARNET_MASTER_KEY: KEY.toString('base64') });
    expect(c).toMatchObject({ env: 'production', masterKeyIsGenerated: false });
  });
});

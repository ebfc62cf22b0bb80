import { mkdtempSync, readFileSync } from 'node:fs';
import { configRefusal } from '../test/config-refusal.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const SECRET = Buffer.alloc(32, 7).toString('base64');
const dir = () => mkdtempSync(join(tmpdir(), 'carnet-config-'));

const refusal = configRefusal;

describe('loadConfig', () => {
  it('gives development defaults: port 3000, embedded database, generated secret kept under the data folder, demo data', () => {
    const d = dir();
    const c = loadConfig({ CARNET_DATA_DIR: d });
    expect(c).toMatchObject({ env: 'development', port: 3000, baseUrl: 'http://localhost:3000', databaseUrl: undefined, smtpUrl: undefined, demo: true, secretIsGenerated: true });
    expect(c.secret).toHaveLength(32);
    expect(Buffer.from(readFileSync(join(d, 'secret.key'), 'utf8').trim(), 'base64').equals(c.secret)).toBe(true);
    // The same secret on the next start (sessions and codes stay valid).
    expect(loadConfig({ CARNET_DATA_DIR: d }).secret.equals(c.secret)).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('refuses unsafe defaults in production, naming the variable to set', () => {
    const base = { NODE_ENV: 'production', CARNET_DATA_DIR: dir() };
    expect(refusal(base).details[0]?.field).toBe('DATABASE_URL');
    expect(refusal({ ...base, DATABASE_URL: 'postgres://x@h/db' }).details[0]?.field).toBe('SMTP_URL');
    expect(refusal({ ...base, DATABASE_URL: 'postgres://x@h/db', SMTP_URL: 'smtp://h:25' }).message).toMatch(/CARNET_SECRET.*openssl rand/);
    expect(refusal({ ...base, DATABASE_URL: 'postgres://x@h/db', SMTP_URL: 'smtp://h:25', CARNET_SECRET: SECRET, CARNET_DEMO: '1' }).details[0]?.field).toBe('CARNET_DEMO');
    expect(refusal({ ...base, DATABASE_URL: 'postgres://x@h/db', SMTP_URL: 'smtp://h:25', CARNET_SECRET: SECRET }).details[0]?.field).toBe('PRO_OIDC_ISSUER');
    const pro = { PRO_OIDC_ISSUER: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet', PRO_OIDC_CLIENT_ID: 'carnet', PRO_OIDC_CLIENT_SECRET: 'x' };
    expect(refusal({ ...base, DATABASE_URL: 'postgres://x@h/db', SMTP_URL: 'smtp://h:25', CARNET_SECRET: SECRET, ...pro, PRO_OIDC_ISSUER: 'http://idp.example' }).details[0]?.field).toBe('PRO_OIDC_ISSUER');
    expect(refusal({ ...base, DATABASE_URL: 'postgres://x@h/db', SMTP_URL: 'smtp://h:25', CARNET_SECRET: SECRET, ...pro }).details[0]?.field).toBe('CARNET_MASTER_KEY');
    const ok = loadConfig({ ...base, DATABASE_URL: 'postgres://x@h/db', SMTP_URL: 'smtp://h:25', CARNET_SECRET: SECRET, ...pro, CARNET_MASTER_KEY: SECRET });
    expect(ok).toMatchObject({ env: 'production', demo: false, secretIsGenerated: false });
  });

  it('rejects malformed values with a message that says what is expected', () => {
    expect(refusal({ PORT: 'eighty' }).details[0]?.field).toBe('PORT');
    expect(refusal({ PORT: '70000' }).details[0]?.field).toBe('PORT');
    expect(refusal({ NODE_ENV: 'staging' }).details[0]?.field).toBe('NODE_ENV');
    expect(refusal({ DATABASE_URL: 'mysql://h/db', CARNET_DATA_DIR: dir() }).details[0]?.field).toBe('DATABASE_URL');
    expect(refusal({ SMTP_URL: 'http://h', CARNET_DATA_DIR: dir() }).details[0]?.field).toBe('SMTP_URL');
    expect(refusal({ CARNET_SECRET: 'c2hvcnQ=' }).details[0]?.field).toBe('CARNET_SECRET');
    expect(refusal({ CARNET_BASE_URL: 'not a url', CARNET_DATA_DIR: dir() }).details[0]?.field).toBe('CARNET_BASE_URL');
    expect(refusal({ LOG_LEVEL: 'loud', CARNET_DATA_DIR: dir() }).details[0]?.field).toBe('LOG_LEVEL');
  });
});

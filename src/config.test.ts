import { mkdtempSync, readFileSync } from 'node:fs';
import { configRefusal } from '../test/config-refusal.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { writeFileSync } from 'node:fs';
import { DEFAULT_MATRIX, rowFor, readsType } from './access/index.ts';

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

  it('takes the authorization matrix from CARNET_MATRIX_FILE (RULES §3.2: configurable), or refuses it naming the problem', () => {
    const d = mkdtempSync(join(tmpdir(), 'carnet-config-'));
    expect(loadConfig({ CARNET_DATA_DIR: d }).matrix).toBe(DEFAULT_MATRIX);
    const raw = JSON.parse(readFileSync(new URL('./access/matrix.json', import.meta.url), 'utf8')) as { rows: Record<string, { types?: string[] }> };
    // An operator's edition: podiatrists no longer read the discharge letter 11490-0 either.
    const podiatrist = raw.rows['80'];
    if (podiatrist === undefined) throw new Error('no podiatrist row');
    podiatrist.types = [...(podiatrist.types ?? []), '11490-0'];
    const file = join(d, 'matrix.json');
    writeFileSync(file, JSON.stringify(raw));
    const m = loadConfig({ CARNET_DATA_DIR: d, CARNET_MATRIX_FILE: file }).matrix;
    const row = rowFor(m, '80', null);
    expect(row && readsType(row, '11490-0')).toBe(false);
    const bundled = rowFor(DEFAULT_MATRIX, '80', null);
    expect(bundled && readsType(bundled, '11490-0')).toBe(true);
    writeFileSync(file, '{"rows": {"99": {}}}');
    expect(() => loadConfig({ CARNET_DATA_DIR: d, CARNET_MATRIX_FILE: file })).toThrow(/Authorization matrix/);
    expect(() => loadConfig({ CARNET_DATA_DIR: d, CARNET_MATRIX_FILE: join(d, 'missing.json') })).toThrow(/cannot read the file/);
  });
});

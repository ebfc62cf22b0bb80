import { mkdtempSync } from 'node:fs';
import { configRefusal } from '../../test/config-refusal.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { relyingPartySettings } from './oidc-relying-party.ts';

const SECRET = Buffer.alloc(32, 7).toString('base64');
const dir = () => mkdtempSync(join(tmpdir(), 'carnet-pro-oidc-config-'));
const PSC = {
  PRO_OIDC_ISSUER: 'https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet',
  PRO_OIDC_CLIENT_ID: 'carnet',
  PRO_OIDC_CLIENT_SECRET: 'not-a-real-secret',
};

const refusal = configRefusal;

describe('configuration of professional sign-in (PRO_OIDC_*)', () => {
  const production = () => ({ NODE_ENV: 'production', CARNET_DATA_DIR: dir(), DATABASE_URL: 'postgres://x@h/db', SMTP_URL: 'smtp://h:25', CARNET_SECRET: SECRET, CARNET_MASTER_KEY: SECRET });

  it('is required in production, where the development provider is refused', () => {
    const e = refusal(production());
    expect(e.details[0]?.field).toBe('PRO_OIDC_ISSUER');
    expect(e.message).toMatch(/PRO_OIDC_CLIENT_ID.*PRO_OIDC_CLIENT_SECRET.*development provider is refused in production/);
    const c = loadConfig({ ...production(), ...PSC });
    expect(c.proOidc).toEqual({ issuer: PSC.PRO_OIDC_ISSUER, clientId: 'carnet', clientSecret: 'not-a-real-secret' });
    expect(Object.isFrozen(c.proOidc)).toBe(true);
    expect(relyingPartySettings(c)).toMatchObject({ clientId: 'carnet', development: false, redirectUri: 'http://localhost:3000/pro/callback' });
  });

  it('defaults to the development provider in development, over plain HTTP on the base URL', () => {
    const c = loadConfig({ CARNET_DATA_DIR: dir(), CARNET_SECRET: SECRET });
    expect(c.proOidc).toBeUndefined();
    const rp = relyingPartySettings(c);
    expect(rp?.issuer.href).toBe('http://localhost:3000/dev/oidc');
    expect(rp).toMatchObject({ clientId: 'carnet-dev', development: true });
    // The client secret derives from the server secret: not a constant anyone can read here.
    expect(rp?.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(relyingPartySettings({ ...c, secret: Buffer.alloc(32, 8) })?.clientSecret).not.toBe(rp?.clientSecret);
    // Empty variables count as unset (as DATABASE_URL and SMTP_URL do).
    expect(loadConfig({ CARNET_DATA_DIR: dir(), CARNET_SECRET: SECRET, PRO_OIDC_ISSUER: '', PRO_OIDC_CLIENT_ID: '', PRO_OIDC_CLIENT_SECRET: '' }).proOidc).toBeUndefined();
  });

  it('has no provider at all for a production config built by hand without PRO_OIDC_*', () => {
    const c = loadConfig({ CARNET_DATA_DIR: dir(), CARNET_SECRET: SECRET }, { env: 'production' });
    expect(relyingPartySettings(c)).toBeNull();
  });

  it('wants the three variables together, and an https issuer', () => {
    const dev = { CARNET_DATA_DIR: dir(), CARNET_SECRET: SECRET };
    expect(refusal({ ...dev, PRO_OIDC_ISSUER: PSC.PRO_OIDC_ISSUER }).details[0]?.field).toBe('PRO_OIDC_CLIENT_ID');
    expect(refusal({ ...dev, PRO_OIDC_ISSUER: PSC.PRO_OIDC_ISSUER, PRO_OIDC_CLIENT_ID: 'carnet' }).details[0]?.field).toBe('PRO_OIDC_CLIENT_SECRET');
    expect(refusal({ ...dev, PRO_OIDC_CLIENT_ID: 'carnet', PRO_OIDC_CLIENT_SECRET: 's' }).details[0]?.field).toBe('PRO_OIDC_ISSUER');
    expect(refusal({ ...dev, ...PSC, PRO_OIDC_ISSUER: 'not a url' }).details[0]?.field).toBe('PRO_OIDC_ISSUER');
    expect(refusal({ ...dev, ...PSC, PRO_OIDC_ISSUER: 'http://auth.example/realm' }).message).toMatch(/https/);
    // A discovery document URL is accepted as the issuer (PSC publishes .well-known/wallet-openid-configuration).
    const wellKnown = 'https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet/.well-known/wallet-openid-configuration';
    expect(loadConfig({ ...dev, ...PSC, PRO_OIDC_ISSUER: wellKnown }).proOidc?.issuer).toBe(wellKnown);
  });
});

import type * as OpenIdClient from 'openid-client';
import type { Config } from '../config.ts';
import { safeEqual } from '../platform/secrets.ts';
import { ACCEPTED_ACRS, PSC_ACR, PSC_SCOPE } from './oidc-claims.ts';
import { devOidcClientSecret, devOidcIssuer, devOidcProviderEnabled, DEV_OIDC_CLIENT_ID, proCallbackUrl } from './oidc-dev-provider.ts';

/**
 * Carnet as OpenID Connect relying party for professionals (openid-client): the authorization
 * code flow with PKCE (S256), state and nonce. The provider's metadata is discovered on the
 * first sign-in (not at start-up) and kept; a failed discovery is retried on the next one.
 */

/** Where and as whom Carnet signs professionals in. */
export interface RelyingPartySettings {
  /** Issuer URL, or the URL of its discovery document. */
  issuer: URL;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** The development provider: plain HTTP allowed, and its login screen shown at every sign-in. */
  development: boolean;
}

/**
 * The configured provider (PRO_OIDC_*), else the development provider; null when there is
 * neither (production without PRO_OIDC_*: loadConfig refuses that, a hand-built config may not).
 */
export function relyingPartySettings(config: Pick<Config, 'env' | 'proOidc' | 'baseUrl' | 'secret'>): RelyingPartySettings | null {
  const redirectUri = proCallbackUrl(config);
  if (config.proOidc !== undefined) {
    const { issuer, clientId, clientSecret } = config.proOidc;
    return { issuer: new URL(issuer), clientId, clientSecret, redirectUri, development: false };
  }
  if (!devOidcProviderEnabled(config)) return null;
  return { issuer: new URL(devOidcIssuer(config)), clientId: DEV_OIDC_CLIENT_ID, clientSecret: devOidcClientSecret(config), redirectUri, development: true };
}

/** What the browser keeps (in a signed cookie) between the redirect to the provider and the callback. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Local path to go to once signed in. */
  returnTo: string;
  /** Epoch ms after which the callback is refused. */
  expiresAt: number;
}

export type SignInOutcome =
  | { kind: 'ok'; subject: string; userinfo: Record<string, unknown> }
  /** The callback's state is not the one this browser started with (forged or mixed-up flow). */
  | { kind: 'state_mismatch' }
  /** The provider answered with an error (the professional cancelled, or it refused). */
  | { kind: 'denied'; error: string; description: string | undefined }
  /** The provider's answer could not be verified, or the provider could not be reached. */
  | { kind: 'failed'; error: unknown };

export interface RelyingParty {
  readonly settings: RelyingPartySettings;
  /** The provider's authorization URL for this sign-in; throws when the provider cannot be reached. */
  authorizationUrl(pending: PendingSignIn): Promise<URL>;
  /** Checks the callback (state, code with PKCE, ID token with nonce and acr) and reads the userinfo. */
  complete(callbackUrl: URL, pending: PendingSignIn): Promise<SignInOutcome>;
}

const TIMEOUT_SECONDS = 10;

type OidcClient = typeof OpenIdClient;

export function createRelyingParty(settings: RelyingPartySettings): RelyingParty {
  // openid-client is loaded, and the provider discovered, on the first sign-in.
  let discovered: Promise<{ oidc: OidcClient; config: OpenIdClient.Configuration }> | undefined;
  const configuration = () => {
    discovered ??= (async () => {
      const oidc = await import('openid-client');
      const config = await oidc.discovery(settings.issuer, settings.clientId, { redirect_uris: [settings.redirectUri] }, oidc.ClientSecretBasic(settings.clientSecret), {
        execute: settings.development ? [oidc.allowInsecureRequests] : [],
        timeout: TIMEOUT_SECONDS,
      });
      return { oidc, config };
    })().catch((e: unknown) => {
      discovered = undefined;
      throw e;
    });
    return discovered;
  };

  return {
    settings,

    async authorizationUrl(pending) {
      const { oidc, config } = await configuration();
      const params: Record<string, string> = {
        redirect_uri: settings.redirectUri,
        scope: PSC_SCOPE,
        acr_values: PSC_ACR,
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
      };
      // The development provider remembers who signed in last; ask it to show its picker again.
      if (settings.development) params.prompt = 'login';
      return oidc.buildAuthorizationUrl(config, params);
    },

    async complete(callbackUrl, pending) {
      const state = callbackUrl.searchParams.get('state');
      if (state === null || !safeEqual(state, pending.state)) return { kind: 'state_mismatch' };
      let oidc: OidcClient | undefined;
      try {
        const discovery = await configuration();
        oidc = discovery.oidc;
        const config = discovery.config;
        const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (claims === undefined) return { kind: 'failed', error: new Error('no ID token in the token response') };
        if (typeof claims.acr !== 'string' || !ACCEPTED_ACRS.includes(claims.acr)) {
          return { kind: 'failed', error: new Error(`ID token acr ${JSON.stringify(claims.acr)} is not one of ${ACCEPTED_ACRS.join(', ')}`) };
        }
        const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        return { kind: 'ok', subject: claims.sub, userinfo: { ...userinfo } };
      } catch (e) {
        if (oidc !== undefined && e instanceof oidc.AuthorizationResponseError) return { kind: 'denied', error: e.error, description: e.error_description };
        return { kind: 'failed', error: e };
      }
    },
  };
}

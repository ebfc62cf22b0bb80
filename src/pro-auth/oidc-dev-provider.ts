import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Account, Configuration, KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { AppDeps } from '../app.ts';
import type { Config } from '../config.ts';
import type { Db } from '../storage/index.ts';
import { AppError } from '../platform/errors.ts';
import { keyedHash } from '../platform/secrets.ts';
import { checkIdNatPs, DEMO_PROFESSIONALS, findProfessional } from '../identity/index.ts';
import { idNatPsOfSubject, PSC_ACR, PSC_USERINFO_CLAIMS, pscSubject, pscUserinfo } from './oidc-claims.ts';
import { describeProfession, devProviderErrorPage, pickerPage, sendHtml as html } from './oidc-pages.ts';
import type { PickableProfessional } from './oidc-pages.ts';

/**
 * The development identity provider: a real OpenID Connect provider (node-oidc-provider)
 * standing in for Pro Santé Connect on the embedded default, mounted inside Carnet at
 * /dev/oidc. Its accounts are the professionals of the directory; its login screen lets you
 * pick a demo professional; it releases the claims PSC releases (oidc-claims.ts). The library
 * owns the protocol, Carnet owns the screens (interactions). Development only: not mounted
 * when a real provider is configured (PRO_OIDC_*), refused in production.
 *
 * Its keys are generated when it first serves a request (not at start-up), its cookie keys
 * derive from the server secret, and its storage is node-oidc-provider's in-memory adapter:
 * a restart forgets its sessions and codes (the library says so loudly; that is fine here).
 */

export const DEV_OIDC_PATH = '/dev/oidc';
/** The client Carnet registers for itself at the development provider. */
export const DEV_OIDC_CLIENT_ID = 'carnet-dev';

export function devOidcIssuer(config: Pick<Config, 'baseUrl'>): string {
  return `${config.baseUrl}${DEV_OIDC_PATH}`;
}

/** The client secret, derived from the server secret: both sides compute it. */
export function devOidcClientSecret(config: Pick<Config, 'secret'>): string {
  return keyedHash(config.secret, 'dev-oidc-client', DEV_OIDC_CLIENT_ID);
}

/** The development provider is mounted when no real provider is configured, outside production. */
export function devOidcProviderEnabled(config: Pick<Config, 'env' | 'proOidc'>): boolean {
  return config.env !== 'production' && config.proOidc === undefined;
}

/** The relying party's redirect URI (routes in oidc-sign-in-plugin.ts). */
export function proCallbackUrl(config: Pick<Config, 'baseUrl'>): string {
  return `${config.baseUrl}/pro/callback`;
}

interface DevProvider {
  provider: Provider;
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

async function createDevProvider(deps: { config: Config; db: Db }): Promise<DevProvider> {
  const { config, db } = deps;
  // Loaded on first use: node-oidc-provider takes a third of a second to import.
  const [{ default: ProviderClass }, { exportJWK, generateKeyPair }] = await Promise.all([import('oidc-provider'), import('jose')]);
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'carnet-dev-oidc-es256' };

  const findAccount = async (_ctx: KoaContextWithOIDC, sub: string): Promise<Account | undefined> => {
    const idNatPs = idNatPsOfSubject(sub);
    if (idNatPs === null) return undefined;
    return {
      accountId: sub,
      claims: async () => ({ ...pscUserinfo(idNatPs, await findProfessional(db, idNatPs)) }),
    };
  };

  const configuration: Configuration = {
    clients: [
      {
        client_id: DEV_OIDC_CLIENT_ID,
        client_secret: devOidcClientSecret(config),
        client_name: 'Carnet (développement)',
        redirect_uris: [proCallbackUrl(config)],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    findAccount,
    scopes: ['openid', 'scope_all'],
    claims: { openid: ['sub'], scope_all: [...PSC_USERINFO_CLAIMS] },
    acrValues: [PSC_ACR],
    pkce: { required: () => true, methods: ['S256'] },
    interactions: { url: (_ctx, interaction) => `${DEV_OIDC_PATH}/interaction/${interaction.uid}` },
    cookies: { keys: [keyedHash(config.secret, 'dev-oidc-cookies', 'v1')] },
    jwks: { keys: [jwk] },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: false } },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = devProviderErrorPage(`Le fournisseur d’identité a refusé la demande : ${out.error}${out.error_description ? ` (${out.error_description})` : ''}.`);
    },
  };
  const provider = new ProviderClass(devOidcIssuer(config), configuration);
  // Its URLs are computed from the request: Carnet tells it the public origin (forwarded
  // headers set from baseUrl below, never taken from the client).
  provider.proxy = true;
  const callback = provider.callback();
  return { provider, handle: async (req, res) => void (await callback(req, res)) };
}

/** Makes a raw request look, to the provider, as if it came to the public base URL. */
function asPublicRequest(req: IncomingMessage, base: URL): IncomingMessage {
  req.headers['x-forwarded-proto'] = base.protocol.slice(0, -1);
  req.headers['x-forwarded-host'] = base.host;
  return req;
}

const LoginBody = Type.Object(
  {
    idNatPs: Type.Optional(Type.String({ maxLength: 32 })),
    other: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);
const UidParams = Type.Object({ uid: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });

const INTERACTION_EXPIRED = 'Cette étape de connexion a expiré ou n’appartient pas à ce navigateur. Recommencez la connexion depuis Carnet.';

/** The demo professionals of the directory, active or not, for the login screen. */
async function pickable(db: Db): Promise<PickableProfessional[]> {
  const found = await Promise.all(Object.values(DEMO_PROFESSIONALS).map((id) => findProfessional(db, id)));
  return found
    .filter((p) => p !== null)
    .map((p) => ({
      idNatPs: p.idNatPs,
      name: `${p.givenName} ${p.familyName}`,
      description: describeProfession(p.professionCode, p.specialtyCode),
      organisation: p.organisation?.name ?? null,
      active: p.active,
    }));
}

/**
 * Mounts the development provider under /dev/oidc (or, when it must not exist, answers there
 * with a 404 that says why). Registered by the professional sign-in plugin.
 */
export const devOidcProviderPlugin: FastifyPluginAsync<AppDeps> = async (fastify: FastifyInstance, deps: AppDeps) => {
  const { config, db } = deps;
  if (!devOidcProviderEnabled(config)) {
    const why =
      config.env === 'production'
        ? 'The development identity provider does not exist in production: professionals sign in through Pro Santé Connect (PRO_OIDC_ISSUER).'
        : 'The development identity provider is not mounted: PRO_OIDC_ISSUER names the provider professionals sign in with.';
    const refuse = async () => {
      throw new AppError('not_found', why);
    };
    fastify.all(DEV_OIDC_PATH, { schema: { hide: true } }, refuse);
    fastify.all(`${DEV_OIDC_PATH}/*`, { schema: { hide: true } }, refuse);
    return;
  }

  if (config.env === 'development') {
    console.warn(
      `\x1b[33m[carnet] WARNING: professionals sign in with the development identity provider at ${devOidcIssuer(config)} (demo professionals, keys and sessions in memory). Set PRO_OIDC_ISSUER, PRO_OIDC_CLIENT_ID and PRO_OIDC_CLIENT_SECRET for Pro Santé Connect.\x1b[0m`,
    );
  }

  const base = new URL(config.baseUrl);
  let created: Promise<DevProvider> | undefined;
  const devProvider = (): Promise<DevProvider> => {
    created ??= createDevProvider(deps).catch((e: unknown) => {
      created = undefined;
      throw e;
    });
    return created;
  };

  // The protocol: every request under /dev/oidc goes to node-oidc-provider untouched (its
  // body unread, its URL relative to the mount point).
  await fastify.register(async (protocol) => {
    protocol.removeAllContentTypeParsers();
    protocol.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const forward = async (request: FastifyRequest, reply: FastifyReply) => {
      const { handle } = await devProvider();
      reply.hijack();
      const raw = asPublicRequest(request.raw, base);
      const url = raw.url ?? DEV_OIDC_PATH;
      Object.assign(raw, { originalUrl: url });
      const rest = url.slice(DEV_OIDC_PATH.length);
      raw.url = rest.startsWith('/') ? rest : `/${rest}`;
      await handle(raw, reply.raw);
    };
    protocol.all(DEV_OIDC_PATH, { schema: { hide: true } }, forward);
    protocol.all(`${DEV_OIDC_PATH}/*`, { schema: { hide: true } }, forward);
  });

  // The screens: Carnet's own routes, with forms.
  await fastify.register(async (screens) => {
    const app = screens.withTypeProvider<TypeBoxTypeProvider>();
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    const tags = ['development'];

    /** The pending interaction of this browser, if it is the one in the URL. */
    const pending = async (request: FastifyRequest, reply: FastifyReply, uid: string) => {
      const { provider } = await devProvider();
      try {
        const details = await provider.interactionDetails(asPublicRequest(request.raw, base), reply.raw);
        return details.uid === uid ? { provider, details } : null;
      } catch {
        return null;
      }
    };
    const loginAction = (uid: string) => `${DEV_OIDC_PATH}/interaction/${uid}/login`;
    const abortAction = (uid: string) => `${DEV_OIDC_PATH}/interaction/${uid}/abort`;

    app.get(
      `${DEV_OIDC_PATH}/interaction/:uid`,
      { schema: { tags, description: 'Development provider: the login screen (pick a demo professional); consent is granted to Carnet’s own client without a screen.', params: UidParams } },
      async (request, reply) => {
        const { uid } = request.params;
        const found = await pending(request, reply, uid);
        if (found === null) return html(reply, 400, devProviderErrorPage(INTERACTION_EXPIRED));
        const { provider, details } = found;
        if (details.prompt.name === 'login') return html(reply, 200, pickerPage(loginAction(uid), abortAction(uid), await pickable(db)));
        if (details.prompt.name === 'consent' && details.params.client_id === DEV_OIDC_CLIENT_ID && details.session !== undefined) {
          // Carnet's own client: what it asks for is granted, as PSC does for a registered service.
          const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session.accountId, clientId: DEV_OIDC_CLIENT_ID });
          if (grant === undefined) return html(reply, 400, devProviderErrorPage(INTERACTION_EXPIRED));
          const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
          if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
          if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
          const grantId = await grant.save();
          const to = await provider.interactionResult(request.raw, reply.raw, { consent: details.grantId ? {} : { grantId } }, { mergeWithLastSubmission: true });
          return reply.redirect(to, 303);
        }
        const to = await provider.interactionResult(request.raw, reply.raw, { error: 'access_denied', error_description: 'only Carnet’s own client is served' }, { mergeWithLastSubmission: false });
        return reply.redirect(to, 303);
      },
    );

    app.post(
      `${DEV_OIDC_PATH}/interaction/:uid/login`,
      { schema: { tags, description: 'Development provider: signs in as the chosen professional (idNatPs).', params: UidParams, body: LoginBody } },
      async (request, reply) => {
        const { uid } = request.params;
        const found = await pending(request, reply, uid);
        if (found === null || found.details.prompt.name !== 'login') return html(reply, 400, devProviderErrorPage(INTERACTION_EXPIRED));
        const chosen = (request.body.other ?? '').trim() || (request.body.idNatPs ?? '').trim();
        const id = checkIdNatPs(chosen);
        if (!id.ok) {
          const error = chosen === '' ? 'Choisissez un professionnel ou saisissez un identifiant national.' : `Identifiant national « ${chosen} » invalide : ${id.reason}.`;
          return html(reply, 400, pickerPage(loginAction(uid), abortAction(uid), await pickable(db), error));
        }
        const to = await found.provider.interactionResult(request.raw, reply.raw, { login: { accountId: pscSubject(id.value), acr: PSC_ACR } }, { mergeWithLastSubmission: false });
        return reply.redirect(to, 303);
      },
    );

    app.post(
      `${DEV_OIDC_PATH}/interaction/:uid/abort`,
      { schema: { tags, description: 'Development provider: cancels the sign-in (access_denied back to Carnet).', params: UidParams } },
      async (request, reply) => {
        const found = await pending(request, reply, request.params.uid);
        if (found === null) return html(reply, 400, devProviderErrorPage(INTERACTION_EXPIRED));
        const to = await found.provider.interactionResult(request.raw, reply.raw, { error: 'access_denied', error_description: 'the professional cancelled the sign-in' }, { mergeWithLastSubmission: false });
        return reply.redirect(to, 303);
      },
    );
  });
};

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_MATRIX, loadMatrixFile } from './access/index.ts';
import type { Matrix } from './access/index.ts';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { AppError } from './platform/errors.ts';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** Carnet's configuration: read from the environment once (in main or the CLI), then frozen. */
export interface Config {
  readonly env: NodeEnv;
  readonly host: string;
  readonly port: number;
  readonly baseUrl: string;
  /** Folder of the embedded database, the mailbox and generated files. */
  readonly dataDir: string;
  /** PostgreSQL server; absent = embedded PGlite under dataDir. */
  readonly databaseUrl: string | undefined;
  /** SMTP server (smtp://user:pass@host:port); absent = .eml files under dataDir/mail. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  /** Server secret for keyed hashes (codes, sessions). */
  readonly secret: Buffer;
  /** True when the secret was generated under dataDir (development only). */
  readonly secretIsGenerated: boolean;
  /** Master key (32 bytes) wrapping each patient's data key: sealed content (Invariant 4). */
  readonly masterKey: Buffer;
  /** True when the master key was generated under dataDir (development only). */
  readonly masterKeyIsGenerated: boolean;
  /** Load the demo data on first start. */
  readonly demo: boolean;
  /** The authorization matrix in force (RULES §3.2, configurable): CARNET_MATRIX_FILE, else the bundled one. */
  readonly matrix: Matrix;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * Professionals' OpenID Connect provider (Pro Santé Connect in France). Absent: the
   * development provider Carnet mounts at `${baseUrl}/dev/oidc` (refused in production).
   */
  readonly proOidc: ProOidcConfig | undefined;
}

/** The OpenID Connect provider professionals sign in with, and Carnet's client there. */
export interface ProOidcConfig {
  /** Issuer URL, or the URL of its discovery document (a path containing /.well-known/). */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function fail(variable: string, reason: string): never {
  throw new AppError('validation_failed', `Configuration: ${variable} ${reason}`, { details: [{ field: variable, reason }] });
}

/**
 * Validates the environment and returns a frozen Config. In production, unsafe defaults
 * (generated secret, embedded database, demo data) are refused with a message saying
 * what to set.
 */
export function loadConfig(env: Env, overrides: Partial<Config> = {}): Config {
  const nodeEnv = (env.NODE_ENV ?? 'development') as NodeEnv;
  if (!NODE_ENVS.includes(nodeEnv)) fail('NODE_ENV', `must be one of ${NODE_ENVS.join(', ')}`);
  const production = nodeEnv === 'production';

  const port = env.PORT === undefined ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('PORT', 'must be a port number (0-65535)');
  const host = env.HOST ?? '127.0.0.1';
  const baseUrl = (env.CARNET_BASE_URL ?? `http://localhost:${port}`).replace(/\/$/, '');
  try {
    new URL(baseUrl);
  } catch {
    fail('CARNET_BASE_URL', 'must be an absolute URL such as https://carnet.example.fr');
  }
  const dataDir = resolve(env.CARNET_DATA_DIR ?? 'data');

  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    fail('DATABASE_URL', 'must start with postgres:// (for example postgres://user@127.0.0.1:5432/carnet)');
  }
  if (production && databaseUrl === undefined) fail('DATABASE_URL', 'is required in production: the embedded database is for development');

  const smtpUrl = env.SMTP_URL || undefined;
  if (smtpUrl !== undefined && !/^smtps?:\/\//.test(smtpUrl)) fail('SMTP_URL', 'must start with smtp:// or smtps://');
  if (production && smtpUrl === undefined) fail('SMTP_URL', 'is required in production: the local mailbox is for development');

  let secret: Buffer;
  let secretIsGenerated = false;
  if (env.CARNET_SECRET) {
    secret = Buffer.from(env.CARNET_SECRET, 'base64');
    if (secret.length < 32) fail('CARNET_SECRET', 'must be at least 32 random bytes, base64-encoded (openssl rand -base64 32)');
  } else if (production) {
    fail('CARNET_SECRET', 'is required in production (generate one with: openssl rand -base64 32)');
  } else {
    secret = developmentSecret(dataDir);
    secretIsGenerated = true;
  }

  const demo = env.CARNET_DEMO === undefined ? !production : env.CARNET_DEMO === '1' || env.CARNET_DEMO === 'true';
  if (production && demo) fail('CARNET_DEMO', 'cannot be on in production: demo accounts have published passwords');

  const logLevel = (env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info')) as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) fail('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  const proOidc = professionalOidc(env, production);

  const { masterKey, masterKeyIsGenerated } = masterKeyFrom(env, dataDir, production);

  const matrixFile = env.CARNET_MATRIX_FILE || undefined;
  const matrix = matrixFile === undefined ? DEFAULT_MATRIX : loadMatrixFile(matrixFile);

  return Object.freeze({
    env: nodeEnv,
    host,
    port,
    baseUrl,
    dataDir,
    databaseUrl,
    smtpUrl,
    mailFrom: env.MAIL_FROM ?? 'Carnet <ne-pas-repondre@carnet.localhost>',
    secret,
    secretIsGenerated,
    masterKey,
    masterKeyIsGenerated,
    demo,
    matrix,
    logLevel,
    proOidc,
    ...overrides,
  });
}

const PRO_OIDC_VARIABLES = ['PRO_OIDC_ISSUER', 'PRO_OIDC_CLIENT_ID', 'PRO_OIDC_CLIENT_SECRET'] as const;

/**
 * PRO_OIDC_ISSUER, PRO_OIDC_CLIENT_ID and PRO_OIDC_CLIENT_SECRET, given together or not at all.
 * Required in production, where the development provider is refused.
 */
function professionalOidc(env: Env, production: boolean): ProOidcConfig | undefined {
  const [issuer, clientId, clientSecret] = PRO_OIDC_VARIABLES.map((v) => env[v] || undefined);
  if (issuer === undefined && clientId === undefined && clientSecret === undefined) {
    if (production) {
      fail('PRO_OIDC_ISSUER', 'is required in production with PRO_OIDC_CLIENT_ID and PRO_OIDC_CLIENT_SECRET: professionals sign in through Pro Santé Connect; the development provider is refused in production');
    }
    return undefined;
  }
  const missing = PRO_OIDC_VARIABLES.find((_, i) => [issuer, clientId, clientSecret][i] === undefined);
  if (missing !== undefined || issuer === undefined || clientId === undefined || clientSecret === undefined) {
    fail(missing ?? 'PRO_OIDC_ISSUER', `is missing: set PRO_OIDC_ISSUER, PRO_OIDC_CLIENT_ID and PRO_OIDC_CLIENT_SECRET together (or none of them in development, for the development provider)`);
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    fail('PRO_OIDC_ISSUER', 'must be an absolute https:// URL: the issuer of Pro Santé Connect, or the URL of its discovery document');
  }
  if (url.protocol !== 'https:') fail('PRO_OIDC_ISSUER', 'must be an https:// URL (plain HTTP is allowed for the development provider only)');
  return Object.freeze({ issuer: url.href, clientId, clientSecret });
}

/** A per-installation secret kept under the data folder: development only, loudly. */
function developmentSecret(dataDir: string): Buffer {
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  mkdirSync(dataDir, { recursive: true });
  const s = randomBytes(32);
  writeFileSync(file, s.toString('base64') + '\n', { mode: 0o600 });
  return s;
}

const MASTER_KEY_FORMAT = 'must be exactly 32 random bytes, base64-encoded (generate one with: openssl rand -base64 32)';

/**
 * CARNET_MASTER_KEY (base64) or CARNET_MASTER_KEY_FILE (a file holding it), not both.
 * Neither: a key generated under the data folder in development, refused in production.
 * Messages never repeat the value.
 */
function masterKeyFrom(env: Env, dataDir: string, production: boolean): { masterKey: Buffer; masterKeyIsGenerated: boolean } {
  const inline = env.CARNET_MASTER_KEY || undefined;
  const file = env.CARNET_MASTER_KEY_FILE || undefined;
  if (inline !== undefined && file !== undefined) fail('CARNET_MASTER_KEY', 'and CARNET_MASTER_KEY_FILE are both set: set only one of them');
  if (inline !== undefined) return { masterKey: decodeMasterKey('CARNET_MASTER_KEY', inline, MASTER_KEY_FORMAT), masterKeyIsGenerated: false };
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(resolve(file), 'utf8');
    } catch (e) {
      fail('CARNET_MASTER_KEY_FILE', `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}): it must name a file holding the master key, 32 random bytes base64-encoded (openssl rand -base64 32 > master.key)`);
    }
    return { masterKey: decodeMasterKey('CARNET_MASTER_KEY_FILE', text.trim(), `must name a file holding exactly 32 random bytes, base64-encoded (openssl rand -base64 32 > master.key)`), masterKeyIsGenerated: false };
  }
  if (production) {
    fail('CARNET_MASTER_KEY', 'is required in production, or CARNET_MASTER_KEY_FILE: it seals every patient\'s content, keep it outside the database and its backups (generate one with: openssl rand -base64 32)');
  }
  return { masterKey: developmentMasterKey(dataDir), masterKeyIsGenerated: true };
}

function decodeMasterKey(variable: string, text: string, reason: string): Buffer {
  // Buffer.from(base64) skips what it does not understand: check the text's shape first.
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(text)) fail(variable, reason);
  return Buffer.from(text, 'base64');
}

/** A master key kept under the data folder: development only, loudly (see main.ts). */
function developmentMasterKey(dataDir: string): Buffer {
  const file = join(dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      // 'wx': two processes starting at once keep the first key written.
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return decodeMasterKey(file, readFileSync(file, 'utf8').trim(), 'is not a master key (32 random bytes, base64-encoded): restore it, or remove it to generate a new one, which makes content sealed under the old one unreadable');
}

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { withDatabase } from './context.ts';
import { formatTable } from './staff-command.ts';
import { AppError } from '../platform/errors.ts';
import { ACCESS_TOKEN_TTL_SECONDS, JWT_BEARER_GRANT_TYPE, listSoftwareClients, parseClientJwks, registerSoftwareClient, revokeSoftwareClient, tokenEndpointUrl } from '../pro-auth/index.ts';
import type { PublicJwks, RevokeClientOutcome } from '../pro-auth/index.ts';

const when = (d: Date | null) => (d === null ? '' : d.toISOString().replace('T', ' ').slice(0, 19) + 'Z');

/** Reads and checks a JWKS file; every failure says which file and what is wrong. */
export async function readJwksFile(path: string): Promise<PublicJwks> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (e as Error).message;
    throw new AppError('bad_request', `Cannot read the JWKS file ${path}: ${why}.`);
  }
  try {
    return await parseClientJwks(text);
  } catch (e) {
    if (e instanceof AppError) throw new AppError(e.code, `${path}: ${e.message}`, { details: [...e.details] });
    throw e;
  }
}

function revokeMessage(r: RevokeClientOutcome, id: string): string {
  switch (r.outcome) {
    case 'revoked':
      return `Client ${id} revoked: its assertions are refused from now on; ${r.tokensInvalidated} live access token(s) invalidated.`;
    case 'already_revoked':
      return `Client ${id} was already revoked.`;
  }
}

export function register(program: Command): void {
  const clients = program.command('clients').description("Professionals' software allowed to get access tokens with a signed assertion (RFC 7523).");

  clients
    .command('add')
    .description('Register a software client with its public keys (a JWKS file) for an organisation of the directory.')
    .requiredOption('--name <name>', 'the software and where it runs (e.g. "DPI Hôpital Paris-Est")')
    .requiredOption('--organisation <finess>', 'FINESS of the organisation the software acts for: only its professionals can be named')
    .requiredOption('--jwks <file>', 'JSON file {"keys": [...]} with the PUBLIC keys (RSA >= 2048 bits with RS256/PS256, or EC P-256 with ES256)')
    .action(async (opts: { name: string; organisation: string; jwks: string }) => {
      const jwks = await readJwksFile(opts.jwks);
      await withDatabase(async ({ db, clock, random, config }) => {
        const client = await registerSoftwareClient(db, { clock, random }, { name: opts.name, organisationFiness: opts.organisation, jwks });
        const endpoint = tokenEndpointUrl(config);
        console.log(`Registered software client "${client.name}" for organisation ${client.organisationFiness} (${client.jwks.keys.length} key(s)).`);
        console.log('');
        console.log(`  client_id:       ${client.clientId}`);
        console.log(`  token endpoint:  ${endpoint}`);
        console.log('');
        console.log('The software signs a JWT with its private key: iss = client_id, aud = the token endpoint URL,');
        console.log('sub = the professional\'s idNatPs, profession, specialty, organisation, exp at most 5 minutes ahead,');
        console.log('a unique jti; then POSTs it as a form:');
        console.log(`  grant_type=${JWT_BEARER_GRANT_TYPE}&assertion=<JWT>`);
        console.log(`and gets an access token valid ${ACCESS_TOKEN_TTL_SECONDS / 60} minutes for /api and /fhir. If its key leaks: carnet clients revoke ${client.clientId}`);
      });
    });

  clients
    .command('list')
    .description('List the software clients (revoked ones included).')
    .action(async () => {
      await withDatabase(async ({ db }) => {
        const all = await listSoftwareClients(db);
        if (all.length === 0) {
          console.log('No software client yet. Register one with: carnet clients add --name NAME --organisation FINESS --jwks FILE');
          return;
        }
        console.log(
          formatTable(
            ['client_id', 'name', 'organisation', 'keys', 'created', 'revoked'],
            all.map((c) => [c.clientId, c.name, `${c.organisationFiness}${c.organisationName === null ? '' : ` ${c.organisationName}`}`, c.keyIds.join(', '), when(c.createdAt), when(c.revokedAt)]),
          ),
        );
      });
    });

  clients
    .command('revoke')
    .description('Revoke a software client: its access tokens stop working at once and its assertions are refused.')
    .argument('<client_id>', 'the client id (see carnet clients list)')
    .action(async (clientId: string) => {
      await withDatabase(async ({ db, clock }) => {
        console.log(revokeMessage(await revokeSoftwareClient(db, clock, clientId), clientId));
      });
    });
}

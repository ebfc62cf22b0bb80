import type { FastifyReply } from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import type { Config } from '../config.ts';
import { FHIR_JSON } from './outcome.ts';

/** The FHIR base URL (links and fullUrls are absolute). */
export const fhirBase = (config: Pick<Config, 'baseUrl'>): string => `${config.baseUrl}/fhir`;

/** Sends a resource as application/fhir+json. */
export function sendResource(reply: FastifyReply, resource: Resource, status = 200): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').type(FHIR_JSON).send(JSON.stringify(resource));
}

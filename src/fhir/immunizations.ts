/** FHIR Immunization and RelatedPerson (entourage). (placeholder: being written.) */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.ts';

export const immunizationsFhirRoutes: FastifyPluginAsync<AppDeps> = async () => {};

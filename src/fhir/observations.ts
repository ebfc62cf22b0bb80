/** FHIR Observation (vital signs and other measures). (placeholder: being written.) */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.ts';

export const observationsFhirRoutes: FastifyPluginAsync<AppDeps> = async () => {};

/**
 * The FHIR R4 facade under /fhir (ARCHITECTURE "Interfaces"): its own error handler and
 * not-found handler, scoped to /fhir, so every failure there is an OperationOutcome served as
 * application/fhir+json; the capability statement; the directory; the documents.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import { FHIR_JSON, outcomeOf, toAppError } from './outcome.ts';
import { capabilityStatement } from './capability.ts';
import { directoryFhirRoutes } from './directory.ts';
import { documentsFhirRoutes } from './documents.ts';
import { patientFhirRoutes } from './patient.ts';
import { auditEventFhirRoutes } from './audit-event.ts';
import { mhdFhirRoutes } from './mhd.ts';
import { sendResource } from './http.ts';
import { profileFhirRoutes } from './profile-resources.ts';
import { observationsFhirRoutes } from './observations.ts';
import { immunizationsFhirRoutes } from './immunizations.ts';

const fhir: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  app.setErrorHandler((error, request, reply) => {
    const e = toAppError(error);
    if (e.status >= 500) request.log.error({ err: error }, 'FHIR request failed');
    if (e.retryAfter !== undefined) reply.header('retry-after', String(e.retryAfter));
    return reply.status(e.status).type(FHIR_JSON).send(JSON.stringify(outcomeOf(e)));
  });
  app.setNotFoundHandler((request, reply) => {
    const e = new AppError('not_found', `No FHIR interaction ${request.method} ${request.url.split('?')[0]}. This server's capabilities are at /fhir/metadata.`);
    return reply.status(404).type(FHIR_JSON).send(JSON.stringify(outcomeOf(e)));
  });

  // The children get the dependencies without this plugin's prefix (they would nest it again).
  const children: AppDeps = { config: deps.config, db: deps.db, clock: deps.clock, random: deps.random };
  app.get('/metadata', async (_req, reply) => sendResource(reply, capabilityStatement(deps.config, deps.clock.now().toISOString())));
  await app.register(directoryFhirRoutes, children);
  await app.register(documentsFhirRoutes, children);
  await app.register(patientFhirRoutes, children);
  await app.register(auditEventFhirRoutes, children);
  await app.register(mhdFhirRoutes, children); // IHE MHD ITI-65: POST /fhir
  await app.register(profileFhirRoutes, children);
  await app.register(observationsFhirRoutes, children);
  await app.register(immunizationsFhirRoutes, children);
};

/** Registered by routes.ts with the app's dependencies. */
export const fhirRoutes: FastifyPluginAsync<AppDeps> = async (app, deps) => {
  await app.register(fhir, { ...deps, prefix: '/fhir' });
};

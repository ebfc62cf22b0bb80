/** Vaccinations, entered by the patient side or an authorized professional; the vaccination history document. (placeholder: being written.) */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.ts';

export const vaccinationsRoutes: FastifyPluginAsync<AppDeps> = async () => {};

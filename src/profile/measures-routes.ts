/** Measures (RULES §7): LOINC-coded values with units, range checks, series and statistics. (placeholder: being written.) */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.ts';

export const measuresRoutes: FastifyPluginAsync<AppDeps> = async () => {};

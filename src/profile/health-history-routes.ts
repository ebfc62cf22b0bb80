/** The medical profile sections (RULES §7): diseases, treatments, hospitalisations, disabilities, blood group, allergies, family history, lifestyle. (placeholder: being written.) */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.ts';

export const healthHistoryRoutes: FastifyPluginAsync<AppDeps> = async () => {};

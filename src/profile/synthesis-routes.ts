/** The profile synthesis: a PDF of the medical profile saved as a DOCPAT08 document. (placeholder: being written.) */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.ts';

export const profileSynthesisRoutes: FastifyPluginAsync<AppDeps> = async () => {};

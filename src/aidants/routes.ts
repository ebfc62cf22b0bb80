/** Aidants (caregivers, RULES §1): invitations, answers, revocation, the spaces one helps. (placeholder: being written.) */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.ts';

export const aidantsRoutes: FastifyPluginAsync<AppDeps> = async () => {};

/** Entourage & volontés: contacts, trusted person, organ donation, advance directives. (placeholder: being written.) */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.ts';

export const entourageRoutes: FastifyPluginAsync<AppDeps> = async () => {};

import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from './app.ts';

/** The capability plugins, each registered with the app's dependencies. */
export const routePlugins: FastifyPluginAsync<AppDeps>[] = [];

// The portal (web/): its serving plugin, for routes.ts.
export { portalRoutes, portalPlugin, PORTAL_DIST } from './plugin.ts';
export { PORTAL_CSP } from './csp.ts';

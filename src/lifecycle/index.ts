export { lifecycleRoutes } from './routes.ts';
export { runLifecycleJobs, activateSpace, TERMS_VERSION } from './service.ts';
export type { LifecycleJobReport } from './service.ts';
export { SPACE_STATUSES, transition } from './space-lifecycle.ts';
export type { SpaceStatus } from './space-lifecycle.ts';
export { CODE_VALIDITY_DAYS, OPENING_DELAY_DAYS, newProvisionalCode, provisionalCodeHash, formatCode } from './provisional-code.ts';

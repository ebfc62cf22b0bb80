// What other capabilities (and routes.ts, scheduled-jobs.ts) may use of aidants (caregivers).
export { aidantsRoutes } from './routes.ts';
export { expireAidantInvitations } from './service.ts';

// What other capabilities (and routes.ts) may use of aidants (caregivers).
export { aidantsRoutes } from './routes.ts';

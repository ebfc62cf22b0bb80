// What other capabilities (and routes.ts) may use of the medical profile.
export { healthHistoryRoutes } from './health-history-routes.ts';
export { measuresRoutes } from './measures-routes.ts';
export { vaccinationsRoutes } from './vaccinations-routes.ts';
export { entourageRoutes } from './entourage-routes.ts';
export { profileSynthesisRoutes } from './synthesis-routes.ts';

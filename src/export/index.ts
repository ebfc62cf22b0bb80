// What routes.ts uses of the export of a space.
export { exportRoutes } from './routes.ts';

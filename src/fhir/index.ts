// What routes.ts uses of the FHIR facade.
export { fhirRoutes } from './routes.ts';

/** FHIR views of the medical profile: Condition, MedicationStatement, AllergyIntolerance, FamilyMemberHistory, ... (placeholder: being written.) */
import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from '../app.ts';

export const profileFhirRoutes: FastifyPluginAsync<AppDeps> = async () => {};

// What other capabilities (and routes.ts) may use of the medical profile.
export { healthHistoryRoutes } from './health-history-routes.ts';
export { measuresRoutes } from './measures-routes.ts';
export { vaccinationsRoutes } from './vaccinations-routes.ts';
export { entourageRoutes } from './entourage-routes.ts';
export { profileSynthesisRoutes } from './synthesis-routes.ts';

// The sealing of the profile's tables (Invariant 4): the plain readers below take the sealer.
export { createProfileSealer, profileDepsOf } from './profile-crypto.ts';
export type { ProfileDeps, RecordSealer } from './profile-crypto.ts';

// Health history (FHIR views, profile synthesis).
export { readEntry, searchEntries } from './health-history-service.ts';
export { readHealthHistory } from './health-history-store.ts';
export type { Recorder, StoredEntry } from './health-history-store.ts';
export { FAMILY_RELATIONS, ROLE_CODE_SYSTEM } from './health-history-validation.ts';
export type { ListSection, SectionContent } from './health-history-validation.ts';

// Measures (FHIR Observation, profile synthesis).
export { DIASTOLIC, MEASURE_CATALOGUE, SYSTOLIC } from './measures-catalogue.ts';
export type { MeasureDefinition, MeasureType } from './measures-catalogue.ts';
export { roundTo } from './measures-units.ts';
export { ADULT_YEARS, againstTarget, ageAt, bmiSeries } from './measures-statistics.ts';
export { birthDateOf, findMeasure, listMeasures, readTargets, readMeasuresSummary } from './measures-store.ts';
export type { MeasureRecord, MeasureTarget } from './measures-store.ts';

// Vaccinations and entourage (FHIR Immunization and RelatedPerson, profile synthesis).
export { listVaccinations, readOneVaccination } from './vaccinations-service.ts';
export { readVaccinations } from './vaccinations-store.ts';
export type { VaccinationView } from './vaccinations-store.ts';
export { ATC_SYSTEM, OTHER_VACCINE, ROUTE_SYSTEM, SITE_SYSTEM, SNOMED_SYSTEM } from './vaccines.ts';
export { listContactsOf, readContactOf } from './entourage-service.ts';
export { readEntourage } from './entourage-store.ts';
export type { ContactView } from './entourage-store.ts';
export { CONTACT_KIND_LABELS_FR } from './entourage-input.ts';

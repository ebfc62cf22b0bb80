// What other capabilities may use of identity: INS rules, staff authentication, the
// professional directory (reads, import, demo data) and the operator routes.
export { INS_OID, checkNir, isValidNir, checkIns, normalizeMatricule, withNirKey, isIsoDate, ageOn, isMinor, patientMssAddress, SEXES } from './ins.ts';
export type { InsKind, InsTraits, NirCheck, NirParts, Sex, FieldProblem } from './ins.ts';

export { requireStaff, staffTokenHash, STAFF_ROLES } from './staff-auth.ts';
export type { StaffAccount, StaffRole } from './staff-auth.ts';
export { createStaffAccount, listStaffAccounts, revokeStaffAccount } from './staff-accounts.ts';
export type { StaffAccountDeps, StaffAccountRow, RevokeOutcome } from './staff-accounts.ts';

export { ID_NAT_PS_OID, PROFESSIONS, SPECIALTIES, ORGANISATION_KINDS, checkRpps, checkIdNatPs, checkFiness, idNatPsOf, structureIdOf, professionLabel, specialtyLabel } from './directory.ts';
export type { ProfessionCode, SpecialtyCode, OrganisationKind } from './directory.ts';
export { findProfessional, findProfessionalByRpps, searchProfessionals, findOrganisation } from './directory-store.ts';
export type { Professional, Organisation, ProfessionalSearch } from './directory-store.ts';
export { importProfessionals, formatImportSummary } from './import-professionals.ts';
export type { ImportOptions, ImportSummary, ImportProblem } from './import-professionals.ts';
export { loadDemoDirectory, DEMO_PROFESSIONALS } from './demo-directory.ts';

export { identityRoutes } from './routes.ts';

export { authRoutes } from './auth-routes.ts';
export { requirePatient } from './require-patient.ts';
export { hashPassword, verifyPassword, checkPasswordPolicy } from './password.ts';
export type { PasswordProblem, PersonalData } from './password.ts';
export { checkLoginId } from './login-id.ts';
export type { LoginIdCheck, LoginIdProblem } from './login-id.ts';
export type { PatientSession } from './patient-session.ts';
export { purgeExpiredSignIns } from './session-store.ts';

export { requireProfessional, professionalPrincipalPlugin, PRO_SESSION_COOKIE } from './professional-principal.ts';
export type { ProfessionalPrincipal } from './professional-principal.ts';

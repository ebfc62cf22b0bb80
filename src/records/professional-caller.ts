import type { ProfessionalActor } from '../access/index.ts';
import type { ProfessionalPrincipal } from '../pro-auth/index.ts';
import type { DocumentsCaller } from './documents-repository.ts';
import { professionalName } from './controls-access.ts';

/** The professional as decide() sees them. */
export function accessActorOf(p: ProfessionalPrincipal): ProfessionalActor {
  return { kind: 'professional', idNatPs: p.idNatPs, professionCode: p.professionCode, specialtyCode: p.specialtyCode };
}

/** The professional as the documents repository takes them (decides, authors, traces). */
export function documentsCallerOf(p: ProfessionalPrincipal): DocumentsCaller {
  return {
    kind: 'professional',
    idNatPs: p.idNatPs,
    name: professionalName(p),
    professionCode: p.professionCode,
    specialtyCode: p.specialtyCode,
    organisationFiness: p.organisationFiness,
  };
}

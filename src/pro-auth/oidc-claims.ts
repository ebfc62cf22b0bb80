/**
 * The claims of Pro Santé Connect (PSC), the professionals' OpenID Connect provider in
 * France, as far as Carnet reads them (relying party) and mirrors them (development
 * provider). Pure functions, no I/O.
 *
 * PSC fills its claims from the national directory (Annuaire Santé): the ID token carries
 * `sub` and `acr` ("eidas1"); the userinfo endpoint, under the scope `scope_all`, carries the
 * identity (`SubjectNameID` and `preferred_username` = the national id idNatPs, `family_name`,
 * `given_name`) and the sectoral identity `SubjectRefPro.exercices[]` (profession, savoir-faire,
 * and the activities with their structure). Field names follow the userinfo samples of the
 * ANS's own code (prosanteconnect/psc-context-sharing-api, ansforge/keycloak-prosanteconnect)
 * and of projects integrating PSC.
 */
import { createHash } from 'node:crypto';
import type { Professional } from '../identity/index.ts';

/** The scopes Carnet asks PSC for. */
export const PSC_SCOPE = 'openid scope_all';
/** The authentication level Carnet asks PSC for (acr_values) and accepts back (acr). */
export const PSC_ACR = 'eidas1';
/** acr values at least as strong as PSC_ACR. */
export const ACCEPTED_ACRS: readonly string[] = ['eidas1', 'eidas2', 'eidas3'];

/** OID qualifying the profession code in `SubjectRole` ("10^1.2.250.1.213.1.1.5.5"), as PSC sends it. */
const SUBJECT_ROLE_OID = '1.2.250.1.213.1.1.5.5';

/** The userinfo claims released under `scope_all` (declared to the development provider). */
export const PSC_USERINFO_CLAIMS = [
  'SubjectNameID',
  'preferred_username',
  'family_name',
  'given_name',
  'SubjectRefPro',
  'SubjectRole',
  'SubjectOrganization',
  'SubjectOrganizationID',
] as const;

/** One activity of an exercise: where the professional practises. Fields PSC leaves empty are "". */
export interface PscActivity {
  /** L libéral, S salarié. */
  codeModeExercice: string;
  codeSecteurDactivite: string;
  codeSectionPharmacien: string;
  codeRole: string;
  codeGenreActivite: string;
  numeroSiretSite: string;
  numeroSirenSite: string;
  numeroFinessSite: string;
  numeroFinessetablissementJuridique: string;
  /** National structure id: "1" + FINESS (or "3" + SIRET). */
  identifiantTechniqueDeLaStructure: string;
  raisonSocialeSite: string;
  enseigneCommercialeSite: string;
  bureauCedex: string;
  codePostal: string;
  codeCommune: string;
  codePays: string;
  ancienIdentifiantDeLaStructure: string;
  autoriteDenregistrement: string;
}

/** One exercise: a profession, its savoir-faire and activities. */
export interface PscExercise {
  /** TRE_G15 profession (10 médecin, 21 pharmacien...). */
  codeProfession: string;
  /** C civil. */
  codeCategorieProfessionnelle: string;
  codeCiviliteDexercice: string;
  nomDexercice: string;
  prenomDexercice: string;
  /** S: spécialité ordinale (then codeSavoirFaire is a TRE_R38 code such as SM54); "" when none. */
  codeTypeSavoirFaire: string;
  codeSavoirFaire: string;
  activities: PscActivity[];
}

export interface PscUserinfo {
  sub: string;
  SubjectNameID: string;
  preferred_username: string;
  family_name: string;
  given_name: string;
  SubjectRefPro: { codeCivilite: string; exercices: PscExercise[] };
  SubjectRole: string[];
  SubjectOrganization: string;
  /** National structure id of the organisation the professional acts for. */
  SubjectOrganizationID: string;
}

/**
 * The `sub` the development provider gives an idNatPs: opaque-looking and stable, shaped like
 * PSC's ("f:<uuid>:<national id>"), so a relying party that wrongly reads `sub` as the
 * national id is caught in development.
 */
export function pscSubject(idNatPs: string): string {
  const h = createHash('sha256').update(`carnet-dev-psc-sub\0${idNatPs}`).digest('hex');
  return `f:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}:${idNatPs}`;
}

/** The idNatPs a development `sub` was made from, or null. */
export function idNatPsOfSubject(sub: string): string | null {
  const m = /^f:[0-9a-f-]{36}:(8\d{11})$/.exec(sub);
  return m?.[1] ?? null;
}

/**
 * The userinfo of a professional as PSC would release it under `scope_all`, built from Carnet's
 * directory entry. `professional` null: a person the provider knows but Carnet's directory does
 * not (the development provider uses this to show the refusal page).
 */
export function pscUserinfo(idNatPs: string, professional: Professional | null): PscUserinfo {
  const org = professional?.organisation ?? null;
  const familyName = professional?.familyName ?? 'INCONNU';
  const givenName = professional?.givenName ?? 'Inconnu';
  const activities: PscActivity[] =
    org === null
      ? []
      : [
          {
            codeModeExercice: org.kind === 'cabinet' || org.kind === 'pharmacie' ? 'L' : 'S',
            codeSecteurDactivite: '',
            codeSectionPharmacien: '',
            codeRole: '',
            codeGenreActivite: 'GENR01',
            numeroSiretSite: org.siret ?? '',
            numeroSirenSite: org.siret?.slice(0, 9) ?? '',
            numeroFinessSite: org.finess,
            numeroFinessetablissementJuridique: '',
            identifiantTechniqueDeLaStructure: org.structureId,
            raisonSocialeSite: org.name,
            enseigneCommercialeSite: '',
            bureauCedex: org.city ?? '',
            codePostal: '',
            codeCommune: '',
            codePays: '99000',
            ancienIdentifiantDeLaStructure: org.structureId,
            autoriteDenregistrement: '',
          },
        ];
  const exercises: PscExercise[] =
    professional === null
      ? []
      : [
          {
            codeProfession: professional.professionCode,
            codeCategorieProfessionnelle: 'C',
            codeCiviliteDexercice: '',
            nomDexercice: familyName,
            prenomDexercice: givenName,
            codeTypeSavoirFaire: professional.specialtyCode === null ? '' : 'S',
            codeSavoirFaire: professional.specialtyCode ?? '',
            activities,
          },
        ];
  return {
    sub: pscSubject(idNatPs),
    SubjectNameID: idNatPs,
    preferred_username: idNatPs,
    family_name: familyName,
    given_name: givenName,
    SubjectRefPro: { codeCivilite: '', exercices: exercises },
    SubjectRole: professional === null ? [] : [`${professional.professionCode}^${SUBJECT_ROLE_OID}`],
    SubjectOrganization: org?.name ?? '',
    SubjectOrganizationID: org?.structureId ?? '',
  };
}

/**
 * The national id (idNatPs) a PSC userinfo names: `SubjectNameID`, else `preferred_username`.
 * When both are given they must agree. Returns the raw value; the caller checks its shape.
 */
export function nationalIdOf(claims: Record<string, unknown>): { ok: true; value: string } | { ok: false; reason: string } {
  const nameId = typeof claims.SubjectNameID === 'string' ? claims.SubjectNameID.trim() : undefined;
  const username = typeof claims.preferred_username === 'string' ? claims.preferred_username.trim() : undefined;
  if (nameId === undefined && username === undefined) return { ok: false, reason: 'the provider sent neither SubjectNameID nor preferred_username' };
  if (nameId !== undefined && username !== undefined && nameId !== username) {
    return { ok: false, reason: 'SubjectNameID and preferred_username name different people' };
  }
  return { ok: true, value: (nameId ?? username) as string };
}

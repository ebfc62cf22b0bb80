/** Builders for access tests: a patient space with one of each relation, and requests on it. */
import { DEFAULT_MATRIX } from './matrix.ts';
import type { AccessFacts, AccessRequest, Actor, DocumentMeta, ProfessionalActor } from './types.ts';

export const NOW = new Date('2026-03-01T10:00:00Z');
export const PATIENT = 'pat-1';
export const OTHER_PATIENT = 'pat-2';
export const REP1 = 'rep-1';
export const REP2 = 'rep-2';
export const AIDANT = 'aid-1';
export const AIDANT_PENDING = 'aid-2';
export const APP = 'app-1';

/** idNatPs of the professionals of the fixture. */
export const IDS = {
  authorizedGp: '810000000001',
  medecinTraitant: '810000000002',
  admin: '810000000003',
  stranger: '810000000004',
  blocked: '810000000005',
  authorizedDentist: '810000000006',
  authorizedNurse: '810000000007',
  authorizedPodiatrist: '810000000008',
  authorizedPharmacist: '810000000009',
  authorizedMidwife: '810000000010',
  occupational: '810000000011',
} as const;

export function ps(idNatPs: string, professionCode = '10', specialtyCode: string | null = null, samuRegulator?: boolean): ProfessionalActor {
  return { kind: 'professional', idNatPs, professionCode, specialtyCode, ...(samuRegulator === undefined ? {} : { samuRegulator }) };
}

export const ACTORS = {
  patient: { kind: 'patient', patientId: PATIENT },
  otherPatient: { kind: 'patient', patientId: OTHER_PATIENT },
  rep1: { kind: 'representative', personId: REP1 },
  rep2: { kind: 'representative', personId: REP2 },
  aidant: { kind: 'aidant', personId: AIDANT },
  aidantPending: { kind: 'aidant', personId: AIDANT_PENDING },
  gp: ps(IDS.authorizedGp),
  mt: ps(IDS.medecinTraitant),
  admin: ps(IDS.admin),
  stranger: ps(IDS.stranger),
  blocked: ps(IDS.blocked),
  dentist: ps(IDS.authorizedDentist, '40'),
  nurse: ps(IDS.authorizedNurse, '60'),
  podiatrist: ps(IDS.authorizedPodiatrist, '80'),
  pharmacist: ps(IDS.authorizedPharmacist, '21'),
  midwife: ps(IDS.authorizedMidwife, '50'),
  occupational: ps(IDS.occupational, '10', 'SM25'),
  samu: ps(IDS.stranger, '10', 'SM59', true),
  insurer: { kind: 'insurer', organisationId: 'cnam' },
  operator: { kind: 'operator', staffId: 'op-1' },
} satisfies Record<string, Actor>;

export function facts(over: Partial<AccessFacts> = {}): AccessFacts {
  const since = new Date('2025-01-01T00:00:00Z');
  return {
    spaceStatus: 'active',
    patientIsMinor: false,
    representatives: {},
    aidants: { [AIDANT]: { status: 'accepted' }, [AIDANT_PENDING]: { status: 'pending' } },
    authorized: Object.fromEntries(
      [IDS.authorizedGp, IDS.authorizedDentist, IDS.authorizedNurse, IDS.authorizedPodiatrist, IDS.authorizedPharmacist, IDS.authorizedMidwife, IDS.occupational].map((id) => [id, { since }]),
    ),
    lastAccess: Object.fromEntries([IDS.authorizedGp, IDS.medecinTraitant, IDS.admin].map((id) => [id, since])),
    blocked: new Set([IDS.blocked]),
    administrators: new Set([IDS.admin]),
    medecinTraitant: IDS.medecinTraitant,
    emergency: { samu: true, brisDeGlace: true, masked: true },
    maskAll: false,
    notifications: { everyPsAccess: false, newDocument: false },
    connectedApps: new Set([APP]),
    matrix: DEFAULT_MATRIX,
    ...over,
  };
}

/** A minor's space with two legal representatives. */
export function minorFacts(over: Partial<AccessFacts> = {}): AccessFacts {
  return facts({ patientIsMinor: true, representatives: { [REP1]: { rank: 1 }, [REP2]: { rank: 2 } }, ...over });
}

export function doc(over: Partial<Omit<DocumentMeta, 'flags'>> & { flags?: Partial<DocumentMeta['flags']> } = {}): DocumentMeta {
  const { flags, ...rest } = over;
  return {
    typeCode: '11488-4',
    classCode: '10',
    authorKind: 'professional',
    authorId: '819999999999',
    status: 'current',
    ...rest,
    flags: { maskedToProfessionals: false, invisibleToPatientUntil: null, invisibleToRepresentatives: false, ...flags },
  };
}

export function req(actor: Actor, action: AccessRequest['action'], target: Partial<AccessRequest['target']> = {}, extra: Partial<AccessRequest> = {}): AccessRequest {
  const kind = target.kind ?? 'document';
  const t = { patientId: PATIENT, kind, ...target };
  if (kind === 'document' && action !== 'list' && !('document' in target)) t.document = doc();
  return { actor, action, target: t, mode: 'normal', ...extra };
}

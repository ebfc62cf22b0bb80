/**
 * The space switch: the spaces the signed-in person may open (their own, the children they
 * represent, the people they help as an accepted aidant), with their role and what they may do
 * there. Capabilities are asked of decide() with the space's facts, so the portal offers exactly
 * what the server would permit (an aidant is not offered settings, aidants, closure...).
 *
 * Not traced: the list names the spaces and the caller's relation to them, which the caller
 * already knows; no content of a record is read. Opening a space then reads through the
 * traced paths.
 */
import type { AppDeps } from '../app.ts';
import { decide } from '../access/index.ts';
import type { AccessAction, AccessFacts, DocumentMeta, PatientSideActor, ResourceKind } from '../access/index.ts';
import type { SpaceStatus } from '../lifecycle/index.ts';
import { loadAccessFacts } from '../records/index.ts';
import * as store from './store.ts';

export const SPACE_ROLES = ['holder', 'representative', 'aidant'] as const;
export type SpaceRole = (typeof SPACE_ROLES)[number];

/** Each capability is one decide() question on the space (document creation with the caller as author). */
const PROBES = {
  canReadRecord: ['list', 'document'],
  canAddDocuments: ['create', 'document'],
  canEditProfile: ['update', 'profile'],
  canReadTrace: ['list', 'trace'],
  canManageSettings: ['manage_settings', 'settings'],
  canManageAidants: ['manage_aidants', 'space'],
  canInviteRepresentative: ['invite_representative', 'space'],
  canEditContactDetails: ['update', 'contact_details'],
  canClose: ['close_space', 'space'],
  canDownload: ['download_all', 'space'],
} as const satisfies Record<string, readonly [AccessAction, ResourceKind]>;
export type Capability = keyof typeof PROBES;
export const CAPABILITIES = Object.keys(PROBES) as Capability[];
export type Capabilities = Record<Capability, boolean>;

export interface SwitchSpace {
  patientId: string;
  name: string;
  role: SpaceRole;
  /** Representatives: 1 for the one the child is attached to, 2 for the invited one; else null. */
  rank: 1 | 2 | null;
  status: SpaceStatus;
  capabilities: Capabilities;
}

function selfOf(actor: PatientSideActor): string {
  switch (actor.kind) {
    case 'patient':
      return actor.patientId;
    case 'representative':
    case 'aidant':
      return actor.personId;
  }
}

export function capabilitiesOf(actor: PatientSideActor, patientId: string, facts: AccessFacts, now: Date): Capabilities {
  const out = {} as Capabilities;
  for (const name of CAPABILITIES) {
    const [action, kind] = PROBES[name];
    const document: DocumentMeta | undefined =
      action === 'create' && kind === 'document'
        ? {
            typeCode: 'EXPPAT_2',
            classCode: '90',
            authorKind: actor.kind,
            authorId: selfOf(actor),
            status: 'current',
            flags: { maskedToProfessionals: false, invisibleToPatientUntil: null, invisibleToRepresentatives: false },
          }
        : undefined;
    const d = decide({ actor, action, target: { patientId, kind, ...(document === undefined ? {} : { document }) }, mode: 'normal' }, facts, now);
    out[name] = d.effect === 'permit';
  }
  // Legal representatives exist for minors only (RULES §1); decide() lets an adult holder
  // "invite" one, which lifecycle then refuses: not offered.
  out.canInviteRepresentative &&= facts.patientIsMinor;
  return out;
}

export async function mySpaces(deps: Pick<AppDeps, 'db' | 'clock' | 'config'>, me: string): Promise<SwitchSpace[]> {
  const now = deps.clock.now();
  const q = deps.db;
  const candidates: { patientId: string; role: SpaceRole; rank: 1 | 2 | null; actor: PatientSideActor }[] = [
    { patientId: me, role: 'holder', rank: null, actor: { kind: 'patient', patientId: me } },
    ...(await store.representedBy(q, me)).map((r) => ({ patientId: r.patientId, role: 'representative' as const, rank: r.rank, actor: { kind: 'representative' as const, personId: me } })),
    ...(await store.linksOf(q, me)).filter((l) => l.status === 'accepted').map((l) => ({ patientId: l.aideId, role: 'aidant' as const, rank: null, actor: { kind: 'aidant' as const, personId: me } })),
  ];
  const out: SwitchSpace[] = [];
  for (const c of candidates) {
    const facts = await loadAccessFacts(q, c.patientId, deps.config.matrix, now);
    const person = await store.person(q, c.patientId);
    if (facts === null || person === null) continue;
    // An aidant sees the space only while decide() lets them in (not after revocation, nor once it is closed).
    if (c.role === 'aidant' && facts.aidants[me]?.status !== 'accepted') continue;
    const capabilities = capabilitiesOf(c.actor, c.patientId, facts, now);
    if (c.role === 'aidant' && !capabilities.canReadRecord) continue;
    out.push({ patientId: c.patientId, name: person.name, role: c.role, rank: c.rank, status: facts.spaceStatus, capabilities });
  }
  return out;
}

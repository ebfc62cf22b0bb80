/**
 * "Who can see this document, and why": decide() asked on behalf of each candidate. Built on
 * decide() only, so the answer cannot drift from the enforcement.
 */
import { decide } from './decide.ts';
import type { AccessAction, AccessFacts, AccessMode, Actor, Decision, DocumentMeta, ProfessionalActor } from './types.ts';

export interface Candidate {
  /** What the patient reads, e.g. "Dr X (médecin traitant)", "any physician, bris de glace". */
  label: string;
  actor: Actor;
  mode?: AccessMode;
  justification?: string;
}

export interface Explanation {
  label: string;
  actor: Actor;
  mode: AccessMode;
  decision: Decision;
}

/** decide() for each candidate on one document; the permits are who can see it, each with its rule. */
export function explain(
  target: { patientId: string; document: DocumentMeta },
  facts: AccessFacts,
  candidates: readonly Candidate[],
  now: Date,
  action: AccessAction = 'read',
): Explanation[] {
  return candidates.map((c) => {
    const mode = c.mode ?? 'normal';
    const decision = decide(
      { actor: c.actor, action, target: { patientId: target.patientId, kind: 'document', document: target.document }, mode, ...(c.justification === undefined ? {} : { justification: c.justification }) },
      facts,
      now,
    );
    return { label: c.label, actor: c.actor, mode, decision };
  });
}

/** Only those who can see it. */
export function whoCanSee(target: { patientId: string; document: DocumentMeta }, facts: AccessFacts, candidates: readonly Candidate[], now: Date): Explanation[] {
  return explain(target, facts, candidates, now).filter((e) => e.decision.effect === 'permit');
}

/** A professional as the directory knows them (profession and specialty drive the matrix). */
export interface KnownProfessional {
  professionCode: string;
  specialtyCode: string | null;
  label?: string;
}

/** Stand-in for "any PS": on no list of the patient, so only an emergency mode can let them in. */
export const ANY_PROFESSIONAL_ID = '(any)';

/**
 * The candidates worth showing for a patient's space: the patient, their representatives and
 * accepted aidants, every professional the patient has a relation with (authorized,
 * administrator, médecin traitant, blocked, and the document's author), the two emergency
 * doors as "any physician", the insurer and the operator (to show they cannot).
 * `professionals` gives each idNatPs's profession; one it does not know is left out.
 */
export function candidatesFor(patientId: string, facts: AccessFacts, professionals: Readonly<Record<string, KnownProfessional>>, document?: DocumentMeta): Candidate[] {
  const out: Candidate[] = [{ label: 'the patient', actor: { kind: 'patient', patientId } }];
  for (const [personId, r] of Object.entries(facts.representatives)) out.push({ label: `legal representative ${r.rank}`, actor: { kind: 'representative', personId } });
  for (const [personId, a] of Object.entries(facts.aidants)) if (a.status === 'accepted') out.push({ label: 'aidant', actor: { kind: 'aidant', personId } });

  const ids = new Set<string>([...Object.keys(facts.authorized), ...facts.administrators, ...facts.blocked]);
  if (facts.medecinTraitant !== null) ids.add(facts.medecinTraitant);
  if (document?.authorKind === 'professional') ids.add(document.authorId);
  for (const idNatPs of ids) {
    if (!Object.hasOwn(professionals, idNatPs)) continue;
    const p = professionals[idNatPs] as KnownProfessional;
    const roles = [
      facts.medecinTraitant === idNatPs ? 'médecin traitant' : null,
      facts.administrators.has(idNatPs) ? 'administrator' : null,
      Object.hasOwn(facts.authorized, idNatPs) ? 'authorized' : null,
      facts.blocked.has(idNatPs) ? 'blocked' : null,
      document?.authorKind === 'professional' && document.authorId === idNatPs ? 'author' : null,
    ].filter((r) => r !== null);
    out.push({ label: `${p.label ?? idNatPs} (${roles.join(', ')})`, actor: { kind: 'professional', idNatPs, professionCode: p.professionCode, specialtyCode: p.specialtyCode } });
  }

  const anyPhysician: ProfessionalActor = { kind: 'professional', idNatPs: ANY_PROFESSIONAL_ID, professionCode: '10', specialtyCode: null };
  out.push({ label: 'SAMU regulator (centre 15), emergency', actor: { ...anyPhysician, samuRegulator: true }, mode: 'samu' });
  out.push({ label: 'any physician, bris de glace', actor: anyPhysician, mode: 'bris_de_glace', justification: 'emergency, patient unable to consent' });
  out.push({ label: 'the insurer', actor: { kind: 'insurer', organisationId: '(insurer)' } });
  out.push({ label: 'the operator', actor: { kind: 'operator', staffId: '(operator)' } });
  return out;
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROFESSIONS } from '../identity/directory.ts';
import { SPACE_STATUSES } from '../lifecycle/space-lifecycle.ts';
import { decide, effectiveEmergencySettings } from './decide.ts';
import { DOCUMENT_TYPES } from './document-types.ts';
import { DEFAULT_MATRIX } from './matrix.ts';
import { ACCESS_ACTIONS, ACCESS_MODES, AIDANT_STATUSES, APP_RESOURCE_KINDS, AUTHOR_KINDS, DOCUMENT_STATUSES, RESOURCE_KINDS } from './types.ts';
import type { AccessFacts, AccessRequest, Actor, AppActor, Decision, DocumentMeta, PatientSideActor, ProfessionalActor } from './types.ts';

/**
 * Properties over arbitrary spaces and requests. Identifiers are drawn from small pools so
 * that relations (authorized, blocked, author...) actually collide with the actors.
 */
const PATIENT = 'pat-1';
const PS_IDS = ['810000000001', '810000000002', '810000000003', '810000000004', '810000000005'];
const PERSON_IDS = ['p-1', 'p-2', 'p-3'];
const APP_IDS = ['app-1', 'app-2'];
const NOW = new Date('2026-03-01T10:00:00Z');

const subset = <T>(xs: readonly T[]) => fc.subarray([...xs]);
const date = fc.date({ min: new Date('2025-01-01T00:00:00Z'), max: new Date('2027-01-01T00:00:00Z'), noInvalidDate: true });

const factsArb: fc.Arbitrary<AccessFacts> = fc.record({
  spaceStatus: fc.constantFrom(...SPACE_STATUSES),
  patientIsMinor: fc.boolean(),
  representatives: fc.dictionary(fc.constantFrom(...PERSON_IDS), fc.record({ rank: fc.constantFrom(1 as const, 2 as const) })),
  aidants: fc.dictionary(fc.constantFrom(...PERSON_IDS), fc.record({ status: fc.constantFrom(...AIDANT_STATUSES) })),
  authorized: fc.dictionary(fc.constantFrom(...PS_IDS), fc.record({ since: date })),
  lastAccess: fc.dictionary(fc.constantFrom(...PS_IDS), date),
  blocked: subset(PS_IDS).map((xs) => new Set(xs)),
  administrators: subset(PS_IDS).map((xs) => new Set(xs)),
  medecinTraitant: fc.option(fc.constantFrom(...PS_IDS), { nil: null }),
  emergency: fc.record({ samu: fc.boolean(), brisDeGlace: fc.boolean(), masked: fc.boolean() }),
  maskAll: fc.boolean(),
  notifications: fc.record({ everyPsAccess: fc.boolean(), newDocument: fc.boolean() }),
  connectedApps: subset(APP_IDS).map((xs) => new Set(xs)),
  matrix: fc.constant(DEFAULT_MATRIX),
});

const docArb: fc.Arbitrary<DocumentMeta> = fc.record({
  typeCode: fc.constantFrom(...Object.keys(DOCUMENT_TYPES), 'XX-unknown'),
  classCode: fc.constantFrom('10', '60', '90'),
  authorKind: fc.constantFrom(...AUTHOR_KINDS),
  authorId: fc.constantFrom(PATIENT, 'cnam', ...PS_IDS, ...PERSON_IDS),
  flags: fc.record({ maskedToProfessionals: fc.boolean(), invisibleToPatientUntil: fc.option(date, { nil: null }), invisibleToRepresentatives: fc.boolean() }),
  status: fc.constantFrom(...DOCUMENT_STATUSES),
});

const professionalArb: fc.Arbitrary<ProfessionalActor> = fc.record({
  kind: fc.constant('professional' as const),
  idNatPs: fc.constantFrom(...PS_IDS),
  professionCode: fc.constantFrom(...Object.keys(PROFESSIONS), '99'),
  specialtyCode: fc.constantFrom(null, 'SM25', 'SM42', 'SM59'),
  samuRegulator: fc.boolean(),
});
const patientSideArb: fc.Arbitrary<PatientSideActor> = fc.oneof(
  fc.constantFrom(PATIENT, 'pat-2').map((patientId) => ({ kind: 'patient' as const, patientId })),
  fc.constantFrom(...PERSON_IDS).map((personId) => ({ kind: 'representative' as const, personId })),
  fc.constantFrom(...PERSON_IDS).map((personId) => ({ kind: 'aidant' as const, personId })),
);
const appArb: fc.Arbitrary<AppActor> = fc.record({
  kind: fc.constant('app' as const),
  appId: fc.constantFrom(...APP_IDS),
  user: patientSideArb,
  scopes: fc.array(fc.record({ kind: fc.constantFrom(...APP_RESOURCE_KINDS), read: fc.boolean(), write: fc.boolean() }), { maxLength: 4 }),
});
const actorArb: fc.Arbitrary<Actor> = fc.oneof(
  patientSideArb,
  professionalArb,
  appArb,
  fc.constant({ kind: 'insurer' as const, organisationId: 'cnam' }),
  fc.constant({ kind: 'operator' as const, staffId: 'op-1' }),
);

function requestArb(actor: fc.Arbitrary<Actor>): fc.Arbitrary<AccessRequest> {
  return fc.record({
    actor,
    action: fc.constantFrom(...ACCESS_ACTIONS),
    target: fc.record({ patientId: fc.constant(PATIENT), kind: fc.constantFrom(...RESOURCE_KINDS), document: fc.option(docArb, { nil: undefined }) }),
    mode: fc.constantFrom(...ACCESS_MODES),
    justification: fc.option(fc.constantFrom('', '  ', 'unconscious'), { nil: undefined }),
    onPatientRequest: fc.option(fc.boolean(), { nil: undefined }),
  });
}
/** Requests on documents, with their metadata. */
function docRequestArb(actor: fc.Arbitrary<Actor>, actions: readonly AccessRequest['action'][] = ['read', 'list']): fc.Arbitrary<AccessRequest> {
  return fc.record({
    actor,
    action: fc.constantFrom(...actions),
    target: fc.record({ patientId: fc.constant(PATIENT), kind: fc.constant('document' as const), document: docArb }),
    mode: fc.constantFrom(...ACCESS_MODES),
    justification: fc.option(fc.constantFrom('', 'unconscious'), { nil: undefined }),
  });
}

const RUNS = { numRuns: 3000 };
const permitted = (d: Decision) => d.effect === 'permit';
const nowArb = fc.oneof(fc.constant(NOW), date);

describe('decide(): properties', () => {
  it('deny by default: people with no relation to the space get nothing', () => {
    fc.assert(
      fc.property(requestArb(patientSideArb), factsArb, nowArb, (r, f, now) => {
        const a = r.actor as PatientSideActor;
        const related =
          (a.kind === 'patient' && a.patientId === PATIENT) ||
          (a.kind === 'representative' && Object.hasOwn(f.representatives, a.personId)) ||
          (a.kind === 'aidant' && f.aidants[a.personId]?.status === 'accepted');
        if (!related) expect(decide(r, f, now).effect).toBe('deny');
      }),
      RUNS,
    );
  });

  it('deny by default: a PS with no relation reads nothing outside an emergency, and only feeds or attests consent', () => {
    fc.assert(
      fc.property(requestArb(professionalArb), factsArb, nowArb, (r, f, now) => {
        const p = r.actor as ProfessionalActor;
        const doc = r.target.document;
        const related =
          Object.hasOwn(f.authorized, p.idNatPs) || f.administrators.has(p.idNatPs) || f.medecinTraitant === p.idNatPs || (doc?.authorKind === 'professional' && doc.authorId === p.idNatPs);
        if (related || r.mode !== 'normal') return;
        const d = decide(r, f, now);
        if (d.effect === 'permit') expect(['ps_feeding', 'ps_consent_attestation']).toContain(d.rule);
      }),
      RUNS,
    );
  });

  it('a blocked PS is never permitted anything, whatever the facts and the mode', () => {
    fc.assert(
      fc.property(requestArb(professionalArb), factsArb, nowArb, (r, f, now) => {
        const p = r.actor as ProfessionalActor;
        const blocked = { ...f, blocked: new Set([...f.blocked, p.idNatPs]) };
        expect(decide(r, blocked, now).effect).toBe('deny');
      }),
      RUNS,
    );
  });

  it('a closed space gives no professional permit, not even in emergency (§3.5); nor anything to anyone', () => {
    fc.assert(
      fc.property(requestArb(actorArb), factsArb, fc.constantFrom('closed' as const, 'purged' as const), nowArb, (r, f, status, now) => {
        expect(decide(r, { ...f, spaceStatus: status }, now).effect).toBe('deny');
      }),
      RUNS,
    );
  });

  it('the insurer never reads, the operator never reads nor writes (invariant 3)', () => {
    const insurerOrOperator = fc.constantFrom<Actor>({ kind: 'insurer', organisationId: 'cnam' }, { kind: 'operator', staffId: 'op-1' });
    fc.assert(
      fc.property(requestArb(insurerOrOperator), factsArb, nowArb, (r, f, now) => {
        const d = decide(r, f, now);
        if (r.actor.kind === 'operator' || ['read', 'list', 'download_all'].includes(r.action)) expect(d.effect).toBe('deny');
        if (d.effect === 'permit') expect(d.rule).toBe('insurer_write_reimbursement');
      }),
      RUNS,
    );
  });

  it('masked documents never reach a non-administrator PS in normal mode (except their depositor)', () => {
    fc.assert(
      fc.property(docRequestArb(professionalArb), factsArb, nowArb, fc.boolean(), (r, f, now, byFlag) => {
        const p = r.actor as ProfessionalActor;
        const doc = r.target.document as DocumentMeta;
        const masked: AccessRequest = { ...r, mode: 'normal', target: { ...r.target, document: { ...doc, flags: { ...doc.flags, maskedToProfessionals: byFlag || doc.flags.maskedToProfessionals } } } };
        const ff = byFlag ? f : { ...f, maskAll: true };
        if (ff.administrators.has(p.idNatPs) || (doc.authorKind === 'professional' && doc.authorId === p.idNatPs)) return;
        expect(decide(masked, ff, now).effect).toBe('deny');
      }),
      RUNS,
    );
  });

  it('scopes only narrow: an app never gets more than the user it acts for, nor beyond its scopes', () => {
    fc.assert(
      fc.property(requestArb(appArb), factsArb, nowArb, (r, f, now) => {
        const app = r.actor as AppActor;
        const d = decide(r, f, now);
        if (!permitted(d)) return;
        const asUser = decide({ ...r, actor: app.user }, f, now);
        expect(asUser.effect).toBe('permit');
        expect(d.effect === 'permit' && asUser.effect === 'permit' && d.obligations).toEqual(asUser.effect === 'permit' && asUser.obligations);
        const need = r.action === 'read' || r.action === 'list' ? 'read' : 'write';
        expect(app.scopes.some((s) => s.kind === r.target.kind && s[need])).toBe(true);
        expect(f.connectedApps.has(app.appId)).toBe(true);
      }),
      RUNS,
    );
  });

  it('invisible-to-representatives never reaches a representative (nor their app, nor an aidant)', () => {
    const repSide = fc.oneof(
      fc.constantFrom(...PERSON_IDS).map((personId): Actor => ({ kind: 'representative', personId })),
      fc.constantFrom(...PERSON_IDS).map((personId): Actor => ({ kind: 'aidant', personId })),
      appArb.map((a): Actor => ({ ...a, user: { kind: 'representative', personId: 'p-1' } })),
    );
    fc.assert(
      fc.property(docRequestArb(repSide, ['read', 'list', 'update', 'delete', 'mask', 'unmask']), factsArb, nowArb, (r, f, now) => {
        const doc = r.target.document as DocumentMeta;
        const secret = { ...r, target: { ...r.target, document: { ...doc, flags: { ...doc.flags, invisibleToRepresentatives: true } } } };
        expect(decide(secret, f, now).effect).toBe('deny');
      }),
      RUNS,
    );
  });

  it('invisible-to-patient never reaches the patient side before its date', () => {
    fc.assert(
      fc.property(docRequestArb(fc.oneof(patientSideArb, appArb), ['read', 'list', 'update', 'delete', 'mask', 'unmask']), factsArb, fc.integer({ min: 1, max: 40 * 86_400_000 }), (r, f, ahead) => {
        const doc = r.target.document as DocumentMeta;
        const hidden = { ...r, target: { ...r.target, document: { ...doc, flags: { ...doc.flags, invisibleToPatientUntil: new Date(NOW.getTime() + ahead) } } } };
        expect(decide(hidden, f, NOW).effect).toBe('deny');
      }),
      RUNS,
    );
  });

  it('the MASKED emergency setting is ineffective when both emergency settings are off', () => {
    fc.assert(
      fc.property(requestArb(actorArb), factsArb, nowArb, (r, f, now) => {
        const off = (masked: boolean): AccessFacts => ({ ...f, emergency: { samu: false, brisDeGlace: false, masked } });
        expect(decide(r, off(true), now)).toEqual(decide(r, off(false), now));
      }),
      RUNS,
    );
  });

  it('effective MASKED implies SAMU or bris de glace, and follows MASKED otherwise', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.boolean(), (samu, brisDeGlace, masked) => {
        const e = effectiveEmergencySettings({ samu, brisDeGlace, masked });
        expect(e.masked).toBe(masked && (samu || brisDeGlace));
        expect([e.samu, e.brisDeGlace]).toEqual([samu, brisDeGlace]);
      }),
    );
  });

  it('every emergency permit carries the emergency trace, both notifications and the banner', () => {
    fc.assert(
      fc.property(requestArb(professionalArb), factsArb, nowArb, (r, f, now) => {
        const d = decide(r, f, now);
        if (d.effect !== 'permit' || r.mode === 'normal') return;
        expect(['emergency_samu', 'emergency_bris_de_glace']).toContain(d.rule);
        expect(d.obligations).toContainEqual(expect.objectContaining({ type: 'trace', mode: r.mode }));
        expect(d.obligations).toContainEqual({ type: 'notify_patient', event: 'emergency_access' });
        expect(d.obligations).toContainEqual({ type: 'notify_medecin_traitant', event: 'emergency_access', idNatPs: f.medecinTraitant });
        expect(d.obligations).toContainEqual({ type: 'show_emergency_banner' });
      }),
      RUNS,
    );
  });

  it('every permit carries exactly one trace, in the request\'s mode', () => {
    fc.assert(
      fc.property(requestArb(actorArb), factsArb, nowArb, (r, f, now) => {
        const d = decide(r, f, now);
        if (d.effect !== 'permit') return;
        const traces = d.obligations.filter((o) => o.type === 'trace');
        expect(traces).toHaveLength(1);
        expect(traces[0]).toMatchObject({ mode: r.mode });
      }),
      RUNS,
    );
  });

  it('a PS never reads a document type the matrix closes to their profession, in any mode, unless they deposited it', () => {
    fc.assert(
      fc.property(docRequestArb(professionalArb), factsArb, nowArb, (r, f, now) => {
        const p = r.actor as ProfessionalActor;
        const doc = r.target.document as DocumentMeta;
        const d = decide(r, f, now);
        if (d.effect !== 'permit' || d.rule === 'ps_author') return;
        const specialtyRow = p.professionCode === '10' && p.specialtyCode !== null ? DEFAULT_MATRIX.specialties.get(p.specialtyCode) : undefined;
        const row = specialtyRow ?? DEFAULT_MATRIX.rows.get(p.professionCode as never) ?? DEFAULT_MATRIX.defaultRows.get(p.professionCode as never) ?? DEFAULT_MATRIX.fallback;
        expect(row.read === 'none' || (row.read === 'all_except' && row.types.has(doc.typeCode))).toBe(false);
      }),
      RUNS,
    );
  });
});

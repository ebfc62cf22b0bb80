import { describe, expect, it } from 'vitest';
import { candidatesFor, explain, whoCanSee } from './explain.ts';
import type { KnownProfessional } from './explain.ts';
import { AIDANT, doc, facts, IDS, minorFacts, NOW, PATIENT } from './test-fixtures.ts';

const DIRECTORY: Record<string, KnownProfessional> = {
  [IDS.authorizedGp]: { professionCode: '10', specialtyCode: null, label: 'Dr GP' },
  [IDS.medecinTraitant]: { professionCode: '10', specialtyCode: null, label: 'Dr MT' },
  [IDS.admin]: { professionCode: '10', specialtyCode: null, label: 'Dr Admin' },
  [IDS.blocked]: { professionCode: '10', specialtyCode: null, label: 'Dr Blocked' },
  [IDS.authorizedDentist]: { professionCode: '40', specialtyCode: null, label: 'Dentist' },
  [IDS.stranger]: { professionCode: '60', specialtyCode: null, label: 'Author nurse' },
};

const rules = (xs: ReturnType<typeof explain>) => Object.fromEntries(xs.map((e) => [e.label, e.decision.effect === 'permit' ? e.decision.rule : `deny:${e.decision.reason}`]));

describe('explain / whoCanSee', () => {
  it('a masked document: the patient side, the administrator, the depositor, emergency (MASKED allowed); not the others', () => {
    const d = doc({ authorId: IDS.stranger, flags: { maskedToProfessionals: true } });
    const f = facts();
    const out = rules(explain({ patientId: PATIENT, document: d }, f, candidatesFor(PATIENT, f, DIRECTORY, d), NOW));
    expect(out).toEqual({
      'the patient': 'patient_own_space',
      aidant: 'aidant',
      'Dr GP (authorized)': 'deny:masked',
      'Dentist (authorized)': 'deny:masked',
      'Dr Admin (administrator)': 'ps_administrator',
      'Dr Blocked (blocked)': 'deny:blocked',
      'Dr MT (médecin traitant)': 'deny:masked',
      'Author nurse (author)': 'ps_author',
      'SAMU regulator (centre 15), emergency': 'emergency_samu',
      'any physician, bris de glace': 'emergency_bris_de_glace',
      'the insurer': 'deny:insurer_no_read',
      'the operator': 'deny:operator_no_health_data',
    });
    expect(candidatesFor(PATIENT, f, DIRECTORY, d).some((c) => c.actor.kind === 'aidant' && c.actor.personId === AIDANT)).toBe(true);
  });

  it('a minor\'s secret care document: the minor and the care team, never the representatives', () => {
    const d = doc({ typeCode: '57833-6', flags: { invisibleToRepresentatives: true } });
    const f = minorFacts({ aidants: {}, emergency: { samu: false, brisDeGlace: false, masked: true } });
    const seen = whoCanSee({ patientId: PATIENT, document: d }, f, candidatesFor(PATIENT, f, DIRECTORY, d), NOW).map((e) => e.label);
    expect(seen).toEqual(['the patient', 'Dr GP (authorized)', 'Dentist (authorized)', 'Dr Admin (administrator)', 'Dr MT (médecin traitant)']);
    const reps = explain({ patientId: PATIENT, document: d }, f, candidatesFor(PATIENT, f, DIRECTORY, d), NOW).filter((e) => e.actor.kind === 'representative');
    expect(reps.map((e) => e.decision)).toEqual([
      { effect: 'deny', reason: 'invisible_to_representatives' },
      { effect: 'deny', reason: 'invisible_to_representatives' },
    ]);
  });

  it('the matrix shows through: a dentist does not see advance directives', () => {
    const d = doc({ typeCode: 'EXPPAT_3', authorKind: 'patient', authorId: PATIENT });
    const f = facts();
    const dentist = explain({ patientId: PATIENT, document: d }, f, candidatesFor(PATIENT, f, DIRECTORY, d), NOW).find((e) => e.label.startsWith('Dentist'));
    expect(dentist?.decision).toEqual({ effect: 'deny', reason: 'matrix_excludes_type' });
  });

  it('leaves out professionals the directory does not know', () => {
    const f = facts();
    expect(candidatesFor(PATIENT, f, {}).filter((c) => c.actor.kind === 'professional' && c.mode === undefined)).toEqual([]);
  });
});

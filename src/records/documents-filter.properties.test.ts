import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { DEFAULT_MATRIX, DOCUMENT_TYPES, decide } from '../access/index.ts';
import type { AccessFacts, AccessMode, Actor, AuthorKind, DocumentMeta, DocumentStatus } from '../access/index.ts';
import { SPACE_STATUSES } from '../lifecycle/space-lifecycle.ts';
import type { SpaceStatus } from '../lifecycle/space-lifecycle.ts';
import type { Db, SqlParam } from '../storage/index.ts';
import { compileDocumentsFilter } from './documents-filter.ts';

/**
 * ARCHITECTURE "Access decision": the SQL filter and decide() agree on every row. Random
 * spaces, actors and documents; the documents are written to the table, the filter is run by
 * the engine, and the ids it returns must be exactly those decide() lets the actor list
 * (list permitted on the space, then read permitted on the row).
 */
const RUNS = 40;
const DOCS_PER_RUN = 30;
/** (actor, mode) pairs checked against the same documents of a run. */
const ACTORS_PER_RUN = 4;

// Small pools so that relations (authorized, blocked, author, administrator...) collide.
const PS_IDS = ['810000000001', '810000000002', '810000000003', '810000000004', '810000000005', '810000000006'];
const PERSON_IDS = ['p-1', 'p-2', 'p-3'];
const NOW = new Date('2026-03-01T10:00:00Z');
const DAY = 86_400_000;
const TYPES = [...Object.keys(DOCUMENT_TYPES), 'NOT-A-TYPE'];
// Dentist, nurse, podiatrist excluded types, ATTEST-RESID, EXPPAT_3: drawn often so the matrix bites.
const HOT_TYPES = ['80788-3', '75496-0', '83981-1', '83901-9', '68599-0', 'EXPPAT_3', '68817-6', '89601-9', '15508-5', 'ATTEST-RESID', '11488-4'];

const subset = <T>(xs: readonly T[]) => fc.subarray([...xs]);
const weighted = <T>(common: T, all: readonly T[]) => fc.oneof({ arbitrary: fc.constant(common), weight: 4 }, { arbitrary: fc.constantFrom(...all), weight: 1 });

const factsArb: fc.Arbitrary<AccessFacts> = fc.record({
  spaceStatus: weighted<SpaceStatus>('active', SPACE_STATUSES),
  patientIsMinor: fc.boolean(),
  representatives: fc.dictionary(fc.constantFrom(...PERSON_IDS), fc.record({ rank: fc.constantFrom(1 as const, 2 as const) })),
  aidants: fc.dictionary(fc.constantFrom(...PERSON_IDS), fc.record({ status: fc.constantFrom('pending' as const, 'accepted' as const, 'refused' as const, 'expired' as const) })),
  authorized: fc.subarray(PS_IDS, { minLength: 3 }).map((xs) => Object.fromEntries(xs.map((id) => [id, { since: new Date('2025-06-01T00:00:00Z') }]))),
  lastAccess: fc.constant({}),
  blocked: fc.option(subset(PS_IDS.slice(0, 2)), { nil: [], freq: 2 }).map((xs) => new Set(xs)),
  administrators: subset(PS_IDS).map((xs) => new Set(xs)),
  medecinTraitant: fc.option(fc.constantFrom(...PS_IDS), { nil: null }),
  emergency: fc.record({ samu: fc.boolean(), brisDeGlace: fc.boolean(), masked: fc.boolean() }),
  maskAll: fc.boolean(),
  notifications: fc.constant({ everyPsAccess: false, newDocument: false }),
  connectedApps: fc.constant(new Set(['app-1'])),
  matrix: fc.constant(DEFAULT_MATRIX),
});

/** Actors, given the patient id of the run (a uuid, the table's key). */
type ActorSpec = (patientId: string) => Actor;
const psSpec = fc
  .record({
    idNatPs: fc.constantFrom(...PS_IDS),
    // Physician (plain, cardiologist, occupational medicine, regulator), dentist, nurse, podiatrist, pharmacist, midwife, unknown.
    prof: fc.constantFrom(['10', null], ['10', 'SM04'], ['10', 'SM25'], ['10', 'SM59'], ['40', null], ['60', null], ['80', null], ['21', null], ['50', null], ['10', null], ['99', null]),
    samuRegulator: fc.boolean(),
  })
  .map(
    (p): ActorSpec =>
      () => ({ kind: 'professional', idNatPs: p.idNatPs, professionCode: p.prof[0] as string, specialtyCode: p.prof[1] as string | null, samuRegulator: p.samuRegulator }),
  );
const actorArb: fc.Arbitrary<ActorSpec> = fc.oneof(
  { arbitrary: fc.constant<ActorSpec>((patientId) => ({ kind: 'patient', patientId })), weight: 2 },
  { arbitrary: fc.constant<ActorSpec>(() => ({ kind: 'patient', patientId: randomUUID() })), weight: 1 },
  { arbitrary: fc.constantFrom(...PERSON_IDS).map((personId): ActorSpec => () => ({ kind: 'representative', personId })), weight: 2 },
  { arbitrary: fc.constantFrom(...PERSON_IDS).map((personId): ActorSpec => () => ({ kind: 'aidant', personId })), weight: 1 },
  {
    arbitrary: fc
      .record({ personId: fc.constantFrom(...PERSON_IDS), user: fc.constantFrom('patient', 'aidant'), read: fc.boolean(), app: fc.constantFrom('app-1', 'app-2') })
      .map(
        (a): ActorSpec =>
          (patientId) => ({
            kind: 'app',
            appId: a.app,
            user: a.user === 'patient' ? { kind: 'patient', patientId } : { kind: 'aidant', personId: a.personId },
            scopes: [{ kind: 'document', read: a.read, write: false }],
          }),
      ),
    weight: 1,
  },
  { arbitrary: psSpec, weight: 8 },
  { arbitrary: fc.constant<ActorSpec>(() => ({ kind: 'insurer', organisationId: 'cnam' })), weight: 1 },
  { arbitrary: fc.constant<ActorSpec>(() => ({ kind: 'operator', staffId: 'op' })), weight: 1 },
);

const modeArb = fc.oneof(
  { arbitrary: fc.constant({ mode: 'normal' as AccessMode, justification: undefined as string | undefined }), weight: 3 },
  { arbitrary: fc.record({ mode: fc.constantFrom<AccessMode>('samu', 'bris_de_glace'), justification: fc.constantFrom(undefined, '  ', 'patient unconscious', 'patient unconscious') }), weight: 2 },
);

const offset = fc.oneof(fc.constant(0), fc.integer({ min: -40, max: 40 }).map((d) => d * DAY), fc.integer({ min: -5000, max: 5000 }));
const docArb = fc.record({
  typeCode: fc.oneof(fc.constantFrom(...TYPES), fc.constantFrom(...HOT_TYPES)),
  authorKind: fc.constantFrom<AuthorKind>('professional', 'professional', 'patient', 'representative', 'aidant', 'insurer'),
  authorId: fc.constantFrom(...PS_IDS, ...PERSON_IDS, 'cnam'),
  status: fc.constantFrom<DocumentStatus>('current', 'current', 'current', 'superseded', 'deleted'),
  masked: fc.boolean(),
  invisibleUntil: fc.option(offset.map((o) => new Date(NOW.getTime() + o)), { nil: null, freq: 2 }),
  invisibleToRepresentatives: fc.boolean(),
});
type GenDoc = typeof docArb extends fc.Arbitrary<infer T> ? T : never;

function meta(d: GenDoc): DocumentMeta {
  return {
    typeCode: d.typeCode,
    classCode: DOCUMENT_TYPES[d.typeCode] ?? '',
    authorKind: d.authorKind,
    authorId: d.authorId,
    status: d.status,
    flags: { maskedToProfessionals: d.masked, invisibleToPatientUntil: d.invisibleUntil, invisibleToRepresentatives: d.invisibleToRepresentatives },
  };
}

async function insertDocs(db: Db, patientId: string, docs: readonly GenDoc[]): Promise<string[]> {
  const ids = docs.map(() => randomUUID());
  const values: string[] = [];
  const params: SqlParam[] = [];
  docs.forEach((d, i) => {
    const b = params.length;
    values.push(
      `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, 't', '2026-01-01', $${b + 10}, $${b + 5}, $${b + 6}, 'application/pdf', 1, '${'0'.repeat(64)}', $${b + 12}, $${b + 7}, $${b + 8}, $${b + 9}, $${b + 10}, $${b + 11})`,
    );
    params.push(patientId, ids[i] as string, d.typeCode, DOCUMENT_TYPES[d.typeCode] ?? '99', d.authorKind, d.authorId, d.status, d.masked, d.invisibleUntil, NOW, d.invisibleToRepresentatives, `blob-${i}`);
  });
  await db.query(
    `INSERT INTO documents (patient_id, document_id, type_code, class_code, title, created_on, submitted_at, author_kind, author_id, format, size, sha256, blob_id,
       status, masked_to_professionals, invisible_to_patient_until, updated_at, invisible_to_representatives) VALUES ${values.join(', ')}`,
    params,
  );
  return ids;
}

describeEngines('documents filter agrees with decide() on every row', (getDb) => {
  const figures = { runs: 0, rows: 0, checks: 0, rowDecisions: 0, permitted: 0, refusedAtGate: 0 };
  afterAll(() => {
    console.info(
      `[documents-filter property] ${figures.runs} runs x ${DOCS_PER_RUN} documents = ${figures.rows} rows; ${figures.checks} (actor, mode) checks of which ${figures.refusedAtGate} refused at the list gate; ${figures.rowDecisions} row decisions, ${figures.permitted} permitted`,
    );
  });

  it(`${RUNS} random spaces x ${DOCS_PER_RUN} documents, ${ACTORS_PER_RUN} actors each`, async () => {
    const db = getDb();
    await fc.assert(
      fc.asyncProperty(
        factsArb,
        fc.array(fc.tuple(actorArb, modeArb), { minLength: ACTORS_PER_RUN, maxLength: ACTORS_PER_RUN }),
        fc.array(docArb, { minLength: DOCS_PER_RUN, maxLength: DOCS_PER_RUN }),
        async (facts, who, docs) => {
          const patientId = randomUUID();
          const ids = await insertDocs(db, patientId, docs);
          figures.runs += 1;
          figures.rows += docs.length;
          for (const [actorSpec, m] of who) {
            const actor = actorSpec(patientId);
            const request = (action: 'list' | 'read', document?: DocumentMeta) => ({
              actor,
              action,
              target: { patientId, kind: 'document' as const, ...(document === undefined ? {} : { document }) },
              mode: m.mode,
              ...(m.justification === undefined ? {} : { justification: m.justification }),
            });
            const gate = decide(request('list'), facts, NOW);
            const expected = gate.effect === 'permit' ? ids.filter((_, i) => decide(request('read', meta(docs[i] as GenDoc)), facts, NOW).effect === 'permit') : [];

            const filter = compileDocumentsFilter({ actor, patientId, facts, mode: m.mode, justification: m.justification, now: NOW }, 2);
            const rows = await db.query<{ document_id: string }>(`SELECT document_id FROM documents WHERE patient_id = $1 AND ${filter.where}`, [patientId, ...filter.params]);
            const got = rows.map((r) => r.document_id);

            figures.checks += 1;
            if (gate.effect === 'deny') figures.refusedAtGate += 1;
            else figures.rowDecisions += docs.length;
            figures.permitted += expected.length;
            expect(filter.denied).toBe(gate.effect === 'deny' ? gate.reason : null);
            expect(new Set(got)).toEqual(new Set(expected));
            expect(got).toHaveLength(expected.length);
          }
        },
      ),
      { numRuns: RUNS },
    );
    // Not vacuous: rows were permitted and others refused.
    expect(figures.permitted).toBeGreaterThan(0);
    expect(figures.permitted).toBeLessThan(figures.rowDecisions);
  }, 60_000);
});

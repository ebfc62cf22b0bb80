import { Readable } from 'node:stream';
import { beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { ManualClock } from '../platform/clock.ts';
import type { Db } from '../storage/index.ts';
import { withLuhnKey } from './directory.ts';
import { findOrganisation, findProfessional, findProfessionalByRpps, searchProfessionals } from './directory-store.ts';
import { importProfessionals } from './import-professionals.ts';
import type { ImportOptions, ImportProblem } from './import-professionals.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from './demo-directory.ts';

const HEADER = 'rpps,family_name,given_name,profession_code,specialty_code,email,finess,organisation_name,organisation_kind,siret,city';
// Valid identifiers (Luhn keys) in a range of their own per test, so suites share nothing.
const rpps = (n: number) => withLuhnKey(`9880${String(n).padStart(6, '0')}`);
const finess = (n: number) => withLuhnKey(`759880${String(n).padStart(2, '0')}`);
/** The same number with a wrong last digit (key). */
const wrongKey = (id: string) => id.slice(0, -1) + String((Number(id.at(-1)) + 1) % 10);

const csv = (...lines: string[]) => Readable.from([Buffer.from([HEADER, ...lines].join('\n') + '\n')]);
const ndjson = (...objects: unknown[]) => Readable.from([Buffer.from(objects.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('\n') + '\n')]);

async function run(db: Db, clock: ManualClock, input: Readable, format: 'csv' | 'ndjson', opts: ImportOptions = {}) {
  const problems: ImportProblem[] = [];
  const summary = await importProfessionals(db, clock, input, format, { ...opts, onProblem: (p) => void problems.push(p) });
  return { summary, problems };
}

describeEngines('importProfessionals', (getDb) => {
  let clock: ManualClock;
  beforeEach(() => {
    clock = new ManualClock('2026-01-15T09:00:00Z');
  });

  it('imports the good lines of a CSV file and reports each bad line with its number and field', async () => {
    const db = getDb();
    const { summary, problems } = await run(
      db,
      clock,
      csv(
        `${rpps(1)},DURAND,Anne,10,SM54,anne.durand@example.org,${finess(1)},Cabinet Durand,cabinet,73282932000074,Lyon`, // line 2
        `${wrongKey(rpps(2))},MARTIN,Luc,10,,,,,,,`, // line 3: wrong RPPS key
        `${rpps(3)},PETIT,Zoé,60,SM54,,,,,,`, // line 4: a nurse with a specialty
        `${rpps(4)},LEROUX,Paul,21,,paul@example,${finess(2)},Pharmacie Leroux,pharmacie,,Lyon`, // line 5: e-mail
        `${rpps(5)},ROCHE,Ines,99,,,,,,,`, // line 6: profession
        `${rpps(6)},FAURE,Marc`, // line 7: too few fields
        '', // line 8: blank, skipped
        `${rpps(7)},BLANC,Eve,40,,eve.blanc@example.org,,,,,`, // line 9
      ),
      'csv',
    );
    expect(problems.map(({ line, field, value }) => ({ line, field, value }))).toEqual([
      { line: 3, field: 'rpps', value: wrongKey(rpps(2)) },
      { line: 4, field: 'specialty_code', value: 'SM54' },
      { line: 5, field: 'email', value: 'paul@example' },
      { line: 6, field: 'profession_code', value: '99' },
      { line: 7, field: 'line', value: '' },
    ]);
    expect(problems.find((p) => p.line === 6)?.reason).toMatch(/unknown TRE_G15 profession code "99"/);
    expect(problems[0]?.reason).toMatch(/control key/);
    expect(summary).toMatchObject({ rows: 7, created: 2, updated: 0, unchanged: 0, errors: 5, deactivated: 0, problems: 5 });
    expect(summary.firstProblems).toEqual(problems);

    const durand = await findProfessionalByRpps(db, rpps(1));
    expect(durand).toEqual({
      idNatPs: `8${rpps(1)}`,
      rpps: rpps(1),
      familyName: 'DURAND',
      givenName: 'Anne',
      professionCode: '10',
      professionLabel: 'Médecin',
      specialtyCode: 'SM54',
      specialtyLabel: 'Médecine générale',
      email: 'anne.durand@example.org',
      active: true,
      organisation: { finess: finess(1), structureId: `1${finess(1)}`, name: 'Cabinet Durand', kind: 'cabinet', kindLabel: 'Cabinet médical', siret: '73282932000074', city: 'Lyon', active: true },
    });
    expect(await findProfessionalByRpps(db, rpps(7))).toMatchObject({ familyName: 'BLANC', professionLabel: 'Chirurgien-dentiste', organisation: null });
    for (const bad of [3, 4, 5]) expect(await findProfessionalByRpps(db, rpps(bad))).toBeNull();
    expect(await findOrganisation(db, finess(2))).toBeNull(); // only on a refused line
  });

  it('imports NDJSON with good and bad lines', async () => {
    const db = getDb();
    const { summary, problems } = await run(
      db,
      clock,
      ndjson(
        { rpps: rpps(11), family_name: 'NOEL', given_name: 'Jean', profession_code: '70' },
        'not json',
        { rpps: Number(rpps(12)), family_name: 'MOREL', given_name: 'Lina', profession_code: 10, specialty_code: 'SM40', finess: finess(11), organisation_name: 'Hôpital Morel', organisation_kind: 'etablissement' },
        { rpps: rpps(13), family_name: ['X'], given_name: 'Ana', profession_code: '50' },
        [1, 2],
        { rpps: rpps(14), given_name: 'Sans', profession_code: '50' },
      ),
      'ndjson',
    );
    expect(problems.map(({ line, field, reason }) => ({ line, field, reason }))).toEqual([
      { line: 2, field: 'line', reason: 'is not valid JSON' },
      { line: 4, field: 'family_name', reason: 'must be text' },
      { line: 5, field: 'line', reason: 'must be a JSON object' },
      { line: 6, field: 'family_name', reason: 'is required' },
    ]);
    expect(summary).toMatchObject({ rows: 6, created: 2, errors: 4 });
    expect(await findProfessionalByRpps(db, rpps(12))).toMatchObject({ specialtyLabel: 'Pédiatrie', organisation: { name: 'Hôpital Morel', kindLabel: 'Établissement de santé' } });
  });

  it('is idempotent: a second run creates nothing and rewrites nothing; a changed e-mail is one update', async () => {
    const db = getDb();
    const lines = [0, 1, 2, 3, 4].map((i) => `${rpps(20 + i)},NOM${'ABCDE'[i]},Prenom,60,,n${i}@example.org,${finess(20)},Maison de santé,centre_sante,,Nantes`);
    const first = await run(db, clock, csv(...lines), 'csv', { batchSize: 2 });
    expect(first.summary).toMatchObject({ rows: 5, created: 5, updated: 0, unchanged: 0, errors: 0, organisations: { created: 1, updated: 0 } });
    const stamp = async () => (await db.query<{ rpps: string; updated_at: Date }>('SELECT rpps, updated_at FROM professionals WHERE rpps = ANY($1::text[]) ORDER BY rpps', [[0, 1, 2, 3, 4].map((i) => rpps(20 + i))])).map((r) => [r.rpps, new Date(r.updated_at).toISOString()]);
    const before = await stamp();

    clock.advanceDays(1);
    const second = await run(db, clock, csv(...lines), 'csv', { batchSize: 2 });
    expect(second.summary).toMatchObject({ rows: 5, created: 0, updated: 0, unchanged: 5, errors: 0, organisations: { created: 0, updated: 0 } });
    expect(await stamp()).toEqual(before);

    clock.advanceDays(1);
    const changed = [...lines];
    changed[3] = (changed[3] as string).replace('n3@example.org', 'new.address@example.org');
    const third = await run(db, clock, csv(...changed), 'csv', { batchSize: 2 });
    expect(third.summary).toMatchObject({ created: 0, updated: 1, unchanged: 4 });
    expect(await findProfessionalByRpps(db, rpps(23))).toMatchObject({ email: 'new.address@example.org' });
    const after = await stamp();
    expect(after.filter(([r]) => r !== rpps(23))).toEqual(before.filter(([r]) => r !== rpps(23)));
    expect(after.find(([r]) => r === rpps(23))?.[1]).toBe('2026-01-17T09:00:00.000Z');
  });

  it('creates and updates organisations; an empty SIRET or city keeps the stored one', async () => {
    const db = getDb();
    await run(db, clock, csv(`${rpps(30)},AUBERT,Noa,21,,,${finess(30)},Pharmacie Centrale,pharmacie,73282932000074,Rennes`), 'csv');
    expect(await findOrganisation(db, finess(30))).toEqual({ finess: finess(30), structureId: `1${finess(30)}`, name: 'Pharmacie Centrale', kind: 'pharmacie', kindLabel: "Pharmacie d'officine", siret: '73282932000074', city: 'Rennes', active: true });

    const renamed = await run(db, clock, csv(`${rpps(30)},AUBERT,Noa,21,,,${finess(30)},Grande Pharmacie Centrale,pharmacie,,`), 'csv');
    expect(renamed.summary).toMatchObject({ unchanged: 1, organisations: { created: 0, updated: 1 } });
    expect(await findOrganisation(db, finess(30))).toMatchObject({ name: 'Grande Pharmacie Centrale', siret: '73282932000074', city: 'Rennes' });

    // Two professionals of one organisation in one batch: one organisation row, the last line wins.
    const shared = await run(
      db,
      clock,
      csv(`${rpps(31)},BRUN,Ali,10,,,${finess(31)},Clinique A,etablissement,,Metz`, `${rpps(32)},BRUN,Eli,10,,,${finess(31)},Clinique B,etablissement,,Metz`),
      'csv',
    );
    expect(shared.summary.organisations).toEqual({ created: 1, updated: 0 });
    expect(await findOrganisation(db, finess(31))).toMatchObject({ name: 'Clinique B' });
    expect(await searchProfessionals(db, { finess: finess(31), limit: 10 })).toHaveLength(2);
  });

  it('--full marks inactive the professionals a full extract no longer lists, and reactivates returning ones', async () => {
    const db = getDb();
    const line = (i: number) => `${rpps(40 + i)},FULL${'ABCD'[i]},Test,92,,,,,,,`;
    await run(db, clock, csv(line(0), line(1), line(2), line(3)), 'csv');
    const [{ n: activeBefore }] = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM professionals WHERE active')) as [{ n: number }];

    // Line 2 drops out; line 3 is refused (bad e-mail) but its RPPS is readable: not deactivated.
    clock.advanceDays(1);
    const full = await run(db, clock, csv(line(0), line(1), `${rpps(43)},FULLD,Test,92,,bad-email,,,,,`), 'csv', { full: true });
    expect(full.summary).toMatchObject({ rows: 3, unchanged: 2, errors: 1 });
    // Everyone else in the table (other tests' rows) is absent from this file, so inactive too.
    expect(full.summary.deactivated).toBe(activeBefore - 3);
    expect(await findProfessionalByRpps(db, rpps(42))).toMatchObject({ active: false });
    expect(await findProfessionalByRpps(db, rpps(43))).toMatchObject({ active: true });
    expect(await searchProfessionals(db, { name: 'fullc', limit: 10 })).toEqual([]);
    expect(await searchProfessionals(db, { name: 'fullc', includeInactive: true, limit: 10 })).toHaveLength(1);

    const again = await run(db, clock, csv(line(0), line(1), line(2), line(3)), 'csv', { full: true });
    expect(again.summary).toMatchObject({ created: 0, updated: 1, unchanged: 3, deactivated: 0 });
    expect(await findProfessionalByRpps(db, rpps(42))).toMatchObject({ active: true });
  });

  it('--full refuses a file without a single valid professional', async () => {
    const db = getDb();
    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM professionals WHERE active');
    await expect(run(db, clock, csv('1,X,Y,10,,,,,,,'), 'csv', { full: true })).rejects.toThrow(/no valid professional/);
    expect(await db.query('SELECT count(*)::int AS n FROM professionals WHERE active')).toEqual(before);
  });

  it('refuses a CSV file whose header lacks a required column', async () => {
    const db = getDb();
    const input = Readable.from([Buffer.from(`numero,nom\n${rpps(50)},X\n`)]);
    await expect(importProfessionals(db, clock, input, 'csv')).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/lacks the columns rpps, family_name, given_name, profession_code/) });
  });

  it('reports an RPPS given twice and keeps the first line', async () => {
    const db = getDb();
    const { summary, problems } = await run(db, clock, csv(`${rpps(60)},PREMIER,A,10,,,,,,,`, `${rpps(61)},AUTRE,B,10,,,,,,,`, `${rpps(60)},SECOND,A,10,,,,,,,`), 'csv', { batchSize: 1 });
    expect(problems).toEqual([{ line: 4, field: 'rpps', value: rpps(60), reason: 'appears on an earlier line of the file: this line is ignored' }]);
    expect(summary).toMatchObject({ created: 2, errors: 1 });
    expect(await findProfessionalByRpps(db, rpps(60))).toMatchObject({ familyName: 'PREMIER' });
  });

  it('reports progress per batch and keeps only the first problems', async () => {
    const db = getDb();
    const progress: number[] = [];
    const lines = Array.from({ length: 30 }, (_, i) => `${rpps(100 + i)},LOT,X,10,,bad${i},,,,,`);
    const summary = await importProfessionals(db, clock, csv(...lines), 'csv', { batchSize: 10, keepProblems: 5, onProgress: (_bytes, c) => progress.push(c.rows) });
    expect(progress).toEqual([10, 20, 30]);
    expect(summary).toMatchObject({ errors: 30, problems: 30 });
    expect(summary.firstProblems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6]);
  });

  it('loads the demo directory, idempotently', async () => {
    const db = getDb();
    const first = await loadDemoDirectory(db, clock);
    expect(first).toMatchObject({ rows: 7, errors: 0 });
    expect(first.created + first.updated + first.unchanged).toBe(7);
    const second = await loadDemoDirectory(db, clock);
    expect(second).toMatchObject({ created: 0, updated: 0, unchanged: 7 });
    expect(await findProfessional(db, DEMO_PROFESSIONALS.generalPractitioner)).toMatchObject({
      familyName: 'BERNARD',
      givenName: 'Sophie',
      professionLabel: 'Médecin',
      specialtyLabel: 'Médecine générale',
      organisation: { kind: 'cabinet' },
    });
    expect(await findProfessional(db, DEMO_PROFESSIONALS.samuRegulator)).toMatchObject({ specialtyCode: 'SM59', organisation: { name: 'SAMU 75 – Centre 15', kind: 'samu' } });
    expect(await findProfessional(db, DEMO_PROFESSIONALS.cardiologist)).toMatchObject({ specialtyLabel: 'Cardiologie et maladies vasculaires' });
  });

  it('searches by name words, profession and organisation', async () => {
    const db = getDb();
    await run(
      db,
      clock,
      csv(
        `${rpps(70)},LE GOFF,Yann,10,,,${finess(70)},Cabinet Breizh,cabinet,,Brest`,
        `${rpps(71)},SAINT-JEAN,Marie,60,,,${finess(70)},Cabinet Breizh,cabinet,,Brest`,
        `${rpps(72)},GOFFIN,Anne,10,,,,,,,`,
      ),
      'csv',
    );
    const names = (list: { familyName: string }[]) => list.map((p) => p.familyName);
    expect(names(await searchProfessionals(db, { name: 'goff', limit: 10 }))).toEqual(['GOFFIN', 'LE GOFF']);
    expect(names(await searchProfessionals(db, { name: 'Goff Yann', limit: 10 }))).toEqual(['LE GOFF']);
    expect(names(await searchProfessionals(db, { name: 'jean', limit: 10 }))).toEqual(['SAINT-JEAN']);
    expect(names(await searchProfessionals(db, { name: 'goff', profession: '60', limit: 10 }))).toEqual([]);
    expect(names(await searchProfessionals(db, { finess: finess(70), limit: 10 }))).toEqual(['LE GOFF', 'SAINT-JEAN']);
    expect(names(await searchProfessionals(db, { name: '%', limit: 10 }))).toEqual([]); // wildcards are literal
    expect(await searchProfessionals(db, { name: 'goff', limit: 1 })).toHaveLength(1);
  });
});

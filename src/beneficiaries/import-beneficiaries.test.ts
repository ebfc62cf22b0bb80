import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { beforeEach, expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { provisionalCodeHash } from '../lifecycle/provisional-code.ts';
import { renderMessage } from '../platform/mail/index.ts';
import { ManualClock } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { cryptoRandom } from '../platform/random.ts';
import type { Db } from '../storage/index.ts';
import { importBeneficiaries } from './import-beneficiaries.ts';
import type { ImportDeps, ImportOptions, ImportProgress } from './import-beneficiaries.ts';
import type { LineError } from './beneficiary-line.ts';
import { arrayLiteral, linkRepresentatives } from './store.ts';
import { csvOf, person } from './test-fixtures.ts';

const source = (text: string) => Readable.from([Buffer.from(text)]);

describeEngines('importBeneficiaries', (getDb) => {
  let db: Db;
  let clock: ManualClock;
  let deps: ImportDeps;
  beforeEach(async () => {
    db = getDb();
    await db.exec('DELETE FROM representations; DELETE FROM outbox; DELETE FROM provisional_codes; DELETE FROM patients; DELETE FROM patient_ins;');
    clock = new ManualClock('2026-01-15T09:00:00Z');
    deps = { db, clock, random: cryptoRandom, config: { secret: randomBytes(32), baseUrl: 'https://carnet.test' } };
  });

  async function run(text: string, format: 'csv' | 'ndjson' = 'csv', opts: ImportOptions = {}) {
    const errors: LineError[] = [];
    const summary = await importBeneficiaries(deps, source(text), format, { onError: (e) => errors.push(e), ...opts });
    return { summary, errors };
  }

  const count = async (table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]?.n;

  it('creates a pending space, a hashed code and an information message for each new person', async () => {
    const withMail = person({ sex: 'M', birthDate: '1985-04-12', email: 'jean@example.org' });
    const withoutMail = person({ sex: 'F', birthDate: '1990-11-30', email: null });
    const { summary, errors } = await run(csvOf([withMail, withoutMail]));
    expect(errors).toEqual([]);
    expect(summary).toMatchObject({ rows: 2, created: 2, updated: 0, unchanged: 0, skipped: 0, errors: 0 });

    const patients = await db.query<{ patient_id: string; matricule: string; status: string; status_changed_at: Date; opens_at: Date; ins_oid: string; email: string | null; city: string | null }>(
      'SELECT patient_id, matricule, status, status_changed_at, opens_at, ins_oid, email, city FROM patients ORDER BY matricule',
    );
    expect(patients).toHaveLength(2);
    for (const p of patients) {
      expect(p.status).toBe('pending');
      expect(new Date(p.status_changed_at).toISOString()).toBe('2026-01-15T09:00:00.000Z');
      expect(new Date(p.opens_at).toISOString()).toBe('2026-02-26T09:00:00.000Z'); // + 42 days
      expect(p.ins_oid).toBe('1.2.250.1.213.1.4.8');
    }
    const ins = await db.query<{ matricule: string; patient_id: string }>('SELECT matricule, patient_id FROM patient_ins');
    expect(new Map(ins.map((r) => [r.matricule, r.patient_id]))).toEqual(new Map(patients.map((p) => [p.matricule, p.patient_id])));

    const messages = await db.query<{ patient_id: string; template: string; channel: string; status: string; recipient: Record<string, string>; params: Record<string, string> }>(
      'SELECT patient_id, template, channel, status, recipient, params FROM outbox',
    );
    expect(messages).toHaveLength(2);
    const codes = await db.query<{ patient_id: string; code_hash: string; expires_at: Date; used_at: Date | null; failed_attempts: number }>('SELECT * FROM provisional_codes');
    expect(codes).toHaveLength(2);
    for (const m of messages) {
      const p = patients.find((x) => x.patient_id === m.patient_id);
      const c = codes.find((x) => x.patient_id === m.patient_id);
      expect(m).toMatchObject({ template: 'space_information', status: 'pending' });
      expect(m.params).toEqual({
        code: expect.stringMatching(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/),
        name: p?.email ? 'Jean MARTIN' : 'Claire MARTIN',
        expiresOn: '2026-02-26',
        opensOn: '2026-02-26',
        activateUrl: 'https://carnet.test/activer',
        opposeUrl: 'https://carnet.test/opposition',
      });
      // The mail worker's template accepts them as they are.
      expect(renderMessage('space_information', m.params).text).toContain(m.params.code);
      // The code in the message is the one whose keyed hash is stored, and only the hash.
      expect(c?.code_hash).toBe(provisionalCodeHash(deps.config.secret, m.params.code ?? ''));
      expect(c).toMatchObject({ used_at: null, failed_attempts: 0 });
      expect(new Date(c?.expires_at ?? 0).toISOString()).toBe('2026-02-26T09:00:00.000Z');
      const stored = JSON.stringify(await db.query('SELECT p.*, c.* FROM patients p JOIN provisional_codes c USING (patient_id)'));
      expect(stored).not.toContain(m.params.code);
      expect(stored).not.toContain((m.params.code ?? '').replaceAll('-', ''));
      if (p?.email) {
        expect(m.channel).toBe('email');
        expect(m.recipient).toEqual({ name: 'Jean MARTIN', email: 'jean@example.org' });
      } else {
        expect(m.channel).toBe('letter');
        expect(m.recipient).toEqual({ name: 'Claire MARTIN', address: '12 rue des Lilas', postalCode: '69003', city: 'Lyon' });
      }
    }
  });

  it("addresses a minor's message to the legal representatives and links the child", async () => {
    const parent = person({ sex: 'F', birthDate: '1984-06-01' });
    const child = person({ sex: 'M', birthDate: '2016-09-20', email: 'famille@example.org', representative: parent.matricule ?? '' });
    // The child comes first: the link is made once the whole file is read.
    const { summary } = await run(csvOf([child, parent]));
    expect(summary).toMatchObject({ created: 2, errors: 0, linked: 1, revoked: 0, unlinked: 0 });
    const [msg] = await db.query<{ recipient: Record<string, string>; params: Record<string, string> }>(
      'SELECT recipient, params FROM outbox o JOIN patients p USING (patient_id) WHERE p.matricule = $1',
      [child.matricule ?? ''],
    );
    expect(msg?.recipient).toEqual({ name: 'Représentants légaux de Jean MARTIN', email: 'famille@example.org' });
    expect(msg?.params.childName).toBe('Jean MARTIN');
    expect(msg?.params.name).toBeUndefined(); // the representatives are not named in the file
    expect(renderMessage('space_information', msg?.params ?? {}).subject).toBe('L’espace santé Carnet de Jean MARTIN va être créé');
    const links = await db.query<{ child: string; representative: string; rank: number; status: string }>(
      `SELECT c.matricule AS child, r.matricule AS representative, s.rank, s.status
       FROM representations s JOIN patients c ON c.patient_id = s.patient_id JOIN patients r ON r.patient_id = s.representative_id`,
    );
    expect(links).toEqual([{ child: child.matricule, representative: parent.matricule, rank: 1, status: 'active' }]);
    const [adultMsg] = await db.query<{ params: Record<string, string> }>('SELECT params FROM outbox o JOIN patients p USING (patient_id) WHERE p.matricule = $1', [parent.matricule ?? '']);
    expect(adultMsg?.params.childName).toBeUndefined();
  });

  it('reports bad lines with their number and field, and imports the good ones', async () => {
    const good1 = person();
    const badKey = { ...person(), matricule: `${person().matricule?.slice(0, 13)}00` };
    const monthMismatch = { ...person({ birthDate: '1985-04-12' }), birth_date: '1985-05-12' };
    const future = { ...person({ birthDate: '2026-03-01' }) };
    const minorAlone = person({ birthDate: '2015-03-02' });
    const good2 = person({ email: null });
    const text = csvOf([good1, badKey, monthMismatch, future, minorAlone, good2]);
    // Line 8 (after the header and 6 lines) is malformed: too few columns.
    const { summary, errors } = await run(text.replace(/\n$/, '\nnot,a,valid,line\n') + csvOf([person()]).split('\n')[1] + '\n');
    expect(errors).toEqual([
      { line: 3, field: 'matricule', reason: expect.stringMatching(/control key 00 is wrong/) },
      { line: 4, field: 'birth_date', reason: 'month does not match the matricule (04)' },
      { line: 5, field: 'birth_date', reason: 'is in the future' },
      { line: 6, field: 'representative_matricule', reason: expect.stringMatching(/required for a minor/) },
      { line: 8, field: null, reason: expect.stringMatching(/^malformed CSV line/) },
    ]);
    expect(summary).toMatchObject({ rows: 8, created: 3, errors: 5 });
    expect(await count('patients')).toBe(3);
    expect(await count('outbox')).toBe(3);
  });

  it('reads NDJSON, reporting lines that are not JSON objects', async () => {
    const a = person();
    const b = person({ email: null });
    const text = `${JSON.stringify(a)}\n{"matricule": oops\n\n[1,2]\n${JSON.stringify({ ...b, nir: '1' })}\n${JSON.stringify(b)}\n`;
    const { summary, errors } = await run(text, 'ndjson');
    expect(errors).toEqual([
      { line: 2, field: null, reason: 'is not valid JSON' },
      { line: 4, field: null, reason: 'must be a JSON object' },
      { line: 5, field: 'nir', reason: expect.stringMatching(/^unknown field/) },
    ]);
    expect(summary).toMatchObject({ rows: 5, created: 2, errors: 3 });
  });

  it('is idempotent: a second run creates nothing and updates only what changed', async () => {
    const people = [person(), person({ email: null }), person({ sex: 'M', birthDate: '1970-01-05' })];
    const first = await run(csvOf(people));
    expect(first.summary).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
    const codesBefore = await db.query<{ code_hash: string }>('SELECT code_hash FROM provisional_codes ORDER BY code_hash');

    const again = await run(csvOf(people));
    expect(again.summary).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3, errors: 0, linked: 0 });

    clock.advanceDays(1);
    const changed = people.map((p, i) => (i === 0 ? { ...p, email: 'new.address@example.org' } : p));
    const third = await run(csvOf(changed));
    expect(third.summary).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
    const [row] = await db.query<{ email: string; updated_at: Date; created_at: Date }>('SELECT email, updated_at, created_at FROM patients WHERE matricule = $1', [people[0]?.matricule ?? '']);
    expect(row?.email).toBe('new.address@example.org');
    expect(new Date(row?.updated_at ?? 0).toISOString()).toBe('2026-01-16T09:00:00.000Z');
    expect(new Date(row?.created_at ?? 0).toISOString()).toBe('2026-01-15T09:00:00.000Z');

    // No second code or message for existing spaces.
    expect(await db.query('SELECT code_hash FROM provisional_codes ORDER BY code_hash')).toEqual(codesBefore);
    expect(await count('outbox')).toBe(3);
    expect(await count('patients')).toBe(3);
  });

  it('updates traits but keeps the contact details a patient chose at activation', async () => {
    const p = person();
    await run(csvOf([p]));
    await db.query(`UPDATE patients SET status = 'active', activated_at = $2, email = 'chosen@example.org' WHERE matricule = $1`, [p.matricule ?? '', clock.now()]);
    const { summary } = await run(csvOf([{ ...p, email: 'insurer@example.org' }]));
    expect(summary).toMatchObject({ updated: 0, unchanged: 1 });
    const r2 = await run(csvOf([{ ...p, email: 'insurer@example.org', used_name: 'DURAND', card_serial: '1234567890' }]));
    expect(r2.summary).toMatchObject({ updated: 1 });
    const [row] = await db.query<{ email: string; used_name: string; card_serial: string }>('SELECT email, used_name, card_serial FROM patients WHERE matricule = $1', [p.matricule ?? '']);
    expect(row).toEqual({ email: 'chosen@example.org', used_name: 'DURAND', card_serial: '1234567890' });
  });

  it('keeps the last of duplicate lines and reports the earlier ones', async () => {
    const p = person();
    const text = csvOf([p, person(), { ...p, birth_given_names: 'Claire' }, { ...p, birth_given_names: 'Claire Marie' }]);
    const { summary, errors } = await run(text);
    expect(errors).toEqual([
      { line: 2, field: 'matricule', reason: 'duplicate of line 4 (the later line is imported)' },
      { line: 4, field: 'matricule', reason: 'duplicate of line 5 (the later line is imported)' },
    ]);
    expect(summary).toMatchObject({ rows: 4, created: 2, errors: 2 });
    const [row] = await db.query<{ birth_given_names: string }>('SELECT birth_given_names FROM patients WHERE matricule = $1', [p.matricule ?? '']);
    expect(row?.birth_given_names).toBe('Claire Marie');
    expect(await count('outbox')).toBe(2);
  });

  it('across batches, a later line of the same person updates the earlier one', async () => {
    const p = person();
    const { summary, errors } = await run(csvOf([p, person(), { ...p, used_name: 'DURAND' }]), 'csv', { batchSize: 2 });
    expect(errors).toEqual([]);
    expect(summary).toMatchObject({ rows: 3, created: 2, updated: 1 });
  });

  it('writes batches side by side, yet a person named again waits for their earlier batch, and reports in file order', async () => {
    const p = person();
    const q = person();
    const others = Array.from({ length: 20 }, () => person());
    // p is in batches 1 and 2 (they would run together), q in batches 3 and 9.
    const lines = [p, others[0], { ...p, used_name: 'DURAND' }, ...others.slice(1, 3), q, ...others.slice(3, 13), { ...q, city: 'Lyon', email: null, address: '1 rue A', postal_code: '69001' }, ...others.slice(13)];
    const progress: ImportProgress[] = [];
    // Connections open beforehand (PostgreSQL), so that the batches do run at the same time.
    await Promise.all([1, 2, 3].map(() => db.query('SELECT pg_sleep(0.02)')));
    const { summary, errors } = await run(csvOf(lines as { [k: string]: string }[]), 'csv', { batchSize: 2, parallelBatches: 3, onProgress: (x) => progress.push(x) });
    expect(errors).toEqual([]);
    expect(summary).toMatchObject({ rows: 24, created: 22, updated: 2, unchanged: 0 });
    expect(progress.map((x) => x.rows + x.created)).toEqual([...progress.map((x) => x.rows + x.created)].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ created: 22, updated: 2 });
    const names = await db.query<{ matricule: string; used_name: string | null; city: string | null }>('SELECT matricule, used_name, city FROM patients WHERE matricule = ANY($1::text[]) ORDER BY matricule', [
      arrayLiteral([p.matricule ?? '', q.matricule ?? '']),
    ]);
    expect(names).toEqual(
      [
        { matricule: p.matricule, used_name: 'DURAND', city: null },
        { matricule: q.matricule, used_name: null, city: 'Lyon' },
      ].sort((a, b) => (a.matricule ?? '').localeCompare(b.matricule ?? '')),
    );
  });

  it('refuses a number of parallel batches out of range', async () => {
    await expect(run(csvOf([person()]), 'csv', { parallelBatches: 0 })).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('re-links a child whose representative changed, revoking the former one', async () => {
    const mother = person({ sex: 'F', birthDate: '1980-02-02' });
    const father = person({ sex: 'M', birthDate: '1979-03-03' });
    const child = person({ birthDate: '2012-05-05', representative: mother.matricule ?? '' });
    expect((await run(csvOf([mother, father, child]))).summary).toMatchObject({ linked: 1, revoked: 0 });
    const again = await run(csvOf([mother, father, child]));
    expect(again.summary).toMatchObject({ linked: 0, revoked: 0, updated: 0 });

    const moved = await run(csvOf([mother, father, { ...child, representative_matricule: father.matricule ?? '' }]));
    expect(moved.summary).toMatchObject({ updated: 1, linked: 1, revoked: 1 });
    const links = await db.query<{ representative: string; rank: number; status: string }>(
      `SELECT r.matricule AS representative, s.rank, s.status FROM representations s JOIN patients r ON r.patient_id = s.representative_id ORDER BY s.status`,
    );
    expect(links).toEqual([
      { representative: father.matricule, rank: 1, status: 'active' },
      { representative: mother.matricule, rank: 1, status: 'revoked' },
    ]);
    // Back to the mother: her row becomes active again, the father's revoked.
    const back = await run(csvOf([mother, father, child]));
    expect(back.summary).toMatchObject({ linked: 1, revoked: 1 });
    expect(await db.query(`SELECT r.matricule AS representative, s.status FROM representations s JOIN patients r ON r.patient_id = s.representative_id WHERE s.status = 'active'`)).toEqual([
      { representative: mother.matricule, status: 'active' },
    ]);
  });

  it('counts a child whose representative is unknown, and links it when they arrive', async () => {
    const parent = person({ birthDate: '1981-01-01' });
    const child = person({ birthDate: '2019-01-01', representative: parent.matricule ?? '' });
    expect((await run(csvOf([child]))).summary).toMatchObject({ created: 1, linked: 0, unlinked: 1 });
    expect((await run(csvOf([parent]))).summary).toMatchObject({ created: 1, linked: 1, unlinked: 0 });
  });

  it('records a death, never creates a space for an unknown deceased person, and never erases a death', async () => {
    const alive = person();
    const unknownDead = { ...person(), deceased_on: '2025-12-01' };
    expect((await run(csvOf([alive, unknownDead]))).summary).toMatchObject({ rows: 2, created: 1, skipped: 1, unchanged: 0 });
    expect(await count('patient_ins')).toBe(1);

    const died = await run(csvOf([{ ...alive, deceased_on: '2026-01-10' }]));
    expect(died.summary).toMatchObject({ updated: 1 });
    const later = await run(csvOf([alive]));
    expect(later.summary).toMatchObject({ updated: 0, unchanged: 1 });
    const renamed = await run(csvOf([{ ...alive, used_name: 'DURAND' }]));
    expect(renamed.summary).toMatchObject({ updated: 1 });
    const [row] = await db.query<{ deceased_on: string; status: string }>('SELECT deceased_on, status FROM patients WHERE matricule = $1', [alive.matricule ?? '']);
    expect(row).toEqual({ deceased_on: '2026-01-10', status: 'pending' }); // the lifecycle job closes it
  });

  it('links every minor when the file was too large to list its people', async () => {
    const parent = person({ birthDate: '1983-03-03' });
    const child = person({ birthDate: '2017-07-07', representative: parent.matricule ?? '' });
    const orphan = person({ birthDate: '2018-08-08', representative: person().matricule ?? '' });
    await run(csvOf([parent, child, orphan]));
    await db.exec('DELETE FROM representations');
    expect(await linkRepresentatives(db, clock.now().toISOString(), '2008-01-15', null)).toEqual({ linked: 1, revoked: 0, unlinked: 1 });
    expect(await linkRepresentatives(db, clock.now().toISOString(), '2008-01-15', null)).toEqual({ linked: 0, revoked: 0, unlinked: 1 });
    // An adult now (born before the date given): not linked.
    await db.exec('DELETE FROM representations');
    expect(await linkRepresentatives(db, clock.now().toISOString(), '2020-01-01', null)).toEqual({ linked: 0, revoked: 0, unlinked: 0 });
  });

  it('never fills the tombstone of a purged space again, nor links to it', async () => {
    const parent = person({ birthDate: '1982-02-02' });
    const child = person({ birthDate: '2014-04-04', representative: parent.matricule ?? '' });
    await run(csvOf([parent]));
    await db.query(
      `UPDATE patients SET status = 'purged', birth_name = '', birth_given_names = '', email = NULL, card_serial = NULL WHERE matricule = $1`,
      [parent.matricule ?? ''],
    );
    const { summary } = await run(csvOf([parent, child]));
    expect(summary).toMatchObject({ created: 1, updated: 0, unchanged: 1, linked: 0 });
    const [row] = await db.query<{ birth_name: string; email: string | null }>('SELECT birth_name, email FROM patients WHERE matricule = $1', [parent.matricule ?? '']);
    expect(row).toEqual({ birth_name: '', email: null });
    expect(await count('representations')).toBe(0);
    expect(await count('outbox')).toBe(2);
  });

  it('reads semicolon-separated CSV with a BOM, in small batches, reporting progress', async () => {
    const people = Array.from({ length: 7 }, () => person());
    const progress: ImportProgress[] = [];
    const { summary } = await run(`\uFEFF${csvOf(people, ';')}`, 'csv', { batchSize: 3, onProgress: (p) => progress.push(p) });
    expect(summary).toMatchObject({ rows: 7, created: 7 });
    expect(progress.map((p) => p.created)).toEqual([3, 6, 7]);
    expect(progress.at(-1)?.bytesRead).toBe(Buffer.byteLength(`\uFEFF${csvOf(people, ';')}`));
  });

  it('refuses a CSV file whose header is wrong, before writing anything', async () => {
    const text = csvOf([person()]).replace('matricule,', 'nir,');
    await expect(run(text)).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/matricule: required column missing.*nir: unknown column/) });
    expect(await count('patients')).toBe(0);
  });

  it('stops on a read error without importing the cut-off line', async () => {
    const good = csvOf([person(), person()]);
    const cut = csvOf([person()]).split('\n')[1]?.slice(0, 30) ?? '';
    const input = new Readable({ read() {} });
    input.push(good + cut);
    setTimeout(() => input.destroy(new Error('connection reset')), 20);
    await expect(importBeneficiaries(deps, input, 'csv', { batchSize: 1000 })).rejects.toSatisfy(
      (e: unknown) => e instanceof AppError && e.code === 'bad_request' && /could not be read to its end \(connection reset\)/.test(e.message),
    );
    expect(await count('patients')).toBe(0);
  });

  it('refuses a batch size out of range', async () => {
    await expect(run(csvOf([person()]), 'csv', { batchSize: 0 })).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('passes any text through the array literals intact', async () => {
    const values = ['plain', 'with "quotes"', 'back\\slash', 'NULL', '', 'accents éèà Œ', '{braces},commas', 'tab\there', 'ctrl\u0001char', null, '  spaces  '];
    const [row] = await db.query<{ v: (string | null)[] }>('SELECT $1::text[] AS v', [arrayLiteral(values)]);
    expect(row?.v).toEqual(values);
    const [json] = await db.query<{ v: unknown[] }>('SELECT array_agg(x::jsonb) AS v FROM unnest($1::text[]) x', [arrayLiteral([JSON.stringify({ a: 'x"y\\z\nw' })])]);
    expect(json?.v).toEqual([{ a: 'x"y\\z\nw' }]);
  });
});

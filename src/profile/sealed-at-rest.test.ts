/**
 * Invariant 4 on the medical profile's tables: after a write through the API, no clear value
 * of what was written appears in any column of the rows (read raw, every column as text, bytea
 * as hex); and a sealed value copied to another row (same patient or another) does not open:
 * the read fails with integrity_failed (a 500: stored data failed its check, nothing the caller
 * can fix), its problem body saying nothing of the content.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { ManualClock } from '../platform/clock.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { readHealthHistory } from './health-history-store.ts';
import { readMeasuresSummary } from './measures-store.ts';
import { readVaccinations } from './vaccinations-store.ts';
import { readEntourage } from './entourage-store.ts';
import { createProfileSealer } from './profile-crypto.ts';

const NOW = '2026-03-10T10:00:00Z';
const GP = DEMO_PROFESSIONALS.generalPractitioner;

describeEngines('the medical profile sealed at rest', (getDb) => {
  let t: TestContext;
  let holder: Awaited<ReturnType<typeof insertActivePatient>>;
  let session: SignedIn;
  let other: Awaited<ReturnType<typeof insertActivePatient>>;
  let otherSession: SignedIn;

  beforeAll(async () => {
    await loadDemoDirectory(getDb(), new ManualClock(NOW));
  });

  beforeEach(async () => {
    // A fresh app per test (same database): sign-in rate limits are per app.
    t = await testApp(getDb(), { clock: new ManualClock(NOW) });
    holder = await insertActivePatient(t.db, { birthDate: '1970-09-09' });
    session = await signIn(t, holder.loginId, holder.password);
    other = await insertActivePatient(t.db, { birthDate: '1980-01-01' });
    otherSession = await signIn(t, other.loginId, other.password);
  });

  const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, payload?: object, who: SignedIn = session) =>
    t.app.inject({ method, url: path, headers: method === 'GET' ? { cookie: who.cookie } : who.headers, ...(payload === undefined ? {} : { payload }) });
  const ok = async <T>(res: Promise<LightMyRequestResponse>): Promise<T> => {
    const r = await res;
    expect(r.statusCode, r.body).toBeLessThan(300);
    return (r.body === '' ? undefined : r.json()) as T;
  };

  /** Every column of the patient's rows of `table`, as text (bytea as \x-hex), one string per row. */
  const rawRows = async (table: string, patientId = holder.patientId): Promise<string[]> =>
    (await t.db.query<{ r: string }>(`SELECT row_to_json(x)::text AS r FROM ${table} x WHERE patient_id = $1`, [patientId])).map((x) => x.r);
  /** No clear value in any column: neither as text nor as the hex of its UTF-8 bytes. */
  const expectNoClear = async (table: string, needles: readonly string[], patientId = holder.patientId) => {
    const rows = await rawRows(table, patientId);
    expect(rows.length, `${table} has rows`).toBeGreaterThan(0);
    for (const row of rows) {
      for (const n of needles) {
        expect(row.toLowerCase(), `${table} holds “${n}” in clear`).not.toContain(n.toLowerCase());
        expect(row.toLowerCase(), `${table} holds “${n}” as bytes`).not.toContain(Buffer.from(n, 'utf8').toString('hex'));
      }
    }
  };
  /** Copies the sealed column of one row onto another (an operator, a bad restore, an attacker with SQL). */
  const copySealed = async (table: string, column: string, idColumn: string, from: { patientId: string; id: string }, to: { patientId: string; id: string }) => {
    const rows = await t.db.query(
      `UPDATE ${table} SET ${column} = (SELECT ${column} FROM ${table} WHERE patient_id = $1 AND ${idColumn} = $2) WHERE patient_id = $3 AND ${idColumn} = $4 RETURNING ${idColumn}`,
      [from.patientId, from.id, to.patientId, to.id],
    );
    expect(rows).toHaveLength(1);
  };
  /** The read fails with integrity_failed: a 500 whose body says nothing of the content. */
  const expectIntegrityFailure = (res: LightMyRequestResponse, secrets: readonly string[]) => {
    expect(res.statusCode, res.body).toBe(500);
    const body = res.json() as { code: string; detail: string };
    expect(body.code).toBe('integrity_failed');
    for (const s of secrets) expect(res.body).not.toContain(s);
  };

  describe('health history (migration 011)', () => {
    const ALLERGY = { substance: 'Pénicilline', type: 'allergy', category: 'medication', reaction: 'Urticaire géante', severity: 'moderate' };
    const CONDITION = { kind: 'disease', label: 'Diabète de type 2', cim10: 'E11.9', status: 'active', onsetDate: '2019' };
    const history = (pid = holder.patientId) => `/api/spaces/${pid}/health-history`;

    it('keeps no clear value in any column of entries and sections', async () => {
      await ok(api('POST', `${history()}/allergies`, ALLERGY));
      await ok(api('POST', `${history()}/conditions`, CONDITION));
      await ok(api('PUT', `${history()}/blood-group`, { abo: 'AB', rh: 'negative', statedOn: '2010-05-03' }));
      await ok(api('PUT', `/api/spaces/${holder.patientId}/lifestyle`, { tobacco: { status: 'former', quitYear: 2015 }, diet: { kinds: ['vegetarian'] } }));

      await expectNoClear('health_history_entries', ['Pénicilline', 'Urticaire', 'medication', 'Diabète', 'E11.9']);
      await expectNoClear('health_history_sections', ['"AB"', 'negative', 'former', '2015', 'vegetarian']);
      // And it all reads back, through the API and the plain reader.
      const all = await readHealthHistory(t.db, holder.patientId, createProfileSealer(t));
      expect(all.allergies.entries[0]).toMatchObject(ALLERGY);
      expect(all.bloodGroup?.value).toMatchObject({ abo: 'AB', rh: 'negative' });
      expect(all.lifestyle?.value.tobacco).toEqual({ status: 'former', quitYear: 2015 });
    });

    it('an entry copied to another row, section or patient does not open: integrity_failed', async () => {
      const a = await ok<{ id: string }>(api('POST', `${history()}/allergies`, ALLERGY));
      const b = await ok<{ id: string }>(api('POST', `${history()}/allergies`, { ...ALLERGY, substance: 'Arachide', category: 'food' }));
      expect((await api('GET', history())).statusCode).toBe(200);
      await copySealed('health_history_entries', 'content', 'entry_id', { patientId: holder.patientId, id: a.id }, { patientId: holder.patientId, id: b.id });
      expectIntegrityFailure(await api('GET', history()), ['Pénicilline', 'Arachide']);

      // Relabelled to another section (same row, same content): does not open either.
      const c = await ok<{ id: string }>(api('POST', `${history(other.patientId)}/allergies`, ALLERGY, otherSession));
      await t.db.query("UPDATE health_history_entries SET section = 'conditions' WHERE patient_id = $1 AND entry_id = $2", [other.patientId, c.id]);
      expectIntegrityFailure(await api('GET', history(other.patientId), undefined, otherSession), ['Pénicilline']);
      await t.db.query("UPDATE health_history_entries SET section = 'allergies' WHERE patient_id = $1 AND entry_id = $2", [other.patientId, c.id]);
      expect((await api('GET', history(other.patientId), undefined, otherSession)).statusCode).toBe(200);

      // Another patient's sealed entry copied in, ids kept: sealed under another key and patient.
      await copySealed('health_history_entries', 'content', 'entry_id', { patientId: holder.patientId, id: a.id }, { patientId: other.patientId, id: c.id });
      expectIntegrityFailure(await api('GET', history(other.patientId), undefined, otherSession), ['Pénicilline']);

      // The blood group moved onto the lifestyle row of the same patient.
      const p = await insertActivePatient(t.db);
      const s = await signIn(t, p.loginId, p.password);
      await ok(api('PUT', `${history(p.patientId)}/blood-group`, { abo: 'O', rh: 'positive' }, s));
      await ok(api('PUT', `/api/spaces/${p.patientId}/lifestyle`, { tobacco: { status: 'never' } }, s));
      await copySealed('health_history_sections', 'value', 'section', { patientId: p.patientId, id: 'bloodGroup' }, { patientId: p.patientId, id: 'lifestyle' });
      expect((await api('GET', history(p.patientId), undefined, s)).statusCode).toBe(200);
      expectIntegrityFailure(await api('GET', `/api/spaces/${p.patientId}/lifestyle`, undefined, s), ['never']);
    });
  });

  describe('measures (migration 012)', () => {
    const measures = (pid = holder.patientId) => `/api/spaces/${pid}/measures`;

    it('keeps no clear value (the number as text, the entered unit, the target) in any column', async () => {
      await ok(api('POST', measures(), { type: 'weight', value: 173.6, unit: '[lb_av]', effectiveAt: '2026-03-01T07:30:00Z' }));
      await ok(api('POST', measures(), { type: 'height', value: 1.83, effectiveAt: '2026-03-01T07:31:00Z' }));
      await ok(api('POST', measures(), { type: 'blood_pressure', systolic: 137, diastolic: 86, effectiveAt: '2026-03-02T07:00:00Z' }));
      await ok(api('PUT', `${measures()}/targets/hba1c`, { low: 5.9, high: 6.7 }));
      const overview = await ok<{ items: { type: string; value?: number; systolic?: number }[] }>(api('GET', measures()));
      const kg = overview.items.find((i) => i.type === 'weight')?.value;
      expect(kg).toBeGreaterThan(78);

      await expectNoClear('measures', ['173.6', String(kg), 'lb_av', '1.83']);
      await expectNoClear('measure_targets', ['5.9', '6.7']);
      // Statistics and the BMI are computed from the opened values.
      const summary = await readMeasuresSummary(t.db, holder.patientId, createProfileSealer(t));
      expect(summary.items.find((i) => i.type === 'blood_pressure')).toMatchObject({ systolic: 137, diastolic: 86 });
      expect(summary.items.find((i) => i.type === 'bmi')?.value).toBeCloseTo(23.5, 1);
      expect(summary.targets).toEqual([expect.objectContaining({ type: 'hba1c', low: 5.9, high: 6.7 })]);
    });

    it('a value copied to another measure, type or patient does not open: integrity_failed', async () => {
      const a = await ok<{ measureId: string }>(api('POST', measures(), { type: 'weight', value: 81.2, effectiveAt: '2026-03-01T07:00:00Z' }));
      const b = await ok<{ measureId: string }>(api('POST', measures(), { type: 'weight', value: 79.9, effectiveAt: '2026-03-05T07:00:00Z' }));
      expect((await api('GET', `${measures()}/series/weight`)).statusCode).toBe(200);
      await copySealed('measures', 'sealed', 'measure_id', { patientId: holder.patientId, id: a.measureId }, { patientId: holder.patientId, id: b.measureId });
      expectIntegrityFailure(await api('GET', `${measures()}/series/weight`), ['81.2', '79.9']);
      // The FHIR view reads the same rows: the same failure, as an OperationOutcome.
      const fhir = await api('GET', `/fhir/Observation?patient=Patient/${holder.patientId}`);
      expect(fhir.statusCode).toBe(500);
      expect(fhir.body).not.toContain('81.2');

      // A weight relabelled as a height.
      const h = await ok<{ measureId: string }>(api('POST', measures(other.patientId), { type: 'weight', value: 64.3, effectiveAt: '2026-03-01T07:00:00Z' }, otherSession));
      await t.db.query("UPDATE measures SET type = 'height' WHERE patient_id = $1 AND measure_id = $2", [other.patientId, h.measureId]);
      expectIntegrityFailure(await api('GET', `${measures(other.patientId)}/series/height`, undefined, otherSession), ['64.3']);
      await t.db.query("UPDATE measures SET type = 'weight' WHERE patient_id = $1 AND measure_id = $2", [other.patientId, h.measureId]);

      // Another patient's value, ids kept.
      await copySealed('measures', 'sealed', 'measure_id', { patientId: holder.patientId, id: a.measureId }, { patientId: other.patientId, id: h.measureId });
      expectIntegrityFailure(await api('GET', measures(other.patientId), undefined, otherSession), ['81.2']);
    });
  });

  describe('vaccinations, entourage & volontés (migration 013)', () => {
    const CONTACT = { kind: 'trusted_person', familyName: 'Lebrun', givenName: 'Odile', relation: 'SPS', phone: '06 47 38 29 10', email: 'odile.lebrun@example.fr' };
    const FORM = { situation: 'good_health', lifeSustainingTreatments: 'Pas de réanimation prolongée.', deepSedation: 'wants', otherWishes: 'Musique classique.', place: 'Angers' };

    it('keeps no clear value (vaccine, lot, notes, phone, name, donation, directives) in any column', async () => {
      await ok(
        api('POST', `/api/spaces/${holder.patientId}/vaccinations`, {
          vaccineCode: 'J07BD52',
          vaccineName: 'Priorix',
          date: '1991-06-01',
          doseNumber: 2,
          lotNumber: 'XK42Q7',
          route: 'SQ',
          site: 'LT',
          performer: { idNatPs: GP },
          notes: 'Fièvre légère le lendemain',
        }),
      );
      await ok(api('POST', `/api/spaces/${holder.patientId}/entourage/contacts`, CONTACT));
      await ok(api('PUT', `/api/spaces/${holder.patientId}/entourage/organ-donation`, { position: 'accepts_partially', comment: 'Pas les cornées' }));
      await ok(api('POST', `/api/spaces/${holder.patientId}/entourage/advance-directives`, FORM));

      await expectNoClear('vaccinations', ['J07BD52', 'Priorix', 'XK42Q7', 'Fièvre', '240532009', '14189004', '"SQ"', '"LT"', GP]);
      await expectNoClear('entourage_contacts', ['Lebrun', 'LEBRUN', 'Odile', '"SPS"', '+33647382910', '47382910', 'odile.lebrun']);
      await expectNoClear('organ_donation', ['accepts', 'cornées']);
      await expectNoClear('advance_directives', ['good_health', 'réanimation', 'Musique', 'Angers']);

      const sealer = createProfileSealer(t);
      expect((await readVaccinations(t.db, holder.patientId, sealer))[0]).toMatchObject({ vaccineCode: 'J07BD52', lotNumber: 'XK42Q7', doseNumber: 2 });
      // A filter on the vaccine (sealed) is applied after opening.
      expect(await readVaccinations(t.db, holder.patientId, sealer, { vaccineCodes: ['J07BM03'] })).toEqual([]);
      expect(await readVaccinations(t.db, holder.patientId, sealer, { vaccineCodes: ['J07BD52'] })).toHaveLength(1);
      const entourage = await readEntourage(t.db, holder.patientId, sealer);
      expect(entourage.contacts[0]).toMatchObject({ familyName: 'LEBRUN', phone: '+33647382910' });
      expect(entourage.organDonation).toMatchObject({ position: 'accepts_partially', comment: 'Pas les cornées' });
      expect(entourage.advanceDirectives?.form).toMatchObject(FORM);
    });

    it('a vaccination or a contact copied to another row or patient does not open: integrity_failed', async () => {
      const vaccinations = (pid = holder.patientId) => `/api/spaces/${pid}/vaccinations`;
      const v1 = await ok<{ vaccinationId: string }>(api('POST', vaccinations(), { vaccineCode: 'J07BD52', date: '1991-06-01', lotNumber: 'XK42Q7' }));
      const v2 = await ok<{ vaccinationId: string }>(api('POST', vaccinations(), { vaccineCode: 'J07BM03', date: '2010-06-01', lotNumber: 'ZZ9' }));
      await copySealed('vaccinations', 'sealed', 'vaccination_id', { patientId: holder.patientId, id: v1.vaccinationId }, { patientId: holder.patientId, id: v2.vaccinationId });
      expectIntegrityFailure(await api('GET', vaccinations()), ['XK42Q7', 'J07BD52']);

      const contacts = (pid = holder.patientId) => `/api/spaces/${pid}/entourage`;
      const c1 = await ok<{ contactId: string }>(api('POST', `${contacts()}/contacts`, CONTACT));
      const c2 = await ok<{ contactId: string }>(api('POST', `${contacts()}/contacts`, { ...CONTACT, kind: 'emergency_contact', familyName: 'Roux', phone: '0611111111' }));
      expect((await api('GET', contacts())).statusCode).toBe(200);
      await copySealed('entourage_contacts', 'sealed', 'contact_id', { patientId: holder.patientId, id: c1.contactId }, { patientId: holder.patientId, id: c2.contactId });
      expectIntegrityFailure(await api('GET', contacts()), ['Lebrun', 'LEBRUN', '+33647382910']);

      // A caregiver relabelled as the trusted person (the clear kind changed, the seal kept).
      const c3 = await ok<{ contactId: string }>(api('POST', `${contacts(other.patientId)}/contacts`, { ...CONTACT, kind: 'caregiver' }, otherSession));
      await t.db.query("UPDATE entourage_contacts SET kind = 'trusted_person' WHERE patient_id = $1 AND contact_id = $2", [other.patientId, c3.contactId]);
      expectIntegrityFailure(await api('GET', contacts(other.patientId), undefined, otherSession), ['LEBRUN']);
      await t.db.query("UPDATE entourage_contacts SET kind = 'caregiver' WHERE patient_id = $1 AND contact_id = $2", [other.patientId, c3.contactId]);

      // The organ donation statement of another patient.
      await ok(api('PUT', `${contacts()}/organ-donation`, { position: 'refuses' }));
      await ok(api('PUT', `${contacts(other.patientId)}/organ-donation`, { position: 'accepts' }, otherSession));
      await t.db.query('UPDATE organ_donation SET sealed = (SELECT sealed FROM organ_donation WHERE patient_id = $1) WHERE patient_id = $2', [holder.patientId, other.patientId]);
      expectIntegrityFailure(await api('GET', contacts(other.patientId), undefined, otherSession), ['refuses']);
    });
  });
});

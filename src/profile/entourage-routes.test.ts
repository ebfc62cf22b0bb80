import { beforeAll, beforeEach, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { DEFAULT_MATRIX, readsKind, rowFor } from '../access/index.ts';
import { proKit, traceOf } from '../records/controls-test-kit.ts';
import { AppError } from '../platform/errors.ts';
import { insertContact } from './entourage-store.ts';
import { createProfileSealer } from './profile-crypto.ts';
import type { ProKit } from '../records/controls-test-kit.ts';

const GP = DEMO_PROFESSIONALS.generalPractitioner;
const NURSE = DEMO_PROFESSIONALS.nurse;
const DENTIST = DEMO_PROFESSIONALS.dentist;
const LILAS = '759990013';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

const FORM = { situation: 'good_health', lifeSustainingTreatments: 'Je refuse tout acharnement thérapeutique : pas de réanimation si mon cerveau est gravement atteint.', deepSedation: 'wants', otherWishes: 'Mourir chez moi si possible.', place: 'Lyon' };

interface Contact {
  contactId: string;
  kind: string;
  familyName: string;
  phone: string | null;
}

describeEngines('entourage & volontés', (getDb) => {
  let t: TestContext;
  let pro: ProKit;
  let patient: SignedIn;
  let patientId: string;

  const base = (pid = patientId) => `/api/spaces/${pid}/entourage`;
  const send = (method: 'POST' | 'PUT' | 'DELETE', path: string, payload?: object, who: SignedIn = patient) => t.app.inject({ method, url: path, headers: who.headers, ...(payload === undefined ? {} : { payload }) });
  const entourage = async (pid = patientId) => {
    const res = await t.app.inject({ method: 'GET', url: base(pid), headers: { cookie: patient.cookie } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { contacts: Contact[]; organDonation: { position: string; comment: string | null; statedOn: string } | null };
  };
  const count = async (table: string, pid = patientId) => Number((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE patient_id = $1`, [pid]))[0]?.n);
  const traces = async (pid = patientId) => (await traceOf(t, pid)).length;
  const authorize = (ps: string) =>
    t.db.query('INSERT INTO professional_relations (patient_id, id_nat_ps, authorized_since) VALUES ($1, $2, $3) ON CONFLICT (patient_id, id_nat_ps) DO UPDATE SET authorized_since = EXCLUDED.authorized_since', [patientId, ps, t.clock.now()]);
  const trusted = { kind: 'trusted_person', familyName: 'Martin', givenName: 'Paul', relation: 'SPS', phone: '06 12 34 56 78' };

  beforeAll(async () => {
    t = await testApp(getDb());
    await loadDemoDirectory(t.db, t.clock);
    // A bearer token needs an organisation: the demo dentist is attached to the Cabinet des Lilas here.
    await t.db.query('UPDATE professionals SET organisation_finess = $2 WHERE id_nat_ps = $1', [DENTIST, LILAS]);
    pro = proKit(t);
  });

  beforeEach(async () => {
    const p = await insertActivePatient(t.db, { birthDate: '1970-09-09' });
    patientId = p.patientId;
    patient = await signIn(t, p.loginId, p.password);
  });

  it('contacts: add, change, delete, each traced once; at most one trusted person (409 saying to replace), replaced through PUT trusted-person', async () => {
    const before = await traces();
    const first = await send('POST', `${base()}/contacts`, trusted);
    expect(first.statusCode, first.body).toBe(201);
    const paul = first.json() as Contact;
    expect(paul).toMatchObject({ kind: 'trusted_person', familyName: 'MARTIN', phone: '+33612345678' });
    expect((await traceOf(t, patientId)).at(-1)).toMatchObject({ action: 'entourage_contact_added', target: `RelatedPerson/${paul.contactId}` });

    const second = await send('POST', `${base()}/contacts`, { ...trusted, familyName: 'Dupont', relation: 'FRND' });
    expect(second.statusCode).toBe(409);
    expect((second.json() as { detail: string }).detail).toMatch(/already have a trusted person \(Paul MARTIN\).*replace/);
    // Turning an emergency contact into a second trusted person is the same 409.
    const sis = (await send('POST', `${base()}/contacts`, { kind: 'emergency_contact', familyName: 'Durand', relation: 'SIB', email: 'anne@example.fr' })).json() as Contact;
    const promote = await send('PUT', `${base()}/contacts/${sis.contactId}`, { kind: 'trusted_person', familyName: 'Durand', relation: 'SIB', email: 'anne@example.fr' });
    expect(promote.statusCode).toBe(409);
    expect(await traces()).toBe(before + 2);

    const replaced = await send('PUT', `${base()}/trusted-person`, { familyName: 'Dupont', givenName: 'Léa', relation: 'FRND', email: 'lea@example.fr' });
    expect(replaced.statusCode, replaced.body).toBe(200);
    const lea = replaced.json() as Contact;
    expect((await traceOf(t, patientId)).at(-1)).toMatchObject({ action: 'trusted_person_replaced', target: `RelatedPerson/${lea.contactId}`, detail: { replaced: `RelatedPerson/${paul.contactId}` } });
    const list = await entourage();
    expect(list.contacts.map((c) => [c.kind, c.familyName])).toEqual([
      ['trusted_person', 'DUPONT'],
      ['emergency_contact', 'DURAND'],
    ]);

    const changed = await send('PUT', `${base()}/contacts/${sis.contactId}`, { kind: 'caregiver', familyName: 'Durand', relation: 'SIB', phone: '0612345679' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ kind: 'caregiver', phone: '+33612345679' });
    expect((await send('DELETE', `${base()}/contacts/${sis.contactId}`)).statusCode).toBe(204);
    expect((await send('DELETE', `${base()}/contacts/${sis.contactId}`)).statusCode).toBe(404);
    expect(await count('entourage_contacts')).toBe(1);
  });

  it('the database holds the one-trusted-person rule under a race too, answered as the same 409', async () => {
    const c = { kind: 'trusted_person' as const, familyName: 'A', givenName: null, relation: 'SPS' as const, relationText: null, phone: '+33600000000', email: null };
    await insertContact(t.db, patientId, createProfileSealer(t), crypto.randomUUID(), c, t.clock.now());
    const second = await insertContact(t.db, patientId, createProfileSealer(t), crypto.randomUUID(), c, t.clock.now()).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(AppError);
    expect((second as AppError).status).toBe(409);
    expect(await count('entourage_contacts')).toBe(1);
  });

  it('refuses bad contacts with a 400 naming the field: nothing stored, nothing traced', async () => {
    const before = await traces();
    const cases: [object, string][] = [
      [{ ...trusted, phone: '12' }, 'body.phone'],
      [{ ...trusted, phone: undefined, email: 'paul@' }, 'body.email'],
      [{ ...trusted, phone: undefined }, 'body.phone'],
      [{ ...trusted, kind: 'friend' }, 'body.kind'],
      [{ ...trusted, relation: 'BOSS' }, 'body.relation'],
      [{ ...trusted, phone: 612345678 }, 'body.phone'],
      [{ ...trusted, age: 40 }, 'body'],
      [{ kind: 'caregiver', relation: 'SIB', phone: '0612345678' }, 'body.familyName'],
    ];
    for (const [payload, field] of cases) {
      const res = await send('POST', `${base()}/contacts`, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect((res.json() as { errors: { field: string }[] }).errors[0]?.field, JSON.stringify(payload)).toBe(field);
    }
    expect(await count('entourage_contacts')).toBe(0);
    expect(await traces()).toBe(before);
    // Someone else's space: not found, nothing stored there.
    const other = await insertActivePatient(t.db);
    expect((await send('POST', `${base(other.patientId)}/contacts`, trusted)).statusCode).toBe(404);
    expect(await count('entourage_contacts', other.patientId)).toBe(0);
    expect((await traceOf(t, other.patientId)).at(-1)).toMatchObject({ action: 'access_denied', actor_id: patientId });
  });

  it('organ donation: stated with its date, replaced, withdrawn', async () => {
    expect((await send('PUT', `${base()}/organ-donation`, { position: 'accepts_partially' })).statusCode).toBe(400);
    expect(await count('organ_donation')).toBe(0);
    const res = await send('PUT', `${base()}/organ-donation`, { position: 'accepts_partially', comment: 'Pas les cornées' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ position: 'accepts_partially', comment: 'Pas les cornées', statedOn: t.clock.now().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' }) });
    // Traced, but the position stays in the sealed table: the trace holds no health content.
    const stated = (await traceOf(t, patientId)).at(-1);
    expect(stated).toMatchObject({ action: 'organ_donation_stated' });
    expect(JSON.stringify(stated?.detail)).not.toContain('accepts');
    await send('PUT', `${base()}/organ-donation`, { position: 'refuses' });
    expect((await entourage()).organDonation).toMatchObject({ position: 'refuses', comment: null });
    expect((await send('DELETE', `${base()}/organ-donation`)).statusCode).toBe(204);
    expect((await entourage()).organDonation).toBeNull();
  });

  it('advance directives: the form becomes an EXPPAT_3 PDF in the documents; an upload too; the newest is in force', async () => {
    const empty = await t.app.inject({ method: 'GET', url: `${base()}/advance-directives`, headers: { cookie: patient.cookie } });
    expect(empty.json()).toEqual({ advanceDirectives: null });

    const bad = await send('POST', `${base()}/advance-directives`, { ...FORM, deepSedation: 'maybe' });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { errors: { field: string }[] }).errors[0]?.field).toBe('body.deepSedation');
    expect(await count('documents')).toBe(0);

    const before = await traces();
    const res = await send('POST', `${base()}/advance-directives`, FORM);
    expect(res.statusCode, res.body).toBe(201);
    const written = res.json() as { advanceDirectives: { source: string; documentId: string; form: typeof FORM }; document: { documentId: string; typeCode: string; classCode: string } };
    expect(written.document).toMatchObject({ typeCode: 'EXPPAT_3', classCode: '90' });
    expect(written.advanceDirectives).toMatchObject({ source: 'form', documentId: written.document.documentId, form: FORM });
    const trace = await traceOf(t, patientId);
    expect(trace.slice(before).map((e) => e.action)).toEqual(['document_created', 'advance_directives_written']);

    const content = await t.app.inject({ method: 'GET', url: `/api/spaces/${patientId}/documents/${written.document.documentId}/content`, headers: { cookie: patient.cookie } });
    const pdf = await PDFDocument.load(content.rawPayload);
    expect(pdf.getTitle()).toMatch(/^Directives anticipées/);
    expect(Math.round(pdf.getPage(0).getWidth())).toBe(595);

    // An upload: not a PDF is refused; a PDF is stored as EXPPAT_3 and is now in force.
    t.clock.advance(60_000);
    const notPdf = await t.app.inject({ method: 'POST', url: `${base()}/advance-directives/upload`, headers: { ...patient.headers, 'content-type': 'application/pdf' }, payload: Buffer.from('hello') });
    expect(notPdf.statusCode).toBe(400);
    const future = await t.app.inject({ method: 'POST', url: `${base()}/advance-directives/upload?writtenOn=2999-01-01`, headers: { ...patient.headers, 'content-type': 'application/pdf' }, payload: PDF });
    expect((future.json() as { errors: { field: string }[] }).errors[0]?.field).toBe('querystring.writtenOn');
    const up = await t.app.inject({ method: 'POST', url: `${base()}/advance-directives/upload?writtenOn=2024-05-01`, headers: { ...patient.headers, 'content-type': 'application/pdf' }, payload: PDF });
    expect(up.statusCode, up.body).toBe(201);
    const current = await t.app.inject({ method: 'GET', url: `${base()}/advance-directives`, headers: { cookie: patient.cookie } });
    expect(current.json()).toMatchObject({ advanceDirectives: { source: 'upload', form: null, writtenOn: '2024-05-01' } });
    expect(await count('documents')).toBe(2);
  });

  it('advance directives are refused for a minor (403 saying why, traced), while the representative writes the child’s entourage', async () => {
    const child = await insertActivePatient(t.db, { birthDate: '2015-03-03' });
    await t.db.query("INSERT INTO representations (patient_id, representative_id, rank, status, created_at) VALUES ($1, $2, 1, 'active', $3)", [child.patientId, patientId, t.clock.now()]);
    const res = await send('POST', `${base(child.patientId)}/advance-directives`, FORM);
    expect(res.statusCode).toBe(403);
    expect((res.json() as { detail: string }).detail).toMatch(/do not apply to minors/);
    expect((await traceOf(t, child.patientId)).at(-1)).toMatchObject({ action: 'access_denied', detail: { reason: 'advance_directives_minor' } });
    const up = await t.app.inject({ method: 'POST', url: `${base(child.patientId)}/advance-directives/upload`, headers: { ...patient.headers, 'content-type': 'application/pdf' }, payload: PDF });
    expect(up.statusCode).toBe(403);
    expect(await count('advance_directives', child.patientId)).toBe(0);
    expect(await count('documents', child.patientId)).toBe(0);

    const c = await send('POST', `${base(child.patientId)}/contacts`, { kind: 'emergency_contact', familyName: 'Martin', relation: 'GRPRN', phone: '0600000001' });
    expect(c.statusCode, c.body).toBe(201);
  });

  it('professionals read per the matrix and their authorization; a dentist does not read advance directives; emergency modes', async () => {
    expect(readsKind(rowFor(DEFAULT_MATRIX, '40', null) ?? DEFAULT_MATRIX.fallback, 'advance_directives')).toBe(false);
    expect(readsKind(rowFor(DEFAULT_MATRIX, '40', null) ?? DEFAULT_MATRIX.fallback, 'entourage_volontes')).toBe(true);
    await send('POST', `${base()}/contacts`, trusted);
    await send('PUT', `${base()}/organ-donation`, { position: 'accepts' });
    await send('POST', `${base()}/advance-directives`, FORM);
    const proGet = async (ps: string, path: string) => t.app.inject({ method: 'GET', url: `/api/pro/patients/${patientId}/entourage${path}`, headers: await pro.headers(ps) });

    expect((await proGet(GP, '')).statusCode).toBe(404);
    expect((await proGet(GP, '/advance-directives')).statusCode).toBe(404);

    await authorize(GP);
    await authorize(DENTIST);
    const gp = await proGet(GP, '');
    expect(gp.statusCode, gp.body).toBe(200);
    expect(gp.json()).toMatchObject({ contacts: [{ kind: 'trusted_person', familyName: 'MARTIN' }], organDonation: { position: 'accepts' }, emergency: null });
    expect((await traceOf(t, patientId)).at(-1)).toMatchObject({ action: 'entourage_read', actor_id: GP });
    const gpAd = await proGet(GP, '/advance-directives');
    expect(gpAd.statusCode).toBe(200);
    expect(gpAd.json()).toMatchObject({ advanceDirectives: { source: 'form', form: { deepSedation: 'wants' } } });

    expect((await proGet(DENTIST, '')).statusCode).toBe(200);
    const dentistAd = await proGet(DENTIST, '/advance-directives');
    expect(dentistAd.statusCode).toBe(404);
    expect((await traceOf(t, patientId)).at(-1)).toMatchObject({ action: 'access_denied', actor_id: DENTIST, detail: { attempted: 'read', reason: 'matrix_excludes_type' } });
    // Even in an emergency: the matrix rules on professions in every mode.
    expect((await proGet(DENTIST, `/advance-directives?mode=bris_de_glace&justification=${encodeURIComponent('Patient inconscient')}`)).statusCode).toBe(404);

    const nurse = await proGet(NURSE, `/advance-directives?mode=bris_de_glace&justification=${encodeURIComponent('Patient inconscient')}`);
    expect(nurse.statusCode, nurse.body).toBe(200);
    expect(nurse.headers['x-carnet-emergency-mode']).toBe('bris_de_glace');
    expect(nurse.json()).toMatchObject({ emergency: { mode: 'bris_de_glace', banner: true }, advanceDirectives: { source: 'form' } });
    expect((await proGet(NURSE, '?mode=bris_de_glace')).statusCode).toBe(400);
    expect((await proGet(NURSE, '?mode=telepathy')).statusCode).toBe(400);
  });
});

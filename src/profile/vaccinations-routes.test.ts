import { beforeAll, beforeEach, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { proKit, traceOf } from '../records/controls-test-kit.ts';
import type { ProKit } from '../records/controls-test-kit.ts';

const GP = DEMO_PROFESSIONALS.generalPractitioner;
const NURSE = DEMO_PROFESSIONALS.nurse;

interface Vaccination {
  vaccinationId: string;
  vaccineCode: string;
  vaccineLabel: string;
  targetDiseases: { code: string; display: string }[];
  date: string;
  performer: { idNatPs: string | null; name: string | null } | null;
  recordedBy: { kind: string; id: string };
}

describeEngines('vaccinations', (getDb) => {
  let t: TestContext;
  let pro: ProKit;
  let patient: SignedIn;
  let patientId: string;

  const url = (pid = patientId) => `/api/spaces/${pid}/vaccinations`;
  const proUrl = (pid = patientId) => `/api/pro/patients/${pid}/vaccinations`;
  const add = (payload: unknown, who: SignedIn = patient, pid = patientId) => t.app.inject({ method: 'POST', url: url(pid), headers: who.headers, payload: payload as object });
  const list = async (who: SignedIn = patient, pid = patientId) => {
    const res = await t.app.inject({ method: 'GET', url: url(pid), headers: { cookie: who.cookie } });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { vaccinations: Vaccination[] }).vaccinations;
  };
  const rows = async (pid = patientId) => Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM vaccinations WHERE patient_id = $1', [pid]))[0]?.n);
  const traces = async (pid = patientId) => (await traceOf(t, pid)).length;
  const authorize = (ps: string, pid = patientId) =>
    t.db.query('INSERT INTO professional_relations (patient_id, id_nat_ps, authorized_since) VALUES ($1, $2, $3) ON CONFLICT (patient_id, id_nat_ps) DO UPDATE SET authorized_since = EXCLUDED.authorized_since', [pid, ps, t.clock.now()]);

  beforeAll(async () => {
    t = await testApp(getDb());
    await loadDemoDirectory(t.db, t.clock);
    pro = proKit(t);
  });

  beforeEach(async () => {
    const p = await insertActivePatient(t.db, { birthDate: '1990-05-04' });
    patientId = p.patientId;
    patient = await signIn(t, p.loginId, p.password);
  });

  it('serves the catalogue', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/vaccines' });
    expect(res.statusCode).toBe(200);
    const c = res.json() as { system: string; vaccines: { code: string; targets: { code: string }[] }[]; routes: { code: string }[] };
    expect(c.system).toBe('http://www.whocc.no/atc');
    expect(c.vaccines.find((v) => v.code === 'J07BM03')?.targets).toEqual([expect.objectContaining({ code: '240532009' })]);
    expect(c.routes.map((r) => r.code)).toContain('IM');
  });

  it('the patient records a vaccination, lists it, corrects and deletes it; each access traced once', async () => {
    const before = await traces();
    const res = await add({ vaccineCode: 'J07BD52', vaccineName: 'Priorix', date: '1991-06-01', doseNumber: 1, lotNumber: 'A12B', route: 'SQ', site: 'LT', performer: { idNatPs: GP } });
    expect(res.statusCode, res.body).toBe(201);
    const v = res.json() as Vaccination;
    expect(v).toMatchObject({ vaccineCode: 'J07BD52', vaccineLabel: 'ROR (rougeole, oreillons, rubéole)', date: '1991-06-01', performer: { idNatPs: GP, name: 'Sophie BERNARD' }, recordedBy: { kind: 'patient', id: patientId } });
    expect(v.targetDiseases.map((d) => d.code)).toEqual(['14189004', '36989005', '36653000']);
    const trace = await traceOf(t, patientId);
    expect(trace).toHaveLength(before + 1);
    expect(trace.at(-1)).toMatchObject({ action: 'vaccination_added', target: `Immunization/${v.vaccinationId}`, actor_id: patientId });

    expect((await list()).map((x) => x.vaccinationId)).toEqual([v.vaccinationId]);
    expect((await traceOf(t, patientId)).at(-1)?.action).toBe('vaccinations_listed');

    const put = await t.app.inject({ method: 'PUT', url: `${url()}/${v.vaccinationId}`, headers: patient.headers, payload: { vaccineCode: 'J07BD52', date: '1991-06-02', doseNumber: 2 } });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ date: '1991-06-02', doseNumber: 2, lotNumber: null, performer: null });
    expect((await traceOf(t, patientId)).at(-1)?.action).toBe('vaccination_updated');

    const del = await t.app.inject({ method: 'DELETE', url: `${url()}/${v.vaccinationId}`, headers: patient.headers });
    expect(del.statusCode).toBe(204);
    expect(await rows()).toBe(0);
    expect((await traceOf(t, patientId)).at(-1)).toMatchObject({ action: 'vaccination_deleted', target: `Immunization/${v.vaccinationId}` });
  });

  it('refuses bad input with a 400 naming the field: nothing stored, nothing traced', async () => {
    const before = await traces();
    const cases: [unknown, string][] = [
      [{ vaccineCode: 'J07ZZ99', date: '2020-01-01' }, 'body.vaccineCode'],
      [{ vaccineCode: 'J07BM03', date: '2099-01-01' }, 'body.date'],
      [{ vaccineCode: 'J07BM03', date: '1990-05-03' }, 'body.date'],
      [{ vaccineCode: 'J07BM03', date: '10/01/2020' }, 'body.date'],
      [{ vaccineCode: 'J07BM03', date: '2020-01-01', doseNumber: '2' }, 'body.doseNumber'],
      [{ vaccineCode: 'J07BM03', date: '2020-01-01', doseNumber: 0 }, 'body.doseNumber'],
      [{ vaccineCode: 'J07BM03', date: '2020-01-01', colour: 'red' }, 'body'],
      [{ vaccineCode: 'other', date: '2020-01-01' }, 'body.vaccineName'],
      [{ vaccineCode: 'J07BM03', date: '2020-01-01', targetDiseases: ['6142004'] }, 'body.targetDiseases'],
      [{ vaccineCode: 'J07BM03', date: '2020-01-01', route: 'IV' }, 'body.route'],
      [{ vaccineCode: 'J07BM03', date: '2020-01-01', site: 'head' }, 'body.site'],
      [{ vaccineCode: 'J07BM03', date: '2020-01-01', performer: { idNatPs: '810000000000' } }, 'body.performer.idNatPs'],
      [{ date: '2020-01-01' }, 'body.vaccineCode'],
    ];
    for (const [payload, field] of cases) {
      const res = await add(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      const body = res.json() as { detail: string; errors: { field: string }[] };
      expect(body.errors[0]?.field, JSON.stringify(payload)).toBe(field);
      expect(body.detail).toMatch(/^Invalid input/);
    }
    expect(await rows()).toBe(0);
    expect(await traces()).toBe(before);
  });

  it('another patient’s space is not found (refusal traced there), and nothing is stored', async () => {
    const other = await insertActivePatient(t.db);
    const before = await traces(other.patientId);
    const res = await add({ vaccineCode: 'J07BM03', date: '2020-01-01' }, patient, other.patientId);
    expect(res.statusCode).toBe(404);
    expect(await rows(other.patientId)).toBe(0);
    const trace = await traceOf(t, other.patientId);
    expect(trace).toHaveLength(before + 1);
    expect(trace.at(-1)).toMatchObject({ action: 'access_denied', actor_id: patientId, detail: { attempted: 'create', reason: 'not_authorized' } });
    expect((await t.app.inject({ method: 'GET', url: url(other.patientId), headers: { cookie: patient.cookie } })).statusCode).toBe(404);
    // Without the CSRF header a write is refused before anything.
    expect((await t.app.inject({ method: 'POST', url: url(), headers: { cookie: patient.cookie }, payload: { vaccineCode: 'J07BM03', date: '2020-01-01' } })).statusCode).toBe(403);
  });

  it('an authorized professional lists and adds (as performer); one not authorized gets 404; the patient cannot change a professional’s entry', async () => {
    const payload = { vaccineCode: 'J07BB02', vaccineName: 'Vaxigrip Tetra', date: '2025-11-02', lotNumber: 'X123', route: 'IM', site: 'LD' };
    const refused = await t.app.inject({ method: 'POST', url: proUrl(), headers: await pro.headers(NURSE), payload });
    expect(refused.statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: proUrl(), headers: await pro.headers(NURSE) })).statusCode).toBe(404);
    expect(await rows()).toBe(0);

    await authorize(GP);
    // The performer is the professional, whatever they try to say.
    expect((await t.app.inject({ method: 'POST', url: proUrl(), headers: await pro.headers(GP), payload: { ...payload, performer: { name: 'X' } } })).statusCode).toBe(400);
    const res = await t.app.inject({ method: 'POST', url: proUrl(), headers: await pro.headers(GP), payload });
    expect(res.statusCode, res.body).toBe(201);
    const v = res.json() as Vaccination;
    expect(v).toMatchObject({ performer: { idNatPs: GP, name: expect.stringMatching(/Sophie BERNARD/) }, recordedBy: { kind: 'professional', id: GP } });
    expect((await traceOf(t, patientId)).at(-1)).toMatchObject({ action: 'vaccination_added', actor_id: GP, detail: { rule: 'ps_vaccination_entry' } });

    await add({ vaccineCode: 'J07BM03', date: '2010-03-03' });
    const listed = await t.app.inject({ method: 'GET', url: `${proUrl()}?vaccineCode=J07BB02&from=2025-01-01`, headers: await pro.headers(GP) });
    expect(listed.statusCode, listed.body).toBe(200);
    expect((listed.json() as { vaccinations: Vaccination[] }).vaccinations.map((x) => x.vaccinationId)).toEqual([v.vaccinationId]);
    const all = await t.app.inject({ method: 'GET', url: `${proUrl()}?to=2020-12-31`, headers: await pro.headers(GP) });
    expect((all.json() as { vaccinations: Vaccination[] }).vaccinations.map((x) => x.vaccineCode)).toEqual(['J07BM03']);
    expect((await t.app.inject({ method: 'GET', url: `${proUrl()}?from=yesterday`, headers: await pro.headers(GP) })).statusCode).toBe(400);

    const put = await t.app.inject({ method: 'PUT', url: `${url()}/${v.vaccinationId}`, headers: patient.headers, payload: { vaccineCode: 'J07BB02', date: '2025-11-03' } });
    expect(put.statusCode).toBe(403);
    expect((put.json() as { detail: string }).detail).toMatch(/Only who recorded this/);
    expect((await t.app.inject({ method: 'DELETE', url: `${url()}/${v.vaccinationId}`, headers: patient.headers })).statusCode).toBe(403);
    expect((await list()).find((x) => x.vaccinationId === v.vaccinationId)?.date).toBe('2025-11-02');

    // Its author corrects it; another authorized professional may not (404), nor change a patient's entry.
    await authorize(NURSE);
    const byNurse = await t.app.inject({ method: 'PUT', url: `${proUrl()}/${v.vaccinationId}`, headers: await pro.headers(NURSE), payload: { ...payload, date: '2025-11-03' } });
    expect(byNurse.statusCode).toBe(404);
    const fixed = await t.app.inject({ method: 'PUT', url: `${proUrl()}/${v.vaccinationId}`, headers: await pro.headers(GP), payload: { ...payload, date: '2025-11-03' } });
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect((await list()).find((x) => x.vaccinationId === v.vaccinationId)?.date).toBe('2025-11-03');
    expect((await traceOf(t, patientId)).filter((r) => r.action === 'vaccination_updated').at(-1)).toMatchObject({ actor_id: GP, detail: { rule: 'ps_vaccination_entry' } });
    const patientEntry = (await list()).find((x) => x.vaccineCode === 'J07BM03');
    expect((await t.app.inject({ method: 'DELETE', url: `${proUrl()}/${patientEntry?.vaccinationId}`, headers: await pro.headers(GP) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: `${proUrl()}/${v.vaccinationId}`, headers: await pro.headers(GP) })).statusCode).toBe(204);
    expect((await list()).some((x) => x.vaccinationId === v.vaccinationId)).toBe(false);
  });

  it('bris de glace: a justification is required; the mode is shown and traced', async () => {
    await add({ vaccineCode: 'J07BM03', date: '2010-03-03' });
    const missing = await t.app.inject({ method: 'GET', url: `${proUrl()}?mode=bris_de_glace`, headers: await pro.headers(NURSE) });
    expect(missing.statusCode).toBe(400);
    expect((missing.json() as { errors: { field: string }[] }).errors[0]?.field).toBe('querystring.justification');
    const res = await t.app.inject({ method: 'GET', url: `${proUrl()}?mode=bris_de_glace&justification=${encodeURIComponent('Patient inconscient aux urgences')}`, headers: await pro.headers(NURSE) });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['x-carnet-emergency-mode']).toBe('bris_de_glace');
    expect(res.json()).toMatchObject({ emergency: { mode: 'bris_de_glace', banner: true } });
    expect((await traceOf(t, patientId)).at(-1)).toMatchObject({ action: 'vaccinations_listed', actor_id: NURSE, detail: { rule: 'emergency_bris_de_glace' } });
    // Emergency modes read; they do not write.
    expect((await t.app.inject({ method: 'POST', url: `${proUrl()}?mode=bris_de_glace`, headers: await pro.headers(NURSE), payload: { vaccineCode: 'J07BM03', date: '2020-01-01' } })).statusCode).toBe(400);
  });

  it('the legal representative of a minor records the child’s vaccinations', async () => {
    const child = await insertActivePatient(t.db, { birthDate: '2020-01-15' });
    await t.db.query("INSERT INTO representations (patient_id, representative_id, rank, status, created_at) VALUES ($1, $2, 1, 'active', $3)", [child.patientId, patientId, t.clock.now()]);
    const res = await add({ vaccineCode: 'J07CA09', date: '2020-03-15', doseNumber: 1 }, patient, child.patientId);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ recordedBy: { kind: 'representative', id: patientId } });
    expect((await add({ vaccineCode: 'J07CA09', date: '2019-12-01' }, patient, child.patientId)).statusCode).toBe(400);
  });

  it('generates the vaccination history as a PDF document of type 11369-6', async () => {
    await add({ vaccineCode: 'J07BD52', date: '1991-06-01', doseNumber: 1 });
    await add({ vaccineCode: 'other', vaccineName: 'Ixiaro – encéphalite japonaise', date: '2015-07-01', notes: 'Avant un voyage au Viêt Nam' });
    const before = await traces();
    const res = await t.app.inject({ method: 'POST', url: `${url()}/history-document`, headers: patient.headers });
    expect(res.statusCode, res.body).toBe(201);
    const doc = res.json() as { documentId: string; typeCode: string; title: string; format: string; author: { kind: string } };
    expect(doc).toMatchObject({ typeCode: '11369-6', title: 'Historique des vaccinations', format: 'application/pdf', author: { kind: 'patient' } });
    const trace = await traceOf(t, patientId);
    expect(trace).toHaveLength(before + 1);
    expect(trace.at(-1)).toMatchObject({ action: 'document_created', target: `document:${doc.documentId}` });

    const content = await t.app.inject({ method: 'GET', url: `/api/spaces/${patientId}/documents/${doc.documentId}/content`, headers: { cookie: patient.cookie } });
    expect(content.statusCode).toBe(200);
    const pdf = await PDFDocument.load(content.rawPayload);
    expect(pdf.getTitle()).toMatch(/^Historique des vaccinations/);
    const page = pdf.getPage(0);
    expect(page.getWidth()).toBeGreaterThan(page.getHeight()); // A4 landscape
    expect(Math.round(page.getWidth())).toBe(842);

    // Someone else's space: not found, no document.
    const other = await insertActivePatient(t.db);
    expect((await t.app.inject({ method: 'POST', url: `${url(other.patientId)}/history-document`, headers: patient.headers })).statusCode).toBe(404);
    expect((await t.db.query('SELECT 1 FROM documents WHERE patient_id = $1', [other.patientId])).length).toBe(0);
    expect((await traceOf(t, other.patientId)).at(-1)).toMatchObject({ action: 'access_denied', actor_id: patientId });
  });
});


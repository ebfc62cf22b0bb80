import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { cryptoRandom } from '../platform/random.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { createDocumentsRepository } from './documents-repository.ts';
import type { DocumentsCaller, DocumentsRepository } from './documents-repository.ts';
import type { AccessEntry, DocumentAccessAnswer } from './documents-visibility.ts';

const GP = DEMO_PROFESSIONALS.generalPractitioner; // 10/SM54
const CARDIO = DEMO_PROFESSIONALS.cardiologist; // 10/SM04
const NURSE = DEMO_PROFESSIONALS.nurse; // 60
const DENTIST = DEMO_PROFESSIONALS.dentist; // 40
const PODIATRIST = DEMO_PROFESSIONALS.podiatrist; // 80
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

const ps = (idNatPs: string, professionCode: string, specialtyCode: string | null = null): DocumentsCaller => ({ kind: 'professional', idNatPs, name: `PS ${idNatPs}`, professionCode, specialtyCode, organisationFiness: null });

describeEngines('who can see a document, and why', (getDb) => {
  let t: TestContext;
  let repo: DocumentsRepository;
  let patient: SignedIn;
  let patientId: string;

  const relate = (id: string, column: 'authorized_since' | 'administrator_since' | 'blocked_since') =>
    t.db.query(`INSERT INTO professional_relations (patient_id, id_nat_ps, ${column}) VALUES ($1, $2, $3) ON CONFLICT (patient_id, id_nat_ps) DO UPDATE SET ${column} = EXCLUDED.${column}`, [patientId, id, t.clock.now()]);
  const settings = (emergencyMasked: boolean) =>
    t.db.query(
      `INSERT INTO access_settings (patient_id, medecin_traitant, emergency_masked, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (patient_id) DO UPDATE SET medecin_traitant = EXCLUDED.medecin_traitant, emergency_masked = EXCLUDED.emergency_masked`,
      [patientId, GP, emergencyMasked, t.clock.now()],
    );
  const submit = async (typeCode: string, flags: { maskedToProfessionals?: boolean; invisibleToPatient?: boolean } = {}) =>
    (await repo.submit(ps(CARDIO, '10', 'SM04'), patientId, { typeCode, title: 'CR', createdOn: '2026-01-10', format: 'application/pdf', content: PDF, flags })).documentId;
  const access = (documentId: string, cookie = patient.cookie) => t.app.inject({ method: 'GET', url: `/api/spaces/${patientId}/documents/${documentId}/access`, headers: { cookie } });
  const accessOk = async (documentId: string): Promise<DocumentAccessAnswer> => {
    const res = await access(documentId);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as DocumentAccessAnswer;
  };
  const byId = (entries: AccessEntry[], id: string) => entries.find((e) => e.professional?.idNatPs === id);
  const door = (entries: AccessEntry[], mode: string) => entries.find((e) => e.mode === mode);

  beforeAll(async () => {
    t = await testApp(getDb());
    await loadDemoDirectory(t.db, t.clock);
    repo = createDocumentsRepository({ db: t.db, clock: t.clock, random: cryptoRandom, config: t.config });
  });

  beforeEach(async () => {
    const p = await insertActivePatient(t.db);
    patientId = p.patientId;
    patient = await signIn(t, p.loginId, p.password);
    await settings(true);
    for (const id of [GP, NURSE, DENTIST]) await relate(id, 'authorized_since');
    await relate(PODIATRIST, 'administrator_since');
  });

  describe('the patient asks', () => {
    it('lists who sees it with the rule, and the authorized PS the matrix keeps out; traced', async () => {
      const id = await submit('75496-0'); // excluded for dentists and nurses
      const a = await accessOk(id);
      expect(a).toMatchObject({ documentId: id, typeCode: '75496-0', document: { masked: false, maskedToProfessionals: false, maskedByMaskAll: false } });
      expect(a.canSee.find((e) => e.kind === 'patient')).toMatchObject({ rule: 'patient_own_space' });
      expect(byId(a.canSee, GP)).toMatchObject({ rule: 'ps_authorized_matrix', professional: { name: 'Sophie BERNARD', profession: 'Médecin', roles: ['médecin traitant', 'authorized'] } });
      expect(byId(a.canSee, CARDIO)).toMatchObject({ rule: 'ps_author', professional: { roles: ['author'] } });
      expect(byId(a.canSee, PODIATRIST)).toMatchObject({ rule: 'ps_administrator' });
      expect(byId(a.cannotSee, NURSE)).toMatchObject({ reason: 'matrix_excludes_type', professional: { profession: 'Infirmier' } });
      expect(byId(a.cannotSee, DENTIST)).toMatchObject({ reason: 'matrix_excludes_type' });
      expect(door(a.canSee, 'samu')).toMatchObject({ rule: 'emergency_samu' });
      expect(door(a.canSee, 'bris_de_glace')).toMatchObject({ rule: 'emergency_bris_de_glace' });
      expect(a.cannotSee.find((e) => e.kind === 'insurer')).toMatchObject({ reason: 'insurer_no_read' });
      expect(a.cannotSee.find((e) => e.kind === 'operator')).toMatchObject({ reason: 'operator_no_health_data' });
      expect(a.emergency).toEqual({ samu: true, brisDeGlace: true, maskedDocumentsIncluded: true, thisDocumentReachable: true });

      const last = (await t.db.query<{ action: string; target: string }>('SELECT action, target FROM audit_events WHERE patient_id = $1 ORDER BY seq DESC LIMIT 1', [patientId]))[0];
      expect(last).toEqual({ action: 'document_access_explained', target: `document:${id}` });
    });

    it('a masked document: only the author, administrators and (per the MASKED setting) emergency access', async () => {
      const id = await submit('11488-4', { maskedToProfessionals: true });
      let a = await accessOk(id);
      expect(byId(a.cannotSee, GP)).toMatchObject({ reason: 'masked' });
      expect(byId(a.cannotSee, NURSE)).toMatchObject({ reason: 'masked' });
      expect(byId(a.canSee, PODIATRIST)).toMatchObject({ rule: 'ps_administrator' });
      expect(byId(a.canSee, CARDIO)).toMatchObject({ rule: 'ps_author' });
      expect(door(a.canSee, 'samu')).toBeDefined();

      await settings(false);
      a = await accessOk(id);
      expect(door(a.cannotSee, 'samu')).toMatchObject({ reason: 'masked' });
      expect(door(a.cannotSee, 'bris_de_glace')).toMatchObject({ reason: 'masked' });
      expect(a.emergency).toMatchObject({ maskedDocumentsIncluded: false, thisDocumentReachable: false });
    });

    it('a blocked PS is said blocked', async () => {
      await relate(GP, 'blocked_since');
      const a = await accessOk(await submit('11488-4'));
      expect(byId(a.cannotSee, GP)).toMatchObject({ reason: 'blocked', professional: { roles: expect.arrayContaining(['blocked']) as unknown } });
    });
  });

  describe('who may ask', () => {
    it('not about a document the patient does not see yet, nor another patient, nor without a session: 404 / 401', async () => {
      const hidden = await submit('11488-4', { invisibleToPatient: true });
      expect((await access(hidden)).statusCode).toBe(404);
      const visible = await submit('11488-4');
      const other = await insertActivePatient(t.db);
      const otherSession = await signIn(t, other.loginId, other.password);
      expect((await access(visible, otherSession.cookie)).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: `/api/spaces/${patientId}/documents/${visible}/access` })).statusCode).toBe(401);
      // A professional, through the repository, is refused too.
      await expect(repo.accessOf(ps(GP, '10', 'SM54'), patientId, visible)).rejects.toMatchObject({ code: 'not_found' });
    });
  });
});

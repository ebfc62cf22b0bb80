import { beforeAll, beforeEach, expect, it } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { ManualClock } from '../platform/clock.ts';
import { loadDemoDirectory } from '../identity/index.ts';
import { form, pdf, PDF } from '../records/documents-test-kit.ts';
import { traceOf } from '../records/controls-test-kit.ts';
import { safeFileName } from './service.ts';

describeEngines('download all my data (GET /api/spaces/:id/export)', (getDb) => {
  let t: TestContext;
  let patientId: string;
  let patient: SignedIn;

  const exportOf = (pid: string, who: SignedIn) => t.app.inject({ method: 'GET', url: `/api/spaces/${pid}/export`, headers: { cookie: who.cookie } });

  beforeAll(async () => {
    t = await testApp(getDb(), { clock: new ManualClock('2026-02-02T10:00:00Z') });
    await loadDemoDirectory(t.db, t.clock);
  });

  beforeEach(async () => {
    const p = await insertActivePatient(t.db);
    patientId = p.patientId;
    patient = await signIn(t, p.loginId, p.password);
  });

  it('gives one ZIP with the documents (same bytes), the profile, the measures, the vaccinations and the trace; traced once', async () => {
    const f = form({ typeCode: 'DOCPAT03', title: 'Compte rendu échographie', createdOn: '2025-12-01' }, pdf());
    expect((await t.app.inject({ method: 'POST', url: `/api/spaces/${patientId}/documents`, headers: { ...patient.headers, ...f.headers }, payload: f.payload })).statusCode).toBe(201);
    const weight = await t.app.inject({ method: 'POST', url: `/api/spaces/${patientId}/measures`, headers: patient.headers, payload: { type: 'weight', value: 154, unit: '[lb_av]', effectiveAt: '2026-01-20T08:00:00Z' } });
    expect(weight.statusCode, weight.body).toBe(201);
    const vac = await t.app.inject({ method: 'POST', url: `/api/spaces/${patientId}/vaccinations`, headers: patient.headers, payload: { vaccineCode: 'J07BD52', date: '1991-06-01', lotNumber: 'A12B' } });
    expect(vac.statusCode, vac.body).toBe(201);
    const allergy = await t.app.inject({ method: 'POST', url: `/api/spaces/${patientId}/health-history/allergies`, headers: patient.headers, payload: { substance: 'Pénicilline', type: 'allergy', category: 'medication' } });
    expect(allergy.statusCode, allergy.body).toBe(201);

    const res = await exportOf(patientId, patient);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe('attachment; filename="carnet-export-2026-02-02.zip"');
    const files = unzipSync(new Uint8Array(res.rawPayload));
    expect(Object.keys(files).sort()).toEqual(
      ['LISEZMOI.txt', 'documents.json', 'documents/2025-12-01-Compte-rendu-echographie.pdf', 'historique.json', 'profil/antecedents.json', 'profil/entourage.json', 'profil/mesures.json', 'profil/vaccinations.json'].sort(),
    );
    expect(Buffer.from(files['documents/2025-12-01-Compte-rendu-echographie.pdf'] ?? []).equals(PDF)).toBe(true);
    const text = (name: string) => strFromU8(files[name] ?? new Uint8Array());
    expect(JSON.parse(text('documents.json'))).toMatchObject([{ typeCode: 'DOCPAT03', title: 'Compte rendu échographie' }]);
    expect(text('profil/antecedents.json')).toContain('Pénicilline');
    expect(text('profil/vaccinations.json')).toContain('A12B');
    expect(JSON.parse(text('profil/mesures.json'))).toMatchObject([{ type: 'weight' }]);
    expect(text('historique.json')).toContain('document_created');
    const exported = (await traceOf(t, patientId)).filter((r) => r.action === 'space_exported');
    expect(exported).toHaveLength(1);
    expect(exported[0]?.detail).toMatchObject({ documents: 1 });
  });

  it('is refused to an aidant (403, traced) and to a stranger (404); a child’s representative gets the child’s', async () => {
    const other = await insertActivePatient(t.db);
    const otherSession = await signIn(t, other.loginId, other.password);
    expect((await exportOf(patientId, otherSession)).statusCode).toBe(404);
    await t.db.query(
      `INSERT INTO aidant_invitations (patient_id, invitation_id, aidant_id, login_id, invited_by, status, invited_at, expires_at)
       VALUES ($1, gen_random_uuid(), $2, 'x', $1, 'accepted', $3, $4)`,
      [patientId, other.patientId, t.clock.now(), '2099-01-01T00:00:00Z'],
    );
    const asAidant = await exportOf(patientId, otherSession);
    expect(asAidant.statusCode).toBe(403);
    expect((await traceOf(t, patientId)).at(-1)).toMatchObject({ action: 'access_denied', actor_type: 'aidant', detail: { reason: 'aidant_forbidden_action' } });

    const child = await insertActivePatient(t.db, { birthDate: '2015-04-01' });
    await t.db.query("INSERT INTO representations (patient_id, representative_id, rank, status, created_at) VALUES ($1, $2, 1, 'active', $3)", [child.patientId, patientId, t.clock.now()]);
    expect((await exportOf(child.patientId, patient)).statusCode).toBe(200);
  });

  it('makes safe file names', () => {
    expect(safeFileName('Compte rendu : échographie / 2025')).toBe('Compte-rendu-echographie-2025');
    expect(safeFileName('***')).toBe('document');
    expect(safeFileName('a'.repeat(100))).toHaveLength(60);
  });
});

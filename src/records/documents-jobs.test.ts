import { beforeAll, expect, it } from 'vitest';
import { describeEngines } from '../../test/engines.ts';
import { testApp } from '../../test/helpers.ts';
import type { TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { DAY_MS } from '../platform/clock.ts';
import { cryptoRandom } from '../platform/random.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { runScheduledJobs } from '../scheduled-jobs.ts';
import { createDocumentsRepository } from './documents-repository.ts';
import type { DocumentsCaller, DocumentsRepository } from './documents-repository.ts';
import { runDocumentNoticeJobs } from './documents-jobs.ts';

const CARDIO: DocumentsCaller = { kind: 'professional', idNatPs: DEMO_PROFESSIONALS.cardiologist, name: 'Marc Leroy', professionCode: '10', specialtyCode: 'SM04', organisationFiness: null };
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

describeEngines('notices of documents invisible to the patient (RULES §4.4)', (getDb) => {
  let t: TestContext;
  let repo: DocumentsRepository;
  const deps = () => ({ db: t.db, clock: t.clock, random: cryptoRandom, config: t.config });

  beforeAll(async () => {
    t = await testApp(getDb());
    await loadDemoDirectory(t.db, t.clock);
    repo = createDocumentsRepository(deps());
  });

  const submit = async (patientId: string, invisibleToPatient: boolean) =>
    (await repo.submit(CARDIO, patientId, { typeCode: '11488-4', title: 'CR', createdOn: '2026-01-10', format: 'application/pdf', content: PDF, flags: { invisibleToPatient } })).documentId;
  const notices = (patientId: string) =>
    t.db.query<{ template: string; params: Record<string, string> }>("SELECT template, params FROM outbox WHERE patient_id = $1 AND template IN ('document_awaiting', 'document_visible') ORDER BY created_at, message_id", [patientId]);
  const seen = async (patientId: string) => (await repo.list({ kind: 'person', personId: patientId }, patientId)).documents.map((d) => d.documentId);
  const traces = (patientId: string) =>
    t.db.query<{ action: string; target: string }>("SELECT action, target FROM audit_events WHERE patient_id = $1 AND action LIKE 'document_%_notified' ORDER BY seq", [patientId]);

  it('at 2 weeks: "a document awaits" once; at 1 month: visible, "now visible" once; traced', async () => {
    const p = await insertActivePatient(t.db);
    const hidden = await submit(p.patientId, true);
    const plain = await submit(p.patientId, false);
    const deleted = await submit(p.patientId, true);
    await repo.remove(CARDIO, p.patientId, deleted, { onPatientRequest: true });

    await runDocumentNoticeJobs(deps());
    t.clock.advanceDays(13);
    await runDocumentNoticeJobs(deps());
    expect(await notices(p.patientId)).toEqual([]);

    t.clock.advance(DAY_MS + 60_000); // 14 days and a minute
    const report = await runScheduledJobs(deps());
    expect(report.documentsAwaitingNotified).toBeGreaterThanOrEqual(1);
    expect(await notices(p.patientId)).toMatchObject([{ template: 'document_awaiting', params: { name: 'Claire MARTIN', visibleOn: '2026-02-15T09:00:00.000Z', at: '2026-01-15T09:00:00.000Z' } }]);
    expect(await seen(p.patientId)).toEqual([plain]);
    // Never twice.
    t.clock.advanceDays(3);
    await runDocumentNoticeJobs(deps());
    expect(await notices(p.patientId)).toHaveLength(1);

    t.clock.set('2026-02-15T09:00:01Z'); // a month after submission
    await runScheduledJobs(deps());
    expect((await notices(p.patientId)).map((n) => n.template)).toEqual(['document_awaiting', 'document_visible']);
    expect(new Set(await seen(p.patientId))).toEqual(new Set([hidden, plain]));
    await runDocumentNoticeJobs(deps());
    t.clock.advanceDays(10);
    await runDocumentNoticeJobs(deps());
    expect(await notices(p.patientId)).toHaveLength(2);
    expect(await traces(p.patientId)).toEqual([
      { action: 'document_awaiting_notified', target: `document:${hidden}` },
      { action: 'document_visible_notified', target: `document:${hidden}` },
    ]);
  });

  it('a job that did not run for 6 weeks sends only "now visible"; a closed space gets nothing', async () => {
    t.clock.set('2026-03-01T09:00:00Z');
    const p = await insertActivePatient(t.db);
    const closed = await insertActivePatient(t.db);
    await submit(p.patientId, true);
    await submit(closed.patientId, true);
    await t.db.query("UPDATE patients SET status = 'closed' WHERE patient_id = $1", [closed.patientId]);
    t.clock.advanceDays(42);
    const report = await runDocumentNoticeJobs(deps());
    expect(report.documentsVisibleNotified).toBe(1);
    expect(report.documentsAwaitingNotified).toBe(0);
    expect((await notices(p.patientId)).map((n) => n.template)).toEqual(['document_visible']);
    expect(await notices(closed.patientId)).toEqual([]);
  });
});

/**
 * Emergency access over FHIR (RULES §3.3): X-Purpose-Of-Use ETREAT / BTG with its
 * justification, the mode marked on the answers, the patient's settings obeyed, traced and
 * notified as over the JSON API.
 */
import { beforeAll, beforeEach, expect, it } from 'vitest';
import type { Bundle, DocumentReference } from '@medplum/fhirtypes';
import { describeEngines } from '../../test/engines.ts';
import { testApp } from '../../test/helpers.ts';
import type { TestContext } from '../../test/helpers.ts';
import { insertActivePatient } from '../../test/fixtures.ts';
import { ManualClock } from '../platform/clock.ts';
import { DEMO_PROFESSIONALS, loadDemoDirectory } from '../identity/index.ts';
import { proKit, traceOf } from '../records/controls-test-kit.ts';
import type { ProKit } from '../records/controls-test-kit.ts';
import { form, pdf } from '../records/documents-test-kit.ts';
import { assertValidFhir } from './fhir-test-kit.ts';
import { documentRefId } from './documents.ts';

const CARDIO = DEMO_PROFESSIONALS.cardiologist;
const NURSE = DEMO_PROFESSIONALS.nurse;
const SAMU = DEMO_PROFESSIONALS.samuRegulator;
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

describeEngines('FHIR emergency access', (getDb) => {
  let t: TestContext;
  let pros: ProKit;
  let patientId: string;
  let docId: string;

  const get = async (url: string, ps: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers: { ...(await pros.headers(ps)), ...headers } });
  const btg = (why: string) => ({ 'x-purpose-of-use': 'BTG', 'x-btg-justification': encodeURIComponent(why) });

  beforeAll(async () => {
    t = await testApp(getDb(), { clock: new ManualClock('2026-02-02T10:00:00Z') });
    await loadDemoDirectory(t.db, t.clock);
    pros = proKit(t);
  });

  beforeEach(async () => {
    patientId = (await insertActivePatient(t.db)).patientId;
    const f = form({ typeCode: '11488-4', title: 'CR', createdOn: '2026-01-10' }, pdf());
    const res = await t.app.inject({ method: 'POST', url: `/api/pro/patients/${patientId}/documents`, headers: { ...(await pros.headers(CARDIO)), ...f.headers }, payload: f.payload });
    expect(res.statusCode, res.body).toBe(201);
    docId = (res.json() as { documentId: string }).documentId;
  });

  it('bris de glace: refused without a justification (400), permitted with one, marked BTG, traced with it', async () => {
    const url = `/fhir/DocumentReference?patient=Patient/${patientId}`;
    expect((await get(url, NURSE)).statusCode).toBe(404);
    const missing = await get(url, NURSE, { 'x-purpose-of-use': 'BTG' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    expect(JSON.stringify(missing.json())).toContain('X-Btg-Justification');
    // The refused attempt is traced, as over the JSON API.
    expect((await traceOf(t, patientId)).at(-1)).toMatchObject({ action: 'access_denied', detail: { reason: 'justification_required' } });

    const res = await get(url, NURSE, btg('Patient inconscient, aucun proche joignable'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['x-carnet-emergency-mode']).toBe('bris_de_glace');
    const bundle = res.json() as Bundle<DocumentReference>;
    assertValidFhir(bundle);
    expect(bundle.meta?.security).toContainEqual({ system: ACT_REASON, code: 'BTG' });
    expect(bundle.entry?.map((e) => e.resource?.id)).toEqual([documentRefId(patientId, docId)]);
    const entry = (await traceOf(t, patientId)).at(-1);
    expect(entry).toMatchObject({ action: 'documents_listed', detail: { justification: 'Patient inconscient, aucun proche joignable' } });

    const binary = await get(`/fhir/Binary/${documentRefId(patientId, docId)}`, NURSE, btg('idem'));
    expect(binary.statusCode).toBe(200);
    expect(binary.headers['x-carnet-emergency-mode']).toBe('bris_de_glace');
  });

  it('ETREAT is for the SAMU regulator only, and obeys the patient’s setting', async () => {
    const url = `/fhir/DocumentReference/${documentRefId(patientId, docId)}`;
    const res = await get(url, SAMU, { 'x-purpose-of-use': 'ETREAT' });
    expect(res.statusCode, res.body).toBe(200);
    const doc = res.json() as DocumentReference;
    assertValidFhir(doc);
    expect(doc.meta?.security).toContainEqual({ system: ACT_REASON, code: 'ETREAT' });
    expect((await get(url, NURSE, { 'x-purpose-of-use': 'ETREAT' })).statusCode).toBe(404);
    await t.db.query('INSERT INTO access_settings (patient_id, emergency_samu, updated_at) VALUES ($1, false, $2)', [patientId, t.clock.now()]);
    expect((await get(url, SAMU, { 'x-purpose-of-use': 'ETREAT' })).statusCode).toBe(404);
  });

  it('an unknown purpose is a 400 naming the header', async () => {
    const res = await get(`/fhir/DocumentReference?patient=Patient/${patientId}`, NURSE, { 'x-purpose-of-use': 'TREAT' });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain('X-Purpose-Of-Use');
  });
});

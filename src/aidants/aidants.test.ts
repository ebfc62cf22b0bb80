import { beforeEach, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { PDFDocument } from 'pdf-lib';
import { randomUUID } from 'node:crypto';
import { describeEngines } from '../../test/engines.ts';
import { signIn, testApp } from '../../test/helpers.ts';
import type { SignedIn, TestContext } from '../../test/helpers.ts';
import { insertActivePatient, insertPatient } from '../../test/fixtures.ts';
import { ManualClock } from '../platform/clock.ts';
import { verifyChains } from '../audit/index.ts';
import { runScheduledJobs } from '../scheduled-jobs.ts';
import { cryptoRandom } from '../platform/random.ts';
import { INVITE_MESSAGE } from './service.ts';

const START = '2026-01-15T09:00:00Z';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** A multipart/form-data body with one PDF. */
function form(fields: Record<string, string>): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----aidants${Math.random().toString(16).slice(2)}`;
  const chunks = Object.entries(fields).map(([k, v]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cr.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), PDF, Buffer.from('\r\n'), Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

interface Person {
  patientId: string;
  loginId: string;
  birthDate: string;
  password: string;
  session: SignedIn;
}

interface TraceRow {
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
}

interface Doc {
  documentId: string;
  typeCode: string;
  classCode: string;
  title: string;
  author: { kind: string; id: string; name: string | null };
  format: string;
}

describeEngines('aidants (caregivers) over the API', (getDb) => {
  let ctx: TestContext;
  let claire: Person;
  let paul: Person;
  /** Everyone created by the running test (the database is shared by the suite's tests). */
  let people: string[];

  /** An activated adult with a name of their own, signed in. */
  const person = async (given: string, family: string, birthDate = '1980-05-05'): Promise<Person> => {
    const p = await insertActivePatient(ctx.db, { birthDate });
    people.push(p.patientId);
    await ctx.db.query('UPDATE patients SET birth_given_names = $2, birth_name = $3 WHERE patient_id = $1', [p.patientId, given, family]);
    return { patientId: p.patientId, loginId: p.loginId, birthDate, password: p.password, session: await signIn(ctx, p.loginId, p.password) };
  };

  const post = (who: SignedIn, url: string, payload?: Record<string, unknown>) => ctx.app.inject({ method: 'POST', url, headers: who.headers, ...(payload === undefined ? {} : { payload }) });
  const get = (who: SignedIn, url: string) => ctx.app.inject({ method: 'GET', url, headers: { cookie: who.cookie } });
  const invite = (who: SignedIn, patientId: string, loginId: string, birthDate: string) => post(who, `/api/spaces/${patientId}/aidants`, { loginId, birthDate });
  const received = async (who: Person) => {
    const res = await get(who.session, '/api/me/aidant-invitations');
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { invitations: { invitationId: string; patientId: string; patientName: string; inviterName: string; inviterIsRepresentative: boolean; expiresAt: string }[] }).invitations;
  };
  const answer = (who: Person, invitationId: string, accept: boolean) => post(who.session, `/api/me/aidant-invitations/${invitationId}/${accept ? 'accept' : 'refuse'}`);
  /** Invites `aidant` into `space` (as `by`) and returns the invitation id they see. */
  const invited = async (by: SignedIn, spaceId: string, aidant: Person): Promise<string> => {
    const res = await invite(by, spaceId, aidant.loginId, aidant.birthDate);
    expect(res.statusCode, res.body).toBe(202);
    const inv = (await received(aidant)).find((i) => i.patientId === spaceId);
    expect(inv, 'the invitee sees the invitation').toBeDefined();
    return inv?.invitationId ?? '';
  };
  const helping = async (aidant: Person, space: Person = claire, by: SignedIn = space.session): Promise<string> => {
    const id = await invited(by, space.patientId, aidant);
    const res = await answer(aidant, id, true);
    expect(res.statusCode, res.body).toBe(200);
    return id;
  };
  const documents = (who: SignedIn, patientId = claire.patientId) => get(who, `/api/spaces/${patientId}/documents`);
  const docsOf = async (patientId: string): Promise<Doc[]> => ((await documents(claire.session, patientId)).json() as { documents: Doc[] }).documents;
  const trace = async (patientId = claire.patientId): Promise<TraceRow[]> =>
    (await ctx.db.query<TraceRow>('SELECT actor_type, actor_id, actor_name, action, target, detail FROM audit_events WHERE patient_id = $1 ORDER BY seq', [patientId])).filter((r) => !r.action.startsWith('login'));
  /** Messages of a template to this test's people, in the order written (created_at is the same while the clock stands still). */
  const outbox = (template: string) =>
    ctx.db.query<{ patient_id: string; params: Record<string, string> }>('SELECT patient_id, params FROM outbox WHERE template = $1 AND patient_id = ANY($2::uuid[]) ORDER BY created_at, message_id', [template, people]);
  const invitationCount = async () => Number((await ctx.db.query<{ n: number }>('SELECT count(*) AS n FROM aidant_invitations WHERE patient_id = ANY($1::uuid[])', [people]))[0]?.n);
  const expectProblem = (res: LightMyRequestResponse, status: number, detail: RegExp) => {
    expect(res.statusCode, res.body).toBe(status);
    expect((res.json() as { detail: string }).detail).toMatch(detail);
  };

  beforeEach(async () => {
    ctx = await testApp(getDb(), { clock: new ManualClock(START) });
    people = [];
    claire = await person('Claire', 'MARTIN', '1985-04-12');
    paul = await person('Paul', 'DURAND');
  });

  it('answers an invitation the same whether or not the designation matches; only the matched person is told, sees it and accepts; an attestation is saved', async () => {
    const matched = await invite(claire.session, claire.patientId, paul.loginId.toUpperCase(), paul.birthDate);
    const wrongBirth = await invite(claire.session, claire.patientId, paul.loginId, '1980-05-06');
    const unknown = await invite(claire.session, claire.patientId, 'nobody.here', paul.birthDate);
    const bodies = [matched, wrongBirth, unknown].map((r) => {
      expect(r.statusCode, r.body).toBe(202);
      const { invitationId, loginId, ...rest } = r.json() as { invitationId: string; loginId: string };
      expect(invitationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(loginId).toBe(loginId.toLowerCase());
      return rest;
    });
    expect(bodies[0]).toEqual({ status: 'pending', aidant: null, invitedAt: '2026-01-15T09:00:00.000Z', expiresAt: '2026-01-29T09:00:00.000Z', answeredAt: null, endedAt: null, message: INVITE_MESSAGE });
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    // The trace the patient reads says the same of all three.
    const invitedRows = (await trace()).filter((r) => r.action === 'aidant_invited');
    expect(invitedRows.map((r) => [r.actor_type, r.actor_name, Object.keys(r.detail).sort()])).toEqual(Array(3).fill(['patient', 'Claire MARTIN', ['expiresAt', 'loginId', 'rule']]));

    // Only Paul is told, once, and sees the invitation in his space.
    const mails = await outbox('aidant_invitation');
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ patient_id: paul.patientId, params: { name: 'Paul DURAND', inviterName: 'Claire MARTIN', expiresOn: '2026-01-29T09:00:00.000Z', acceptUrl: expect.stringMatching(/^http.*\/aidants\/invitations$/) } });
    const mine = await received(paul);
    expect(mine).toEqual([
      { invitationId: (matched.json() as { invitationId: string }).invitationId, patientId: claire.patientId, patientName: 'Claire MARTIN', inviterName: 'Claire MARTIN', inviterIsRepresentative: false, invitedAt: '2026-01-15T09:00:00.000Z', expiresAt: '2026-01-29T09:00:00.000Z' },
    ]);

    // Pending: no access yet, answered as if the space did not exist.
    expect((await documents(paul.session)).statusCode).toBe(404);

    ctx.clock.advance(10 * 60_000);
    const accepted = await answer(paul, mine[0]?.invitationId ?? '', true);
    expect(accepted.statusCode, accepted.body).toBe(200);
    const acceptedBody = accepted.json() as { status: string; attestationId: string; patientName: string };
    expect(acceptedBody).toMatchObject({ status: 'accepted', patientId: claire.patientId, patientName: 'Claire MARTIN', attestationId: expect.any(String) });
    expect(await received(paul)).toEqual([]);

    // The space sees his name now; the two others stay pending without one.
    const list = await get(claire.session, `/api/spaces/${claire.patientId}/aidants`);
    expect(list.statusCode, list.body).toBe(200);
    const invitations = (list.json() as { invitations: { status: string; aidant: { name: string } | null; loginId: string }[] }).invitations;
    expect(invitations.map((i) => [i.status, i.aidant?.name ?? null]).sort()).toEqual([
      ['accepted', 'Paul DURAND'],
      ['pending', null],
      ['pending', null],
    ]);

    // The attestation: EXPPAT_1, by the patient, a PDF saying who, whom, what, when.
    const attestation = (await docsOf(claire.patientId)).find((d) => d.documentId === acceptedBody.attestationId);
    expect(attestation).toMatchObject({ typeCode: 'EXPPAT_1', classCode: '90', format: 'application/pdf', author: { kind: 'patient', id: claire.patientId }, title: 'Aidant Paul DURAND : désigné(e)' });
    const content = await get(claire.session, `/api/spaces/${claire.patientId}/documents/${acceptedBody.attestationId}/content`);
    expect(content.statusCode).toBe(200);
    const pdf = await PDFDocument.load(content.rawPayload);
    expect(pdf.getTitle()).toBe('Attestation de désignation d’un aidant');
    expect(pdf.getPageCount()).toBe(1);

    // Claire is told; the trace names Paul as the aidant who accepted, after the attestation.
    expect(await outbox('aidant_answered')).toEqual([{ patient_id: claire.patientId, params: { name: 'Claire MARTIN', aidantName: 'Paul DURAND', answer: 'accepted' } }]);
    const rows = await trace();
    const acceptedAt = rows.findIndex((r) => r.action === 'aidant_accepted');
    expect(rows[acceptedAt]).toMatchObject({ actor_type: 'aidant', actor_id: paul.patientId, actor_name: 'Paul DURAND', detail: { attestation: acceptedBody.attestationId } });
    expect(rows[acceptedAt - 1]).toMatchObject({ action: 'document_created', actor_type: 'patient', target: `document:${acceptedBody.attestationId}`, detail: { typeCode: 'EXPPAT_1' } });
    expect((await verifyChains(ctx.db, { patientId: claire.patientId })).firstBroken).toBeNull();
  });

  it('lets an accepted aidant read and add documents, traced as theirs, and refuses them settings, aidants and closure', async () => {
    await helping(paul);
    const listed = await documents(paul.session);
    expect(listed.statusCode, listed.body).toBe(200);
    expect((listed.json() as { documents: Doc[] }).documents.map((d) => d.typeCode)).toEqual(['EXPPAT_1']);
    expect((await trace()).at(-1)).toMatchObject({ action: 'documents_listed', actor_type: 'aidant', actor_id: paul.patientId, actor_name: 'Paul DURAND', detail: { rule: 'aidant' } });

    const f = form({ typeCode: 'DOCPAT05', title: 'Bilan sanguin', createdOn: '2026-01-10' });
    const uploaded = await ctx.app.inject({ method: 'POST', url: `/api/spaces/${claire.patientId}/documents`, headers: { ...paul.session.headers, ...f.headers }, payload: f.payload });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const doc = uploaded.json() as Doc;
    expect(doc).toMatchObject({ typeCode: 'DOCPAT05', author: { kind: 'aidant', id: paul.patientId, name: 'Paul DURAND' } });
    expect((await trace()).at(-1)).toMatchObject({ action: 'document_created', actor_type: 'aidant', actor_name: 'Paul DURAND', target: `document:${doc.documentId}` });
    const read = await get(paul.session, `/api/spaces/${claire.patientId}/documents/${doc.documentId}/content`);
    expect(read.statusCode).toBe(200);
    expect(read.rawPayload.equals(PDF)).toBe(true);
    expect((await trace()).at(-1)).toMatchObject({ action: 'document_read', actor_type: 'aidant', actor_id: paul.patientId });

    // Access settings: 403 saying why, nothing changed, the attempt traced as his.
    expectProblem(await ctx.app.inject({ method: 'PUT', url: `/api/spaces/${claire.patientId}/access/emergency`, headers: paul.session.headers, payload: { samu: false, brisDeGlace: false } }), 403, /aidant may not change the access settings/);
    expect(((await get(claire.session, `/api/spaces/${claire.patientId}/access`)).json() as { emergency: { samu: boolean } }).emergency.samu).toBe(true);
    // Managing aidants: 403, nothing written.
    const before = await invitationCount();
    expectProblem(await invite(paul.session, claire.patientId, 'someone.else', '1990-01-01'), 403, /aidant may not do this/);
    expectProblem(await get(paul.session, `/api/spaces/${claire.patientId}/aidants`), 403, /aidant may not do this/);
    expect(await invitationCount()).toBe(before);
    const denied = (await trace()).filter((r) => r.action === 'access_denied');
    expect(denied.map((r) => [r.actor_type, r.actor_name, r.detail.reason, r.detail.attempted])).toEqual([
      ['aidant', 'Paul DURAND', 'aidant_forbidden_action', expect.any(String)],
      ['aidant', 'Paul DURAND', 'aidant_forbidden_action', 'manage_aidants'],
      ['aidant', 'Paul DURAND', 'aidant_forbidden_action', 'manage_aidants'],
    ]);
    // Closure and deletion: 403 said to the aidant, traced; the space stays active.
    expectProblem(await post(paul.session, `/api/spaces/${claire.patientId}/close`, { confirm: true }), 403, /aidant may not close/);
    expectProblem(await post(paul.session, `/api/spaces/${claire.patientId}/deletion`, { confirm: true }), 403, /aidant may not close/);
    expect((await ctx.db.query<{ status: string }>('SELECT status FROM patients WHERE patient_id = $1', [claire.patientId]))[0]?.status).toBe('active');
    expect((await trace()).filter((r) => r.action === 'access_denied').map((r) => r.detail.attempted).slice(-2)).toEqual(['space_closed', 'deletion_requested']);
    expect((await verifyChains(ctx.db, { patientId: claire.patientId })).firstBroken).toBeNull();
  });

  it('shows each person the spaces they may open, with their role and what they may do there (the switch)', async () => {
    // Claire represents Léo (a minor, rank 1) and manages his aidants: Paul helps Léo and Claire.
    const leo = await insertPatient(ctx.db, { birthDate: '2016-03-01', status: 'active' });
    await ctx.db.query("UPDATE patients SET birth_given_names = 'Léo', birth_name = 'MARTIN' WHERE patient_id = $1", [leo.patientId]);
    await ctx.db.query("INSERT INTO representations (patient_id, representative_id, rank, status, created_at) VALUES ($1, $2, 1, 'active', $3)", [leo.patientId, claire.patientId, START]);
    await helping(paul);
    const leoInvitation = await invited(claire.session, leo.patientId, paul);
    expect((await received(paul)).find((i) => i.invitationId === leoInvitation)).toMatchObject({ patientName: 'Léo MARTIN', inviterName: 'Claire MARTIN', inviterIsRepresentative: true });
    expect((await outbox('aidant_invitation')).map((m) => m.params.childName ?? null).sort()).toEqual(['Léo MARTIN', null]);
    expect((await answer(paul, leoInvitation, true)).statusCode).toBe(200);
    // Told to the representative who invited, about the child.
    expect((await outbox('aidant_answered')).find((m) => m.params.childName !== undefined)).toMatchObject({ patient_id: claire.patientId, params: { name: 'Claire MARTIN', childName: 'Léo MARTIN', aidantName: 'Paul DURAND', answer: 'accepted' } });
    expect((await trace(leo.patientId)).find((r) => r.action === 'aidant_invited')).toMatchObject({ actor_type: 'representative', actor_name: 'Claire MARTIN' });

    const all = { canReadRecord: true, canAddDocuments: true, canEditProfile: true, canReadTrace: true, canManageSettings: true, canManageAidants: true, canInviteRepresentative: false, canEditContactDetails: true, canClose: true, canDownload: true };
    const asAidant = { ...all, canManageSettings: false, canManageAidants: false, canEditContactDetails: false, canClose: false, canDownload: false };
    const spaces = async (who: Person) => {
      const res = await get(who.session, '/api/me/spaces');
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as { spaces: unknown[] }).spaces;
    };
    expect(await spaces(claire)).toEqual([
      { patientId: claire.patientId, name: 'Claire MARTIN', role: 'holder', rank: null, status: 'active', capabilities: all },
      { patientId: leo.patientId, name: 'Léo MARTIN', role: 'representative', rank: 1, status: 'active', capabilities: { ...all, canInviteRepresentative: true } },
    ]);
    const paulSpaces = await spaces(paul);
    expect(paulSpaces).toHaveLength(3);
    expect(paulSpaces).toEqual(
      expect.arrayContaining([
        { patientId: paul.patientId, name: 'Paul DURAND', role: 'holder', rank: null, status: 'active', capabilities: all },
        { patientId: claire.patientId, name: 'Claire MARTIN', role: 'aidant', rank: null, status: 'active', capabilities: asAidant },
        { patientId: leo.patientId, name: 'Léo MARTIN', role: 'aidant', rank: null, status: 'active', capabilities: asAidant },
      ]),
    );
    // Once revoked, Claire's space leaves Paul's switch.
    const claireInvitation = ((await get(claire.session, `/api/spaces/${claire.patientId}/aidants`)).json() as { invitations: { invitationId: string }[] }).invitations[0]?.invitationId;
    expect((await post(claire.session, `/api/spaces/${claire.patientId}/aidants/${claireInvitation}/revoke`)).statusCode).toBe(200);
    expect((await spaces(paul)).map((s) => (s as { patientId: string }).patientId).sort()).toEqual([paul.patientId, leo.patientId].sort());
    expect((await get(claire.session, '/api/me/spaces')).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: '/api/me/spaces' })).statusCode).toBe(401);
  });

  it('refuses, revokes, withdraws and expires, each leaving the person outside (404), attested and told', async () => {
    // Refused.
    let id = await invited(claire.session, claire.patientId, paul);
    const refused = await answer(paul, id, false);
    expect(refused.statusCode, refused.body).toBe(200);
    expect(refused.json()).toMatchObject({ status: 'refused', attestationId: expect.any(String) });
    expect((await documents(paul.session)).statusCode).toBe(404);
    expect((await outbox('aidant_answered')).map((m) => m.params)).toEqual([{ name: 'Claire MARTIN', aidantName: 'Paul DURAND', answer: 'refused' }]);
    expectProblem(await answer(paul, id, true), 404, /No such invitation/);

    // Accepted, then revoked by the space.
    id = await helping(paul);
    expect((await documents(paul.session)).statusCode).toBe(200);
    const revoked = await post(claire.session, `/api/spaces/${claire.patientId}/aidants/${id}/revoke`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json()).toMatchObject({ invitationId: id, status: 'revoked', aidant: { name: 'Paul DURAND' }, endedAt: expect.any(String) });
    expect((await documents(paul.session)).statusCode).toBe(404);
    expect(await outbox('aidant_ended')).toEqual([{ patient_id: paul.patientId, params: { name: 'Paul DURAND', endedBy: 'space', patientName: 'Claire MARTIN' } }]);
    expect((await trace()).find((r) => r.action === 'aidant_revoked')).toMatchObject({ actor_type: 'patient', actor_name: 'Claire MARTIN', detail: { previousStatus: 'accepted', attestation: expect.any(String) } });
    expectProblem(await post(claire.session, `/api/spaces/${claire.patientId}/aidants/${id}/revoke`), 409, /Cannot revoke an invitation that is revoked/);

    // Accepted, then withdrawn by the aidant.
    await helping(paul);
    const withdrawn = await post(paul.session, `/api/me/aided-spaces/${claire.patientId}/withdraw`);
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn', attestationId: expect.any(String) });
    expect((await documents(paul.session)).statusCode).toBe(404);
    expect((await outbox('aidant_ended')).find((m) => m.patient_id === claire.patientId)).toEqual({ patient_id: claire.patientId, params: { name: 'Claire MARTIN', endedBy: 'aidant', aidantName: 'Paul DURAND' } });
    expectProblem(await post(paul.session, `/api/me/aided-spaces/${claire.patientId}/withdraw`), 404, /No such invitation/);

    // Four attestations: accepted, refused, revoked, withdrawn (with the accepted twice).
    expect((await docsOf(claire.patientId)).map((d) => d.title).sort()).toEqual([
      'Aidant Paul DURAND : désigné(e)',
      'Aidant Paul DURAND : désigné(e)',
      'Aidant Paul DURAND : désignation révoquée',
      'Aidant Paul DURAND : invitation refusée',
      'Aidant Paul DURAND : retrait',
    ].sort());

    // Expired after 14 days: read lazily (no job ran), the answer comes too late.
    id = await invited(claire.session, claire.patientId, paul);
    ctx.clock.advanceDays(14);
    // Sessions do not last 14 days: sign in again.
    for (const p of [claire, paul]) p.session = await signIn(ctx, p.loginId, p.password);
    expect((await documents(paul.session)).statusCode).toBe(404);
    expectProblem(await answer(paul, id, true), 410, /expired on 2026-01-29/);
    expect(await received(paul)).toEqual([]);
    expect((await trace()).filter((r) => r.action === 'aidant_invitation_expired')).toEqual([expect.objectContaining({ actor_type: 'system', target: `aidant-invitation:${id}` })]);

    // ...and by the scheduled job for an invitation nobody looks at.
    const unanswered = (await invite(claire.session, claire.patientId, 'nobody.here', '1990-01-01')).json() as { invitationId: string };
    ctx.clock.advanceDays(15);
    claire.session = await signIn(ctx, claire.loginId, claire.password);
    const report = await runScheduledJobs({ db: ctx.db, clock: ctx.clock, random: cryptoRandom, config: ctx.config });
    // At least this one (the suite's other tests share the database).
    expect(report.expiredAidantInvitations).toBeGreaterThanOrEqual(1);
    expect((await trace()).at(-1)).toMatchObject({ action: 'aidant_invitation_expired', actor_type: 'system', target: `aidant-invitation:${unanswered.invitationId}` });
    expect((await runScheduledJobs({ db: ctx.db, clock: ctx.clock, random: cryptoRandom, config: ctx.config })).expiredAidantInvitations).toBe(0);
    const statuses = ((await get(claire.session, `/api/spaces/${claire.patientId}/aidants`)).json() as { invitations: { status: string }[] }).invitations.map((i) => i.status);
    expect(statuses.filter((s) => s === 'pending')).toEqual([]);
    expect((await verifyChains(ctx.db, { patientId: claire.patientId })).firstBroken).toBeNull();
  });

  it('holds at most 3 aidants or pending invitations per space, and 5 people per aidant, with a 409 saying what to do', async () => {
    const first = (await invite(claire.session, claire.patientId, 'nobody.one', '1990-01-01')).json() as { invitationId: string };
    await invite(claire.session, claire.patientId, 'nobody.two', '1990-01-01');
    await helping(paul);
    const before = await invitationCount();
    // Refused before looking anyone up: matched or not, the same answer.
    expectProblem(await invite(claire.session, claire.patientId, paul.loginId, paul.birthDate), 409, /already has 3 aidants or pending invitations.*Revoke an aidant or cancel a pending invitation/);
    expectProblem(await invite(claire.session, claire.patientId, 'nobody.three', '1990-01-01'), 409, /already has 3/);
    expect(await invitationCount()).toBe(before);
    // Cancelling a pending invitation frees a place; nothing is attested for it.
    const cancelled = await post(claire.session, `/api/spaces/${claire.patientId}/aidants/${first.invitationId}/revoke`);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'revoked', aidant: null });
    expect((await trace()).find((r) => r.action === 'aidant_revoked')?.detail).toMatchObject({ previousStatus: 'pending', attestation: null });
    expect((await invite(claire.session, claire.patientId, 'nobody.three', '1990-01-01')).statusCode).toBe(202);

    // Paul helps Claire and 4 others: a 6th acceptance is refused, the invitation stays pending.
    for (let i = 0; i < 4; i++) await helping(paul, await person('Aidé', `NUMERO${i}`, '1970-01-01'));
    const sixth = await person('Sixième', 'PERSONNE', '1970-01-01');
    const id = await invited(sixth.session, sixth.patientId, paul);
    expectProblem(await answer(paul, id, true), 409, /already help 5 people.*Withdraw/);
    expect((await received(paul)).map((i) => i.invitationId)).toEqual([id]);
    // After withdrawing from one, he can accept.
    expect((await post(paul.session, `/api/me/aided-spaces/${claire.patientId}/withdraw`)).statusCode).toBe(200);
    expect((await answer(paul, id, true)).statusCode).toBe(200);
  });

  it('refuses bad input with a clear 4xx and changes nothing', async () => {
    const base = `/api/spaces/${claire.patientId}/aidants`;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ loginId: paul.loginId, birthDate: '1980-02-30' }, /birthDate/],
      [{ loginId: paul.loginId, birthDate: '05/05/1980' }, /birthDate/],
      [{ loginId: 'has space inside', birthDate: '1980-05-05' }, /loginId/],
      [{ loginId: paul.loginId }, /birthDate/],
      [{ loginId: paul.loginId, birthDate: '1980-05-05', email: 'x@example.org' }, /unknown field "email"/],
      [{ loginId: claire.loginId, birthDate: claire.birthDate }, /cannot invite yourself/],
    ];
    for (const [payload, detail] of cases) expectProblem(await post(claire.session, base, payload), 400, detail);
    expect((await ctx.app.inject({ method: 'POST', url: base, headers: { cookie: claire.session.cookie }, payload: { loginId: paul.loginId, birthDate: paul.birthDate } })).statusCode).toBe(403); // no CSRF token
    expect((await ctx.app.inject({ method: 'POST', url: base, payload: { loginId: paul.loginId, birthDate: paul.birthDate } })).statusCode).toBe(401);
    expect(await invitationCount()).toBe(0);
    expect((await trace()).filter((r) => r.action.startsWith('aidant'))).toEqual([]);

    // Someone with no relation to the space: not found, whatever they try.
    const stranger = await person('Eve', 'INCONNUE');
    expectProblem(await get(stranger.session, base), 404, /No such space/);
    expectProblem(await invite(stranger.session, claire.patientId, paul.loginId, paul.birthDate), 404, /No such space/);
    expectProblem(await get(claire.session, `/api/spaces/${randomUUID()}/aidants`), 404, /No such space/);
    // Someone else's invitation, or none: 404; a malformed id: 400.
    const id = await invited(claire.session, claire.patientId, paul);
    expectProblem(await answer(stranger, id, true), 404, /No such invitation/);
    expectProblem(await answer(paul, randomUUID(), true), 404, /No such invitation/);
    expect((await post(paul.session, '/api/me/aidant-invitations/not-a-uuid/accept')).statusCode).toBe(400);
    expectProblem(await post(claire.session, `${base}/${randomUUID()}/revoke`), 404, /No such invitation/);
    expect((await received(paul)).map((i) => i.invitationId)).toEqual([id]);
  });
});

/**
 * A patient's trace (RULES §5) as FHIR R4 AuditEvent: GET /fhir/AuditEvent?patient=<id>.
 *
 * Who may read it is decide()'s: action `list` on kind `trace`. It permits the holder and, for
 * a minor, a legal representative (patient session cookie, as the portal uses it); it permits
 * no professional (`trace` is not a professional resource kind), whose search is then traced
 * as `access_denied` and answered 404 like a space that does not exist.
 *
 * Reading the trace is not traced, as on /api/trace (readTrace): whether trace reads are
 * traced is still open there.
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AuditEvent, AuditEventAgent, AuditEventEntity } from '@medplum/fhirtypes';
import type { AppDeps } from '../app.ts';
import { AppError } from '../platform/errors.ts';
import type { Queryable, SqlParam } from '../storage/index.ts';
import { decide } from '../access/index.ts';
import type { Actor, Decision } from '../access/index.ts';
import { appendAudit } from '../audit/audit-log.ts';
import type { Actor as AuditActor } from '../audit/audit-log.ts';
import { loadAccessFacts } from '../records/access-facts.ts';
import { requirePatient } from '../auth/index.ts';
import { MAX_COUNT, givenParams, pageOf, parseDate, parseReference, searchset } from './search.ts';
import type { DateCriterion } from './search.ts';
import { fhirBase, sendResource } from './http.ts';
import { ID_NAT_PS_SYSTEM, PROFESSION_SYSTEM } from './directory.ts';
import { documentRefId } from './documents.ts';
import { professionalAuditActor } from './patient.ts';
import { accessActorOf } from '../records/index.ts';

export const DCM_SYSTEM = 'http://dicom.nema.org/resources/ontology/DCM';
export const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
/** Carnet's trace action names (document_read, access_denied...), as the subtype. */
export const CARNET_ACTION_SYSTEM = 'https://carnet.example/fhir/CodeSystem/trace-action';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DOCUMENT_TARGET = /^document:([0-9a-f-]{36})$/;

export interface TraceRow {
  seq: number | string;
  at: Date;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_profession: string | null;
  actor_specialty: string | null;
  action: string;
  target: string | null;
  mode: string;
}

/** R/C/U/D/E from Carnet's action name. */
export function actionCode(action: string): NonNullable<AuditEvent['action']> {
  if (/(^|_)(read|list|listed|explained|download)/.test(action)) return 'R';
  if (/(created|added|opened|invited)$/.test(action)) return 'C';
  if (/(deleted|removed|closed)$/.test(action)) return 'D';
  if (/(updated|replaced|changed|set|masked|unmasked|blocked|unblocked|activated|reopened|regenerated)$/.test(action)) return 'U';
  return 'E';
}

const PURPOSE: Readonly<Record<string, string>> = { samu: 'ETREAT', bris_de_glace: 'BTG' };

function agentOf(r: TraceRow): AuditEventAgent {
  const professional = r.actor_type === 'professional';
  const display = r.actor_name ?? (r.actor_type === 'insurer' ? 'Assurance Maladie' : r.actor_type === 'system' ? 'Carnet' : r.actor_type);
  return {
    ...(professional && r.actor_profession !== null ? { role: [{ coding: [{ system: PROFESSION_SYSTEM, code: r.actor_profession }] }] } : {}),
    who: {
      display,
      ...(professional && r.actor_id !== null ? { identifier: { system: ID_NAT_PS_SYSTEM, value: r.actor_id } } : {}),
    },
    requestor: true,
  };
}

export function auditEventOf(patientId: string, r: TraceRow): AuditEvent {
  const entity: AuditEventEntity[] = [{ what: { reference: `Patient/${patientId}` }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' } }];
  if (r.target !== null) {
    const doc = DOCUMENT_TARGET.exec(r.target);
    entity.push(doc?.[1] !== undefined ? { what: { reference: `DocumentReference/${documentRefId(patientId, doc[1])}` } } : { what: { display: r.target } });
  }
  const purpose = PURPOSE[r.mode];
  return {
    resourceType: 'AuditEvent',
    id: `${patientId.replaceAll('-', '')}-${String(r.seq)}`,
    type: { system: DCM_SYSTEM, code: '110110', display: 'Patient Record' },
    subtype: [{ system: CARNET_ACTION_SYSTEM, code: r.action }],
    action: actionCode(r.action),
    recorded: r.at.toISOString(),
    // 0 success; a refusal is a minor failure (4).
    outcome: r.action === 'access_denied' ? '4' : '0',
    ...(purpose === undefined ? {} : { purposeOfEvent: [{ coding: [{ system: ACT_REASON_SYSTEM, code: purpose }] }] }),
    agent: [agentOf(r)],
    source: { site: 'Carnet', observer: { display: 'Carnet' } },
    entity,
  };
}

function dateSql(c: DateCriterion, add: (v: SqlParam) => string): string {
  const start = () => add(new Date(c.start));
  const end = () => add(new Date(c.end));
  switch (c.prefix) {
    case 'eq':
      return `(at >= ${start()} AND at < ${end()})`;
    case 'ne':
      return `(at < ${start()} OR at >= ${end()})`;
    case 'lt':
      return `at < ${start()}`;
    case 'le':
      return `at < ${end()}`;
    case 'gt':
      return `at >= ${end()}`;
    case 'ge':
      return `at >= ${start()}`;
  }
}

const SEARCH_PARAMS = ['patient', 'date'] as const;
const AuditSearchQuery = Type.Object(
  {
    patient: Type.String({ minLength: 1, maxLength: 200, description: 'Patient/<id>: required, a trace is one patient’s' }),
    date: Type.Optional(Type.Array(Type.String({ minLength: 4, maxLength: 40 }), { maxItems: 4, description: 'AuditEvent.recorded with prefix eq/ne/lt/le/gt/ge' })),
    _count: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_COUNT })),
    _offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);

const notFound = () => new AppError('not_found', 'No such trace among those you can see.');

export const auditEventFhirRoutes: FastifyPluginAsync<AppDeps> = async (fastify, deps) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const base = fhirBase(deps.config);

  app.get('/AuditEvent', { schema: { querystring: AuditSearchQuery } }, async (req, reply) => {
    // A patient's session (the portal), else a professional, else 401.
    const principal = req.patientSession === null ? req.professional : null;
    const session = principal === null ? requirePatient(req) : null;
    const q0 = req.query;
    const page = pageOf(q0);
    const patientId = parseReference('patient', q0.patient, 'Patient', UUID);
    const dates = (q0.date ?? []).map((v) => parseDate('date', v));

    let actor: Actor;
    let auditActor: AuditActor;
    if (principal !== null) {
      actor = accessActorOf(principal);
      auditActor = professionalAuditActor(principal);
    } else {
      const personId = session?.patientId ?? '';
      const holder = personId === patientId;
      actor = holder ? { kind: 'patient', patientId } : { kind: 'representative', personId };
      auditActor = { type: holder ? 'patient' : 'representative', id: personId };
    }

    const result = await deps.db.tx(async (q: Queryable) => {
      const now = deps.clock.now();
      const facts = await loadAccessFacts(q, patientId, deps.config.matrix, now);
      if (facts === null) return null;
      const d: Decision = decide({ actor, action: 'list', target: { patientId, kind: 'trace' }, mode: 'normal' }, facts, now);
      if (d.effect === 'deny') {
        await appendAudit(q, patientId, now, { actor: auditActor, action: 'access_denied', mode: 'normal', detail: { attempted: 'trace_read', reason: d.reason } });
        return null;
      }
      const params: SqlParam[] = [patientId];
      const add = (v: SqlParam) => {
        params.push(v);
        return `$${params.length}`;
      };
      const where = ['patient_id = $1', ...dates.map((c) => dateSql(c, add))].join(' AND ');
      const total = Number((await q.query<{ n: number | string }>(`SELECT count(*) AS n FROM audit_events WHERE ${where}`, params))[0]?.n ?? 0);
      const limit = add(page.count);
      const offset = add(page.offset);
      const rows = await q.query<TraceRow>(
        `SELECT seq, at, actor_type, actor_id, actor_name, actor_profession, actor_specialty, action, target, mode
         FROM audit_events WHERE ${where} ORDER BY seq DESC LIMIT ${limit} OFFSET ${offset}`,
        params,
      );
      return { total, rows };
    });
    if (result === null) throw notFound();
    const shown = result.rows.map((r) => auditEventOf(patientId, { ...r, at: r.at instanceof Date ? r.at : new Date(r.at) }));
    return sendResource(reply, searchset(base, 'AuditEvent', givenParams(q0, SEARCH_PARAMS), page, shown, result.total > page.offset + page.count, result.total));
  });
};

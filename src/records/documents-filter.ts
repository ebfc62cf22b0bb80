/**
 * decide()'s document-visibility rules compiled to SQL (ARCHITECTURE "Access decision":
 * "Searches use the same rules compiled to a SQL filter, and a test checks that the filter
 * and decide() agree on every row", documents-filter.properties.test.ts).
 *
 * For one actor, facts, mode and instant, `compileDocumentsFilter` gives a WHERE fragment over
 * the `documents` table that lets through exactly the rows a list shows: decide() permits
 * the `list` on the space (no document), and decide() permits `read` on the row. When the
 * list itself is refused (not authorized, blocked, closed space, emergency refused...), the
 * fragment is `FALSE` and `denied` says why, so the caller traces the refusal as before.
 *
 * Every branch below mirrors a step of decide.ts; a change there without the same change here
 * fails the property test. The list gate is asked of decide() itself (not re-implemented), so
 * only the per-row rules are compiled:
 * - every reader: the patient's rows, not deleted;
 * - patient side: not invisible to the patient at `now`; representatives and aidants: not
 *   invisible to legal representatives either;
 * - professional, normal mode: their own documents (depositor), or else a type the matrix
 *   row opens and, unless administrator, not masked (flag, or mask-all: no row at all);
 * - professional, emergency mode: a type the matrix opens and, unless the effective MASKED
 *   setting is on, not masked (no depositor shortcut: decideEmergency has none).
 * The matrix is compiled to the positive list of JDV_J66 types the row reads, so a stored
 * type outside the value set is never let through (decide(): unknown_document_type).
 */
import { DOCUMENT_TYPES, decide, effectiveEmergencySettings, readsType, rowFor } from '../access/index.ts';
import type { AccessFacts, AccessMode, Actor, DenyReason, PatientSideActor, ProfessionalActor } from '../access/index.ts';
import type { SqlParam } from '../storage/index.ts';

export interface DocumentsFilterInput {
  actor: Actor;
  patientId: string;
  facts: AccessFacts;
  mode: AccessMode;
  justification?: string | undefined;
  now: Date;
}

export interface DocumentsFilter {
  /** A boolean SQL expression over the columns of `documents` (unqualified), using $firstParam... */
  where: string;
  params: SqlParam[];
  /** The reason decide() refuses the list itself; the fragment is then `FALSE`. */
  denied: DenyReason | null;
}

/** Builds the parameters of one fragment, numbered from `first`. */
class Params {
  readonly values: SqlParam[] = [];
  readonly #first: number;
  constructor(first: number) {
    this.#first = first;
  }
  add(v: SqlParam): string {
    this.values.push(v);
    return `$${this.#first + this.values.length - 1}`;
  }
}

/** The JDV_J66 types a matrix row lets this professional read (positive list). */
export function readableTypes(facts: AccessFacts, actor: ProfessionalActor): string[] {
  const row = rowFor(facts.matrix, actor.professionCode, actor.specialtyCode);
  if (row === null) return [];
  return Object.keys(DOCUMENT_TYPES).filter((t) => readsType(row, t));
}

/**
 * The filter for listing `patientId`'s documents as `actor`. `firstParam`: the number of the
 * first placeholder ($1 by default), so the fragment can be appended to a query that already
 * has parameters.
 */
export function compileDocumentsFilter(input: DocumentsFilterInput, firstParam = 1): DocumentsFilter {
  const { actor, patientId, facts, mode, now } = input;
  const gate = decide(
    { actor, action: 'list', target: { patientId, kind: 'document' }, mode, ...(input.justification === undefined ? {} : { justification: input.justification }) },
    facts,
    now,
  );
  if (gate.effect === 'deny') return { where: 'FALSE', params: [], denied: gate.reason };

  const p = new Params(firstParam);
  const base = [`patient_id = ${p.add(patientId)}`, `status <> 'deleted'`];
  let rows: string[];
  switch (actor.kind) {
    case 'patient':
    case 'representative':
    case 'aidant':
      rows = patientSide(actor, p, now);
      break;
    case 'app':
      // decideApp: the user's rights, narrowed by scopes the gate already checked for documents.
      rows = patientSide(actor.user, p, now);
      break;
    case 'professional':
      rows = mode === 'normal' ? professionalNormal(actor, facts, p) : professionalEmergency(actor, facts, p);
      break;
    default:
      // The insurer and the operator never pass the gate; should decide() change, stay closed.
      return { where: 'FALSE', params: [], denied: 'action_not_allowed' };
  }
  return { where: `(${[...base, ...rows].join(' AND ')})`, params: p.values, denied: null };
}

function patientSide(actor: PatientSideActor, p: Params, now: Date): string[] {
  const out = [`(invisible_to_patient_until IS NULL OR invisible_to_patient_until <= ${p.add(now)})`];
  if (actor.kind !== 'patient') out.push('NOT invisible_to_representatives');
  return out;
}

function professionalNormal(actor: ProfessionalActor, facts: AccessFacts, p: Params): string[] {
  const own = `(author_kind = 'professional' AND author_id = ${p.add(actor.idNatPs)})`;
  // Mask-all hides every other document from a PS who is not administrator: only their own remain.
  if (!facts.administrators.has(actor.idNatPs) && facts.maskAll) return [own];
  const types = `type_code = ANY(${p.add(readableTypes(facts, actor))}::text[])`;
  const others = facts.administrators.has(actor.idNatPs) ? types : `(${types} AND NOT masked_to_professionals)`;
  return [`(${own} OR ${others})`];
}

function professionalEmergency(actor: ProfessionalActor, facts: AccessFacts, p: Params): string[] {
  const masked = !effectiveEmergencySettings(facts.emergency).masked;
  if (masked && facts.maskAll) return ['FALSE'];
  const out = [`type_code = ANY(${p.add(readableTypes(facts, actor))}::text[])`];
  if (masked) out.push('NOT masked_to_professionals');
  return out;
}

/**
 * Vaccinations' use cases (RULES §7): the patient side (holder, legal representative of a
 * minor, accepted aidant) enters, corrects and deletes vaccinations; an authorized professional
 * lists them (emergency modes too) and adds the ones they performed (decide(): rule
 * ps_vaccination_entry). Every access goes through withRecordAccess: decided, traced once.
 * Input is checked after the decision (a stranger learns nothing, not even what is invalid);
 * bad input rolls the transaction back: nothing stored, nothing traced.
 *
 * Who changes what: the patient side changes and deletes the entries entered from the patient
 * side, never a professional's; the professional who recorded one corrects or deletes it (as
 * for documents, RULES §4.2, §4.6: the record of an act is its author's). decide() rules both,
 * from the entry's author (entryOf).
 */
import type { Queryable } from '../storage/index.ts';
import { AppError } from '../platform/errors.ts';
import { findProfessional } from '../identity/index.ts';
import type { AccessMode } from '../access/index.ts';
import { withRecordAccess } from '../records/index.ts';
import type { DocumentsRepository, DocumentView, RecordAccessContext, RecordCaller } from '../records/index.ts';
import { checkVaccination, invalidInput, parisDay } from './vaccinations-input.ts';
import type { VaccinationEntry, VaccinationInput } from './vaccinations-input.ts';
import { deleteVaccination, insertVaccination, patientIdentity, readVaccination, readVaccinations, updateVaccination } from './vaccinations-store.ts';
import type { VaccinationFilter, VaccinationView } from './vaccinations-store.ts';
import { renderVaccinationHistoryPdf } from './vaccinations-pdf.ts';
import type { ProfileDeps } from './profile-crypto.ts';

export const VACCINATION_HISTORY_TYPE = '11369-6';

export interface ReadOptions {
  mode?: AccessMode | undefined;
  justification?: string | undefined;
}

const target = (id: string) => `Immunization/${id}`;
const noSuchVaccination = () => new AppError('not_found', 'No such vaccination in this space.');

/** Checks the input against the patient's birth date and the directory; the stored performer's name. */
async function checked(ctx: RecordAccessContext, input: VaccinationInput): Promise<{ entry: VaccinationEntry; performerName: string | null }> {
  const who = await patientIdentity(ctx.q, ctx.patientId);
  if (who === null) throw new AppError('not_found', 'No such space, or you have no access to it.');
  const r = checkVaccination(input, { today: parisDay(ctx.now), birthDate: who.birthDate });
  if ('problems' in r) throw invalidInput(r.problems);
  const entry = r.ok;
  const author = ctx.caller.author;
  // A professional adds what they did: they are the performer, whatever the body says.
  if (author.kind === 'professional') return { entry: { ...entry, performer: { kind: 'directory', idNatPs: author.id } }, performerName: author.name };
  if (entry.performer?.kind === 'directory') {
    const ps = await findProfessional(ctx.q, entry.performer.idNatPs);
    if (ps === null) throw invalidInput([{ field: 'body.performer.idNatPs', reason: `${entry.performer.idNatPs} is not in the professionals’ directory: check it, or give the performer’s name instead ({"name": ...})` }]);
    return { entry, performerName: `${ps.givenName} ${ps.familyName}`.trim() };
  }
  return { entry, performerName: entry.performer?.kind === 'text' ? entry.performer.name : null };
}

export async function listVaccinations(deps: ProfileDeps, caller: RecordCaller, patientId: string, opts: ReadOptions & { filter?: VaccinationFilter } = {}) {
  return withRecordAccess(
    deps,
    caller,
    patientId,
    { action: 'list', kind: 'vaccination', traceAction: 'vaccinations_listed', mode: opts.mode, justification: opts.justification },
    async (ctx) => {
      const list = await readVaccinations(ctx.q, patientId, deps.sealer, opts.filter);
      return { value: list, detail: { count: list.length } };
    },
  );
}

export async function readOneVaccination(deps: ProfileDeps, caller: RecordCaller, patientId: string, vaccinationId: string, opts: ReadOptions = {}) {
  return withRecordAccess(
    deps,
    caller,
    patientId,
    { action: 'read', kind: 'vaccination', traceAction: 'vaccination_read', target: target(vaccinationId), mode: opts.mode, justification: opts.justification },
    async (ctx) => {
      const v = await readVaccination(ctx.q, patientId, deps.sealer, vaccinationId);
      if (v === null) throw noSuchVaccination();
      return { value: v };
    },
  );
}

export async function addVaccination(deps: ProfileDeps, caller: RecordCaller, patientId: string, input: VaccinationInput): Promise<VaccinationView> {
  const id = deps.random.uuid();
  const r = await withRecordAccess(deps, caller, patientId, { action: 'create', kind: 'vaccination', traceAction: 'vaccination_added', target: target(id) }, async (ctx) => {
    const { entry, performerName } = await checked(ctx, input);
    const a = ctx.caller.author;
    const v = await insertVaccination(ctx.q, patientId, deps.sealer, id, entry, performerName, { kind: a.kind, id: a.id, name: a.name }, ctx.now);
    return { value: v, detail: { date: v.date } };
  });
  return r.value;
}

/** Who recorded a vaccination, for decide(): the patient side changes its own entries, a professional theirs. */
const recordedBy = (deps: ProfileDeps, patientId: string, vaccinationId: string) => async (q: Queryable) => {
  const v = await readVaccination(q, patientId, deps.sealer, vaccinationId, true);
  return v === null ? null : { authorKind: v.recordedBy.kind, authorId: v.recordedBy.id };
};

export async function replaceVaccination(deps: ProfileDeps, caller: RecordCaller, patientId: string, vaccinationId: string, input: VaccinationInput): Promise<VaccinationView> {
  const r = await withRecordAccess(deps, caller, patientId, { action: 'update', kind: 'vaccination', traceAction: 'vaccination_updated', target: target(vaccinationId), entryOf: recordedBy(deps, patientId, vaccinationId) }, async (ctx) => {
    const { entry, performerName } = await checked(ctx, input);
    const v = await updateVaccination(ctx.q, patientId, deps.sealer, vaccinationId, entry, performerName, ctx.now);
    if (v === null) throw noSuchVaccination();
    return { value: v, detail: { date: v.date } };
  });
  return r.value;
}

export async function removeVaccination(deps: ProfileDeps, caller: RecordCaller, patientId: string, vaccinationId: string): Promise<void> {
  await withRecordAccess(deps, caller, patientId, { action: 'delete', kind: 'vaccination', traceAction: 'vaccination_deleted', target: target(vaccinationId), entryOf: recordedBy(deps, patientId, vaccinationId) }, async (ctx) => {
    const current = await readVaccination(ctx.q, patientId, deps.sealer, vaccinationId, true);
    if (current === null) throw noSuchVaccination();
    await deleteVaccination(ctx.q, patientId, vaccinationId);
    return { value: undefined, detail: { date: current.date } };
  });
}

/**
 * Generates the vaccination history PDF and saves it as a 11369-6 document, in one
 * transaction. The documents repository decides (only the patient side creates this type)
 * and traces it once (`document_created`); the PDF of a refused caller is never stored nor
 * sent, and the refusal's trace commits.
 */
export async function generateVaccinationHistory(deps: ProfileDeps, repo: DocumentsRepository, caller: RecordCaller, patientId: string): Promise<DocumentView> {
  const out = await deps.db.tx(async (q): Promise<{ ok: DocumentView } | { fail: AppError }> => {
    const who = await patientIdentity(q, patientId);
    if (who === null) return { fail: new AppError('not_found', 'No such space, or you have no access to it.') };
    const now = deps.clock.now();
    const today = parisDay(now);
    const content = await renderVaccinationHistoryPdf({ patientName: who.name, birthDate: who.birthDate, generatedAt: now, generatedOn: today }, await readVaccinations(q, patientId, deps.sealer));
    try {
      const doc = await repo.submitIn(q, caller, patientId, { typeCode: VACCINATION_HISTORY_TYPE, title: 'Historique des vaccinations', createdOn: today, format: 'application/pdf', content });
      return { ok: doc };
    } catch (e) {
      // A refusal: its trace is written in this transaction and must commit.
      if (e instanceof AppError && (e.code === 'not_found' || e.code === 'forbidden')) return { fail: e };
      throw e;
    }
  });
  if ('fail' in out) throw out.fail;
  return out.ok;
}

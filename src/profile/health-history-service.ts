/**
 * The health history's use cases (RULES §7). Every read and write goes through
 * withRecordAccess: decide(), the trace (one entry per access) and the notifications, in the
 * transaction that does the SQL. Input is checked twice: by its schema and the pure checks
 * (health-history-validation.ts) before anything runs, then against the patient's birth date
 * inside the transaction, where a refusal rolls back and leaves no trace.
 *
 * Resource kinds: the lists and the blood group are `health_history` (professionals read them
 * per the matrix and the patient's choices, RULES §3.4); lifestyle is `profile`, kept to the
 * patient's side as access/types.ts lays down.
 */
import { withRecordAccess } from '../records/index.ts';
import type { RecordAccessAnswer, RecordAccessContext, RecordCaller } from '../records/index.ts';
import type { AccessMode } from '../access/index.ts';
import { AppError } from '../platform/errors.ts';
import type { Queryable } from '../storage/index.ts';
import { SECTION_LABELS, checkBloodGroup, checkEntry, checkLifestyle, checkNotBeforeBirth, datesOf, todayIn } from './health-history-validation.ts';
import type { BloodGroup, BloodGroupInput, Checked, Lifestyle, LifestyleInput, ListSection, Problem, SectionContent } from './health-history-validation.ts';
import {
  countEntries,
  deleteEntry,
  entryView,
  findEntry,
  insertEntry,
  listEntries,
  lockSection,
  readHistorySections,
  readSingleValue,
  setNotConcerned,
  setSingleValue,
  updateEntry,
} from './health-history-store.ts';
import type { EntryView, HealthHistory, Recorder, SingleValue, StoredEntry } from './health-history-store.ts';
import type { ProfileDeps } from './profile-crypto.ts';

export interface ReadOptions {
  mode?: AccessMode | undefined;
  justification?: string | undefined;
}

/** The trace target of an entry (no health content goes to the trace: ids only). */
export const entryTarget = (section: ListSection, entryId: string): string => `health_history/${section}/${entryId}`;

function invalid(problems: readonly Problem[]): AppError {
  const first = problems[0];
  return new AppError('validation_failed', first ? `Invalid input: ${first.field} ${first.reason}.` : 'Invalid input.', { details: [...problems] });
}

function valueOf<T>(c: Checked<T>): T {
  if ('problems' in c) throw invalid(c.problems);
  return c.ok;
}

const notFound = (what: string) => new AppError('not_found', `No such ${what} in this health history.`);

/** Who writes, as the entry records them; only the patient's side writes the health history. */
function recorderOf(ctx: RecordAccessContext): Recorder {
  const a = ctx.caller.author;
  switch (a.kind) {
    case 'patient':
    case 'representative':
    case 'aidant':
      return { kind: a.kind, id: a.id, name: a.name };
    case 'professional':
    case 'insurer':
      // decide() permits writes of health_history to the patient's side only.
      throw new AppError('forbidden', 'Only the patient, a legal representative or an aidant writes the health history.');
  }
}

async function birthDateOf(q: Queryable, patientId: string): Promise<string | null> {
  const rows = await q.query<{ b: string }>("SELECT to_char(birth_date, 'YYYY-MM-DD') AS b FROM patients WHERE patient_id = $1", [patientId]);
  return rows[0]?.b ?? null;
}

/** Dates before the patient was born are refused (found late: the transaction rolls back). */
async function checkAgainstBirth(q: Queryable, patientId: string, dates: readonly (readonly [string, string])[]): Promise<void> {
  if (dates.length === 0) return;
  const birth = await birthDateOf(q, patientId);
  if (birth === null) return;
  const problems = checkNotBeforeBirth(dates, birth);
  if (problems.length > 0) throw invalid(problems);
}

// ---- Reads ------------------------------------------------------------------------------

/** The lists and the blood group, for the patient's side and for professionals (emergency modes included). */
export async function readHistory(deps: ProfileDeps, caller: RecordCaller, patientId: string, opts: ReadOptions = {}): Promise<RecordAccessAnswer<Omit<HealthHistory, 'lifestyle'>>> {
  return withRecordAccess(deps, caller, patientId, { action: 'list', kind: 'health_history', traceAction: 'health_history_read', mode: opts.mode, justification: opts.justification }, async ({ q }) => {
    const value = await readHistorySections(q, patientId, deps.sealer);
    return { value };
  });
}

/** One entry of the given sections (FHIR read); an id of another section is not found. */
export async function readEntry(deps: ProfileDeps, caller: RecordCaller, patientId: string, entryId: string, sections: readonly ListSection[], target: string): Promise<StoredEntry> {
  const a = await withRecordAccess(deps, caller, patientId, { action: 'read', kind: 'health_history', traceAction: 'health_history_entry_read', target }, async ({ q }) => {
    const e = await findEntry(q, patientId, deps.sealer, entryId);
    if (e === null || !sections.includes(e.section)) throw notFound('entry');
    return { value: e };
  });
  return a.value;
}

/** The entries of the given sections (FHIR search), traced once with the resource type searched. */
export async function searchEntries(deps: ProfileDeps, caller: RecordCaller, patientId: string, sections: readonly ListSection[], resourceType: string): Promise<StoredEntry[]> {
  const a = await withRecordAccess(deps, caller, patientId, { action: 'list', kind: 'health_history', traceAction: 'health_history_searched' }, async ({ q }) => {
    const value = await listEntries(q, patientId, deps.sealer, sections);
    return { value, detail: { resourceType, count: value.length } };
  });
  return a.value;
}

// ---- List entries -----------------------------------------------------------------------

export async function addEntry<S extends ListSection>(deps: ProfileDeps, caller: RecordCaller, patientId: string, section: S, body: SectionContent[S]): Promise<EntryView<SectionContent[ListSection]>> {
  const content = valueOf(checkEntry(section, body, todayIn(deps.clock.now())));
  const entryId = deps.random.uuid();
  const a = await withRecordAccess(deps, caller, patientId, { action: 'create', kind: 'health_history', traceAction: 'health_history_entry_added', target: entryTarget(section, entryId) }, async (ctx) => {
    const { q, now } = ctx;
    await checkAgainstBirth(q, patientId, datesOf(section, content));
    const by = recorderOf(ctx);
    const state = await lockSection(q, patientId, section, now);
    await insertEntry(q, patientId, deps.sealer, entryId, section, content, by, now);
    // An entry says the patient is concerned after all: "not concerned" no longer holds.
    if (state.notConcernedOn !== null) await setNotConcerned(q, patientId, section, null, by, now);
    const stored = await findEntry(q, patientId, deps.sealer, entryId);
    if (stored === null) throw new AppError('internal', 'The entry just added cannot be read back.');
    return { value: entryView(stored), detail: { section, ...(state.notConcernedOn === null ? {} : { notConcernedCleared: true }) } };
  });
  return a.value;
}

export async function replaceEntry<S extends ListSection>(deps: ProfileDeps, caller: RecordCaller, patientId: string, section: S, entryId: string, body: SectionContent[S]): Promise<EntryView<SectionContent[ListSection]>> {
  const content = valueOf(checkEntry(section, body, todayIn(deps.clock.now())));
  const a = await withRecordAccess(deps, caller, patientId, { action: 'update', kind: 'health_history', traceAction: 'health_history_entry_updated', target: entryTarget(section, entryId) }, async (ctx) => {
    const { q, now } = ctx;
    await checkAgainstBirth(q, patientId, datesOf(section, content));
    if (!(await updateEntry(q, patientId, deps.sealer, entryId, section, content, recorderOf(ctx), now))) throw notFound(`entry in ${SECTION_LABELS[section]}`);
    const stored = await findEntry(q, patientId, deps.sealer, entryId);
    if (stored === null) throw notFound('entry');
    return { value: entryView(stored), detail: { section } };
  });
  return a.value;
}

export async function removeEntry(deps: ProfileDeps, caller: RecordCaller, patientId: string, section: ListSection, entryId: string): Promise<void> {
  await withRecordAccess(deps, caller, patientId, { action: 'delete', kind: 'health_history', traceAction: 'health_history_entry_deleted', target: entryTarget(section, entryId) }, async ({ q }) => {
    if (!(await deleteEntry(q, patientId, entryId, section))) throw notFound(`entry in ${SECTION_LABELS[section]}`);
    return { value: undefined, detail: { section } };
  });
}

// ---- "Not concerned" --------------------------------------------------------------------

export async function declareNotConcerned(deps: ProfileDeps, caller: RecordCaller, patientId: string, section: ListSection): Promise<{ section: ListSection; notConcerned: { statedOn: string } }> {
  const a = await withRecordAccess(deps, caller, patientId, { action: 'update', kind: 'health_history', traceAction: 'health_history_not_concerned_stated', target: `health_history/${section}` }, async (ctx) => {
    const { q, now } = ctx;
    await lockSection(q, patientId, section, now);
    const n = await countEntries(q, patientId, section);
    if (n > 0) {
      throw new AppError(
        'conflict',
        `Your ${SECTION_LABELS[section]} list has ${n} ${n === 1 ? 'entry' : 'entries'}: "not concerned" would contradict ${n === 1 ? 'it' : 'them'}. Delete ${n === 1 ? 'it' : 'them'} first if ${n === 1 ? 'it is' : 'they are'} wrong, or keep ${n === 1 ? 'it' : 'them'}.`,
        { details: [{ field: 'section', reason: `has ${n} ${n === 1 ? 'entry' : 'entries'}` }] },
      );
    }
    const statedOn = todayIn(now);
    await setNotConcerned(q, patientId, section, statedOn, recorderOf(ctx), now);
    return { value: { section, notConcerned: { statedOn } }, detail: { section } };
  });
  return a.value;
}

export async function withdrawNotConcerned(deps: ProfileDeps, caller: RecordCaller, patientId: string, section: ListSection): Promise<void> {
  await withRecordAccess(deps, caller, patientId, { action: 'update', kind: 'health_history', traceAction: 'health_history_not_concerned_withdrawn', target: `health_history/${section}` }, async (ctx) => {
    const state = await lockSection(ctx.q, patientId, section, ctx.now);
    if (state.notConcernedOn === null) throw new AppError('not_found', `“Not concerned” is not set for your ${SECTION_LABELS[section]}.`);
    await setNotConcerned(ctx.q, patientId, section, null, recorderOf(ctx), ctx.now);
    return { value: undefined, detail: { section } };
  });
}

// ---- Blood group (health_history) and lifestyle (profile): one value each ---------------

export async function setBloodGroup(deps: ProfileDeps, caller: RecordCaller, patientId: string, body: BloodGroupInput): Promise<SingleValue<BloodGroup>> {
  const value = valueOf(checkBloodGroup(body, todayIn(deps.clock.now())));
  return setSingle(deps, caller, patientId, 'bloodGroup', value, 'health_history', 'blood_group_stated');
}

export async function setLifestyle(deps: ProfileDeps, caller: RecordCaller, patientId: string, body: LifestyleInput): Promise<SingleValue<Lifestyle>> {
  const value = valueOf(checkLifestyle(body, todayIn(deps.clock.now())));
  return setSingle(deps, caller, patientId, 'lifestyle', value, 'profile', 'lifestyle_stated');
}

async function setSingle<V extends BloodGroup | Lifestyle>(
  deps: ProfileDeps,
  caller: RecordCaller,
  patientId: string,
  section: 'bloodGroup' | 'lifestyle',
  value: V,
  kind: 'health_history' | 'profile',
  traceAction: string,
): Promise<SingleValue<V>> {
  const a = await withRecordAccess(deps, caller, patientId, { action: 'update', kind, traceAction, target: `health_history/${section}` }, async (ctx) => {
    const { q, now } = ctx;
    await checkAgainstBirth(q, patientId, [['statedOn', value.statedOn]]);
    const by = recorderOf(ctx);
    await lockSection(q, patientId, section, now);
    await setSingleValue(q, patientId, deps.sealer, section, value, by, now);
    return { value: { value, recordedBy: by, updatedAt: now.toISOString() } };
  });
  return a.value;
}

export async function deleteSingle(deps: ProfileDeps, caller: RecordCaller, patientId: string, section: 'bloodGroup' | 'lifestyle'): Promise<void> {
  const kind = section === 'bloodGroup' ? 'health_history' : 'profile';
  const traceAction = section === 'bloodGroup' ? 'blood_group_deleted' : 'lifestyle_deleted';
  await withRecordAccess(deps, caller, patientId, { action: 'delete', kind, traceAction, target: `health_history/${section}` }, async (ctx) => {
    await lockSection(ctx.q, patientId, section, ctx.now);
    if (!(await setSingleValue(ctx.q, patientId, deps.sealer, section, null, recorderOf(ctx), ctx.now))) throw notFound(section === 'bloodGroup' ? 'blood group' : 'lifestyle');
    return { value: undefined };
  });
}

export async function readLifestyle(deps: ProfileDeps, caller: RecordCaller, patientId: string): Promise<SingleValue<Lifestyle> | null> {
  const a = await withRecordAccess(deps, caller, patientId, { action: 'read', kind: 'profile', traceAction: 'lifestyle_read', target: 'health_history/lifestyle' }, async ({ q }) => ({
    value: await readSingleValue<Lifestyle>(q, patientId, deps.sealer, 'lifestyle'),
  }));
  return a.value;
}

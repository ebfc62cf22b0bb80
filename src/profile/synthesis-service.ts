/**
 * The profile synthesis (RULES §7): the whole medical profile rendered to a PDF and saved, on
 * request, as a DOCPAT08 document ("Profil médical Mon espace santé", class 11).
 *
 * One transaction: withRecordAccess decides the read of the profile (patient side: holder,
 * legal representative of a minor, accepted aidant) and traces it (`profile_synthesis_read`,
 * target the new document); inside it the documents repository decides the creation and
 * traces it (`document_created`). A stranger gets 404 and only the refusal is traced; nothing
 * is created. Should the creation be refused after the read was permitted, the refusal's trace
 * commits with the read's (marked `saved: false`) and the PDF is neither stored nor sent.
 */
import { AppError } from '../platform/errors.ts';
import { withRecordAccess } from '../records/index.ts';
import type { DocumentsRepository, DocumentView, RecordCaller } from '../records/index.ts';
import type { ProfileDeps } from './profile-crypto.ts';
import { readHealthHistory } from './health-history-store.ts';
import { LIST_SECTIONS } from './health-history-validation.ts';
import { readMeasuresSummary } from './measures-store.ts';
import { readVaccinations } from './vaccinations-store.ts';
import { readEntourage } from './entourage-store.ts';
import { parisDay } from './vaccinations-input.ts';
import { synthesisIdentity } from './synthesis-store.ts';
import { renderProfileSynthesisPdf } from './synthesis-pdf.ts';

export const PROFILE_SYNTHESIS_TYPE = 'DOCPAT08';
export const PROFILE_SYNTHESIS_TITLE = 'Synthèse du profil médical';

export async function generateProfileSynthesis(deps: ProfileDeps, repo: DocumentsRepository, caller: RecordCaller, patientId: string): Promise<DocumentView> {
  const r = await withRecordAccess<{ ok: DocumentView } | { fail: AppError }>(deps, caller, patientId, { action: 'read', kind: 'profile', traceAction: 'profile_synthesis_read' }, async (ctx) => {
    const identity = await synthesisIdentity(ctx.q, patientId);
    if (identity === null) throw new AppError('not_found', 'No such space, or you have no access to it.');
    const today = parisDay(ctx.now);
    const history = await readHealthHistory(ctx.q, patientId, deps.sealer);
    const measures = await readMeasuresSummary(ctx.q, patientId, deps.sealer);
    const vaccinations = await readVaccinations(ctx.q, patientId, deps.sealer);
    const entourage = await readEntourage(ctx.q, patientId, deps.sealer);
    const author = ctx.caller.author;
    const content = await renderProfileSynthesisPdf({
      identity,
      generatedAt: ctx.now,
      generatedOn: today,
      // The profile is read from the patient side only (decide() permitted it).
      requestedBy: { kind: author.kind === 'representative' || author.kind === 'aidant' ? author.kind : 'patient', name: author.name },
      history,
      measures,
      vaccinations,
      entourage,
    });
    // What was read, in counts (no health content in the trace).
    const counts = {
      ...Object.fromEntries(LIST_SECTIONS.map((s) => [s, history[s].entries.length])),
      measures: measures.items.length,
      vaccinations: vaccinations.length,
      contacts: entourage.contacts.length,
    };
    try {
      const doc = await repo.submitIn(ctx.q, caller, patientId, { typeCode: PROFILE_SYNTHESIS_TYPE, title: PROFILE_SYNTHESIS_TITLE, createdOn: today, format: 'application/pdf', content });
      return { value: { ok: doc }, target: `document:${doc.documentId}`, detail: { counts } };
    } catch (e) {
      // A refused creation: its trace was written in this transaction and must commit.
      if (e instanceof AppError && (e.code === 'not_found' || e.code === 'forbidden')) return { value: { fail: e }, detail: { counts, saved: false } };
      throw e;
    }
  });
  if ('fail' in r.value) throw r.value.fail;
  return r.value.ok;
}

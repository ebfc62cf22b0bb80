// What other capabilities (and routes.ts) may use of the shared record.
export { documentsRoutes } from './documents-routes.ts';
export type { DocumentsRepository, DocumentView } from './documents-repository.ts';
export { accessActorOf, documentsCallerOf } from './professional-caller.ts';
export { withRecordAccess, mayReadTrace, resolveCaller, personName, refusalError, fulfilObligations, tracePermitted, traceRefusal, emergencyBannerOf } from './record-access.ts';
export type { RecordCaller, ResolvedCaller, RecordAccessDeps, RecordAccessRequest, RecordAccessContext, RecordAccessResult, RecordAccessAnswer, Permit } from './record-access.ts';
export { createDocumentsRepository } from './documents-repository.ts';
export type { DocumentsCaller, NewDocument } from './documents-repository.ts';
export { loadAccessFacts } from './access-facts.ts';
export { patientRecipient } from './patient-recipient.ts';

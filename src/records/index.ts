// What other capabilities (and routes.ts) may use of the shared record.
export { documentsRoutes } from './documents-routes.ts';
export type { DocumentsRepository, DocumentView } from './documents-repository.ts';
export { accessActorOf, documentsCallerOf } from './professional-caller.ts';

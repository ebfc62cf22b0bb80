// What the rest of Carnet uses of mail: enqueue in a transaction, the worker and the dev routes.
export { TEMPLATES, CHANNELS, enqueueMessage, channelFor } from './outbox.ts';
export type { TemplateName, Channel, Recipient, OutgoingMessage } from './outbox.ts';
export { renderMessage, TEMPLATE_PARAMS, LOCALES } from './templates.ts';
export type { Locale, RenderedMessage } from './templates.ts';
export { drainOutbox, startOutboxWorker, startMailWorker, createMailDelivery, MAX_ATTEMPTS } from './outbox-worker.ts';
export type { OutboxDeps, DrainResult, MailDelivery } from './outbox-worker.ts';
export { createSmtpTransport } from './mail-transport.ts';
export type { MailTransport, Email } from './mail-transport.ts';
export { createFileMailbox } from './file-mailbox.ts';
export { createLetterFolder } from './letter-folder.ts';
export type { LetterSink, Letter } from './letter-folder.ts';
export { devMailRoutes } from './dev-mail-routes.ts';

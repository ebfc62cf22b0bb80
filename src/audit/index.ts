export { appendAudit, eventHash, canonicalJson, GENESIS_HASH, ACTOR_TYPES, ACCESS_MODES } from './audit-log.ts';
export type { Actor, ActorType, AccessMode, AuditEntry, HashedFields } from './audit-log.ts';
export { verifyChains, BREAK_REASONS } from './verify.ts';
export type { BreakReason, BrokenLink, VerifyOptions, VerifyReport } from './verify.ts';
export { createAuditRoutes } from './routes.ts';
export type { TraceReadCheck, TraceEntry } from './trace.ts';
export { readWholeTrace } from './trace.ts';

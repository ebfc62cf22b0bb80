export { appendAudit, eventHash, GENESIS_HASH, ACTOR_TYPES } from './audit-log.ts';
export type { Actor, ActorType, AuditEntry } from './audit-log.ts';

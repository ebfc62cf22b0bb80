import type { Messages } from '../../i18n/fr.ts';
import type { TraceEntry } from '../../types.ts';

/** The action in the reader's language; an action this portal does not know yet keeps its raw name. */
export function actionLabel(t: Messages, action: string): string {
  return (t.trace.actions as Record<string, string>)[action] ?? action;
}

/** The document an event is about ("document:<id>"), or null. */
export function documentTarget(e: TraceEntry): string | null {
  return e.target?.startsWith('document:') ? e.target.slice('document:'.length) : null;
}

export function actorLabel(t: Messages, e: TraceEntry): string {
  const base = e.actorName ?? (t.trace.actorTypes as Record<string, string>)[e.actorType] ?? e.actorType;
  const prof = e.actorProfession?.specialty?.label ?? e.actorProfession?.label;
  return prof ? `${base} (${prof})` : base;
}

import type { Messages } from '../../i18n/fr.ts';
import type { TraceEntry } from '../../types.ts';

export function actionLabel(t: Messages, action: string): string {
  return (t.trace.actions as Record<string, string>)[action] ?? action.replaceAll('_', ' ');
}

export function actorLabel(t: Messages, e: TraceEntry): string {
  const base = e.actorName ?? (t.trace.actorTypes as Record<string, string>)[e.actorType] ?? e.actorType;
  const prof = e.actorProfession?.specialty?.label ?? e.actorProfession?.label;
  return prof ? `${base} (${prof})` : base;
}

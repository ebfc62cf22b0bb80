/**
 * French first, English on request: the language is an external store (kept in localStorage,
 * reflected in <html lang>), each language a dictionary typed by the French one so a missing
 * key fails the typecheck.
 */
import { useSyncExternalStore } from 'react';
import { fr } from './fr.ts';
import type { Messages } from './fr.ts';
import { en } from './en.ts';

export type Lang = 'fr' | 'en';
export const LANGS: readonly Lang[] = ['fr', 'en'];
const DICTS: Record<Lang, Messages> = { fr, en };
const KEY = 'carnet.lang';

const listeners = new Set<() => void>();
function initial(): Lang {
  try {
    const saved = window.localStorage.getItem(KEY);
    if (saved === 'fr' || saved === 'en') return saved;
  } catch {
    /* storage refused: French */
  }
  return 'fr';
}
let current: Lang = initial();
document.documentElement.lang = current;

export function setLang(lang: Lang): void {
  current = lang;
  document.documentElement.lang = lang;
  try {
    window.localStorage.setItem(KEY, lang);
  } catch {
    /* not kept: fine */
  }
  for (const l of listeners) l();
}

const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};

export function useLang(): Lang {
  return useSyncExternalStore(subscribe, () => current);
}

export function useT(): Messages {
  return DICTS[useLang()];
}

const locale = (lang: Lang) => (lang === 'fr' ? 'fr-FR' : 'en-GB');

export function formatDate(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00Z`) : new Date(iso);
  return d.toLocaleDateString(locale(lang), { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });
}

export function formatDateTime(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '–';
  return new Date(iso).toLocaleString(locale(lang), { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' });
}

export function formatSize(lang: Lang, bytes: number): string {
  const n = new Intl.NumberFormat(locale(lang), { maximumFractionDigits: 1 });
  if (bytes < 1024) return `${bytes} ${lang === 'fr' ? 'o' : 'B'}`;
  if (bytes < 1024 * 1024) return `${n.format(bytes / 1024)} ${lang === 'fr' ? 'ko' : 'KB'}`;
  return `${n.format(bytes / 1024 / 1024)} ${lang === 'fr' ? 'Mo' : 'MB'}`;
}

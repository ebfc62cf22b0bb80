import { Button } from '@codegouvfr/react-dsfr/Button';
import { useEffect, useId, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { useT } from '../i18n/index.ts';

/** What names a button or link to a person: its title, else its text. */
const nameOf = (el: Element) => `${el.getAttribute('title') ?? ''}|${el.textContent ?? ''}`;

/**
 * An inline confirmation of a destructive action: the question, yes, cancel. It behaves as a
 * dialog for the keyboard: focus moves into it, Tab and Shift+Tab stay inside, Escape cancels,
 * and focus goes back to the button that opened it (or, when the page re-rendered that button,
 * to the button of the same name in the same place).
 */
export function Confirm({ question, yes, onYes, onCancel, busy = false }: { question: string; yes: string; onYes: () => void; onCancel: () => void; busy?: boolean }) {
  const t = useT();
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  // Read during the first render, before the page swaps the opener out: the element focused then.
  const [opener] = useState<Element | null>(() => document.activeElement);
  useEffect(() => {
    const el = box.current;
    const place = el?.parentElement ?? null;
    el?.querySelector<HTMLButtonElement>('button:not([disabled])')?.focus();
    return () => {
      if (opener === null || opener === document.body) return;
      const back = () => {
        if (opener instanceof HTMLElement && opener.isConnected) return opener.focus();
        const same = place?.isConnected ? [...place.querySelectorAll<HTMLElement>('button, a[href]')].find((b) => nameOf(b) === nameOf(opener)) : undefined;
        same?.focus();
      };
      // After the page has rendered what replaces the confirmation.
      window.requestAnimationFrame(back);
    };
  }, [opener]);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
      return;
    }
    if (e.key !== 'Tab') return;
    const focusable = [...(box.current?.querySelectorAll<HTMLElement>('button:not([disabled]), a[href], input:not([disabled])') ?? [])];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (first === undefined || last === undefined) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <div ref={box} className="carnet-panel fr-p-2w fr-mt-2w" role="alertdialog" aria-labelledby={id} onKeyDown={onKeyDown}>
      <p id={id}>{question}</p>
      <div className="carnet-actions">
        <Button onClick={onYes} disabled={busy}>
          {yes}
        </Button>
        <Button priority="secondary" onClick={onCancel}>
          {t.common.cancel}
        </Button>
      </div>
    </div>
  );
}

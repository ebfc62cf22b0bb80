import { Button } from '@codegouvfr/react-dsfr/Button';
import { useId } from 'react';
import { useT } from '../i18n/index.ts';

/** An inline confirmation of a destructive action: the question, yes, cancel. */
export function Confirm({ question, yes, onYes, onCancel, busy = false }: { question: string; yes: string; onYes: () => void; onCancel: () => void; busy?: boolean }) {
  const t = useT();
  const id = useId();
  return (
    <div className="carnet-panel fr-p-2w fr-mt-2w" role="alertdialog" aria-labelledby={id}>
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

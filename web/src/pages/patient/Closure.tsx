import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { useState } from 'react';
import { api } from '../../api.ts';
import { formatDate, useLang, useT } from '../../i18n/index.ts';
import { usePatient } from '../../session.tsx';
import type { SpaceView } from '../../types.ts';
import { ErrorAlert, Refusal, Success } from '../../ui/feedback.tsx';
import { usePageTitle } from '../../ui/hooks.ts';

/** Closure of the space open now, its consequences stated first; reopening a closed space. */
export default function Closure() {
  const t = useT();
  const lang = useLang();
  const { current, refresh } = usePatient();
  usePageTitle(t.closure.title);
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<SpaceView | null>(null);
  const [busy, setBusy] = useState(false);
  if (current === null) return null;
  const closed = (result?.status ?? current.status) === 'closed';
  // Closing asks the access decision (canClose); reopening is for the holder and representatives.
  if (closed ? current.role === 'aidant' : !current.capabilities.canClose) {
    return <Refusal title={t.closure.title} role={current.role} name={current.name} />;
  }
  const run = async (what: 'close' | 'reopen') => {
    setBusy(true);
    setError(null);
    try {
      setResult(await api<SpaceView>('POST', `/api/spaces/${current.patientId}/${what}`, what === 'close' ? { confirm: true } : undefined));
      setConfirmed(false);
      await refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <h1>{t.closure.title}</h1>
      <ErrorAlert error={error} />
      {closed ? (
        <>
          <Success>{t.closure.closed(result?.purgeAt ? formatDate(lang, result.purgeAt) : '')}</Success>
          <p>{t.closure.reopenText}</p>
          <Button onClick={() => void run('reopen')} disabled={busy}>
            {t.closure.reopen}
          </Button>
        </>
      ) : (
        <>
          <p className="fr-text--lead">{t.closure.lead(current.name)}</p>
          <Alert
            severity="warning"
            title={t.closure.consequencesTitle}
            description={
              <ul className="fr-mb-0">
                {t.closure.consequences.map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
            }
          />
          <div className="fr-mt-3w">
            <Checkbox options={[{ label: t.closure.confirm, nativeInputProps: { checked: confirmed, onChange: (e) => setConfirmed(e.target.checked) } }]} />
            <Button priority="primary" iconId="fr-icon-close-circle-line" disabled={!confirmed || busy} onClick={() => void run('close')}>
              {t.closure.submit}
            </Button>
          </div>
        </>
      )}
    </>
  );
}

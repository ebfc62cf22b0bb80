import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Card } from '@codegouvfr/react-dsfr/Card';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, api } from '../../api.ts';
import { formatDate, useLang, useT } from '../../i18n/index.ts';
import { usePro } from '../../session.tsx';
import type { FoundPatient } from '../../types.ts';
import { ErrorAlert, Loading } from '../../ui/feedback.tsx';
import { usePageTitle } from '../../ui/hooks.ts';
import { patientName, rememberPatient } from './emergency.tsx';
import { ProSignInPanel, WhoAmI } from './common.tsx';

/** The professional's start page: sign in through Pro Santé Connect, then find a patient by INS and traits. */
export default function ProSearch() {
  const t = useT();
  const lang = useLang();
  const { me } = usePro();
  usePageTitle(t.pro.search.title);
  const [found, setFound] = useState<FoundPatient | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  if (me === undefined) return <Loading />;
  if (me === null) return <ProSignInPanel returnTo="/pro/patients" />;

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const birthName = String(f.get('birthName') ?? '').trim();
    setBusy(true);
    setError(null);
    setNotFound(false);
    setFound(null);
    try {
      const p = await api<FoundPatient>('POST', '/api/pro/patients/search', {
        nir: String(f.get('nir')).replace(/\s+/g, ''),
        birthDate: String(f.get('birthDate')),
        ...(birthName === '' ? {} : { birthName }),
      });
      rememberPatient(p);
      setFound(p);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setNotFound(true);
      else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <WhoAmI me={me} />
      <h1>{t.pro.search.title}</h1>
      <p className="fr-text--lead">{t.pro.search.lead}</p>
      <form onSubmit={(e) => void submit(e)} className="carnet-panel fr-p-3w fr-mb-3w">
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-5">
            <Input label={t.pro.search.nir} hintText={t.common.nirHint} nativeInputProps={{ name: 'nir', required: true, inputMode: 'numeric', autoComplete: 'off', minLength: 13, maxLength: 20 }} />
          </div>
          <div className="fr-col-12 fr-col-md-3">
            <Input label={t.common.birthDate} nativeInputProps={{ name: 'birthDate', type: 'date', required: true, autoComplete: 'off' }} />
          </div>
          <div className="fr-col-12 fr-col-md-4">
            <Input label={t.pro.search.birthName} hintText={t.common.optional} nativeInputProps={{ name: 'birthName', autoComplete: 'off', maxLength: 100 }} />
          </div>
        </div>
        <Button type="submit" iconId="fr-icon-search-line" disabled={busy}>
          {busy ? t.common.pleaseWait : t.pro.search.submit}
        </Button>
      </form>
      <ErrorAlert error={error} />
      <div aria-live="polite">
        {notFound ? <p className="fr-error-text fr-text--md">{t.pro.search.notFound}</p> : null}
        {found !== null ? (
          <Card
            title={patientName(found)}
            titleAs="h2"
            desc={t.pro.search.identity(found.birthName, found.givenNames, formatDate(lang, found.birthDate), t.pro.sex[found.sex as 'M'] ?? found.sex)}
            linkProps={{ href: `/pro/patients/${found.patientId}` }}
            enlargeLink
            border
            end={<p className="fr-card__detail">{t.pro.search.open}</p>}
          />
        ) : null}
      </div>
    </>
  );
}

import { Input } from '@codegouvfr/react-dsfr/Input';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api.ts';
import { formatDateTime, useLang, useT } from '../../i18n/index.ts';
import { ErrorAlert } from '../../ui/feedback.tsx';
import { usePageTitle } from '../../ui/hooks.ts';

interface Proof {
  reference: string;
  opposedAt: string;
  status: string;
  name: string;
  matricule: string;
}

/** Opposition to the creation of one's space, with its proof (RULES §6). */
export default function Opposition() {
  const t = useT();
  const lang = useLang();
  usePageTitle(t.opposition.title);
  const [by, setBy] = useState<'code' | 'card'>('code');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [proof, setProof] = useState<Proof | null>(null);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    const secret = String(f.get('secret')).trim();
    try {
      setProof(
        await api<Proof>('POST', '/api/spaces/opposition', {
          matricule: String(f.get('matricule')).replace(/\s+/g, ''),
          birthDate: String(f.get('birthDate')),
          ...(by === 'code' ? { code: secret } : { cardSerial: secret }),
        }),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (proof !== null) {
    return (
      <div className="fr-grid-row fr-grid-row--center">
        <div className="fr-col-12 fr-col-md-8">
          <h1>{t.opposition.proofTitle}</h1>
          <Alert severity="success" title={t.opposition.recorded} description={t.opposition.recordedText} />
          <dl className="carnet-dl fr-mt-3w">
            <dt>{t.opposition.reference}</dt>
            <dd>{proof.reference}</dd>
            <dt>{t.opposition.holder}</dt>
            <dd>{proof.name}</dd>
            <dt>{t.common.nir}</dt>
            <dd>{proof.matricule}</dd>
            <dt>{t.opposition.date}</dt>
            <dd>{formatDateTime(lang, proof.opposedAt)}</dd>
          </dl>
          <Button iconId="fr-icon-printer-line" priority="secondary" onClick={() => window.print()}>
            {t.opposition.print}
          </Button>
        </div>
      </div>
    );
  }

  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-8">
        <h1>{t.opposition.title}</h1>
        <p className="fr-text--lead">{t.opposition.lead}</p>
        <p>{t.opposition.consequences}</p>
        <ErrorAlert error={error} />
        <form onSubmit={(e) => void submit(e)}>
          <Input label={t.common.nir} hintText={t.common.nirHint} nativeInputProps={{ name: 'matricule', required: true, inputMode: 'numeric', autoComplete: 'off', minLength: 13, maxLength: 30 }} />
          <Input label={t.common.birthDate} nativeInputProps={{ name: 'birthDate', type: 'date', required: true, autoComplete: 'bday' }} />
          <RadioButtons
            legend={t.opposition.proveWith}
            name="by"
            orientation="horizontal"
            options={[
              { label: t.opposition.byCode, nativeInputProps: { value: 'code', checked: by === 'code', onChange: () => setBy('code') } },
              { label: t.opposition.byCard, nativeInputProps: { value: 'card', checked: by === 'card', onChange: () => setBy('card') } },
            ]}
          />
          <Input
            label={by === 'code' ? t.opposition.code : t.opposition.cardSerial}
            hintText={by === 'code' ? t.opposition.codeHint : t.opposition.cardSerialHint}
            nativeInputProps={{ name: 'secret', required: true, autoComplete: 'off', minLength: 4, maxLength: 32 }}
          />
          <Button type="submit" disabled={busy}>
            {busy ? t.common.pleaseWait : t.opposition.submit}
          </Button>
        </form>
      </div>
    </div>
  );
}

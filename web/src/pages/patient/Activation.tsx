import { Input } from '@codegouvfr/react-dsfr/Input';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api.ts';
import { useT } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { ErrorAlert } from '../../ui/feedback.tsx';
import { usePageTitle } from '../../ui/hooks.ts';

/** Activation with the provisional code of the information message (RULES §6). */
export default function Activation() {
  const t = useT();
  usePageTitle(t.activation.title);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ loginId: string } | null>(null);
  const [mismatch, setMismatch] = useState(false);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    if (f.get('password') !== f.get('password2')) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setBusy(true);
    setError(null);
    const phone = String(f.get('phone') ?? '').trim();
    try {
      const r = await api<{ loginId: string }>('POST', '/api/spaces/activation', {
        matricule: String(f.get('matricule')).replace(/\s+/g, ''),
        birthDate: String(f.get('birthDate')),
        code: String(f.get('code')).trim(),
        loginId: String(f.get('loginId')).trim(),
        password: String(f.get('password')),
        email: String(f.get('email')).trim(),
        ...(phone === '' ? {} : { phone }),
        acceptTerms: f.get('acceptTerms') === 'on',
      });
      setDone(r);
    } catch (err) {
      setError(err);
      window.scrollTo(0, 0);
    } finally {
      setBusy(false);
    }
  };

  if (done !== null) {
    return (
      <div className="fr-grid-row fr-grid-row--center">
        <div className="fr-col-12 fr-col-md-8">
          <h1>{t.activation.doneTitle}</h1>
          <Alert severity="success" title={t.activation.doneTitle} description={t.activation.done(done.loginId)} />
          <p className="fr-mt-3w">
            <Link href="/connexion" className="fr-btn">
              {t.activation.goSignIn}
            </Link>
          </p>
        </div>
      </div>
    );
  }

  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-8">
        <h1>{t.activation.title}</h1>
        <p className="fr-text--lead">{t.activation.lead}</p>
        <ErrorAlert error={error} />
        <form onSubmit={(e) => void submit(e)}>
          <fieldset className="fr-fieldset">
            <legend className="fr-fieldset__legend">{t.activation.identity}</legend>
            <div className="fr-fieldset__content carnet-fieldset">
              <Input label={t.common.nir} hintText={t.common.nirHint} nativeInputProps={{ name: 'matricule', required: true, inputMode: 'numeric', autoComplete: 'off', minLength: 13, maxLength: 30 }} />
              <Input label={t.common.birthDate} nativeInputProps={{ name: 'birthDate', type: 'date', required: true, autoComplete: 'bday' }} />
              <Input label={t.activation.code} hintText={t.activation.codeHint} nativeInputProps={{ name: 'code', required: true, autoComplete: 'off', autoCapitalize: 'characters' }} />
            </div>
          </fieldset>
          <fieldset className="fr-fieldset">
            <legend className="fr-fieldset__legend">{t.activation.account}</legend>
            <div className="fr-fieldset__content carnet-fieldset">
              <Input label={t.activation.loginId} hintText={t.activation.loginIdHint} nativeInputProps={{ name: 'loginId', required: true, minLength: 8, maxLength: 64, autoComplete: 'username', autoCapitalize: 'none', spellCheck: false }} />
              <Input label={t.activation.password} hintText={t.activation.passwordHint} nativeInputProps={{ name: 'password', type: 'password', required: true, minLength: 9, maxLength: 128, autoComplete: 'new-password' }} />
              <Input
                label={t.activation.password2}
                state={mismatch ? 'error' : 'default'}
                stateRelatedMessage={mismatch ? t.activation.passwordMismatch : undefined}
                nativeInputProps={{ name: 'password2', type: 'password', required: true, autoComplete: 'new-password' }}
              />
              <Input label={t.activation.email} hintText={t.activation.emailHint} nativeInputProps={{ name: 'email', type: 'email', required: true, autoComplete: 'email' }} />
              <Input label={t.activation.phone} nativeInputProps={{ name: 'phone', type: 'tel', autoComplete: 'tel' }} />
            </div>
          </fieldset>
          <Checkbox options={[{ label: t.activation.terms, nativeInputProps: { name: 'acceptTerms', required: true } }]} />
          <Button type="submit" disabled={busy}>
            {busy ? t.common.pleaseWait : t.activation.submit}
          </Button>
        </form>
      </div>
    </div>
  );
}

import { Input } from '@codegouvfr/react-dsfr/Input';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, setCsrf } from '../../api.ts';
import { useT } from '../../i18n/index.ts';
import { Link, navigate, queryParam, useLocation } from '../../router.tsx';
import { usePatient } from '../../session.tsx';
import { ErrorAlert } from '../../ui/feedback.tsx';
import { usePageTitle } from '../../ui/hooks.ts';

/** Sign-in: identifier and password, then the 6-digit code sent by e-mail. */
export default function SignIn() {
  const t = useT();
  const location = useLocation();
  const { refresh } = usePatient();
  usePageTitle(t.signIn.title);
  const [challenge, setChallenge] = useState<{ challengeId: string; sentTo: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const back = queryParam(location, 'retour');
  const target = back !== null && back.startsWith('/') && !back.startsWith('//') ? back : '/accueil';

  const submitPassword = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      setChallenge(await api<{ challengeId: string; sentTo: string }>('POST', '/api/auth/login', { identifier: String(f.get('identifier')), password: String(f.get('password')) }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const submitCode = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (challenge === null) return;
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const s = await api<{ csrfToken: string }>('POST', '/api/auth/otp', { challengeId: challenge.challengeId, code: String(f.get('code')).trim() });
      setCsrf('patient', s.csrfToken);
      await refresh();
      navigate(target, { replace: true });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <div className="fr-grid-row fr-grid-row--center">
      <div className="fr-col-12 fr-col-md-8 fr-col-lg-6">
        <h1>{t.signIn.title}</h1>
        <ErrorAlert error={error} />
        {challenge === null ? (
          <form onSubmit={(e) => void submitPassword(e)} aria-describedby="signin-help">
            <p id="signin-help">{t.signIn.help}</p>
            <Input label={t.signIn.identifier} nativeInputProps={{ name: 'identifier', autoComplete: 'username', required: true, autoCapitalize: 'none', spellCheck: false }} />
            <Input label={t.signIn.password} nativeInputProps={{ name: 'password', type: 'password', autoComplete: 'current-password', required: true }} />
            <Button type="submit" disabled={busy}>
              {busy ? t.common.pleaseWait : t.signIn.continue}
            </Button>
          </form>
        ) : (
          <form onSubmit={(e) => void submitCode(e)}>
            <p>{t.signIn.codeSent(challenge.sentTo)}</p>
            <Input
              label={t.signIn.code}
              hintText={t.signIn.codeHint}
              nativeInputProps={{ name: 'code', inputMode: 'numeric', autoComplete: 'one-time-code', pattern: '[0-9]{6}', maxLength: 6, required: true, autoFocus: true }}
            />
            <div className="carnet-actions">
              <Button type="submit" disabled={busy}>
                {busy ? t.common.pleaseWait : t.signIn.submit}
              </Button>
              <Button type="button" priority="secondary" onClick={() => setChallenge(null)}>
                {t.common.back}
              </Button>
            </div>
          </form>
        )}
        <hr className="fr-mt-4w" />
        <p>
          {t.signIn.noAccount} <Link href="/activer" className="fr-link">{t.signIn.activate}</Link>
        </p>
      </div>
    </div>
  );
}

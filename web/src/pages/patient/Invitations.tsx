import { Button } from '@codegouvfr/react-dsfr/Button';
import { useState } from 'react';
import { api } from '../../api.ts';
import { formatDate, useLang, useT } from '../../i18n/index.ts';
import { navigate } from '../../router.tsx';
import { usePatient } from '../../session.tsx';
import type { ReceivedInvitation } from '../../profile-types.ts';
import { Confirm } from '../../ui/Confirm.tsx';
import { ErrorAlert, Loading, Success } from '../../ui/feedback.tsx';
import { usePageTitle, useResource } from '../../ui/hooks.ts';

/**
 * The signed-in person as a (possible) aidant, whatever space is open: the invitations they
 * received (accept, refuse; the invitation e-mail links here) and the people they help (withdraw).
 */
export default function Invitations() {
  const t = useT();
  const lang = useLang();
  const { spaces, refresh, select } = usePatient();
  usePageTitle(t.invitations.title);
  const res = useResource<{ invitations: ReceivedInvitation[] }>('/api/me/aidant-invitations');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<{ text: string; open: { patientId: string; name: string } | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<string | null>(null);
  const helping = spaces.filter((s) => s.role === 'aidant');

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await work();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const answer = (inv: ReceivedInvitation, accept: boolean) =>
    run(async () => {
      await api('POST', `/api/me/aidant-invitations/${inv.invitationId}/${accept ? 'accept' : 'refuse'}`);
      // The switch now offers (or not) the new space.
      await refresh();
      res.reload();
      setDone(accept ? { text: t.invitations.accepted(inv.patientName), open: { patientId: inv.patientId, name: inv.patientName } } : { text: t.invitations.refused(inv.patientName), open: null });
    });
  const withdraw = (patientId: string, name: string) =>
    run(async () => {
      await api('POST', `/api/me/aided-spaces/${patientId}/withdraw`);
      setConfirm(null);
      await refresh();
      setDone({ text: t.invitations.withdrawn(name), open: null });
    });
  const invitations = res.data?.invitations ?? [];

  return (
    <>
      <h1>{t.invitations.title}</h1>
      <p className="fr-text--lead">{t.invitations.lead}</p>
      <div aria-live="polite">
        {done !== null ? <Success>{done.text}</Success> : null}
        {done?.open ? (
          <Button
            className="fr-mb-3w"
            iconId="fr-icon-arrow-right-line"
            iconPosition="right"
            onClick={() => {
              select(done.open!.patientId);
              navigate('/accueil');
            }}
          >
            {t.invitations.open(done.open.name)}
          </Button>
        ) : null}
      </div>
      <ErrorAlert error={error} />
      <section aria-labelledby="pending" className="fr-mb-5w">
        <h2 id="pending" className="fr-h4">
          {t.invitations.pending}
        </h2>
        {res.loading && res.data === undefined ? <Loading /> : <ErrorAlert error={res.error} />}
        {res.data && invitations.length === 0 ? <p>{t.invitations.none}</p> : null}
        <ul className="carnet-cards carnet-cards--single">
          {invitations.map((inv) => (
            <li key={inv.invitationId} className="carnet-card">
              <h3 className="fr-h6 fr-mb-1v">{inv.patientName}</h3>
              <p className="fr-mb-1v">{t.invitations.from(inv.patientName, inv.inviterName, inv.inviterIsRepresentative)}</p>
              <p className="fr-text--sm fr-mb-1w">{t.invitations.expires(formatDate(lang, inv.expiresAt))}</p>
              <div className="carnet-actions">
                <Button iconId="fr-icon-check-line" disabled={busy} onClick={() => void answer(inv, true)} title={t.invitations.acceptTitle(inv.patientName)}>
                  {t.invitations.accept}
                </Button>
                <Button priority="secondary" disabled={busy} onClick={() => void answer(inv, false)} title={t.invitations.refuseTitle(inv.patientName)}>
                  {t.invitations.refuse}
                </Button>
              </div>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="helping">
        <h2 id="helping" className="fr-h4">
          {t.invitations.helping}
        </h2>
        {helping.length === 0 ? <p>{t.invitations.helpingNone}</p> : null}
        <ul className="carnet-cards carnet-cards--single">
          {helping.map((s) => (
            <li key={s.patientId} className="carnet-card">
              <h3 className="fr-h6 fr-mb-1w">{s.name}</h3>
              {confirm === s.patientId ? (
                <Confirm question={t.invitations.confirmWithdraw(s.name)} yes={t.invitations.confirmWithdrawYes} busy={busy} onYes={() => void withdraw(s.patientId, s.name)} onCancel={() => setConfirm(null)} />
              ) : (
                <div className="carnet-actions">
                  <Button
                    size="small"
                    onClick={() => {
                      select(s.patientId);
                      navigate('/accueil');
                    }}
                  >
                    {t.invitations.open(s.name)}
                  </Button>
                  <Button size="small" priority="secondary" iconId="fr-icon-logout-box-r-line" disabled={busy} onClick={() => setConfirm(s.patientId)} title={t.invitations.withdrawTitle(s.name)}>
                    {t.invitations.withdraw}
                  </Button>
                </div>
              )}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

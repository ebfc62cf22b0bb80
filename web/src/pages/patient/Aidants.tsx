import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Tile } from '@codegouvfr/react-dsfr/Tile';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api.ts';
import { formatDate, useLang, useT } from '../../i18n/index.ts';
import { usePatient } from '../../session.tsx';
import type { AidantInvitation, InvitationStatus } from '../../profile-types.ts';
import { Confirm } from '../../ui/Confirm.tsx';
import { ErrorAlert, Loading, Refusal, Success } from '../../ui/feedback.tsx';
import { usePageTitle, useResource } from '../../ui/hooks.ts';

const SEVERITY: Record<InvitationStatus, 'success' | 'info' | 'warning' | 'error' | 'new' | undefined> = {
  pending: 'new',
  accepted: 'success',
  refused: 'warning',
  expired: undefined,
  revoked: undefined,
  withdrawn: undefined,
};

/** The aidants of the open space: invite by identifier and date of birth, the list with statuses, revoke. */
export default function Aidants() {
  const t = useT();
  const lang = useLang();
  const { current } = usePatient();
  usePageTitle(t.aidants.title);
  const allowed = current?.capabilities.canManageAidants === true;
  const id = current?.patientId ?? null;
  const res = useResource<{ invitations: AidantInvitation[] }>(id === null || !allowed ? null : `/api/spaces/${id}/aidants`);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<string | null>(null);

  if (current === null) return null;
  if (!allowed) return <Refusal title={t.aidants.title} role={current.role} name={current.name} />;

  const invite = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      await api('POST', `/api/spaces/${current.patientId}/aidants`, { loginId: String(f.get('loginId')).trim(), birthDate: String(f.get('birthDate')) });
      form.reset();
      setMessage(t.aidants.invited);
      res.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (inv: AidantInvitation) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      await api('POST', `/api/spaces/${current.patientId}/aidants/${inv.invitationId}/revoke`);
      setConfirm(null);
      setMessage(t.aidants.revoked);
      res.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const who = (inv: AidantInvitation) => inv.aidant?.name || t.aidants.unnamed(inv.loginId);
  const invitations = res.data?.invitations ?? [];

  return (
    <>
      <h1>{t.aidants.title}</h1>
      <p className="fr-text--lead">{t.aidants.lead}</p>
      <div aria-live="polite">{message !== null ? <Success>{message}</Success> : null}</div>
      <ErrorAlert error={error} />
      <div className="fr-grid-row fr-grid-row--gutters">
        <section className="fr-col-12 fr-col-lg-7" aria-labelledby="aidants-list">
          <h2 id="aidants-list" className="fr-h4">
            {t.aidants.listTitle(invitations.length)}
          </h2>
          {res.loading && res.data === undefined ? <Loading /> : <ErrorAlert error={res.error} />}
          {res.data && invitations.length === 0 ? <p>{t.aidants.none}</p> : null}
          <ul className="carnet-cards carnet-cards--single">
            {invitations.map((inv) => (
              <li key={inv.invitationId} className="carnet-card">
                <h3 className="fr-h6 fr-mb-1v">{who(inv)}</h3>
                <p className="carnet-badges fr-mb-1v">
                  <Badge small severity={SEVERITY[inv.status]} noIcon>
                    {t.aidants.status[inv.status]}
                  </Badge>
                </p>
                <p className="fr-text--sm fr-mb-1w">
                  {t.aidants.invitedOn(formatDate(lang, inv.invitedAt))}
                  {inv.status === 'pending' ? ` · ${t.aidants.expiresOn(formatDate(lang, inv.expiresAt))}` : ''}
                  {inv.answeredAt ? ` · ${t.aidants.answeredOn(formatDate(lang, inv.answeredAt))}` : ''}
                  {inv.endedAt ? ` · ${t.aidants.endedOn(formatDate(lang, inv.endedAt))}` : ''}
                </p>
                {inv.status === 'pending' || inv.status === 'accepted' ? (
                  confirm === inv.invitationId ? (
                    <Confirm question={t.aidants.confirmRevoke(who(inv))} yes={t.aidants.confirmYes} busy={busy} onYes={() => void revoke(inv)} onCancel={() => setConfirm(null)} />
                  ) : (
                    <Button size="small" priority="secondary" iconId="fr-icon-close-circle-line" disabled={busy} onClick={() => setConfirm(inv.invitationId)} title={`${inv.status === 'pending' ? t.aidants.cancelInvitation : t.aidants.revoke} – ${who(inv)}`}>
                      {inv.status === 'pending' ? t.aidants.cancelInvitation : t.aidants.revoke}
                    </Button>
                  )
                ) : null}
              </li>
            ))}
          </ul>
        </section>
        <div className="fr-col-12 fr-col-lg-5">
          <form onSubmit={(e) => void invite(e)} className="carnet-panel fr-p-3w" aria-labelledby="invite-title">
            <h2 id="invite-title" className="fr-h5">
              {t.aidants.inviteTitle}
            </h2>
            <p className="fr-text--sm">{t.aidants.inviteHelp}</p>
            <Input label={t.aidants.loginId} nativeInputProps={{ name: 'loginId', required: true, maxLength: 64, pattern: '\\s*[A-Za-z0-9._\\-]+\\s*', autoComplete: 'off' }} />
            <Input label={t.common.birthDate} nativeInputProps={{ name: 'birthDate', type: 'date', required: true }} />
            <p className="fr-text--xs">{t.aidants.limit}</p>
            <Button type="submit" iconId="fr-icon-user-add-line" disabled={busy}>
              {t.aidants.invite}
            </Button>
          </form>
          <div className="fr-mt-3w">
            <Tile title={t.aidants.received} desc={t.aidants.receivedDesc} linkProps={{ href: '/aidants/invitations' }} />
          </div>
        </div>
      </div>
    </>
  );
}

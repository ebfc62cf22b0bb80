import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { ToggleSwitch } from '@codegouvfr/react-dsfr/ToggleSwitch';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api.ts';
import { formatDate, formatDateTime, useLang, useT } from '../../i18n/index.ts';
import { usePatient } from '../../session.tsx';
import type { AccessControls, ProfessionalView } from '../../types.ts';
import { ErrorAlert, Loading, Refusal, Success } from '../../ui/feedback.tsx';
import { usePageTitle, useResource } from '../../ui/hooks.ts';

const professionOf = (p: ProfessionalView) => [p.profession?.label, p.specialty?.label].filter(Boolean).join(' – ');

/** The patient's access settings: authorized and blocked professionals, administrators, médecin traitant, emergency, mask-all. */
export default function Access() {
  const t = useT();
  const lang = useLang();
  const { current } = usePatient();
  usePageTitle(t.access.title);
  const id = current?.patientId ?? null;
  const res = useResource<AccessControls>(id === null || current?.capabilities.canManageSettings === false ? null : `/api/spaces/${id}/access`);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const canManage = current?.capabilities.canManageSettings ?? false;

  // Not offered to whom the space's capabilities deny it (an aidant): a clear refusal, nothing read.
  if (current !== null && !canManage) return <Refusal title={t.access.title} role={current.role} name={current.name} />;
  if (res.loading && res.data === undefined) return <Loading />;
  if (res.error !== null && res.data === undefined) return <ErrorAlert error={res.error} />;
  const c = res.data;
  if (c === undefined || id === null) return null;
  const base = `/api/spaces/${id}/access`;

  const act = async (method: 'POST' | 'PUT' | 'DELETE', url: string, done: string, body?: unknown) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      await api(method, url, body);
      setMessage(done);
      res.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const name = (p: ProfessionalView) => p.name ?? p.idNatPs;

  const setMt = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const idNatPs = String(new FormData(e.currentTarget).get('idNatPs')).trim();
    void act('PUT', `${base}/medecin-traitant`, t.access.mtSet, { idNatPs });
  };
  const emergency = (next: { samu: boolean; brisDeGlace: boolean; masked: boolean }) => {
    const masked = next.samu || next.brisDeGlace ? next.masked : false;
    void act('PUT', `${base}/emergency`, t.access.saved, { ...next, masked });
  };

  return (
    <>
      <h1>{t.access.title}</h1>
      <p className="fr-text--lead">{t.access.lead}</p>
      <div aria-live="polite">{message !== null ? <Success>{message}</Success> : null}</div>
      <ErrorAlert error={error} />

      <section aria-labelledby="authorized" className="fr-mb-5w">
        <h2 id="authorized" className="fr-h3">
          {t.access.authorized(c.authorized.length)}
        </h2>
        <p>{t.access.authorizedHelp}</p>
        {c.authorized.length === 0 ? <p>{t.access.noneAuthorized}</p> : null}
        <ul className="carnet-cards">
          {c.authorized.map((p) => (
            <li key={p.idNatPs} className="carnet-card">
              <h3 className="fr-h6 fr-mb-1v">{name(p)}</h3>
              <p className="fr-text--sm fr-mb-1v">{professionOf(p) || '–'}{p.organisation ? ` · ${p.organisation.name}` : ''}</p>
              <p className="carnet-badges fr-mb-1v">
                {p.medecinTraitant ? <Badge small severity="info" noIcon>{t.access.medecinTraitant}</Badge> : null}{' '}
                {p.administrator ? <Badge small severity="new" noIcon>{t.access.administrator}</Badge> : null}
              </p>
              <p className="fr-text--sm fr-mb-1w">
                {t.access.since} {formatDate(lang, p.since)} · {t.access.lastAccess} {p.lastAccess ? formatDateTime(lang, p.lastAccess) : t.access.never}
              </p>
              {canManage ? (
                <div className="carnet-actions">
                  <Button size="small" priority="secondary" iconId="fr-icon-lock-line" disabled={busy} onClick={() => void act('POST', `${base}/professionals/${p.idNatPs}/block`, t.access.blockedDone(name(p)))} title={t.access.blockTitle(name(p))}>
                    {t.access.block}
                  </Button>
                  {p.administrator ? (
                    <Button size="small" priority="tertiary" disabled={busy} onClick={() => void act('DELETE', `${base}/administrators/${p.idNatPs}`, t.access.saved)} title={`${t.access.removeAdmin} – ${name(p)}`}>
                      {t.access.removeAdmin}
                    </Button>
                  ) : (
                    <Button size="small" priority="tertiary" disabled={busy} onClick={() => void act('PUT', `${base}/administrators/${p.idNatPs}`, t.access.saved)} title={`${t.access.makeAdmin} – ${name(p)}`}>
                      {t.access.makeAdmin}
                    </Button>
                  )}
                  {!p.medecinTraitant && p.profession?.code === '10' ? (
                    <Button size="small" priority="tertiary" disabled={busy} onClick={() => void act('PUT', `${base}/medecin-traitant`, t.access.mtSet, { idNatPs: p.idNatPs })} title={`${t.access.makeMt} – ${name(p)}`}>
                      {t.access.makeMt}
                    </Button>
                  ) : null}
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="blocked" className="fr-mb-5w">
        <h2 id="blocked" className="fr-h3">
          {t.access.blocked(c.blocked.length)}
        </h2>
        <p>{t.access.blockedHelp}</p>
        {c.blocked.length === 0 ? <p>{t.access.noneBlocked}</p> : null}
        <ul className="carnet-cards">
          {c.blocked.map((p) => (
            <li key={p.idNatPs} className="carnet-card carnet-card--blocked">
              <h3 className="fr-h6 fr-mb-1v">{name(p)}</h3>
              <p className="fr-text--sm fr-mb-1v">{professionOf(p) || '–'}</p>
              <p className="fr-text--sm fr-mb-1w">
                {t.access.blockedSince} {formatDate(lang, p.since)} · {t.access.lastAccess} {p.lastAccess ? formatDateTime(lang, p.lastAccess) : t.access.never}
              </p>
              {canManage ? (
                <Button size="small" priority="secondary" disabled={busy} onClick={() => void act('POST', `${base}/professionals/${p.idNatPs}/unblock`, t.access.unblockedDone(name(p)))} title={`${t.access.unblock} – ${name(p)}`}>
                  {t.access.unblock}
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="mt" className="fr-mb-5w">
        <h2 id="mt" className="fr-h3">
          {t.access.medecinTraitant}
        </h2>
        {c.medecinTraitant ? (
          <p>
            <strong>{name(c.medecinTraitant)}</strong> {professionOf(c.medecinTraitant) ? `(${professionOf(c.medecinTraitant)})` : ''}
          </p>
        ) : (
          <p>{t.access.noMt}</p>
        )}
        {canManage && c.medecinTraitant ? (
          <Button size="small" priority="tertiary" disabled={busy} onClick={() => void act('DELETE', `${base}/medecin-traitant`, t.access.saved)}>
            {t.access.removeMt}
          </Button>
        ) : null}
        {canManage ? (
          <form onSubmit={setMt} className="carnet-inline-form fr-mt-2w">
            <Input label={t.access.mtById} hintText={t.access.mtByIdHint} nativeInputProps={{ name: 'idNatPs', inputMode: 'numeric', pattern: '8[0-9]{11}', required: true }} />
            <Button type="submit" priority="secondary" disabled={busy}>
              {t.access.declare}
            </Button>
          </form>
        ) : null}
      </section>

      <section aria-labelledby="emergency" className="fr-mb-5w">
        <h2 id="emergency" className="fr-h3">
          {t.access.emergencyTitle}
        </h2>
        <p>{t.access.emergencyHelp}</p>
        <ToggleSwitch
          label={t.access.samu}
          helperText={t.access.samuHelp}
          checked={c.emergency.samu}
          disabled={!canManage || busy}
          onChange={(v) => emergency({ samu: v, brisDeGlace: c.emergency.brisDeGlace, masked: c.emergency.masked })}
          inputTitle={t.access.samu}
          showCheckedHint
        />
        <ToggleSwitch
          label={t.access.bdg}
          helperText={t.access.bdgHelp}
          checked={c.emergency.brisDeGlace}
          disabled={!canManage || busy}
          onChange={(v) => emergency({ samu: c.emergency.samu, brisDeGlace: v, masked: c.emergency.masked })}
          inputTitle={t.access.bdg}
          showCheckedHint
        />
        <ToggleSwitch
          label={t.access.maskedEmergency}
          helperText={t.access.maskedEmergencyRule}
          checked={c.emergency.maskedEffective}
          disabled={!canManage || busy || (!c.emergency.samu && !c.emergency.brisDeGlace)}
          onChange={(v) => emergency({ samu: c.emergency.samu, brisDeGlace: c.emergency.brisDeGlace, masked: v })}
          inputTitle={t.access.maskedEmergency}
          showCheckedHint
        />
        <p className="fr-text--sm fr-mt-1w">{t.access.emergencyNotified}</p>
      </section>

      <section aria-labelledby="maskall" className="fr-mb-5w">
        <h2 id="maskall" className="fr-h3">
          {t.access.maskAllTitle}
        </h2>
        <ToggleSwitch
          label={t.access.maskAll}
          helperText={t.access.maskAllHelp}
          checked={c.maskAll}
          disabled={!canManage || busy}
          onChange={(v) => void act('PUT', `${base}/mask-all`, t.access.saved, { on: v })}
          inputTitle={t.access.maskAll}
          showCheckedHint
        />
      </section>
    </>
  );
}

import { ToggleSwitch } from '@codegouvfr/react-dsfr/ToggleSwitch';
import { useState } from 'react';
import { api } from '../../api.ts';
import { useT } from '../../i18n/index.ts';
import { usePatient } from '../../session.tsx';
import type { AccessControls } from '../../types.ts';
import { ErrorAlert, Loading, Refusal, Success } from '../../ui/feedback.tsx';
import { usePageTitle, useResource } from '../../ui/hooks.ts';

/** Notification preferences: the optional ones; first and emergency accesses are always notified. */
export default function Notifications() {
  const t = useT();
  const { current } = usePatient();
  usePageTitle(t.notifications.title);
  const id = current?.patientId ?? null;
  const res = useResource<AccessControls>(id === null || current?.capabilities.canManageSettings === false ? null : `/api/spaces/${id}/access`);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const canManage = current?.capabilities.canManageSettings ?? false;

  if (current !== null && !canManage) return <Refusal title={t.notifications.title} role={current.role} name={current.name} />;
  if (res.loading && res.data === undefined) return <Loading />;
  if (res.data === undefined) return <ErrorAlert error={res.error} />;
  const n = res.data.notifications;
  const change = async (next: { everyPsAccess: boolean; newDocument: boolean }) => {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await api('PUT', `/api/spaces/${id}/access/notifications`, next);
      if (res.data) res.set({ ...res.data, notifications: next });
      setSaved(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>{t.notifications.title}</h1>
      <p className="fr-text--lead">{t.notifications.lead}</p>
      <div aria-live="polite">{saved ? <Success>{t.access.saved}</Success> : null}</div>
      <ErrorAlert error={error} />
      <ul className="carnet-list fr-mb-3w">
        <li>{t.notifications.alwaysFirst}</li>
        <li>{t.notifications.alwaysEmergency}</li>
      </ul>
      <ToggleSwitch label={t.notifications.everyAccess} helperText={t.notifications.everyAccessHelp} checked={n.everyPsAccess} disabled={!canManage || busy} onChange={(v) => void change({ ...n, everyPsAccess: v })} showCheckedHint />
      <ToggleSwitch label={t.notifications.newDocument} helperText={t.notifications.newDocumentHelp} checked={n.newDocument} disabled={!canManage || busy} onChange={(v) => void change({ ...n, newDocument: v })} showCheckedHint />
    </>
  );
}

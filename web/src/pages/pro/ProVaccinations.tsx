import { Button } from '@codegouvfr/react-dsfr/Button';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, api } from '../../api.ts';
import { formatDate, useLang, useT } from '../../i18n/index.ts';
import type { VaccinationList, VaccinationView, VaccineCatalogue } from '../../profile-types.ts';
import { usePro } from '../../session.tsx';
import { Confirm } from '../../ui/Confirm.tsx';
import { ErrorAlert, Loading, Success } from '../../ui/feedback.tsx';
import { useResource } from '../../ui/hooks.ts';
import { VaccinationFields, vaccinationBody } from '../../ui/vaccination-form.tsx';

/** Corrects a vaccination the professional recorded: every field again (PUT), or cancel. */
function EditVaccination({ patientId, entry, catalogue, onDone, onCancel }: { patientId: string; entry: VaccinationView; catalogue: VaccineCatalogue; onDone: () => void; onCancel: () => void }) {
  const t = useT();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const id = `pro-vac-edit-${entry.vaccinationId}`;
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('PUT', `/api/pro/patients/${patientId}/vaccinations/${entry.vaccinationId}`, vaccinationBody(new FormData(e.currentTarget)));
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="carnet-panel fr-p-3w fr-mt-2w" aria-labelledby={id}>
      <h4 id={id} className="fr-h6">
        {t.pro.record.editVaccination}
      </h4>
      <ErrorAlert error={error} />
      <VaccinationFields catalogue={catalogue} entry={entry} idPrefix={id} />
      <div className="carnet-actions">
        <Button type="submit" disabled={busy}>
          {t.common.save}
        </Button>
        <Button type="button" priority="secondary" onClick={onCancel}>
          {t.common.cancel}
        </Button>
      </div>
    </form>
  );
}

/**
 * A patient's vaccinations as the matrix lets the professional read them, the form to record
 * one they performed, and, on the entries they recorded themselves, correct and delete.
 */
export function ProVaccinations({ patientId, modeQuery }: { patientId: string; modeQuery: string }) {
  const t = useT();
  const lang = useLang();
  const { me } = usePro();
  const [editing, setEditing] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const list = useResource<VaccinationList>(`/api/pro/patients/${patientId}/vaccinations${modeQuery}`);
  const catalogue = useResource<VaccineCatalogue>('/api/vaccines');
  const [error, setError] = useState<unknown>(null);
  const [added, setAdded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [formKey, setFormKey] = useState(0);
  // Out of reach (not authorized, blocked, not in the matrix): nothing is shown, like the documents.
  if (list.error instanceof ApiError && list.error.status === 404) return null;
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setAdded(false);
    try {
      await api('POST', `/api/pro/patients/${patientId}/vaccinations`, vaccinationBody(new FormData(e.currentTarget)));
      setAdded(true);
      setFormKey((k) => k + 1);
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (v: VaccinationView) => {
    setError(null);
    setMessage(null);
    try {
      await api('DELETE', `/api/pro/patients/${patientId}/vaccinations/${v.vaccinationId}`);
      setConfirm(null);
      setMessage(t.vaccinations.deleted);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const mine = (v: VaccinationView) => me !== null && me !== undefined && v.recordedBy.kind === 'professional' && v.recordedBy.id === me.idNatPs;
  const label = (v: VaccinationView) => v.vaccineName ?? v.vaccineLabel;
  const vaccinations = list.data?.vaccinations ?? [];
  return (
    <section aria-labelledby="pro-vaccinations" className="fr-mt-5w">
      <h2 id="pro-vaccinations" className="fr-h4">
        {t.vaccinations.title}
      </h2>
      {list.loading && list.data === undefined ? <Loading /> : <ErrorAlert error={list.error} />}
      <div aria-live="polite">{message !== null ? <Success>{message}</Success> : null}</div>
      {list.data && vaccinations.length === 0 ? <p>{t.vaccinations.none}</p> : null}
      <ul className="carnet-doc-list">
        {vaccinations.map((v) => (
          <li key={v.vaccinationId} className="carnet-doc">
            <h3 className="fr-h6 fr-mb-1v">
              {v.vaccineName ?? v.vaccineLabel} – {formatDate(lang, v.date)}
            </h3>
            <p className="fr-text--sm fr-mb-0">
              {[v.doseNumber ? t.vaccinations.doseN(v.doseNumber) : null, v.lotNumber ? t.vaccinations.lotN(v.lotNumber) : null, v.route?.display, v.site?.display, v.performer?.name ? t.vaccinations.by(v.performer.name) : null]
                .filter(Boolean)
                .join(' · ')}
            </p>
            {mine(v) ? <p className="fr-text--xs fr-mb-0 carnet-entry__meta">{t.pro.record.yourEntry}</p> : null}
            {mine(v) && editing !== v.vaccinationId ? (
              <div className="carnet-actions fr-mt-1w">
                <Button size="small" priority="secondary" iconId="fr-icon-edit-line" title={t.vaccinations.editTitleOf(label(v), formatDate(lang, v.date))} onClick={() => { setMessage(null); setConfirm(null); setEditing(v.vaccinationId); }}>
                  {t.vaccinations.edit}
                </Button>
                <Button size="small" priority="tertiary" iconId="fr-icon-delete-line" title={t.vaccinations.deleteTitleOf(label(v), formatDate(lang, v.date))} onClick={() => { setMessage(null); setConfirm(v.vaccinationId); }}>
                  {t.vaccinations.delete}
                </Button>
              </div>
            ) : null}
            {confirm === v.vaccinationId ? <Confirm question={`${t.vaccinations.deleteTitleOf(label(v), formatDate(lang, v.date))} ?`} yes={t.vaccinations.delete} onYes={() => void remove(v)} onCancel={() => setConfirm(null)} /> : null}
            {editing === v.vaccinationId && catalogue.data ? (
              <EditVaccination
                patientId={patientId}
                entry={v}
                catalogue={catalogue.data}
                onDone={() => {
                  setEditing(null);
                  setMessage(t.vaccinations.saved);
                  list.reload();
                }}
                onCancel={() => setEditing(null)}
              />
            ) : null}
          </li>
        ))}
      </ul>
      {list.data && catalogue.data ? (
        <form key={formKey} onSubmit={(e) => void submit(e)} className="carnet-panel fr-p-3w fr-mt-3w" aria-labelledby="pro-vaccination-add">
          <h3 id="pro-vaccination-add" className="fr-h5">
            {t.vaccinations.add}
          </h3>
          <div aria-live="polite">{added ? <Success>{t.vaccinations.added}</Success> : null}</div>
          <ErrorAlert error={error} />
          <VaccinationFields catalogue={catalogue.data} entry={null} idPrefix="pro-vac" />
          <Button type="submit" iconId="fr-icon-add-line" disabled={busy}>
            {t.vaccinations.add}
          </Button>
        </form>
      ) : null}
    </section>
  );
}

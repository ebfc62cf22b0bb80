import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api.ts';
import { formatDate, useLang, useT } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { usePatient } from '../../session.tsx';
import type { DocumentView } from '../../types.ts';
import type { VaccinationList, VaccinationView, VaccineCatalogue } from '../../profile-types.ts';
import { Confirm } from '../../ui/Confirm.tsx';
import { ErrorAlert, Loading, Success } from '../../ui/feedback.tsx';
import { usePageTitle, useResource } from '../../ui/hooks.ts';
import { VaccinationFields, vaccinationBody } from '../../ui/vaccination-form.tsx';

const PATIENT_SIDE = new Set(['patient', 'representative', 'aidant']);

function VaccinationForm({ patientId, catalogue, entry, onDone, onCancel }: { patientId: string; catalogue: VaccineCatalogue; entry: VaccinationView | null; onDone: (m: string) => void; onCancel: () => void }) {
  const t = useT();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const body = vaccinationBody(f);
    const performer = String(f.get('performer') ?? '').trim();
    if (performer !== '') body.performer = { name: performer };
    setBusy(true);
    setError(null);
    try {
      if (entry === null) await api('POST', `/api/spaces/${patientId}/vaccinations`, body);
      else await api('PUT', `/api/spaces/${patientId}/vaccinations/${entry.vaccinationId}`, body);
      onDone(entry === null ? t.vaccinations.added : t.vaccinations.saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="carnet-panel fr-p-3w fr-mb-4w" aria-labelledby="vaccination-form">
      <h2 id="vaccination-form" className="fr-h5">
        {entry === null ? t.vaccinations.add : t.vaccinations.editTitle}
      </h2>
      <ErrorAlert error={error} />
      <VaccinationFields catalogue={catalogue} entry={entry} idPrefix="vac" />
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <Input label={t.vaccinations.performer} hintText={t.vaccinations.performerHint} nativeInputProps={{ name: 'performer', maxLength: 200, defaultValue: entry?.performer?.idNatPs ? '' : (entry?.performer?.name ?? '') }} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <Input label={t.vaccinations.notes} nativeInputProps={{ name: 'notes', maxLength: 2000, defaultValue: entry?.notes ?? '' }} />
        </div>
      </div>
      <div className="carnet-actions">
        <Button type="submit" iconId="fr-icon-save-line" disabled={busy}>
          {t.common.save}
        </Button>
        <Button type="button" priority="secondary" onClick={onCancel}>
          {t.common.cancel}
        </Button>
      </div>
    </form>
  );
}

/** The vaccinations of the open space: list, add, edit and delete (those entered from the patient side), the history document. */
export default function Vaccinations() {
  const t = useT();
  const lang = useLang();
  const { current } = usePatient();
  usePageTitle(t.vaccinations.title);
  const id = current?.patientId ?? null;
  const catalogue = useResource<VaccineCatalogue>('/api/vaccines');
  const list = useResource<VaccinationList>(id === null ? null : `/api/spaces/${id}/vaccinations`);
  const [editing, setEditing] = useState<VaccinationView | 'new' | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [history, setHistory] = useState<DocumentView | null>(null);
  const [busy, setBusy] = useState(false);
  if (id === null) return null;

  const done = (m: string) => {
    setEditing(null);
    setConfirm(null);
    setMessage(m);
    list.reload();
  };
  const remove = async (v: VaccinationView) => {
    setError(null);
    try {
      await api('DELETE', `/api/spaces/${id}/vaccinations/${v.vaccinationId}`);
      done(t.vaccinations.deleted);
    } catch (e) {
      setError(e);
    }
  };
  const generate = async () => {
    setBusy(true);
    setError(null);
    setHistory(null);
    try {
      setHistory(await api<DocumentView>('POST', `/api/spaces/${id}/vaccinations/history-document`));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const vaccinations = list.data?.vaccinations ?? [];
  const label = (v: VaccinationView) => v.vaccineName ?? v.vaccineLabel;

  return (
    <>
      <div className="carnet-title-row">
        <h1>{t.vaccinations.title}</h1>
        {editing === null && current?.capabilities.canEditProfile !== false ? (
          <Button iconId="fr-icon-add-line" onClick={() => { setMessage(null); setEditing('new'); }}>
            {t.vaccinations.add}
          </Button>
        ) : null}
      </div>
      <p className="fr-text--lead">{t.vaccinations.lead}</p>
      <div aria-live="polite">
        {message !== null ? <Success>{message}</Success> : null}
        {history !== null ? (
          <div className="fr-mb-3w">
            <Success>{t.vaccinations.historyDone}</Success>
            <Link className="fr-link fr-icon-file-pdf-line fr-link--icon-left" href={`/documents/${history.documentId}`}>
              {t.vaccinations.historyOpen}
            </Link>
          </div>
        ) : null}
      </div>
      <ErrorAlert error={error} />
      {editing !== null && catalogue.data ? (
        <VaccinationForm key={editing === 'new' ? 'new' : editing.vaccinationId} patientId={id} catalogue={catalogue.data} entry={editing === 'new' ? null : editing} onDone={done} onCancel={() => setEditing(null)} />
      ) : null}
      <ErrorAlert error={catalogue.error} />
      {list.loading && list.data === undefined ? <Loading /> : <ErrorAlert error={list.error} />}
      {list.data ? <p className="fr-text--sm">{vaccinations.length === 0 ? t.vaccinations.none : t.vaccinations.count(vaccinations.length)}</p> : null}
      <ul className="carnet-doc-list">
        {vaccinations.map((v) => (
          <li key={v.vaccinationId} className="carnet-doc">
            <h2 className="fr-h6 fr-mb-1v">
              {label(v)} <span className="fr-text--regular">– {formatDate(lang, v.date)}</span>
            </h2>
            <p className="fr-text--sm fr-mb-1v">
              {[
                v.vaccineName && v.vaccineCode !== 'other' ? v.vaccineLabel : null,
                v.doseNumber ? t.vaccinations.doseN(v.doseNumber) : null,
                v.lotNumber ? t.vaccinations.lotN(v.lotNumber) : null,
                v.route ? (lang === 'fr' ? (v.route.label ?? v.route.display) : v.route.display) : null,
                v.site ? (lang === 'fr' ? (v.site.label ?? v.site.display) : v.site.display) : null,
                v.performer?.name ? t.vaccinations.by(v.performer.name) : null,
              ]
                .filter(Boolean)
                .join(' · ')}
            </p>
            {v.targetDiseases.length > 0 ? (
              <p className="fr-text--xs fr-mb-1v">
                {t.vaccinations.against} : {v.targetDiseases.map((d) => d.display).join(', ')}
              </p>
            ) : null}
            {v.recordedBy.kind === 'professional' ? <p className="fr-text--xs fr-mb-0 carnet-entry__meta">{t.vaccinations.recordedByPro}</p> : null}
            {PATIENT_SIDE.has(v.recordedBy.kind) && current?.capabilities.canEditProfile !== false ? (
              confirm === v.vaccinationId ? (
                <Confirm question={`${t.vaccinations.deleteTitleOf(label(v), formatDate(lang, v.date))} ?`} yes={t.vaccinations.delete} onYes={() => void remove(v)} onCancel={() => setConfirm(null)} />
              ) : (
                <div className="carnet-actions">
                  <Button size="small" priority="secondary" iconId="fr-icon-edit-line" title={t.vaccinations.editTitleOf(label(v), formatDate(lang, v.date))} onClick={() => { setMessage(null); setEditing(v); }}>
                    {t.vaccinations.edit}
                  </Button>
                  <Button size="small" priority="tertiary" iconId="fr-icon-delete-line" title={t.vaccinations.deleteTitleOf(label(v), formatDate(lang, v.date))} onClick={() => setConfirm(v.vaccinationId)}>
                    {t.vaccinations.delete}
                  </Button>
                </div>
              )
            ) : null}
          </li>
        ))}
      </ul>
      <section aria-labelledby="history-title" className="carnet-panel fr-p-3w fr-mt-4w">
        <h2 id="history-title" className="fr-h5">
          {t.vaccinations.historyTitle}
        </h2>
        <p>{t.vaccinations.historyHelp}</p>
        <Button priority="secondary" iconId="fr-icon-file-pdf-line" disabled={busy} onClick={() => void generate()}>
          {busy ? t.common.pleaseWait : t.vaccinations.history}
        </Button>
      </section>
    </>
  );
}

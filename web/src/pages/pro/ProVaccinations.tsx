import { Button } from '@codegouvfr/react-dsfr/Button';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, api } from '../../api.ts';
import { formatDate, useLang, useT } from '../../i18n/index.ts';
import type { VaccinationList, VaccineCatalogue } from '../../profile-types.ts';
import { ErrorAlert, Loading, Success } from '../../ui/feedback.tsx';
import { useResource } from '../../ui/hooks.ts';
import { VaccinationFields, vaccinationBody } from '../../ui/vaccination-form.tsx';

/** A patient's vaccinations as the matrix lets the professional read them, and the form to record one they performed. */
export function ProVaccinations({ patientId, modeQuery }: { patientId: string; modeQuery: string }) {
  const t = useT();
  const lang = useLang();
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
  const vaccinations = list.data?.vaccinations ?? [];
  return (
    <section aria-labelledby="pro-vaccinations" className="fr-mt-5w">
      <h2 id="pro-vaccinations" className="fr-h4">
        {t.vaccinations.title}
      </h2>
      {list.loading && list.data === undefined ? <Loading /> : <ErrorAlert error={list.error} />}
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

import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, api, upload } from '../../api.ts';
import { PRO_SUBMIT_TYPES, classLabel, typeLabel } from '../../doctypes.ts';
import { formatDate, useLang, useT } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { usePro } from '../../session.tsx';
import type { DocumentList, DocumentView } from '../../types.ts';
import { ErrorAlert, Loading, Success } from '../../ui/feedback.tsx';
import { usePageTitle, useResource } from '../../ui/hooks.ts';
import { modeQuery, patientName, recallPatient, useEmergency } from './emergency.tsx';
import type { AccessMode } from './emergency.tsx';
import { ProSignInPanel, WhoAmI } from './common.tsx';
import { ProVaccinations } from './ProVaccinations.tsx';
import { ProEntourage, ProHealthHistory } from './ProProfile.tsx';

function today(): string {
  return new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

function Consent({ patientId, onDone }: { patientId: string; onDone: () => void }) {
  const t = useT();
  const [checked, setChecked] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const attest = async () => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/api/pro/patients/${patientId}/consent`, { method: 'card' });
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="consent-title" className="carnet-panel fr-p-3w fr-mb-3w">
      <h2 id="consent-title" className="fr-h5">
        {t.pro.consent.title}
      </h2>
      <p>{t.pro.consent.text}</p>
      <ErrorAlert error={error} />
      <Checkbox options={[{ label: t.pro.consent.check, nativeInputProps: { checked, onChange: (e) => setChecked(e.target.checked) } }]} />
      <Button onClick={() => void attest()} disabled={!checked || busy} iconId="fr-icon-checkbox-circle-line">
        {t.pro.consent.submit}
      </Button>
    </section>
  );
}

function EmergencyForm({ patientId }: { patientId: string }) {
  const t = useT();
  const { emergency, start, stop } = useEmergency();
  const active = emergency !== null && emergency.patientId === patientId ? emergency.mode : 'normal';
  const [mode, setMode] = useState<AccessMode>(active);
  const [justification, setJustification] = useState('');
  const [missing, setMissing] = useState(false);
  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (mode === 'normal') return stop();
    if (mode === 'bris_de_glace' && justification.trim().length < 10) {
      setMissing(true);
      return;
    }
    setMissing(false);
    start({ patientId, mode, justification: justification.trim() });
  };
  return (
    <form onSubmit={submit} className="carnet-panel fr-p-3w fr-mb-3w" aria-labelledby="mode-title">
      <h2 id="mode-title" className="fr-h5">
        {t.pro.emergency.formTitle}
      </h2>
      <RadioButtons
        legend={t.pro.emergency.modeLegend}
        name="mode"
        options={(['normal', 'samu', 'bris_de_glace'] as const).map((m) => ({
          label: t.pro.emergency.modes[m],
          hintText: t.pro.emergency.hints[m],
          nativeInputProps: { value: m, checked: mode === m, onChange: () => setMode(m) },
        }))}
      />
      {mode === 'bris_de_glace' ? (
        <Input
          textArea
          label={t.pro.emergency.justification}
          hintText={t.pro.emergency.justificationHint}
          state={missing ? 'error' : 'default'}
          stateRelatedMessage={missing ? t.pro.emergency.justificationMissing : undefined}
          nativeTextAreaProps={{ value: justification, onChange: (e) => setJustification(e.target.value), maxLength: 2000, rows: 3 }}
        />
      ) : null}
      <Button type="submit" priority={mode === 'normal' ? 'secondary' : 'primary'}>
        {mode === 'normal' ? t.pro.emergency.normal : t.pro.emergency.enter}
      </Button>
    </form>
  );
}

function SubmitForm({ patientId, onDone }: { patientId: string; onDone: (d: DocumentView) => void }) {
  const t = useT();
  const lang = useLang();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const form = useRef<HTMLFormElement>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    for (const flag of ['maskedToProfessionals', 'invisibleToPatient', 'invisibleToRepresentatives']) f.set(flag, f.get(flag) === 'on' ? 'true' : 'false');
    setError(null);
    setProgress(0);
    try {
      const d = await upload<DocumentView>(`/api/pro/patients/${patientId}/documents`, f, setProgress);
      form.current?.reset();
      onDone(d);
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  };
  return (
    <form ref={form} onSubmit={(e) => void submit(e)} className="carnet-panel fr-p-3w fr-mt-4w" aria-labelledby="submit-title">
      <h2 id="submit-title" className="fr-h5">
        {t.pro.submit.title}
      </h2>
      <ErrorAlert error={error} />
      <div className="fr-upload-group fr-mb-2w">
        <label className="fr-label" htmlFor="pro-file">
          {t.documents.file}
          <span className="fr-hint-text">{t.pro.submit.fileHint}</span>
        </label>
        <input className="fr-upload" type="file" id="pro-file" name="file" required accept=".pdf,.jpg,.jpeg,.png,.rtf,.tif,.tiff,.txt,.xml" />
      </div>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-5">
          <Select label={t.pro.submit.type} nativeSelectProps={{ name: 'typeCode', required: true, defaultValue: '11488-4' }}>
            {PRO_SUBMIT_TYPES.map((c) => (
              <option key={c} value={c}>
                {typeLabel(lang, c)} ({c})
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Input label={t.documents.titleField} nativeInputProps={{ name: 'title', required: true, maxLength: 255 }} />
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Input label={t.documents.date} nativeInputProps={{ name: 'createdOn', type: 'date', required: true, defaultValue: today(), max: today() }} />
        </div>
      </div>
      <Checkbox
        legend={t.pro.submit.flags}
        options={[
          { label: t.pro.submit.masked, nativeInputProps: { name: 'maskedToProfessionals' } },
          { label: t.pro.submit.invisible, hintText: t.pro.submit.invisibleHint, nativeInputProps: { name: 'invisibleToPatient' } },
          { label: t.pro.submit.invisibleReps, nativeInputProps: { name: 'invisibleToRepresentatives' } },
        ]}
      />
      {progress !== null ? (
        <div className="fr-my-2w" role="status">
          <label htmlFor="pro-progress">{t.documents.uploading(Math.round(progress * 100))}</label>
          <progress id="pro-progress" className="carnet-progress" max={1} value={progress} />
        </div>
      ) : null}
      <Button type="submit" iconId="fr-icon-upload-2-line" disabled={progress !== null}>
        {t.pro.submit.submit}
      </Button>
    </form>
  );
}

/** A patient's record as the professional may see it: consent, access mode, documents, submission. */
export default function ProPatient({ params }: { params: Record<string, string> }) {
  const t = useT();
  const lang = useLang();
  const { me } = usePro();
  const { emergency } = useEmergency();
  const patientId = params.patientId ?? '';
  const patient = recallPatient(patientId);
  const name = patientName(patient) || t.pro.patient.unknown;
  usePageTitle(t.pro.patient.title(name));
  const q = modeQuery(emergency, patientId);
  const docs = useResource<DocumentList>(me ? `/api/pro/patients/${patientId}/documents${q}` : null);
  const [submitted, setSubmitted] = useState<string | null>(null);
  const [consented, setConsented] = useState(false);

  if (me === undefined) return <Loading />;
  if (me === null) return <ProSignInPanel returnTo={`/pro/patients/${patientId}`} />;
  const noAccess = docs.error instanceof ApiError && docs.error.status === 404;

  return (
    <>
      <WhoAmI me={me} />
      <Breadcrumb currentPageLabel={name} segments={[]} homeLinkProps={{ href: '/pro/patients' }} />
      <h1>{t.pro.patient.title(name)}</h1>
      {patient ? <p>{t.pro.search.identity(patient.birthName, patient.givenNames, formatDate(lang, patient.birthDate), t.pro.sex[patient.sex as 'M'] ?? patient.sex)}</p> : null}
      {submitted !== null ? <Success>{t.pro.submit.done(submitted)}</Success> : null}
      {consented ? <Success>{t.pro.consent.done}</Success> : null}
      {docs.data?.emergency ? <Alert className="fr-mb-3w" severity="warning" small role="status" description={t.pro.emergency.answerSays(t.pro.emergency.modes[docs.data.emergency.mode as 'samu'] ?? docs.data.emergency.mode)} /> : null}
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-lg-8">
          <h2 className="fr-h4">{t.pro.patient.documents}</h2>
          {docs.loading ? <Loading /> : null}
          {noAccess ? <Alert severity="info" title={t.pro.patient.noAccessTitle} description={t.pro.patient.noAccess} /> : <ErrorAlert error={docs.error} />}
          {docs.data && docs.data.documents.length === 0 ? <p>{t.pro.patient.none}</p> : null}
          <ul className="carnet-doc-list">
            {docs.data?.documents.map((d) => (
              <li key={d.documentId} className="carnet-doc">
                <h3 className="fr-h6 fr-mb-1v">
                  <Link href={`/pro/patients/${patientId}/documents/${d.documentId}`}>{d.title}</Link>
                </h3>
                <p className="fr-text--sm fr-mb-1v">
                  {typeLabel(lang, d.typeCode)} · {classLabel(lang, d.classCode)} · {formatDate(lang, d.createdOn)}
                  {d.author.name ? ` · ${d.author.name}` : ''}
                </p>
                <p className="carnet-badges fr-mb-0">
                  {d.warnings.includes('invisible_to_patient') ? (
                    <Badge small severity="error">
                      {t.pro.patient.invisibleBadge}
                    </Badge>
                  ) : null}{' '}
                  {d.flags.maskedToProfessionals ? (
                    <Badge small severity="warning">
                      {t.documents.masked}
                    </Badge>
                  ) : null}
                </p>
              </li>
            ))}
          </ul>
          {docs.data ? (
            <>
              <ProHealthHistory key={`h${q}-${consented}`} patientId={patientId} modeQuery={q} />
              <ProVaccinations key={`v${q}-${consented}`} patientId={patientId} modeQuery={q} />
              <ProEntourage key={`e${q}-${consented}`} patientId={patientId} modeQuery={q} />
            </>
          ) : null}
          <SubmitForm
            patientId={patientId}
            onDone={(d) => {
              setSubmitted(d.title);
              docs.reload();
            }}
          />
        </div>
        <div className="fr-col-12 fr-col-lg-4">
          {!consented ? (
            <Consent
              patientId={patientId}
              onDone={() => {
                setConsented(true);
                docs.reload();
              }}
            />
          ) : null}
          <EmergencyForm patientId={patientId} />
        </div>
      </div>
    </>
  );
}

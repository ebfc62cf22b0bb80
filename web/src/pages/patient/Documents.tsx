import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useMemo, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { upload } from '../../api.ts';
import { PATIENT_ACCEPT, PATIENT_MAX_BYTES, PATIENT_UPLOAD_TYPES, classLabel, typeLabel } from '../../doctypes.ts';
import { formatDate, formatSize, useLang, useT } from '../../i18n/index.ts';
import { Link, navigate, queryParam, useLocation } from '../../router.tsx';
import { usePatient } from '../../session.tsx';
import type { DocumentList, DocumentView } from '../../types.ts';
import { ErrorAlert, Loading, Success } from '../../ui/feedback.tsx';
import { usePageTitle, useResource } from '../../ui/hooks.ts';
import { AuthorBadge, MaskedBadge } from '../../ui/docs.tsx';

function today(): string {
  return new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

function UploadForm({ patientId, onDone }: { patientId: string; onDone: (d: DocumentView) => void }) {
  const t = useT();
  const lang = useLang();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tooBig, setTooBig] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const file = f.get('file');
    if (!(file instanceof File) || file.size === 0) return;
    if (file.size > PATIENT_MAX_BYTES) {
      setTooBig(true);
      return;
    }
    setTooBig(false);
    if (String(f.get('title')).trim() === '') f.set('title', file.name);
    setError(null);
    setProgress(0);
    try {
      const d = await upload<DocumentView>(`/api/spaces/${patientId}/documents`, f, setProgress);
      form.current?.reset();
      onDone(d);
    } catch (err) {
      setError(err);
    } finally {
      setProgress(null);
    }
  };

  return (
    <form ref={form} onSubmit={(e) => void submit(e)} className="carnet-panel fr-p-3w fr-mb-4w" aria-labelledby="upload-title">
      <h2 id="upload-title" className="fr-h5">
        {t.documents.uploadTitle}
      </h2>
      <ErrorAlert error={error} />
      <div className={`fr-upload-group ${tooBig ? 'fr-upload-group--error' : ''}`}>
        <label className="fr-label" htmlFor="doc-file">
          {t.documents.file}
          <span className="fr-hint-text">{t.documents.fileHint}</span>
        </label>
        <input className="fr-upload" type="file" id="doc-file" name="file" accept={PATIENT_ACCEPT} required aria-describedby={tooBig ? 'doc-file-error' : undefined} />
        {tooBig ? (
          <p id="doc-file-error" className="fr-error-text">
            {t.documents.tooBig}
          </p>
        ) : null}
      </div>
      <div className="fr-grid-row fr-grid-row--gutters fr-mt-1w">
        <div className="fr-col-12 fr-col-md-5">
          <Input label={t.documents.titleField} hintText={t.documents.titleHint} nativeInputProps={{ name: 'title', maxLength: 255 }} />
        </div>
        <div className="fr-col-12 fr-col-md-4">
          <Select label={t.documents.category} nativeSelectProps={{ name: 'typeCode', defaultValue: 'EXPPAT_2' }}>
            {PATIENT_UPLOAD_TYPES.map((c) => (
              <option key={c} value={c}>
                {typeLabel(lang, c)}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-3">
          <Input label={t.documents.date} nativeInputProps={{ name: 'createdOn', type: 'date', max: today(), defaultValue: today(), required: true }} />
        </div>
      </div>
      {progress !== null ? (
        <div className="fr-my-2w" role="status">
          <label htmlFor="upload-progress">{t.documents.uploading(Math.round(progress * 100))}</label>
          <progress id="upload-progress" className="carnet-progress" max={1} value={progress} />
        </div>
      ) : null}
      <Button type="submit" iconId="fr-icon-upload-2-line" disabled={progress !== null}>
        {t.documents.upload}
      </Button>
    </form>
  );
}

/** The documents of the space open now: by category, searched by title; upload. */
export default function Documents() {
  const t = useT();
  const lang = useLang();
  const location = useLocation();
  const { current, session } = usePatient();
  usePageTitle(t.documents.title);
  const id = current?.patientId ?? null;
  const docs = useResource<DocumentList>(id === null ? null : `/api/spaces/${id}/documents`);
  const [query, setQuery] = useState('');
  const [showUpload, setShowUpload] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  const category = queryParam(location, 'categorie') ?? '';

  const all = docs.data?.documents ?? [];
  const classes = useMemo(() => [...new Set(all.map((d) => d.classCode))].sort(), [all]);
  const q = query.trim().toLocaleLowerCase();
  const shown = all.filter((d) => (category === '' || d.classCode === category) && (q === '' || d.title.toLocaleLowerCase().includes(q)));

  return (
    <>
      <div className="carnet-title-row">
        <h1>{t.documents.title}</h1>
        {current?.capabilities.canAddDocuments !== false ? (
          <Button iconId="fr-icon-add-line" onClick={() => setShowUpload((s) => !s)} aria-expanded={showUpload} aria-controls="upload-zone">
            {t.documents.add}
          </Button>
        ) : null}
      </div>
      {added !== null ? <Success>{t.documents.added(added)}</Success> : null}
      <div id="upload-zone">
        {showUpload && id !== null ? (
          <UploadForm
            patientId={id}
            onDone={(d) => {
              setAdded(d.title);
              setShowUpload(false);
              docs.reload();
            }}
          />
        ) : null}
      </div>
      <div className="fr-grid-row fr-grid-row--gutters fr-mb-2w">
        <div className="fr-col-12 fr-col-md-6">
          <div role="search">
            <Input label={t.documents.search} nativeInputProps={{ id: 'doc-search', type: 'search', placeholder: t.documents.searchPlaceholder, value: query, onChange: (e) => setQuery(e.target.value) }} />
          </div>
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <Select label={t.documents.byCategory} nativeSelectProps={{ value: category, onChange: (e) => navigate(e.target.value === '' ? '/documents' : `/documents?categorie=${e.target.value}`, { replace: true }) }}>
            <option value="">{t.documents.allCategories(all.length)}</option>
            {classes.map((c) => (
              <option key={c} value={c}>
                {classLabel(lang, c)} ({all.filter((d) => d.classCode === c).length})
              </option>
            ))}
          </Select>
        </div>
      </div>
      {docs.loading ? <Loading /> : null}
      <ErrorAlert error={docs.error} />
      {docs.data ? (
        <p role="status" aria-live="polite" className="fr-text--sm">
          {t.documents.count(shown.length)}
        </p>
      ) : null}
      {docs.data && all.length === 0 ? <p>{t.documents.empty}</p> : null}
      <ul className="carnet-doc-list">
        {shown.map((d) => (
          <li key={d.documentId} className="carnet-doc">
            <div className="carnet-doc__main">
              <h2 className="fr-h6 fr-mb-1v">
                <Link href={`/documents/${d.documentId}`}>{d.title}</Link>
              </h2>
              <p className="fr-text--sm fr-mb-1v">
                {typeLabel(lang, d.typeCode)} · {formatDate(lang, d.createdOn)} · {formatSize(lang, d.size)}
              </p>
              <p className="fr-mb-0 carnet-badges">
                <AuthorBadge doc={d} me={session?.patientId ?? null} /> <MaskedBadge doc={d} />
              </p>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, api, get } from '../../api.ts';
import { PATIENT_UPLOAD_TYPES, classLabel, typeLabel } from '../../doctypes.ts';
import { formatDate, formatDateTime, formatSize, useLang, useT } from '../../i18n/index.ts';
import { navigate } from '../../router.tsx';
import { usePatient } from '../../session.tsx';
import type { DocumentAccess, DocumentView } from '../../types.ts';
import { Confirm } from '../../ui/Confirm.tsx';
import { ErrorAlert, Loading, Success } from '../../ui/feedback.tsx';
import { usePageTitle, useResource } from '../../ui/hooks.ts';
import { AuthorBadge, MaskedBadge, isOwnUpload } from '../../ui/docs.tsx';
import { Viewer } from '../../ui/Viewer.tsx';

function WhoCanSee({ patientId, documentId }: { patientId: string; documentId: string }) {
  const t = useT();
  const [answer, setAnswer] = useState<DocumentAccess | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const load = async () => {
    setBusy(true);
    setError(null);
    try {
      setAnswer(await get<DocumentAccess>(`/api/spaces/${patientId}/documents/${documentId}/access`));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="who-title" className="fr-mt-4w">
      <h2 id="who-title" className="fr-h4">
        {t.document.whoTitle}
      </h2>
      {answer === null ? (
        <Button priority="secondary" iconId="fr-icon-team-line" onClick={() => void load()} disabled={busy}>
          {busy ? t.common.pleaseWait : t.document.whoShow}
        </Button>
      ) : null}
      <ErrorAlert error={error} />
      {answer !== null ? (
        <div className="fr-grid-row fr-grid-row--gutters">
          <div className="fr-col-12 fr-col-md-6">
            <h3 className="fr-h6">{t.document.canSee(answer.canSee.length)}</h3>
            <ul className="carnet-list">
              {answer.canSee.map((e, i) => (
                <li key={i}>
                  <strong>{e.who}</strong>
                  <br />
                  <span className="fr-text--sm">{e.why}</span>
                </li>
              ))}
            </ul>
          </div>
          <div className="fr-col-12 fr-col-md-6">
            <h3 className="fr-h6">{t.document.cannotSee(answer.cannotSee.length)}</h3>
            <ul className="carnet-list">
              {answer.cannotSee.map((e, i) => (
                <li key={i}>
                  <strong>{e.who}</strong>
                  <br />
                  <span className="fr-text--sm">{e.why}</span>
                </li>
              ))}
            </ul>
            <p className="fr-text--sm">{answer.emergency.thisDocumentReachable ? t.document.emergencyReachable : t.document.emergencyNotReachable}</p>
          </div>
          <p className="fr-col-12 fr-text--xs">{t.document.whyInEnglish}</p>
        </div>
      ) : null}
    </section>
  );
}

function EditForm({ doc, patientId, onSaved, onCancel }: { doc: DocumentView; patientId: string; onSaved: (d: DocumentView) => void; onCancel: () => void }) {
  const t = useT();
  const lang = useLang();
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    try {
      onSaved(await api<DocumentView>('PATCH', `/api/spaces/${patientId}/documents/${doc.documentId}`, { title: String(f.get('title')), typeCode: String(f.get('typeCode')), createdOn: String(f.get('createdOn')) }));
    } catch (err) {
      setError(err);
    }
  };
  const types = PATIENT_UPLOAD_TYPES.includes(doc.typeCode) ? PATIENT_UPLOAD_TYPES : [doc.typeCode, ...PATIENT_UPLOAD_TYPES];
  return (
    <form onSubmit={(e) => void submit(e)} className="carnet-panel fr-p-3w fr-my-2w" aria-labelledby="edit-title">
      <h2 id="edit-title" className="fr-h5">
        {t.document.editTitle}
      </h2>
      <ErrorAlert error={error} />
      <Input label={t.documents.titleField} nativeInputProps={{ name: 'title', defaultValue: doc.title, required: true, maxLength: 255 }} />
      <Select label={t.documents.category} nativeSelectProps={{ name: 'typeCode', defaultValue: doc.typeCode }}>
        {types.map((c) => (
          <option key={c} value={c}>
            {typeLabel(lang, c)}
          </option>
        ))}
      </Select>
      <Input label={t.documents.date} nativeInputProps={{ name: 'createdOn', type: 'date', defaultValue: doc.createdOn, required: true }} />
      <div className="carnet-actions">
        <Button type="submit">{t.common.save}</Button>
        <Button type="button" priority="secondary" onClick={onCancel}>
          {t.common.cancel}
        </Button>
      </div>
    </form>
  );
}

/** One document: inline view, marks, masking, edit and delete of one's own uploads, who can see it. */
export default function DocumentPage({ params }: { params: Record<string, string> }) {
  const t = useT();
  const lang = useLang();
  const { current, session } = usePatient();
  const id = current?.patientId ?? null;
  // One document's metadata: one read in the history, not a listing of the whole record.
  const docs = useResource<DocumentView>(id === null ? null : `/api/spaces/${id}/documents/${params.documentId ?? ''}`);
  const doc = docs.data ?? undefined;
  usePageTitle(doc?.title ?? t.document.title);
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);

  if (docs.loading || id === null) return <Loading />;
  if (docs.error !== null && !(docs.error instanceof ApiError && docs.error.status === 404)) return <ErrorAlert error={docs.error} />;
  if (doc === undefined) {
    return (
      <>
        <h1>{t.document.notFound}</h1>
        <p>{t.document.notFoundText}</p>
      </>
    );
  }

  const replace = (d: DocumentView) => {
    docs.set(d);
  };
  const setMasked = async (masked: boolean) => {
    setError(null);
    try {
      replace(await api<DocumentView>('POST', `/api/spaces/${id}/documents/${doc.documentId}/${masked ? 'mask' : 'unmask'}`));
      setMessage(masked ? t.document.maskedDone : t.document.unmaskedDone);
    } catch (e) {
      setError(e);
    }
  };
  const remove = async () => {
    setError(null);
    try {
      await api('DELETE', `/api/spaces/${id}/documents/${doc.documentId}`);
      navigate('/documents');
    } catch (e) {
      setError(e);
    }
  };
  const own = isOwnUpload(doc);
  // An aidant neither masks nor deletes documents (decide(): not among their writes); not offered.
  const isAidant = current?.role === 'aidant';

  return (
    <>
      <Breadcrumb currentPageLabel={doc.title} segments={[{ label: t.documents.title, linkProps: { href: '/documents' } }]} homeLinkProps={{ href: '/accueil' }} />
      <h1>{doc.title}</h1>
      <p className="carnet-badges">
        <AuthorBadge doc={doc} me={session?.patientId ?? null} /> <MaskedBadge doc={doc} />
      </p>
      {message !== null ? <Success>{message}</Success> : null}
      <ErrorAlert error={error} />
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-lg-8">
          <Viewer src={`/api/spaces/${id}/documents/${doc.documentId}/content`} format={doc.format} title={doc.title} canDownload={current?.capabilities.canDownload ?? false} />
        </div>
        <div className="fr-col-12 fr-col-lg-4">
          <dl className="carnet-dl">
            <dt>{t.document.type}</dt>
            <dd>{typeLabel(lang, doc.typeCode)}</dd>
            <dt>{t.document.category}</dt>
            <dd>{classLabel(lang, doc.classCode)}</dd>
            <dt>{t.document.date}</dt>
            <dd>{formatDate(lang, doc.createdOn)}</dd>
            <dt>{t.document.added}</dt>
            <dd>{formatDateTime(lang, doc.submittedAt)}</dd>
            <dt>{t.document.author}</dt>
            <dd>{[doc.author.name, doc.author.organisation].filter(Boolean).join(', ') || '–'}</dd>
            <dt>{t.document.size}</dt>
            <dd>{formatSize(lang, doc.size)}</dd>
            <dt>{t.document.visibility}</dt>
            <dd>{doc.flags.maskedToProfessionals ? t.document.maskedExplain : t.document.visibleExplain}</dd>
          </dl>
          <div className="carnet-actions carnet-actions--column">
            {!isAidant && doc.flags.maskedToProfessionals ? (
              <Button priority="secondary" iconId="fr-icon-eye-line" onClick={() => void setMasked(false)}>
                {t.document.unmask}
              </Button>
            ) : null}
            {!isAidant && !doc.flags.maskedToProfessionals ? (
              <Button priority="secondary" iconId="fr-icon-eye-off-line" onClick={() => void setMasked(true)}>
                {t.document.mask}
              </Button>
            ) : null}
            {own ? (
              <Button priority="secondary" iconId="fr-icon-edit-line" onClick={() => setEditing(true)}>
                {t.document.edit}
              </Button>
            ) : null}
            {own && !isAidant ? (
              <Button priority="tertiary" iconId="fr-icon-delete-line" onClick={() => setConfirmDelete(true)}>
                {t.document.delete}
              </Button>
            ) : null}
          </div>
          {confirmDelete ? <Confirm question={t.document.confirmDelete} yes={t.document.confirmDeleteYes} onYes={() => void remove()} onCancel={() => setConfirmDelete(false)} /> : null}
        </div>
      </div>
      {editing ? (
        <EditForm
          doc={doc}
          patientId={id}
          onCancel={() => setEditing(false)}
          onSaved={(d) => {
            replace(d);
            setEditing(false);
            setMessage(t.document.saved);
          }}
        />
      ) : null}
      <WhoCanSee patientId={id} documentId={doc.documentId} />
    </>
  );
}

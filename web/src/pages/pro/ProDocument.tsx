import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Breadcrumb } from '@codegouvfr/react-dsfr/Breadcrumb';
import { typeLabel } from '../../doctypes.ts';
import { formatDate, useLang, useT } from '../../i18n/index.ts';
import { usePro } from '../../session.tsx';
import type { DocumentView } from '../../types.ts';
import { ApiError } from '../../api.ts';
import { ErrorAlert, Loading } from '../../ui/feedback.tsx';
import { usePageTitle, useResource } from '../../ui/hooks.ts';
import { Viewer } from '../../ui/Viewer.tsx';
import { modeQuery, patientName, recallPatient, useEmergency } from './emergency.tsx';
import { ProSignInPanel, WhoAmI } from './common.tsx';

/** One document, read by a professional: inline, with the warning when the patient does not see it yet. */
export default function ProDocument({ params }: { params: Record<string, string> }) {
  const t = useT();
  const lang = useLang();
  const { me } = usePro();
  const { emergency } = useEmergency();
  const patientId = params.patientId ?? '';
  const documentId = params.documentId ?? '';
  const q = modeQuery(emergency, patientId);
  const docs = useResource<DocumentView>(me ? `/api/pro/patients/${patientId}/documents/${documentId}${q}` : null);
  const doc = docs.data ?? undefined;
  const name = patientName(recallPatient(patientId)) || t.pro.patient.unknown;
  usePageTitle(doc?.title ?? t.document.title);

  if (me === undefined) return <Loading />;
  if (me === null) return <ProSignInPanel returnTo={`/pro/patients/${patientId}/documents/${documentId}`} />;
  if (docs.loading) return <Loading />;
  if (docs.error !== null && !(docs.error instanceof ApiError && docs.error.status === 404)) return <ErrorAlert error={docs.error} />;
  if (doc === undefined) {
    return (
      <>
        <h1>{t.document.notFound}</h1>
        <p>{t.document.notFoundText}</p>
      </>
    );
  }
  return (
    <>
      <WhoAmI me={me} />
      <Breadcrumb currentPageLabel={doc.title} segments={[{ label: name, linkProps: { href: `/pro/patients/${patientId}` } }]} homeLinkProps={{ href: '/pro/patients' }} />
      <h1>{doc.title}</h1>
      <p className="fr-text--sm">
        {typeLabel(lang, doc.typeCode)} · {formatDate(lang, doc.createdOn)} {doc.author.name ? `· ${doc.author.name}` : ''}
      </p>
      {doc.warnings.includes('invisible_to_patient') ? (
        <div className="fr-mb-3w">
          <Alert severity="error" title={t.pro.document.invisibleTitle} description={t.pro.document.invisibleText(formatDate(lang, doc.flags.invisibleToPatientUntil))} />
        </div>
      ) : null}
      <Viewer src={`/api/pro/patients/${patientId}/documents/${documentId}/content${q}`} format={doc.format} title={doc.title} canDownload />
    </>
  );
}

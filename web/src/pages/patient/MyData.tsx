import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { useT } from '../../i18n/index.ts';
import { usePatient } from '../../session.tsx';
import { Refusal } from '../../ui/feedback.tsx';
import { usePageTitle } from '../../ui/hooks.ts';

/** "Télécharger toutes mes données": one ZIP of the open space (the holder, a child's representative; never an aidant). */
export default function MyData() {
  const t = useT();
  const { current } = usePatient();
  usePageTitle(t.myData.title);
  if (current === null) return null;
  if (!current.capabilities.canDownload) return <Refusal title={t.myData.title} role={current.role} name={current.name} />;
  return (
    <>
      <h1>{t.myData.title}</h1>
      <p className="fr-text--lead">{t.myData.lead(current.name)}</p>
      <ul>
        {t.myData.contents.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <Alert severity="info" small description={t.myData.sensitive} className="fr-mb-3w" />
      {/* A plain link: the browser downloads it with the session cookie (a GET, same origin). */}
      <a className="fr-btn fr-btn--icon-left fr-icon-download-line" href={`/api/spaces/${current.patientId}/export`} download>
        {t.myData.download}
      </a>
    </>
  );
}

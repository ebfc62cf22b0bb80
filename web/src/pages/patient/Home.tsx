import { Alert } from '@codegouvfr/react-dsfr/Alert';
import { Tile } from '@codegouvfr/react-dsfr/Tile';
import { formatDate, formatDateTime, useLang, useT } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { usePatient } from '../../session.tsx';
import type { DocumentList, TraceEntry, TracePage } from '../../types.ts';
import { ErrorAlert, Loading } from '../../ui/feedback.tsx';
import { usePageTitle, useResource } from '../../ui/hooks.ts';
import { AuthorBadge, MaskedBadge } from '../../ui/docs.tsx';
import { actionLabel, actorLabel } from './labels.ts';

const DAYS_30 = 30 * 24 * 3600 * 1000;

interface Group {
  /** The latest entry of this professional in this mode. */
  entry: TraceEntry;
  count: number;
}

/** One line per professional and access mode (newest first): a consultation makes several trace entries. */
function groupByActor(entries: TraceEntry[]): Group[] {
  const groups = new Map<string, Group>();
  for (const e of entries) {
    const key = `${e.actorName ?? ''}|${e.mode}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { entry: e, count: 1 });
  }
  return [...groups.values()];
}

/** The home page: what is new in the space open now. */
export default function Home() {
  const t = useT();
  const lang = useLang();
  const { current, session } = usePatient();
  usePageTitle(t.home.title);
  const id = current?.patientId ?? null;
  const docs = useResource<DocumentList>(id === null ? null : `/api/spaces/${id}/documents`);
  const canReadTrace = current?.capabilities.canReadTrace !== false;
  const trace = useResource<TracePage>(id === null || !canReadTrace ? null : `/api/spaces/${id}/trace?limit=50`);
  const since = Date.now() - DAYS_30;

  const newDocs = (docs.data?.documents ?? []).filter((d) => Date.parse(d.submittedAt) >= since && d.author.id !== session?.patientId).slice(0, 5);
  const proEvents = (trace.data?.entries ?? []).filter((e) => e.actorType === 'professional' && Date.parse(e.at) >= since && e.action !== 'access_denied');
  const accesses = groupByActor(proEvents).slice(0, 5);
  const emergencies = accesses.filter((g) => g.entry.mode !== 'normal');
  const mine = current?.role === 'holder';

  return (
    <>
      <h1>{mine ? t.home.hello(session?.displayName ?? '') : t.home.spaceOf(current?.name ?? '')}</h1>
      <p className="fr-text--lead">{t.home.lead}</p>
      {emergencies.length > 0 ? (
        <div className="fr-mb-3w">
          <Alert
            severity="warning"
            title={t.home.emergencyTitle(emergencies.length)}
            description={
              <>
                {emergencies.slice(0, 3).map(({ entry: e }) => (
                  <span key={e.seq} className="carnet-block">
                    {t.home.emergencyLine(actorLabel(t, e), formatDateTime(lang, e.at), t.trace.modes[e.mode as 'samu'] ?? e.mode)}
                  </span>
                ))}
                <Link href="/historique" className="fr-link">
                  {t.home.seeHistory}
                </Link>
              </>
            }
          />
        </div>
      ) : null}
      <div className="fr-grid-row fr-grid-row--gutters">
        <section className="fr-col-12 fr-col-md-6" aria-labelledby="new-docs">
          <h2 id="new-docs" className="fr-h4">
            {t.home.newDocuments}
          </h2>
          {docs.loading ? <Loading /> : <ErrorAlert error={docs.error} />}
          {docs.data && newDocs.length === 0 ? <p>{t.home.noNewDocuments}</p> : null}
          <ul className="carnet-list">
            {newDocs.map((d) => (
              <li key={d.documentId}>
                <Link href={`/documents/${d.documentId}`} className="fr-link">
                  {d.title}
                </Link>{' '}
                <span className="fr-text--sm">{formatDate(lang, d.submittedAt)}</span> <AuthorBadge doc={d} me={session?.patientId ?? null} /> <MaskedBadge doc={d} />
              </li>
            ))}
          </ul>
          <Link href="/documents" className="fr-link fr-icon-arrow-right-line fr-link--icon-right">
            {t.home.allDocuments(docs.data?.documents.length ?? 0)}
          </Link>
        </section>
        {canReadTrace ? (
        <section className="fr-col-12 fr-col-md-6" aria-labelledby="recent-access">
          <h2 id="recent-access" className="fr-h4">
            {t.home.recentAccess}
          </h2>
          {trace.loading ? <Loading /> : <ErrorAlert error={trace.error} />}
          {trace.data && accesses.length === 0 ? <p>{t.home.noAccess}</p> : null}
          <ul className="carnet-list">
            {accesses.map(({ entry: e, count }) => (
              <li key={e.seq}>
                <strong>{actorLabel(t, e)}</strong>
                {e.mode !== 'normal' ? ` (${t.trace.modes[e.mode as 'samu'] ?? e.mode})` : ''}
                <br />
                <span className="fr-text--sm">
                  {t.home.lastAction(actionLabel(t, e.action), formatDateTime(lang, e.at), count)}
                </span>
              </li>
            ))}
          </ul>
          <Link href="/historique" className="fr-link fr-icon-arrow-right-line fr-link--icon-right">
            {t.home.seeHistory}
          </Link>
        </section>
        ) : null}
      </div>
      <h2 className="fr-h4 fr-mt-4w">{t.home.shortcuts}</h2>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6 fr-col-lg-3">
          <Tile title={t.nav.documents} desc={t.home.documentsDesc} linkProps={{ href: '/documents' }} />
        </div>
        <div className="fr-col-12 fr-col-md-6 fr-col-lg-3">
          <Tile title={t.nav.profileMenu} desc={t.home.profileDesc} linkProps={{ href: '/profil' }} />
        </div>
        {current?.capabilities.canManageSettings !== false ? (
          <div className="fr-col-12 fr-col-md-6 fr-col-lg-3">
            <Tile title={t.nav.access} desc={t.home.accessDesc} linkProps={{ href: '/acces' }} />
          </div>
        ) : null}
        {canReadTrace ? (
          <div className="fr-col-12 fr-col-md-6 fr-col-lg-3">
            <Tile title={t.nav.history} desc={t.home.historyDesc} linkProps={{ href: '/historique' }} />
          </div>
        ) : null}
      </div>
    </>
  );
}

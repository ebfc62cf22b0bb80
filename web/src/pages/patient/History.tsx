import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { get } from '../../api.ts';
import { formatDateTime, useLang, useT } from '../../i18n/index.ts';
import { usePatient } from '../../session.tsx';
import type { DocumentList, TraceEntry, TracePage } from '../../types.ts';
import { ErrorAlert, Loading } from '../../ui/feedback.tsx';
import { usePageTitle, useResource } from '../../ui/hooks.ts';
import { Link } from '../../router.tsx';
import { actionLabel, actorLabel, documentTarget } from './labels.ts';

const ACTOR_TYPES = ['patient', 'representative', 'aidant', 'professional', 'insurer', 'operator', 'system', 'app'] as const;

interface Filters {
  from: string;
  to: string;
  actorType: string;
}

/** The activity history of the space (R. 1111-43): newest first, filtered by dates and actor type. */
export default function History() {
  const t = useT();
  const lang = useLang();
  const { current } = usePatient();
  usePageTitle(t.trace.title);
  const id = current?.patientId ?? null;
  const [filters, setFilters] = useState<Filters>({ from: '', to: '', actorType: '' });
  const [entries, setEntries] = useState<TraceEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  // The documents the reader can see, fetched once: an event about one of them names it.
  const docs = useResource<DocumentList>(id !== null && current?.capabilities.canReadRecord !== false ? `/api/spaces/${id}/documents` : null);
  const titles = new Map((docs.data?.documents ?? []).map((d) => [d.documentId, d.title]));

  const load = async (f: Filters, after: string | null) => {
    if (id === null) return;
    const q = new URLSearchParams({ limit: '50' });
    if (f.from) q.set('from', f.from);
    if (f.to) q.set('to', f.to);
    if (f.actorType) q.set('actorType', f.actorType);
    if (after) q.set('cursor', after);
    setLoading(true);
    setError(null);
    try {
      const page = await get<TracePage>(`/api/spaces/${id}/trace?${q.toString()}`);
      setEntries((prev) => (after ? [...prev, ...page.entries] : page.entries));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    void load(filters, null);
    // Reloaded when the open space changes; filters apply on submit.
  }, [id]);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const next = { from: String(f.get('from') ?? ''), to: String(f.get('to') ?? ''), actorType: String(f.get('actorType') ?? '') };
    setFilters(next);
    void load(next, null);
  };

  return (
    <>
      <h1>{t.trace.title}</h1>
      <p className="fr-text--lead">{t.trace.lead}</p>
      <form onSubmit={submit} className="carnet-panel fr-p-2w fr-mb-3w" aria-label={t.trace.filters}>
        <div className="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
          <div className="fr-col-12 fr-col-sm-6 fr-col-md-3">
            <Input label={t.trace.from} nativeInputProps={{ name: 'from', type: 'date', defaultValue: filters.from }} />
          </div>
          <div className="fr-col-12 fr-col-sm-6 fr-col-md-3">
            <Input label={t.trace.to} nativeInputProps={{ name: 'to', type: 'date', defaultValue: filters.to }} />
          </div>
          <div className="fr-col-12 fr-col-sm-6 fr-col-md-3">
            <Select label={t.trace.who} nativeSelectProps={{ name: 'actorType', defaultValue: filters.actorType }}>
              <option value="">{t.trace.everyone}</option>
              {ACTOR_TYPES.map((a) => (
                <option key={a} value={a}>
                  {t.trace.actorTypes[a]}
                </option>
              ))}
            </Select>
          </div>
          <div className="fr-col-12 fr-col-sm-6 fr-col-md-3">
            <Button type="submit" iconId="fr-icon-filter-line" className="fr-mb-3w">
              {t.trace.apply}
            </Button>
          </div>
        </div>
      </form>
      <ErrorAlert error={error} />
      {!loading && entries.length === 0 && error === null ? <p>{t.trace.empty}</p> : null}
      <ol className="carnet-trace" aria-label={t.trace.title}>
        {entries.map((e) => (
          <li key={e.seq} className={`carnet-trace__item ${e.mode !== 'normal' ? 'carnet-trace__item--emergency' : ''}`}>
            <p className="fr-text--sm fr-mb-0 carnet-trace__when">{formatDateTime(lang, e.at)}</p>
            <p className="fr-mb-0">
              <strong>{actorLabel(t, e)}</strong> <span className="fr-text--sm">({t.trace.actorTypes[e.actorType as 'patient'] ?? e.actorType})</span>
            </p>
            <p className="fr-mb-0">
              {actionLabel(t, e.action)}
              {(() => {
                const docId = documentTarget(e);
                const title = docId === null ? undefined : titles.get(docId);
                return title === undefined ? null : (
                  <>
                    {t.trace.separator}
                    <Link href={`/documents/${docId}`}>{t.trace.quoted(title)}</Link>
                  </>
                );
              })()}{' '}
              {e.mode !== 'normal' ? (
                <Badge small severity="warning">
                  {t.trace.modes[e.mode as 'samu'] ?? e.mode}
                </Badge>
              ) : null}
            </p>
          </li>
        ))}
      </ol>
      {loading ? <Loading /> : null}
      {cursor !== null && !loading ? (
        <Button priority="secondary" onClick={() => void load(filters, cursor)}>
          {t.trace.more}
        </Button>
      ) : null}
    </>
  );
}

/**
 * The parts of a patient's medical profile a professional may read (read-only): the health
 * history and the entourage & volontés, each as the server answers in the current access mode.
 * What the matrix or the patient's choices keep from them answers 404: the section says so.
 */
import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { ApiError } from '../../api.ts';
import { formatDate, useLang, useT } from '../../i18n/index.ts';
import { LIST_SECTIONS } from '../../profile-types.ts';
import type { AdvanceDirectivesView, EntourageView, HealthHistory } from '../../profile-types.ts';
import { Link } from '../../router.tsx';
import { ErrorAlert, Loading } from '../../ui/feedback.tsx';
import { useResource } from '../../ui/hooks.ts';
import type { Resource } from '../../ui/hooks.ts';
import { entryDetails, entryTitle } from '../../ui/health-history.ts';

const hidden = (r: Resource<unknown>) => r.error instanceof ApiError && r.error.status === 404;

/** Loading, the neutral "not available to you" for a 404, or the error. */
function State({ res, what }: { res: Resource<unknown>; what: string }) {
  if (res.loading && res.data === undefined) return <Loading />;
  if (hidden(res)) return <p className="carnet-entry__meta">{what}</p>;
  return <ErrorAlert error={res.error} />;
}

export function ProHealthHistory({ patientId, modeQuery }: { patientId: string; modeQuery: string }) {
  const t = useT();
  const lang = useLang();
  const res = useResource<HealthHistory>(`/api/pro/patients/${patientId}/health-history${modeQuery}`);
  const h = res.data;
  const rh = (v: string) => (v === 'positive' ? t.profile.bloodGroup.positive : t.profile.bloodGroup.negative);
  return (
    <section aria-labelledby="pro-health-history" className="fr-mt-5w">
      <h2 id="pro-health-history" className="fr-h4">
        {t.pro.record.healthHistory}
      </h2>
      <State res={res} what={t.pro.record.notShown} />
      {h ? (
        <>
          <h3 className="fr-h6 fr-mb-1v">{t.profile.bloodGroup.title}</h3>
          <p>{h.bloodGroup ? t.profile.bloodGroup.stated(`${h.bloodGroup.value.abo} ${rh(h.bloodGroup.value.rh)}`, formatDate(lang, h.bloodGroup.value.statedOn)) : t.profile.bloodGroup.none}</p>
          {LIST_SECTIONS.map((section) => {
            const state = h[section];
            return (
              <div key={section} className="fr-mb-2w">
                <h3 className="fr-h6 fr-mb-1v">{t.profile.sections[section]}</h3>
                {state.notConcerned !== null ? <p className="fr-text--sm fr-mb-1v">{t.profile.notConcernedSince(formatDate(lang, state.notConcerned.statedOn))}</p> : null}
                {state.entries.length === 0 && state.notConcerned === null ? <p className="fr-text--sm carnet-entry__meta">{t.profile.empty}</p> : null}
                {state.entries.length > 0 ? (
                  <ul className="carnet-list fr-mt-0">
                    {state.entries.map((e) => (
                      <li key={e.id}>
                        <strong>{entryTitle(section, e)}</strong>
                        {entryDetails(t, section, e) ? <span className="fr-text--sm"> · {entryDetails(t, section, e)}</span> : null}
                        {typeof e.note === 'string' && e.note ? <span className="fr-text--sm carnet-block">{e.note}</span> : null}
                        {e.recordedBy.kind !== 'patient' && e.recordedBy.name ? <span className="fr-text--xs carnet-block carnet-entry__meta">{t.profile.by(e.recordedBy.name)}</span> : null}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </div>
            );
          })}
        </>
      ) : null}
    </section>
  );
}

export function ProEntourage({ patientId, modeQuery }: { patientId: string; modeQuery: string }) {
  const t = useT();
  const lang = useLang();
  const res = useResource<EntourageView>(`/api/pro/patients/${patientId}/entourage${modeQuery}`);
  const directives = useResource<{ advanceDirectives: AdvanceDirectivesView | null }>(`/api/pro/patients/${patientId}/entourage/advance-directives${modeQuery}`);
  const e = res.data;
  const d = directives.data?.advanceDirectives;
  return (
    <section aria-labelledby="pro-entourage" className="fr-mt-5w">
      <h2 id="pro-entourage" className="fr-h4">
        {t.pro.record.entourage}
      </h2>
      <State res={res} what={t.pro.record.notShown} />
      {e ? (
        <>
          <h3 className="fr-h6 fr-mb-1v">{t.pro.record.contacts}</h3>
          {e.contacts.length === 0 ? <p className="fr-text--sm carnet-entry__meta">{t.pro.record.contactsNone}</p> : null}
          {e.contacts.length > 0 ? (
            <ul className="carnet-list fr-mt-0">
              {e.contacts.map((c) => (
                <li key={c.contactId}>
                  <strong>{[c.givenName, c.familyName].filter(Boolean).join(' ')}</strong>{' '}
                  <Badge small severity={c.kind === 'trusted_person' ? 'info' : undefined} noIcon={c.kind !== 'trusted_person'}>
                    {t.entourage.kinds[c.kind]}
                  </Badge>
                  <span className="fr-text--sm carnet-block">
                    {[c.relation.code === 'other' ? c.relationText : ((t.entourage.relations as Record<string, string>)[c.relation.code] ?? c.relation.label), c.phone, c.email].filter(Boolean).join(' · ')}
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
          <h3 className="fr-h6 fr-mb-1v">{t.entourage.donationTitle}</h3>
          <p className="fr-text--sm">
            {e.organDonation
              ? `${(t.pro.record.donation as Record<string, string>)[e.organDonation.position] ?? e.organDonation.position}${e.organDonation.comment ? ` (${e.organDonation.comment})` : ''}. ${t.entourage.donationStated(formatDate(lang, e.organDonation.statedOn))}`
              : t.pro.record.donationNone}
          </p>
        </>
      ) : null}
      {res.data !== undefined || !hidden(res) ? (
        <>
          <h3 className="fr-h6 fr-mb-1v">{t.entourage.directivesTitle}</h3>
          <State res={directives} what={t.pro.record.directivesNotShown} />
          {directives.data && d === null ? <p className="fr-text--sm carnet-entry__meta">{t.entourage.directivesNone}</p> : null}
          {d ? (
            <p className="fr-text--sm">
              {t.entourage.directivesInForce(formatDate(lang, d.writtenOn), t.entourage.directivesSource[d.source])}{' '}
              <Link href={`/pro/patients/${patientId}/documents/${d.documentId}`}>{t.entourage.directivesOpen}</Link>
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

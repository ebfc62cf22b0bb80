import { Button } from '@codegouvfr/react-dsfr/Button';
import { Checkbox } from '@codegouvfr/react-dsfr/Checkbox';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api.ts';
import { formatDate, useLang, useT } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { usePatient } from '../../session.tsx';
import type { DocumentView } from '../../types.ts';
import { LIST_SECTIONS, SECTION_SEGMENTS } from '../../profile-types.ts';
import type { HealthHistory, HistoryEntry, Lifestyle, ListSection } from '../../profile-types.ts';
import { Confirm } from '../../ui/Confirm.tsx';
import { FIELDS, TITLE, entryDetails, entryTitle, optionLabel } from '../../ui/health-history.ts';
import type { Field } from '../../ui/health-history.ts';
import { ErrorAlert, Loading, Success } from '../../ui/feedback.tsx';
import { usePageTitle, useResource } from '../../ui/hooks.ts';

/** The JSON body of an entry form: empty optional fields left out. */
function bodyOf(fields: Field[], f: FormData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (field.kind === 'bool') {
      out[field.name] = f.get(field.name) === 'on';
      continue;
    }
    const v = String(f.get(field.name) ?? '').trim();
    if (v === '') continue;
    out[field.name] = field.kind === 'int' ? Number(v) : v;
  }
  return out;
}

function EntryForm({ section, entry, patientId, onDone, onCancel }: { section: ListSection; entry: HistoryEntry | null; patientId: string; onDone: (m: string) => void; onCancel: () => void }) {
  const t = useT();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const fields = FIELDS[section];
  const prefix = `${section}-${entry?.id ?? 'new'}`;
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const body = bodyOf(fields, new FormData(e.currentTarget));
    setBusy(true);
    setError(null);
    try {
      const url = `/api/spaces/${patientId}/health-history/${SECTION_SEGMENTS[section]}`;
      if (entry === null) await api('POST', url, body);
      else await api('PUT', `${url}/${entry.id}`, body);
      onDone(t.profile.saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const value = (name: string) => {
    const v = entry?.[name];
    return v === undefined || v === null ? '' : String(v);
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="carnet-panel fr-p-3w fr-my-2w" aria-labelledby={`${prefix}-title`}>
      <h3 id={`${prefix}-title`} className="fr-h6">
        {entry === null ? t.profile.addTo(t.profile.sections[section]) : t.profile.editTitle(value(TITLE[section]))}
      </h3>
      <ErrorAlert error={error} />
      <div className="fr-grid-row fr-grid-row--gutters">
        {fields.map((field) => {
          const label = t.profile.fields[field.name];
          const col = field.kind === 'textarea' ? 'fr-col-12' : 'fr-col-12 fr-col-md-6';
          if (field.kind === 'bool')
            return (
              <div key={field.name} className={col}>
                <Checkbox options={[{ label, nativeInputProps: { name: field.name, defaultChecked: entry === null ? true : entry[field.name] === true } }]} />
              </div>
            );
          if (field.kind === 'select')
            return (
              <div key={field.name} className={col}>
                <Select label={label} nativeSelectProps={{ name: field.name, required: field.required, defaultValue: value(field.name) || (field.required ? field.options?.[0] : '') }}>
                  {field.required ? null : <option value="">–</option>}
                  {field.options?.map((o) => (
                    <option key={o} value={o}>
                      {optionLabel(t, field.name, o)}
                    </option>
                  ))}
                </Select>
              </div>
            );
          if (field.kind === 'textarea')
            return (
              <div key={field.name} className={col}>
                <Input textArea label={label} nativeTextAreaProps={{ name: field.name, maxLength: field.max, rows: 2, defaultValue: value(field.name) }} />
              </div>
            );
          return (
            <div key={field.name} className={col}>
              <Input
                label={label}
                hintText={field.kind === 'partialDate' ? t.profile.partialDateHint : undefined}
                nativeInputProps={{
                  name: field.name,
                  required: field.required,
                  maxLength: field.kind === 'partialDate' ? 10 : field.max,
                  defaultValue: value(field.name),
                  autoComplete: 'off',
                  ...(field.kind === 'partialDate' ? { pattern: '[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?' } : {}),
                  ...(field.kind === 'int' ? { type: 'number', min: 0, max: 130, inputMode: 'numeric' as const } : {}),
                }}
              />
            </div>
          );
        })}
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

/** One list section: entries (edit, delete), add, "not concerned" with its date. */
function Section({ section, history, patientId, canEdit, onChanged }: { section: ListSection; history: HealthHistory; patientId: string; canEdit: boolean; onChanged: (m: string) => void }) {
  const t = useT();
  const lang = useLang();
  const [editing, setEditing] = useState<HistoryEntry | 'new' | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const state = history[section];
  const url = `/api/spaces/${patientId}/health-history/${SECTION_SEGMENTS[section]}`;
  const name = t.profile.sections[section];
  const act = async (method: 'PUT' | 'DELETE', path: string, message: string) => {
    setError(null);
    try {
      await api(method, path);
      setConfirm(null);
      onChanged(message);
    } catch (err) {
      setError(err);
    }
  };
  const titleOf = (e: HistoryEntry) => entryTitle(section, e);
  const details = (e: HistoryEntry) => entryDetails(t, section, e);
  const headingId = `section-${section}`;

  return (
    <section aria-labelledby={headingId} className="carnet-section">
      <div className="carnet-title-row">
        <h2 id={headingId} className="fr-h4">
          {name}
        </h2>
        {canEdit && editing === null ? (
          <div className="carnet-actions fr-mt-0">
            <Button size="small" priority="secondary" iconId="fr-icon-add-line" title={t.profile.addTo(name)} onClick={() => setEditing('new')}>
              {t.profile.add}
            </Button>
            {state.entries.length === 0 && state.notConcerned === null ? (
              <Button size="small" priority="tertiary" title={t.profile.notConcernedTitle(name)} onClick={() => void act('PUT', `${url}/not-concerned`, t.profile.saved)}>
                {t.profile.notConcerned}
              </Button>
            ) : null}
          </div>
        ) : null}
      </div>
      <ErrorAlert error={error} />
      {state.notConcerned !== null ? (
        <p>
          {t.profile.notConcernedSince(formatDate(lang, state.notConcerned.statedOn))}{' '}
          {canEdit ? (
            <Button size="small" priority="tertiary no outline" onClick={() => void act('DELETE', `${url}/not-concerned`, t.profile.saved)} title={`${t.profile.withdrawNotConcerned} – ${name}`}>
              {t.profile.withdrawNotConcerned}
            </Button>
          ) : null}
        </p>
      ) : null}
      {state.entries.length === 0 && state.notConcerned === null ? <p className="carnet-entry__meta">{t.profile.empty}</p> : null}
      {editing === 'new' ? <EntryForm section={section} entry={null} patientId={patientId} onDone={(m) => { setEditing(null); onChanged(m); }} onCancel={() => setEditing(null)} /> : null}
      <ul className="carnet-doc-list">
        {state.entries.map((e) => (
          <li key={e.id} className="carnet-entry">
            {editing !== 'new' && editing?.id === e.id ? (
              <EntryForm section={section} entry={e} patientId={patientId} onDone={(m) => { setEditing(null); onChanged(m); }} onCancel={() => setEditing(null)} />
            ) : (
              <>
                <h3 className="fr-h6 fr-mb-1v">{titleOf(e)}</h3>
                <p className="fr-text--sm fr-mb-1v">{details(e)}</p>
                {typeof e.note === 'string' && e.note ? <p className="fr-text--sm fr-mb-1v">{e.note}</p> : null}
                {e.recordedBy.kind !== 'patient' && e.recordedBy.name ? <p className="fr-text--xs fr-mb-1v carnet-entry__meta">{t.profile.by(e.recordedBy.name)}</p> : null}
                {canEdit ? (
                  confirm === e.id ? (
                    <Confirm question={`${t.profile.deleteTitle(titleOf(e))} ?`} yes={t.profile.delete} onYes={() => void act('DELETE', `${url}/${e.id}`, t.profile.deleted)} onCancel={() => setConfirm(null)} />
                  ) : (
                    <div className="carnet-actions fr-mt-1w">
                      <Button size="small" priority="secondary" iconId="fr-icon-edit-line" title={t.profile.editTitle(titleOf(e))} onClick={() => setEditing(e)}>
                        {t.profile.edit}
                      </Button>
                      <Button size="small" priority="tertiary" iconId="fr-icon-delete-line" title={t.profile.deleteTitle(titleOf(e))} onClick={() => setConfirm(e.id)}>
                        {t.profile.delete}
                      </Button>
                    </div>
                  )
                ) : null}
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function BloodGroup({ history, patientId, canEdit, onChanged }: { history: HealthHistory; patientId: string; canEdit: boolean; onChanged: (m: string) => void }) {
  const t = useT();
  const lang = useLang();
  const [error, setError] = useState<unknown>(null);
  const bg = history.bloodGroup;
  const url = `/api/spaces/${patientId}/health-history/blood-group`;
  const save = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const statedOn = String(f.get('statedOn') ?? '');
    setError(null);
    try {
      await api('PUT', url, { abo: f.get('abo'), rh: f.get('rh'), ...(statedOn ? { statedOn } : {}) });
      onChanged(t.profile.saved);
    } catch (err) {
      setError(err);
    }
  };
  const remove = async () => {
    setError(null);
    try {
      await api('DELETE', url);
      onChanged(t.profile.deleted);
    } catch (err) {
      setError(err);
    }
  };
  const rh = (v: string) => (v === 'positive' ? t.profile.bloodGroup.positive : t.profile.bloodGroup.negative);
  return (
    <section aria-labelledby="blood-group" className="carnet-section">
      <h2 id="blood-group" className="fr-h4">
        {t.profile.bloodGroup.title}
      </h2>
      <p>{bg ? t.profile.bloodGroup.stated(`${bg.value.abo} ${rh(bg.value.rh)}`, formatDate(lang, bg.value.statedOn)) : t.profile.bloodGroup.none}</p>
      <ErrorAlert error={error} />
      {canEdit ? (
        <form onSubmit={(e) => void save(e)} className="carnet-inline-form" key={bg?.updatedAt ?? 'none'}>
          <Select label={t.profile.bloodGroup.abo} nativeSelectProps={{ name: 'abo', defaultValue: bg?.value.abo ?? 'O' }}>
            {['A', 'B', 'AB', 'O'].map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </Select>
          <Select label={t.profile.bloodGroup.rh} nativeSelectProps={{ name: 'rh', defaultValue: bg?.value.rh ?? 'positive' }}>
            <option value="positive">{t.profile.bloodGroup.positive}</option>
            <option value="negative">{t.profile.bloodGroup.negative}</option>
          </Select>
          <Input label={t.profile.bloodGroup.statedOn} nativeInputProps={{ name: 'statedOn', type: 'date', defaultValue: bg?.value.statedOn ?? '' }} />
          <Button type="submit" priority="secondary">
            {t.common.save}
          </Button>
          {bg ? (
            <Button type="button" priority="tertiary" onClick={() => void remove()}>
              {t.profile.bloodGroup.remove}
            </Button>
          ) : null}
        </form>
      ) : null}
    </section>
  );
}

const TOBACCO = ['never', 'former', 'current'] as const;
const ALCOHOL = ['never', 'former', 'occasional', 'regular'] as const;
const ACTIVITY = ['sedentary', 'low', 'moderate', 'high'] as const;
const DIETS = ['omnivore', 'pescatarian', 'vegetarian', 'vegan', 'gluten_free', 'lactose_free', 'low_salt', 'low_sugar', 'halal', 'kosher', 'other'] as const;

function LifestyleSection({ patientId, canEdit }: { patientId: string; canEdit: boolean }) {
  const t = useT();
  const lang = useLang();
  const res = useResource<{ lifestyle: { value: Lifestyle } | null }>(`/api/spaces/${patientId}/lifestyle`);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const l = res.data?.lifestyle?.value ?? null;
  const L = t.profile.lifestyle;
  const save = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const s = (k: string) => String(f.get(k) ?? '');
    const body: Record<string, unknown> = {};
    if (s('tobacco')) body.tobacco = { status: s('tobacco') };
    if (s('alcohol')) body.alcohol = { status: s('alcohol') };
    if (s('activity')) body.physicalActivity = { level: s('activity'), ...(s('minutes') ? { minutesPerWeek: Number(s('minutes')) } : {}) };
    const kinds = f.getAll('diet').map(String);
    if (kinds.length > 0) body.diet = { kinds };
    setError(null);
    setSaved(false);
    if (Object.keys(body).length === 0) {
      setError(new Error(L.atLeastOne));
      return;
    }
    try {
      await api('PUT', `/api/spaces/${patientId}/lifestyle`, body);
      setSaved(true);
      res.reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async () => {
    setError(null);
    try {
      await api('DELETE', `/api/spaces/${patientId}/lifestyle`);
      res.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="lifestyle" className="carnet-section">
      <h2 id="lifestyle" className="fr-h4">
        {L.title}
      </h2>
      <p className="fr-text--sm">{L.help}</p>
      {res.loading && res.data === undefined ? <Loading /> : <ErrorAlert error={res.error} />}
      {res.data ? <p>{l ? L.stated(formatDate(lang, l.statedOn)) : L.none}</p> : null}
      <div aria-live="polite">{saved ? <Success>{t.profile.saved}</Success> : null}</div>
      {error instanceof Error && !('status' in error) ? <p className="fr-error-text">{error.message}</p> : <ErrorAlert error={error} />}
      {canEdit && res.data ? (
        <form onSubmit={(e) => void save(e)} key={l?.statedOn ?? 'none'}>
          <div className="fr-grid-row fr-grid-row--gutters">
            <div className="fr-col-12 fr-col-md-4">
              <Select label={L.tobacco} nativeSelectProps={{ name: 'tobacco', defaultValue: l?.tobacco?.status ?? '' }}>
                <option value="">{L.notStated}</option>
                {TOBACCO.map((v) => (
                  <option key={v} value={v}>
                    {L.tobaccoStatus[v]}
                  </option>
                ))}
              </Select>
            </div>
            <div className="fr-col-12 fr-col-md-4">
              <Select label={L.alcohol} nativeSelectProps={{ name: 'alcohol', defaultValue: l?.alcohol?.status ?? '' }}>
                <option value="">{L.notStated}</option>
                {ALCOHOL.map((v) => (
                  <option key={v} value={v}>
                    {L.alcoholStatus[v]}
                  </option>
                ))}
              </Select>
            </div>
            <div className="fr-col-12 fr-col-md-4">
              <Select label={L.activity} nativeSelectProps={{ name: 'activity', defaultValue: l?.physicalActivity?.level ?? '' }}>
                <option value="">{L.notStated}</option>
                {ACTIVITY.map((v) => (
                  <option key={v} value={v}>
                    {L.activityLevel[v]}
                  </option>
                ))}
              </Select>
              <Input label={L.minutesPerWeek} nativeInputProps={{ name: 'minutes', type: 'number', min: 0, max: 5040, inputMode: 'numeric', defaultValue: l?.physicalActivity?.minutesPerWeek ?? '' }} />
            </div>
          </div>
          <Checkbox
            legend={L.diet}
            orientation="horizontal"
            options={DIETS.map((d) => ({ label: L.diets[d], nativeInputProps: { name: 'diet', value: d, defaultChecked: l?.diet?.kinds.includes(d) ?? false } }))}
          />
          <div className="carnet-actions">
            <Button type="submit" priority="secondary">
              {t.common.save}
            </Button>
            {l ? (
              <Button type="button" priority="tertiary" onClick={() => void remove()}>
                {L.remove}
              </Button>
            ) : null}
          </div>
        </form>
      ) : null}
    </section>
  );
}

/** The medical profile of the open space: the health history's lists, blood group, lifestyle; the PDF synthesis. */
export default function Profile() {
  const t = useT();
  const { current } = usePatient();
  usePageTitle(t.profile.title);
  const id = current?.patientId ?? null;
  const res = useResource<HealthHistory>(id === null ? null : `/api/spaces/${id}/health-history`);
  const [message, setMessage] = useState<string | null>(null);
  const [synthesis, setSynthesis] = useState<DocumentView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (id === null) return null;
  const canEdit = current?.capabilities.canEditProfile !== false;
  const changed = (m: string) => {
    setMessage(m);
    res.reload();
  };
  const generate = async () => {
    setBusy(true);
    setError(null);
    setSynthesis(null);
    try {
      setSynthesis(await api<DocumentView>('POST', `/api/spaces/${id}/profile/synthesis`));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>{t.profile.title}</h1>
      <p className="fr-text--lead">{t.profile.lead}</p>
      <section aria-labelledby="synthesis-title" className="carnet-panel fr-p-3w fr-mb-4w">
        <h2 id="synthesis-title" className="fr-h5">
          {t.profile.synthesisTitle}
        </h2>
        <p>{t.profile.synthesisHelp}</p>
        <Button iconId="fr-icon-file-pdf-line" disabled={busy} onClick={() => void generate()}>
          {busy ? t.common.pleaseWait : t.profile.synthesis}
        </Button>
        <div aria-live="polite">
          {synthesis !== null ? (
            <>
              <Success>{t.profile.synthesisDone}</Success>
              <Link className="fr-link fr-icon-arrow-right-line fr-link--icon-right" href={`/documents/${synthesis.documentId}`}>
                {t.profile.synthesisOpen}
              </Link>
            </>
          ) : null}
        </div>
        <ErrorAlert error={error} />
      </section>
      <div aria-live="polite">{message !== null ? <Success>{message}</Success> : null}</div>
      {res.loading && res.data === undefined ? <Loading /> : <ErrorAlert error={res.error} />}
      {res.data ? (
        <>
          {LIST_SECTIONS.map((s) => (
            <Section key={s} section={s} history={res.data!} patientId={id} canEdit={canEdit} onChanged={changed} />
          ))}
          <BloodGroup history={res.data} patientId={id} canEdit={canEdit} onChanged={changed} />
        </>
      ) : null}
      <LifestyleSection patientId={id} canEdit={canEdit} />
    </>
  );
}

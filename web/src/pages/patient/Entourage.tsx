import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { RadioButtons } from '@codegouvfr/react-dsfr/RadioButtons';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, sendFile } from '../../api.ts';
import { formatDate, useLang, useT } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import { usePatient } from '../../session.tsx';
import { CONTACT_KINDS, RELATIONS } from '../../profile-types.ts';
import type { AdvanceDirectivesView, ContactKind, ContactView, EntourageView } from '../../profile-types.ts';
import { Confirm } from '../../ui/Confirm.tsx';
import { ErrorAlert, Loading, Success } from '../../ui/feedback.tsx';
import { usePageTitle, useResource } from '../../ui/hooks.ts';

const fullName = (c: ContactView) => [c.givenName, c.familyName].filter(Boolean).join(' ');

function ContactForm({ patientId, contact, kind: initialKind, trusted, onDone, onCancel }: { patientId: string; contact: ContactView | null; kind: ContactKind; trusted: ContactView | null; onDone: () => void; onCancel: () => void }) {
  const t = useT();
  const [kind, setKind] = useState<ContactKind>(contact?.kind ?? initialKind);
  const [relation, setRelation] = useState(contact?.relation.code ?? 'SPS');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // A second trusted person replaces the first (at most one): PUT .../trusted-person.
  const replacing = contact === null && kind === 'trusted_person' && trusted !== null;
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const s = (k: string) => String(f.get(k) ?? '').trim();
    const body: Record<string, unknown> = { familyName: s('familyName'), relation };
    for (const k of ['givenName', 'phone', 'email']) if (s(k)) body[k] = s(k);
    if (relation === 'other') body.relationText = s('relationText');
    setBusy(true);
    setError(null);
    try {
      const base = `/api/spaces/${patientId}/entourage`;
      if (replacing) await api('PUT', `${base}/trusted-person`, body);
      else if (contact === null) await api('POST', `${base}/contacts`, { kind, ...body });
      else await api('PUT', `${base}/contacts/${contact.contactId}`, { kind, ...body });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="carnet-panel fr-p-3w fr-mb-3w" aria-labelledby="contact-form">
      <h3 id="contact-form" className="fr-h5">
        {contact !== null ? t.entourage.editContact : replacing ? t.entourage.replaceTrusted : t.entourage.addContact}
      </h3>
      <ErrorAlert error={error} />
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <Select label={t.entourage.kind} nativeSelectProps={{ name: 'kind', value: kind, onChange: (e) => setKind(e.target.value as ContactKind) }}>
            {CONTACT_KINDS.map((k) => (
              <option key={k} value={k}>
                {t.entourage.kinds[k]}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <Select label={t.entourage.relation} nativeSelectProps={{ name: 'relation', value: relation, onChange: (e) => setRelation(e.target.value) }}>
            {RELATIONS.map((r) => (
              <option key={r} value={r}>
                {t.entourage.relations[r]}
              </option>
            ))}
          </Select>
        </div>
        {relation === 'other' ? (
          <div className="fr-col-12">
            <Input label={t.entourage.relationText} nativeInputProps={{ name: 'relationText', required: true, maxLength: 100, defaultValue: contact?.relationText ?? '' }} />
          </div>
        ) : null}
        <div className="fr-col-12 fr-col-md-6">
          <Input label={t.entourage.familyName} nativeInputProps={{ name: 'familyName', required: true, maxLength: 100, autoComplete: 'off', defaultValue: contact?.familyName ?? '' }} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <Input label={t.entourage.givenName} nativeInputProps={{ name: 'givenName', maxLength: 100, autoComplete: 'off', defaultValue: contact?.givenName ?? '' }} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <Input label={t.entourage.phone} hintText={t.entourage.phoneHint} nativeInputProps={{ name: 'phone', type: 'tel', maxLength: 40, autoComplete: 'off', defaultValue: contact?.phone ?? '' }} />
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <Input label={t.entourage.email} hintText={t.entourage.reachHint} nativeInputProps={{ name: 'email', type: 'email', maxLength: 254, autoComplete: 'off', defaultValue: contact?.email ?? '' }} />
        </div>
      </div>
      {kind === 'trusted_person' ? <p className="fr-text--sm">{t.entourage.trustedHelp}</p> : null}
      {replacing && trusted !== null ? <p className="fr-text--sm fr-text--bold">{t.entourage.replacesTrusted(fullName(trusted))}</p> : null}
      <div className="carnet-actions">
        <Button type="submit" iconId="fr-icon-save-line" disabled={busy}>
          {replacing ? t.entourage.replaceTrusted : t.common.save}
        </Button>
        <Button type="button" priority="secondary" onClick={onCancel}>
          {t.common.cancel}
        </Button>
      </div>
    </form>
  );
}

function Donation({ patientId, entourage, onDone }: { patientId: string; entourage: EntourageView; onDone: (m: string) => void }) {
  const t = useT();
  const lang = useLang();
  const d = entourage.organDonation;
  const [position, setPosition] = useState(d?.position ?? '');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const comment = String(new FormData(e.currentTarget).get('comment') ?? '').trim();
    setError(null);
    try {
      await api('PUT', `/api/spaces/${patientId}/entourage/organ-donation`, { position, ...(comment ? { comment } : {}) });
      onDone(t.entourage.saved);
    } catch (err) {
      setError(err);
    }
  };
  const withdraw = async () => {
    setError(null);
    try {
      await api('DELETE', `/api/spaces/${patientId}/entourage/organ-donation`);
      setPosition('');
      onDone(t.entourage.saved);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="donation-title" className="carnet-section">
      <h2 id="donation-title" className="fr-h4">
        {t.entourage.donationTitle}
      </h2>
      <p className="fr-text--sm">{t.entourage.donationHelp}</p>
      {d ? <p>{t.entourage.donationStated(formatDate(lang, d.statedOn))}</p> : null}
      <ErrorAlert error={error} />
      <form onSubmit={(e) => void submit(e)}>
        <RadioButtons
          legend={t.entourage.donationLegend}
          name="position"
          options={(['accepts', 'accepts_partially', 'refuses'] as const).map((p) => ({ label: t.entourage.donation[p], nativeInputProps: { value: p, checked: position === p, onChange: () => setPosition(p), required: true } }))}
        />
        <Input textArea label={t.entourage.donationComment} hintText={t.entourage.donationCommentHint} nativeTextAreaProps={{ name: 'comment', maxLength: 1000, rows: 2, defaultValue: d?.comment ?? '', required: position === 'accepts_partially' }} />
        <div className="carnet-actions">
          <Button type="submit" priority="secondary" disabled={position === ''}>
            {t.common.save}
          </Button>
          {d ? (
            <Button type="button" priority="tertiary" onClick={() => void withdraw()}>
              {t.entourage.donationWithdraw}
            </Button>
          ) : null}
        </div>
      </form>
    </section>
  );
}

function Directives({ patientId }: { patientId: string }) {
  const t = useT();
  const lang = useLang();
  const res = useResource<{ advanceDirectives: AdvanceDirectivesView | null }>(`/api/spaces/${patientId}/entourage/advance-directives`);
  const [situation, setSituation] = useState('');
  const [sedation, setSedation] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<{ documentId?: string; document?: { documentId: string } }>) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const r = await work();
      setDone(r.document?.documentId ?? r.documentId ?? null);
      res.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const write = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const s = (k: string) => String(f.get(k) ?? '').trim();
    void run(() =>
      api('POST', `/api/spaces/${patientId}/entourage/advance-directives`, {
        situation,
        deepSedation: sedation,
        lifeSustainingTreatments: s('lifeSustainingTreatments'),
        ...(s('otherWishes') ? { otherWishes: s('otherWishes') } : {}),
        ...(s('place') ? { place: s('place') } : {}),
      }),
    );
  };
  const uploadPdf = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const file = f.get('file');
    if (!(file instanceof File) || file.size === 0) return;
    const writtenOn = String(f.get('writtenOn') ?? '');
    void run(() => sendFile(`/api/spaces/${patientId}/entourage/advance-directives/upload${writtenOn ? `?writtenOn=${writtenOn}` : ''}`, file, 'application/pdf'));
  };
  const current = res.data?.advanceDirectives ?? null;
  return (
    <>
      {res.loading && res.data === undefined ? <Loading /> : <ErrorAlert error={res.error} />}
      {res.data ? (
        current ? (
          <p>
            {t.entourage.directivesInForce(formatDate(lang, current.writtenOn), t.entourage.directivesSource[current.source])}{' '}
            <Link className="fr-link" href={`/documents/${current.documentId}`}>
              {t.entourage.directivesOpen}
            </Link>
          </p>
        ) : (
          <p>{t.entourage.directivesNone}</p>
        )
      ) : null}
      <div aria-live="polite">{done !== null ? <Success>{t.entourage.directivesDone}</Success> : null}</div>
      <ErrorAlert error={error} />
      <form onSubmit={write} className="carnet-panel fr-p-3w fr-mb-3w" aria-label={t.entourage.directivesTitle}>
        <RadioButtons
          legend={t.entourage.situation}
          name="situation"
          options={(['serious_illness', 'good_health'] as const).map((v) => ({ label: t.entourage.situations[v], nativeInputProps: { value: v, checked: situation === v, onChange: () => setSituation(v), required: true } }))}
        />
        <Input textArea label={t.entourage.treatments} hintText={t.entourage.treatmentsHint} nativeTextAreaProps={{ name: 'lifeSustainingTreatments', required: true, maxLength: 8000, rows: 4 }} />
        <RadioButtons
          legend={t.entourage.sedation}
          name="deepSedation"
          options={(['wants', 'does_not_want', 'no_opinion'] as const).map((v) => ({ label: t.entourage.sedations[v], nativeInputProps: { value: v, checked: sedation === v, onChange: () => setSedation(v), required: true } }))}
        />
        <Input textArea label={t.entourage.otherWishes} nativeTextAreaProps={{ name: 'otherWishes', maxLength: 8000, rows: 3 }} />
        <Input label={t.entourage.place} nativeInputProps={{ name: 'place', maxLength: 200 }} />
        <Button type="submit" iconId="fr-icon-save-line" disabled={busy}>
          {t.entourage.writeDirectives}
        </Button>
      </form>
      <form onSubmit={uploadPdf} className="carnet-panel fr-p-3w" aria-labelledby="directives-upload">
        <h3 id="directives-upload" className="fr-h6">
          {t.entourage.uploadTitle}
        </h3>
        <div className="fr-upload-group fr-mb-2w">
          <label className="fr-label" htmlFor="directives-file">
            {t.entourage.uploadFile}
            <span className="fr-hint-text">{t.entourage.uploadHint}</span>
          </label>
          <input className="fr-upload" type="file" id="directives-file" name="file" accept=".pdf,application/pdf" required />
        </div>
        <Input label={t.entourage.writtenOn} nativeInputProps={{ name: 'writtenOn', type: 'date' }} />
        <Button type="submit" priority="secondary" iconId="fr-icon-upload-2-line" disabled={busy}>
          {t.entourage.upload}
        </Button>
      </form>
    </>
  );
}

/** Entourage & volontés of the open space: contacts, the trusted person (one: replace), organ donation, advance directives. */
export default function Entourage() {
  const t = useT();
  const { current } = usePatient();
  usePageTitle(t.entourage.title);
  const id = current?.patientId ?? null;
  const res = useResource<EntourageView>(id === null ? null : `/api/spaces/${id}/entourage`);
  const [form, setForm] = useState<{ contact: ContactView | null; kind: ContactKind } | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (id === null || current === null) return null;
  if (res.data === undefined) return res.error ? <ErrorAlert error={res.error} /> : <Loading />;
  const e = res.data;
  const trusted = e.contacts.find((c) => c.kind === 'trusted_person') ?? null;
  const done = (m: string) => {
    setForm(null);
    setConfirm(null);
    setMessage(m);
    res.reload();
  };
  const remove = async (c: ContactView) => {
    setError(null);
    try {
      await api('DELETE', `/api/spaces/${id}/entourage/contacts/${c.contactId}`);
      done(t.entourage.deleted);
    } catch (err) {
      setError(err);
    }
  };

  return (
    <>
      <h1>{t.entourage.title}</h1>
      <p className="fr-text--lead">{t.entourage.lead}</p>
      <div aria-live="polite">{message !== null ? <Success>{message}</Success> : null}</div>
      <ErrorAlert error={error} />
      <section aria-labelledby="contacts-title" className="carnet-section">
        <div className="carnet-title-row">
          <h2 id="contacts-title" className="fr-h4">
            {t.entourage.contacts}
          </h2>
          {form === null ? (
            <Button priority="secondary" iconId="fr-icon-add-line" onClick={() => { setMessage(null); setForm({ contact: null, kind: 'emergency_contact' }); }}>
              {t.entourage.addContact}
            </Button>
          ) : null}
        </div>
        {form !== null ? <ContactForm key={form.contact?.contactId ?? form.kind} patientId={id} contact={form.contact} kind={form.kind} trusted={trusted} onDone={() => done(t.entourage.saved)} onCancel={() => setForm(null)} /> : null}
        {e.contacts.length === 0 ? <p>{t.entourage.noContacts}</p> : null}
        <ul className="carnet-cards">
          {e.contacts.map((c) => (
            <li key={c.contactId} className="carnet-card">
              <p className="carnet-badges fr-mb-1v">
                <Badge small noIcon severity={c.kind === 'trusted_person' ? 'info' : c.kind === 'emergency_contact' ? 'warning' : undefined}>
                  {t.entourage.kinds[c.kind]}
                </Badge>
              </p>
              <h3 className="fr-h6 fr-mb-1v">{fullName(c)}</h3>
              <p className="fr-text--sm fr-mb-1w">
                {c.relation.code === 'other' ? (c.relationText ?? '') : (t.entourage.relations as Record<string, string>)[c.relation.code] ?? c.relation.label}
                {c.phone ? ` · ${c.phone}` : ''}
                {c.email ? ` · ${c.email}` : ''}
              </p>
              {form !== null ? null : confirm === c.contactId ? (
                <Confirm question={`${t.entourage.deleteTitle(fullName(c))} ?`} yes={t.entourage.delete} onYes={() => void remove(c)} onCancel={() => setConfirm(null)} />
              ) : (
                <div className="carnet-actions">
                  <Button size="small" priority="secondary" iconId="fr-icon-edit-line" title={t.entourage.editTitle(fullName(c))} onClick={() => { setMessage(null); setForm({ contact: c, kind: c.kind }); }}>
                    {t.entourage.edit}
                  </Button>
                  {c.kind === 'trusted_person' ? (
                    <Button size="small" priority="secondary" iconId="fr-icon-refresh-line" title={t.entourage.replaceTrusted} onClick={() => { setMessage(null); setForm({ contact: null, kind: 'trusted_person' }); }}>
                      {t.entourage.replace}
                    </Button>
                  ) : null}
                  <Button size="small" priority="tertiary" iconId="fr-icon-delete-line" title={t.entourage.deleteTitle(fullName(c))} onClick={() => setConfirm(c.contactId)}>
                    {t.entourage.delete}
                  </Button>
                </div>
              )}
            </li>
          ))}
        </ul>
      </section>
      <Donation key={e.organDonation?.statedOn ?? 'none'} patientId={id} entourage={e} onDone={done} />
      <section aria-labelledby="directives-title" className="carnet-section">
        <h2 id="directives-title" className="fr-h4">
          {t.entourage.directivesTitle}
        </h2>
        {current.role === 'representative' ? (
          <p>{t.entourage.directivesNotMinor}</p>
        ) : current.role === 'aidant' ? (
          <p>{t.entourage.directivesNotAidant}</p>
        ) : (
          <>
            <p className="fr-text--sm">{t.entourage.directivesHelp}</p>
            <Directives patientId={id} />
          </>
        )}
      </section>
    </>
  );
}

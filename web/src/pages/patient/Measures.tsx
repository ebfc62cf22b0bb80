import { Badge } from '@codegouvfr/react-dsfr/Badge';
import { Button } from '@codegouvfr/react-dsfr/Button';
import { Input } from '@codegouvfr/react-dsfr/Input';
import { Select } from '@codegouvfr/react-dsfr/Select';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api.ts';
import { formatDate, formatDateTime, useLang, useT } from '../../i18n/index.ts';
import type { Lang } from '../../i18n/index.ts';
import type { Messages } from '../../i18n/fr.ts';
import { usePatient } from '../../session.tsx';
import type { GrowthPoint, GrowthView, MeasureCatalogueItem, MeasuresOverview, MeasureView, SeriesView } from '../../profile-types.ts';
import { ErrorAlert, Loading, Success } from '../../ui/feedback.tsx';
import { usePageTitle, useResource } from '../../ui/hooks.ts';
import { LineChart } from '../../ui/LineChart.tsx';

const PERIODS = ['3m', '1y', '5y', 'all'] as const;
type PeriodKey = (typeof PERIODS)[number];
const DAY = 86_400_000;

function periodFrom(p: PeriodKey): string | null {
  const days = p === '3m' ? 92 : p === '1y' ? 366 : p === '5y' ? 5 * 366 : null;
  return days === null ? null : new Date(Date.now() - days * DAY).toISOString().slice(0, 10);
}

const num = (lang: Lang, v: number | null | undefined, decimals = 2) => (v === null || v === undefined ? '–' : new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: decimals }).format(v));
const typeName = (t: Messages, type: string) => (t.measures.types as Record<string, string>)[type] ?? type;
/** "now" for a datetime-local input, in the browser's time. */
function localNow(): string {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

function AddMeasure({ patientId, catalogue, onAdded }: { patientId: string; catalogue: MeasureCatalogueItem[]; onAdded: (type: string) => void }) {
  const t = useT();
  const lang = useLang();
  const entered = catalogue.filter((c) => c.entry !== 'computed');
  const [type, setType] = useState(entered[0]?.type ?? 'weight');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const def = entered.find((c) => c.type === type);
  if (def === undefined) return null;
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const when = String(f.get('effectiveAt') ?? '');
    const body: Record<string, unknown> = { type, ...(when ? { effectiveAt: new Date(when).toISOString() } : {}) };
    if (def.entry === 'pair') {
      body.systolic = Number(f.get('systolic'));
      body.diastolic = Number(f.get('diastolic'));
    } else {
      body.value = Number(String(f.get('value')).replace(',', '.'));
      body.unit = String(f.get('unit'));
    }
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/api/spaces/${patientId}/measures`, body);
      form.reset();
      onAdded(type);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="carnet-panel fr-p-3w fr-mb-4w" aria-labelledby="add-measure">
      <h2 id="add-measure" className="fr-h5">
        {t.measures.addTitle}
      </h2>
      <ErrorAlert error={error} />
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-4">
          <Select label={t.measures.type} nativeSelectProps={{ name: 'type', value: type, onChange: (e) => setType(e.target.value) }}>
            {entered.map((c) => (
              <option key={c.type} value={c.type}>
                {typeName(t, c.type)}
              </option>
            ))}
          </Select>
        </div>
        {def.entry === 'pair' ? (
          <>
            <div className="fr-col-6 fr-col-md-2">
              <Input label={t.measures.systolic} nativeInputProps={{ name: 'systolic', type: 'number', inputMode: 'numeric', required: true, min: def.range[0], max: def.range[1] }} />
            </div>
            <div className="fr-col-6 fr-col-md-2">
              <Input label={t.measures.diastolic} nativeInputProps={{ name: 'diastolic', type: 'number', inputMode: 'numeric', required: true, min: def.diastolicRange?.[0], max: def.diastolicRange?.[1] }} />
            </div>
          </>
        ) : (
          <>
            <div className="fr-col-6 fr-col-md-2">
              <Input
                label={t.measures.value}
                hintText={t.measures.rangeHint(num(lang, def.range[0]), `${num(lang, def.range[1])} ${def.symbol}`)}
                nativeInputProps={{ name: 'value', type: 'text', inputMode: 'decimal', required: true, pattern: '-?[0-9]+([.,][0-9]+)?', autoComplete: 'off' }}
              />
            </div>
            <div className="fr-col-6 fr-col-md-2">
              <Select label={t.measures.unit} key={type} nativeSelectProps={{ name: 'unit', defaultValue: def.inputUnits[0]?.code }}>
                {def.inputUnits.map((u) => (
                  <option key={u.code} value={u.code}>
                    {u.symbol}
                  </option>
                ))}
              </Select>
            </div>
          </>
        )}
        <div className="fr-col-12 fr-col-md-4">
          <Input label={t.measures.when} nativeInputProps={{ name: 'effectiveAt', type: 'datetime-local', defaultValue: localNow(), max: localNow(), required: true }} />
        </div>
      </div>
      <Button type="submit" iconId="fr-icon-add-line" disabled={busy}>
        {t.measures.add}
      </Button>
    </form>
  );
}

function TargetForm({ patientId, series, onSaved }: { patientId: string; series: SeriesView; onSaved: (message: string) => void }) {
  const t = useT();
  const lang = useLang();
  const [error, setError] = useState<unknown>(null);
  const target = series.target ?? null;
  const save = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const low = String(f.get('low')).replace(',', '.').trim();
    setError(null);
    try {
      await api('PUT', `/api/spaces/${patientId}/measures/targets/${series.type}`, { low: low === '' ? null : Number(low), high: Number(String(f.get('high')).replace(',', '.')) });
      onSaved(t.measures.targetSet);
    } catch (err) {
      setError(err);
    }
  };
  const remove = async () => {
    setError(null);
    try {
      await api('DELETE', `/api/spaces/${patientId}/measures/targets/${series.type}`);
      onSaved(t.measures.targetSet);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={(e) => void save(e)} className="carnet-panel fr-p-3w fr-mb-3w" aria-labelledby="target-title" key={`${target?.low}-${target?.high}`}>
      <h3 id="target-title" className="fr-h6">
        {t.measures.targetTitle}
      </h3>
      <p className="fr-text--sm">
        {t.measures.targetHelp}{' '}
        {target ? (target.low === null ? t.measures.targetNowHigh(num(lang, target.high, 1)) : t.measures.targetNow(num(lang, target.low, 1), num(lang, target.high, 1))) : null}
      </p>
      <ErrorAlert error={error} />
      <div className="carnet-inline-form">
        <Input label={t.measures.targetLow} nativeInputProps={{ name: 'low', inputMode: 'decimal', pattern: '[0-9]+([.,][0-9]+)?', defaultValue: target?.low ?? '' }} />
        <Input label={t.measures.targetHigh} nativeInputProps={{ name: 'high', inputMode: 'decimal', pattern: '[0-9]+([.,][0-9]+)?', required: true, defaultValue: target?.high ?? '' }} />
        <Button type="submit" priority="secondary">
          {t.common.save}
        </Button>
        {target ? (
          <Button type="button" priority="tertiary" onClick={() => void remove()}>
            {t.measures.targetRemove}
          </Button>
        ) : null}
      </div>
    </form>
  );
}

/** One type over a period: the chart (HbA1c with its target band), the statistics and the table of values. */
function SeriesSection({ patientId, catalogue, type, setType, onChanged }: { patientId: string; catalogue: MeasureCatalogueItem[]; type: string; setType: (t: string) => void; onChanged: (m: string) => void }) {
  const t = useT();
  const lang = useLang();
  const [period, setPeriod] = useState<PeriodKey>('1y');
  const from = periodFrom(period);
  // Keyed by `version` by the page: a change elsewhere reads the series again.
  const res = useResource<SeriesView>(`/api/spaces/${patientId}/measures/series/${type}${from ? `?from=${from}` : ''}`);
  const [error, setError] = useState<unknown>(null);
  const def = catalogue.find((c) => c.type === type);
  const s = res.data;
  const decimals = def?.decimals ?? 2;
  const label = typeName(t, type);

  const remove = async (m: MeasureView) => {
    setError(null);
    try {
      await api('DELETE', `/api/spaces/${patientId}/measures/values/${m.measureId}`);
      res.reload();
      onChanged(t.measures.deleted);
    } catch (err) {
      setError(err);
    }
  };

  const values = s?.values ?? [];
  const points =
    s === undefined
      ? []
      : type === 'bmi'
        ? [{ label, points: (s.bmi ?? []).map((b) => ({ x: Date.parse(b.effectiveAt), y: b.value })) }]
        : def?.entry === 'pair'
          ? [
              { label: t.measures.systolicLine, points: values.map((v) => ({ x: Date.parse(v.effectiveAt), y: v.systolic ?? 0 })) },
              { label: t.measures.diastolicLine, points: values.map((v) => ({ x: Date.parse(v.effectiveAt), y: v.diastolic ?? 0 })) },
            ]
          : [{ label, points: values.map((v) => ({ x: Date.parse(v.effectiveAt), y: v.value ?? 0 })) }];
  const n = points[0]?.points.length ?? 0;
  const xs = points.flatMap((p) => p.points.map((q) => q.x));
  const shortDate = (x: number) => new Date(x).toLocaleDateString(lang === 'fr' ? 'fr-FR' : 'en-GB', { day: 'numeric', month: 'short', year: '2-digit', timeZone: 'Europe/Paris' });
  const valueText = (v: MeasureView) => (v.value !== undefined ? `${num(lang, v.value, decimals)} ${v.symbol}` : `${num(lang, v.systolic, 0)}/${num(lang, v.diastolic, 0)} ${v.symbol}`);
  const enteredSymbol = (v: MeasureView) => def?.inputUnits.find((u) => u.code === v.entered.unit)?.symbol ?? v.entered.unit;

  return (
    <section aria-labelledby="chart-title" className="carnet-section">
      <h2 id="chart-title" className="fr-h4">
        {t.measures.chartTitle}
      </h2>
      <div className="fr-grid-row fr-grid-row--gutters">
        <div className="fr-col-12 fr-col-md-6">
          <Select label={t.measures.chartOf} nativeSelectProps={{ id: 'chart-type', value: type, onChange: (e) => setType(e.target.value) }}>
            {catalogue.map((c) => (
              <option key={c.type} value={c.type}>
                {typeName(t, c.type)}
              </option>
            ))}
          </Select>
        </div>
        <div className="fr-col-12 fr-col-md-6">
          <Select label={t.measures.period} nativeSelectProps={{ id: 'chart-period', value: period, onChange: (e) => setPeriod(e.target.value as PeriodKey) }}>
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                {t.measures.periods[p]}
              </option>
            ))}
          </Select>
        </div>
      </div>
      {res.loading && s === undefined ? <Loading /> : <ErrorAlert error={res.error} />}
      <ErrorAlert error={error} />
      {s !== undefined && n === 0 ? <p>{t.measures.noValues}</p> : null}
      {s !== undefined && n > 0 ? (
        <>
          <LineChart
            title={`${label} (${s.symbol})`}
            description={t.measures.chartSummary(label, n, formatDate(lang, new Date(Math.min(...xs)).toISOString()), formatDate(lang, new Date(Math.max(...xs)).toISOString()))}
            series={points}
            band={s.target ? { low: s.target.low, high: s.target.high, label: t.measures.targetBand } : null}
            formatX={shortDate}
            formatY={(y) => num(lang, y, 1)}
          />
          <p className="fr-text--sm" aria-live="polite">
            {t.measures.stats(s.stats.count, num(lang, s.stats.min, decimals), num(lang, s.stats.max, decimals), num(lang, s.stats.mean, decimals))} {s.symbol}
          </p>
        </>
      ) : null}
      {def?.target && s !== undefined ? <TargetForm patientId={patientId} series={s} onSaved={(m) => { res.reload(); onChanged(m); }} /> : null}
      {values.length > 0 ? (
        <div className="fr-table fr-table--no-caption carnet-table-wrap">
          <table>
            <caption>{t.measures.tableCaption(label)}</caption>
            <thead>
              <tr>
                <th scope="col">{t.measures.colDate}</th>
                <th scope="col">{t.measures.colValue}</th>
                <th scope="col">{t.measures.colEntered}</th>
                {def?.target ? <th scope="col">{t.measures.colTarget}</th> : null}
                <th scope="col">{t.measures.colActions}</th>
              </tr>
            </thead>
            <tbody>
              {values.map((v) => (
                <tr key={v.measureId}>
                  <td>{formatDateTime(lang, v.effectiveAt)}</td>
                  <td>{valueText(v)}</td>
                  <td>{v.value !== undefined ? `${num(lang, v.entered.value, 3)} ${enteredSymbol(v)}` : '–'}</td>
                  {def?.target ? (
                    <td>
                      {v.target ? (
                        <Badge small noIcon severity={v.target === 'within' ? 'success' : 'warning'}>
                          {t.measures.target[v.target]}
                        </Badge>
                      ) : (
                        '–'
                      )}
                    </td>
                  ) : null}
                  <td>
                    <Button size="small" priority="tertiary" iconId="fr-icon-delete-line" title={t.measures.deleteTitle(formatDateTime(lang, v.effectiveAt))} onClick={() => void remove(v)}>
                      {t.profile.delete}
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {type === 'bmi' && (s?.bmi?.length ?? 0) > 0 ? (
        <ul className="carnet-list">
          {s?.bmi?.map((b) => (
            <li key={b.effectiveAt}>
              {formatDate(lang, b.effectiveAt)} : {t.measures.bmiLine(num(lang, b.value, 1), b.whoLabel ?? '')}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

/** A child's growth: weight, height, head circumference by age (months), each a chart and a table. */
function Growth({ patientId }: { patientId: string }) {
  const t = useT();
  const lang = useLang();
  const res = useResource<GrowthView>(`/api/spaces/${patientId}/measures/growth`);
  const g = res.data;
  if (g === undefined) return res.error ? <ErrorAlert error={res.error} /> : null;
  const curves: [string, string, GrowthPoint[], number][] = [
    ['height', 'cm', g.height.map((p) => ({ ...p, value: p.value * 100 })), 1],
    ['weight', 'kg', g.weight, 2],
    ['head_circumference', 'cm', g.headCircumference, 1],
  ];
  const shown = curves.filter(([, , pts]) => pts.length > 0);
  if (shown.length === 0) return null;
  const ageText = (p: GrowthPoint) => t.measures.ageValue(p.age.years, p.age.months);
  return (
    <section aria-labelledby="growth-title" className="carnet-section">
      <h2 id="growth-title" className="fr-h4">
        {t.measures.growthTitle}
      </h2>
      <p>{t.measures.growthHelp}</p>
      {shown.map(([type, unit, pts, decimals]) => {
        const label = typeName(t, type);
        return (
          <div key={type} className="fr-mb-3w">
            <h3 className="fr-h6">{`${label} (${unit})`}</h3>
            <LineChart
              title={`${label} (${unit}) – ${t.measures.age}`}
              description={t.measures.growthSummary(label, pts.length)}
              series={[{ label, points: pts.map((p) => ({ x: p.age.days / 30.4375, y: p.value })) }]}
              formatX={(m) => t.measures.ageValue(Math.floor(m / 12), Math.round(m))}
              formatY={(y) => num(lang, y, 1)}
            />
            <div className="fr-table fr-table--no-caption carnet-table-wrap">
              <table>
                <caption>{t.measures.tableCaption(label)}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.measures.age}</th>
                    <th scope="col">{t.measures.colDate}</th>
                    <th scope="col">{t.measures.colValue}</th>
                  </tr>
                </thead>
                <tbody>
                  {pts.map((p) => (
                    <tr key={p.measureId}>
                      <td>{ageText(p)}</td>
                      <td>{formatDate(lang, p.effectiveAt)}</td>
                      <td>
                        {num(lang, p.value, decimals)} {unit}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        );
      })}
    </section>
  );
}

/** Measures of the open space: add (unit of one's choice), the last values, a chart per type over a period, growth. */
export default function Measures() {
  const t = useT();
  const lang = useLang();
  const { current } = usePatient();
  usePageTitle(t.measures.title);
  const id = current?.patientId ?? null;
  const catalogue = useResource<MeasureCatalogueItem[]>('/api/measures/catalogue');
  const overview = useResource<MeasuresOverview>(id === null ? null : `/api/spaces/${id}/measures`);
  const [chosen, setChosen] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [message, setMessage] = useState<string | null>(null);

  if (id === null) return null;
  if (catalogue.data === undefined || (overview.data === undefined && overview.loading)) return catalogue.error || overview.error ? <ErrorAlert error={catalogue.error ?? overview.error} /> : <Loading />;
  const items = overview.data?.items ?? [];
  const type = chosen ?? items[0]?.type ?? 'weight';
  const changed = (m: string) => {
    setMessage(m);
    overview.reload();
    setVersion((v) => v + 1);
  };

  return (
    <>
      <h1>{t.measures.title}</h1>
      <p className="fr-text--lead">{t.measures.lead}</p>
      <div aria-live="polite">{message !== null ? <Success>{message}</Success> : null}</div>
      <ErrorAlert error={overview.error} />
      <AddMeasure
        patientId={id}
        catalogue={catalogue.data}
        onAdded={(added) => {
          setChosen(added);
          changed(t.measures.added);
        }}
      />
      <section aria-labelledby="last-title" className="carnet-section">
        <h2 id="last-title" className="fr-h4">
          {t.measures.last}
        </h2>
        {items.length === 0 ? <p>{t.measures.none}</p> : null}
        <ul className="carnet-cards">
          {items.map((i) => (
            <li key={i.type} className="carnet-card">
              <p className="fr-text--sm fr-mb-1v">{typeName(t, i.type)}</p>
              <p className="fr-h5 fr-mb-1v">
                {i.value !== undefined ? num(lang, i.value, 2) : `${num(lang, i.systolic, 0)}/${num(lang, i.diastolic, 0)}`} {i.symbol}
              </p>
              <p className="fr-text--xs fr-mb-0">
                {formatDateTime(lang, i.effectiveAt)}
                {i.type === 'bmi' && overview.data?.bmi?.whoLabel ? ` · ${overview.data.bmi.whoLabel}` : ''}
              </p>
            </li>
          ))}
        </ul>
      </section>
      <SeriesSection key={`${type}-${version}`} patientId={id} catalogue={catalogue.data} type={type} setType={setChosen} onChanged={changed} />
      <Growth key={`g${version}`} patientId={id} />
    </>
  );
}

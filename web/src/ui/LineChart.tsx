/**
 * A small accessible line chart in SVG (no library: the first page's budget is 250 KB gzip and
 * this file is only imported by the lazy measures page). One or two series of (x, y) points, an
 * optional horizontal band (a target range), axes with a few rounded ticks. The SVG is an image
 * with a title and a description; the page gives the values in a table beside it.
 */
import { useEffect, useId, useRef, useState } from 'react';

export interface ChartPoint {
  x: number;
  y: number;
}

export interface ChartSeries {
  label: string;
  points: ChartPoint[];
}

interface Props {
  title: string;
  description: string;
  series: ChartSeries[];
  /** A horizontal band (low may be null: from the bottom of the chart). */
  band?: { low: number | null; high: number; label: string } | null;
  formatX: (x: number) => string;
  formatY: (y: number) => string;
  height?: number;
}

/** About `count` round ticks covering [min, max]. */
function ticks(min: number, max: number, count: number): number[] {
  if (min === max) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

export function LineChart({ title, description, series, band = null, formatX, formatY, height = 260 }: Props) {
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(640);
  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const measure = () => setWidth(Math.max(280, Math.round(el.getBoundingClientRect().width)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return null;
  let [x0, x1] = [Math.min(...all.map((p) => p.x)), Math.max(...all.map((p) => p.x))];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  const ys = all.map((p) => p.y).concat(band === null ? [] : [band.high, ...(band.low === null ? [] : [band.low])]);
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const pad = (y1 - y0) * 0.1 || Math.abs(y0) * 0.1 || 1;
  [y0, y1] = [y0 - pad, y1 + pad];

  const m = { left: 56, right: 16, top: 16, bottom: 36 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * w;
  const sy = (y: number) => m.top + h - ((y - y0) / (y1 - y0)) * h;
  const yTicks = ticks(y0, y1, 5).filter((v) => v >= y0 && v <= y1);
  const xCount = Math.max(2, Math.min(6, Math.floor(w / 110)));
  const xTicks = Array.from({ length: xCount }, (_, i) => x0 + ((x1 - x0) * i) / (xCount - 1));
  const titleId = `${id}-title`;
  const descId = `${id}-desc`;

  return (
    <div ref={box}>
      <svg className="carnet-chart" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${titleId} ${descId}`}>
        <title id={titleId}>{title}</title>
        <desc id={descId}>{description}</desc>
        {band !== null ? (
          <g>
            <rect className="carnet-chart__band" x={m.left} width={w} y={sy(Math.min(band.high, y1))} height={Math.max(0, sy(Math.max(band.low ?? y0, y0)) - sy(Math.min(band.high, y1)))} />
            <line className="carnet-chart__band-edge" x1={m.left} x2={m.left + w} y1={sy(band.high)} y2={sy(band.high)} />
            {band.low !== null ? <line className="carnet-chart__band-edge" x1={m.left} x2={m.left + w} y1={sy(band.low)} y2={sy(band.low)} /> : null}
            <text className="carnet-chart__band-label" x={m.left + w - 4} y={sy(band.high) - 4} textAnchor="end">
              {band.label}
            </text>
          </g>
        ) : null}
        {yTicks.map((v) => (
          <g key={`y${v}`}>
            <line className="carnet-chart__grid" x1={m.left} x2={m.left + w} y1={sy(v)} y2={sy(v)} />
            <text className="carnet-chart__text" x={m.left - 6} y={sy(v) + 4} textAnchor="end">
              {formatY(v)}
            </text>
          </g>
        ))}
        <line className="carnet-chart__axis" x1={m.left} x2={m.left} y1={m.top} y2={m.top + h} />
        <line className="carnet-chart__axis" x1={m.left} x2={m.left + w} y1={m.top + h} y2={m.top + h} />
        {xTicks.map((v, i) => (
          <text key={`x${i}`} className="carnet-chart__text" x={sx(v)} y={m.top + h + 20} textAnchor={i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}>
            {formatX(v)}
          </text>
        ))}
        {series.map((s, i) => {
          const pts = [...s.points].sort((a, b) => a.x - b.x);
          return (
            <g key={s.label}>
              <polyline className={`carnet-chart__line carnet-chart__line--${i % 2}`} points={pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')} />
              {pts.map((p, j) => (
                <circle key={j} className={`carnet-chart__dot--${i % 2}`} cx={sx(p.x)} cy={sy(p.y)} r={4} />
              ))}
            </g>
          );
        })}
      </svg>
      {series.length > 1 || band !== null ? (
        <ul className="carnet-chart__legend" aria-hidden="true">
          {series.map((s, i) => (
            <li key={s.label}>
              <span className={`carnet-chart__swatch carnet-chart__swatch--${i % 2}`} />
              {s.label}
            </li>
          ))}
          {band !== null ? (
            <li>
              <span className="carnet-chart__swatch carnet-chart__swatch--band" />
              {band.label}
            </li>
          ) : null}
        </ul>
      ) : null}
    </div>
  );
}

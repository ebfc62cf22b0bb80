/**
 * FHIR search parameters (R4 §3.1.1.5) as Carnet reads them: tokens (`system|code`, `code`,
 * `|code`), references (`Type/id` or `id`), dates with prefixes (eq, ne, lt, le, gt, ge) at
 * year, month, day or instant precision, comma-separated OR, and _count/_offset paging into a
 * searchset Bundle with self/next/previous links.
 */
import type { Bundle, BundleLink, Resource } from '@medplum/fhirtypes';
import { AppError } from '../platform/errors.ts';

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 100;

export function badParam(name: string, reason: string): AppError {
  return new AppError('validation_failed', `Invalid search parameter ${name}: ${reason}.`, { details: [{ field: name, reason }] });
}

export interface Token {
  /** undefined: any system; '': no system (`|code`). */
  system: string | undefined;
  code: string;
}

/** The OR-list of tokens of one parameter value. */
export function parseTokens(name: string, value: string): Token[] {
  return value.split(',').map((part) => {
    const bar = part.indexOf('|');
    const t: Token = bar < 0 ? { system: undefined, code: part } : { system: part.slice(0, bar), code: part.slice(bar + 1) };
    if (t.code === '') throw badParam(name, `"${part}" has no code (write code or system|code)`);
    return t;
  });
}

export const tokenMatches = (tokens: readonly Token[], system: string, code: string): boolean =>
  tokens.some((t) => t.code === code && (t.system === undefined || t.system === system));

/** The id a reference parameter names: `id`, `Type/id` or `<base>/Type/id`. */
export function parseReference(name: string, value: string, type: string, idPattern: RegExp): string {
  const m = new RegExp(`^(?:.*/)?${type}/([^/]+)$`).exec(value);
  const id = m?.[1] ?? (value.includes('/') ? null : value);
  if (id === null || id === undefined || !idPattern.test(id)) throw badParam(name, `must be a ${type} id or "${type}/<id>"`);
  return id;
}

type DatePrefix = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export interface DateCriterion {
  prefix: DatePrefix;
  /** The value's range [start, end): its precision makes it a range (2026 = the whole year). */
  start: number;
  end: number;
}

const DATE = /^(eq|ne|lt|le|gt|ge)?(\d{4})(?:-(\d{2})(?:-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?)?)?$/;

export function parseDate(name: string, value: string): DateCriterion {
  const m = DATE.exec(value);
  if (!m) throw badParam(name, `"${value}" is not a date (e.g. 2026-01-10, ge2026-01, lt2026-02-01T00:00:00Z)`);
  const prefix = (m[1] ?? 'eq') as DatePrefix;
  const [y, mo, d, time] = [Number(m[2]), m[3] === undefined ? undefined : Number(m[3]), m[4] === undefined ? undefined : Number(m[4]), m[5]];
  if (mo !== undefined && (mo < 1 || mo > 12)) throw badParam(name, `"${value}" has no month ${mo}`);
  if (d !== undefined && (d < 1 || d > new Date(Date.UTC(y, mo ?? 1, 0)).getUTCDate())) throw badParam(name, `"${value}" has no day ${d}`);
  // Dates without a time are days in UTC (a FHIR server's choice when no zone is given).
  if (time !== undefined) {
    const t = Date.parse(value.slice(m[1]?.length ?? 0));
    if (Number.isNaN(t)) throw badParam(name, `"${value}" is not a date-time`);
    return { prefix, start: t, end: t + 1000 };
  }
  const start = Date.UTC(y, (mo ?? 1) - 1, d ?? 1);
  const end = d !== undefined ? Date.UTC(y, (mo ?? 1) - 1, d + 1) : mo !== undefined ? Date.UTC(y, mo, 1) : Date.UTC(y + 1, 0, 1);
  return { prefix, start, end };
}

/** Does the instant `t` (ms) satisfy the criterion? */
export function dateMatches(c: DateCriterion, t: number): boolean {
  switch (c.prefix) {
    case 'eq':
      return t >= c.start && t < c.end;
    case 'ne':
      return t < c.start || t >= c.end;
    case 'lt':
      return t < c.start;
    case 'le':
      return t < c.end;
    case 'gt':
      return t >= c.end;
    case 'ge':
      return t >= c.start;
  }
}

export interface Page {
  count: number;
  offset: number;
}

export function pageOf(query: { _count?: number | undefined; _offset?: number | undefined }): Page {
  return { count: query._count ?? DEFAULT_COUNT, offset: query._offset ?? 0 };
}

/** The URL of a search with these parameters (in the order given) and this page. */
export function searchUrl(base: string, type: string, params: readonly (readonly [string, string])[], page: Page): string {
  const qs = new URLSearchParams();
  for (const [k, v] of params) qs.append(k, v);
  qs.set('_count', String(page.count));
  qs.set('_offset', String(page.offset));
  return `${base}/${type}?${qs.toString()}`;
}

/** A searchset Bundle of one page: `more` says whether a next page exists; `total` when known. */
export function searchset(
  base: string,
  type: string,
  params: readonly (readonly [string, string])[],
  page: Page,
  resources: readonly (Resource & { id?: string | undefined })[],
  more: boolean,
  total?: number,
): Bundle {
  const link: BundleLink[] = [{ relation: 'self', url: searchUrl(base, type, params, page) }];
  if (more) link.push({ relation: 'next', url: searchUrl(base, type, params, { count: page.count, offset: page.offset + page.count }) });
  if (page.offset > 0) link.push({ relation: 'previous', url: searchUrl(base, type, params, { count: page.count, offset: Math.max(0, page.offset - page.count) }) });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(total === undefined ? {} : { total }),
    link,
    entry: resources.map((resource) => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id ?? ''}`, resource, search: { mode: 'match' as const } })),
  };
}

/** The parameters actually given, as [name, value] pairs for the links (repeated ones repeated). */
export function givenParams(query: Record<string, unknown>, names: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const n of names) {
    const v = query[n];
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push([n, String(one)]);
  }
  return out;
}

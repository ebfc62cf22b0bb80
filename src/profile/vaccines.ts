/**
 * The vaccine catalogue (`vaccines.json`: WHO ATC J07 codes, their SNOMED CT target diseases,
 * the brands a patient reads in their carnet) and the coded routes and sites of administration
 * (FHIR R4 value sets immunization-route and immunization-site, HL7 v3 codes). Validated once at
 * start-up: a typo in the catalogue must fail loudly, not record a vaccine against nothing.
 */
import { AppError } from '../platform/errors.ts';
import type { ErrorDetail } from '../platform/errors.ts';
import bundled from './vaccines.json' with { type: 'json' };

export const ATC_SYSTEM = 'http://www.whocc.no/atc';
export const SNOMED_SYSTEM = 'http://snomed.info/sct';
export const ROUTE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration';
export const SITE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActSite';

/** A vaccine outside the catalogue, named in free text. */
export const OTHER_VACCINE = 'other';

export interface Vaccine {
  code: string;
  label: string;
  names: readonly string[];
  targets: readonly string[];
  calendar: string;
}

export interface VaccineCatalogue {
  version: string;
  source: string;
  diseases: ReadonlyMap<string, string>;
  vaccines: ReadonlyMap<string, Vaccine>;
}

/** Routes of administration (v3-RouteOfAdministration, the R4 immunization-route value set). */
export const ROUTES = {
  IM: 'Injection, intramuscular',
  SQ: 'Injection, subcutaneous',
  IDINJ: 'Injection, intradermal',
  PO: 'Swallow, oral',
  NASINHLC: 'Inhalation, nasal',
} as const;
export type RouteCode = keyof typeof ROUTES;
export const ROUTE_LABELS_FR: Readonly<Record<RouteCode, string>> = { IM: 'intramusculaire', SQ: 'sous-cutanée', IDINJ: 'intradermique', PO: 'orale', NASINHLC: 'nasale' };

/** Sites of administration (v3-ActSite, the R4 immunization-site value set and the limbs used for vaccines). */
export const SITES = {
  LA: 'left arm',
  RA: 'right arm',
  LD: 'left deltoid',
  RD: 'right deltoid',
  LT: 'left thigh',
  RT: 'right thigh',
  LVL: 'left vastus lateralis',
  RVL: 'right vastus lateralis',
} as const;
export type SiteCode = keyof typeof SITES;
export const SITE_LABELS_FR: Readonly<Record<SiteCode, string>> = {
  LA: 'bras gauche',
  RA: 'bras droit',
  LD: 'deltoïde gauche',
  RD: 'deltoïde droit',
  LT: 'cuisse gauche',
  RT: 'cuisse droite',
  LVL: 'vaste latéral gauche',
  RVL: 'vaste latéral droit',
};

export const isRouteCode = (c: string): c is RouteCode => Object.hasOwn(ROUTES, c);
export const isSiteCode = (c: string): c is SiteCode => Object.hasOwn(SITES, c);

const ATC_J07 = /^J07[A-Z]{2}\d{2}$/;
const SCTID = /^\d{6,18}$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** Validates a parsed catalogue; throws `validation_failed` listing every problem. */
export function parseVaccineCatalogue(raw: unknown, origin = 'vaccines.json'): VaccineCatalogue {
  const problems: ErrorDetail[] = [];
  const problem = (field: string, reason: string) => problems.push({ field, reason });
  if (!isObject(raw)) throw new AppError('validation_failed', `Vaccine catalogue ${origin} refused: not a JSON object.`);
  if (!isText(raw.version)) problem('version', 'must be a non-empty string');
  if (!isText(raw.source)) problem('source', 'must be a non-empty string');
  const diseases = new Map<string, string>();
  if (!isObject(raw.diseases)) problem('diseases', 'must be an object {SNOMED CT code: label}');
  else
    for (const [code, label] of Object.entries(raw.diseases)) {
      if (!SCTID.test(code)) problem(`diseases.${code}`, 'is not a SNOMED CT identifier');
      else if (!isText(label)) problem(`diseases.${code}`, 'must have a label');
      else diseases.set(code, label);
    }
  const vaccines = new Map<string, Vaccine>();
  if (!Array.isArray(raw.vaccines)) problem('vaccines', 'must be an array');
  else
    raw.vaccines.forEach((v: unknown, i) => {
      const at = `vaccines[${i}]`;
      if (!isObject(v)) return problem(at, 'must be an object');
      const { code, label, names, targets, calendar } = v;
      if (typeof code !== 'string' || !ATC_J07.test(code)) return problem(`${at}.code`, `${JSON.stringify(code)} is not an ATC J07 code (e.g. J07BM03)`);
      if (vaccines.has(code)) return problem(`${at}.code`, `${code} is listed twice`);
      if (!isText(label)) return problem(`${at}.label`, 'must be a non-empty string');
      if (!Array.isArray(names) || !names.every(isText)) return problem(`${at}.names`, 'must be an array of names');
      if (!Array.isArray(targets) || targets.length === 0) return problem(`${at}.targets`, 'must list at least one disease');
      for (const t of targets) if (typeof t !== 'string' || !diseases.has(t)) return problem(`${at}.targets`, `${JSON.stringify(t)} is not in "diseases"`);
      vaccines.set(code, Object.freeze({ code, label, names: Object.freeze([...(names as string[])]), targets: Object.freeze([...(targets as string[])]), calendar: isText(calendar) ? calendar : '' }));
    });
  if (problems.length > 0) {
    const first = problems[0];
    throw new AppError('validation_failed', `Vaccine catalogue ${origin} refused: ${first?.field ?? ''}: ${first?.reason ?? ''}.`, { details: problems });
  }
  return Object.freeze({ version: raw.version as string, source: raw.source as string, diseases, vaccines });
}

export const CATALOGUE: VaccineCatalogue = parseVaccineCatalogue(bundled, 'src/profile/vaccines.json');

/** The catalogue as the API serves it (GET /api/vaccines). */
export function catalogueView(c: VaccineCatalogue = CATALOGUE) {
  return {
    version: c.version,
    source: c.source,
    system: ATC_SYSTEM,
    vaccines: [...c.vaccines.values()].map((v) => ({ ...v, targets: v.targets.map((code) => ({ system: SNOMED_SYSTEM, code, display: c.diseases.get(code) ?? code })) })),
    other: { code: OTHER_VACCINE, label: 'Autre vaccin (nommez-le dans vaccineName)' },
    diseases: [...c.diseases.entries()].map(([code, display]) => ({ system: SNOMED_SYSTEM, code, display })),
    routes: Object.entries(ROUTES).map(([code, display]) => ({ system: ROUTE_SYSTEM, code, display, label: ROUTE_LABELS_FR[code as RouteCode] })),
    sites: Object.entries(SITES).map(([code, display]) => ({ system: SITE_SYSTEM, code, display, label: SITE_LABELS_FR[code as SiteCode] })),
  };
}

/** The display name of a vaccination's vaccine: the catalogue label, or the free text of 'other'. */
export function vaccineLabel(code: string, name: string | null, c: VaccineCatalogue = CATALOGUE): string {
  if (code === OTHER_VACCINE) return name ?? 'Autre vaccin';
  return c.vaccines.get(code)?.label ?? code;
}

export const diseaseLabel = (code: string, c: VaccineCatalogue = CATALOGUE): string => c.diseases.get(code) ?? code;

/**
 * Checking a vaccination as entered (pure: no I/O). The schema of the route checks types; this
 * checks meaning: a vaccine of the catalogue (or "other", named), diseases it targets, a date
 * neither in the future nor before birth, coded route and site, a plausible lot number. Every
 * problem names its field and says what to do.
 */
import { checkIdNatPs, isIsoDate } from '../identity/index.ts';
import type { ErrorDetail } from '../platform/errors.ts';
import { AppError } from '../platform/errors.ts';
import { CATALOGUE, OTHER_VACCINE, isRouteCode, isSiteCode } from './vaccines.ts';
import type { RouteCode, SiteCode, VaccineCatalogue } from './vaccines.ts';

/** A vaccination as the API receives it (types already checked by the schema). */
export interface VaccinationInput {
  vaccineCode: string;
  vaccineName?: string | undefined;
  targetDiseases?: string[] | undefined;
  date: string;
  doseNumber?: number | undefined;
  lotNumber?: string | undefined;
  route?: string | undefined;
  site?: string | undefined;
  performer?: { idNatPs: string } | { name: string } | undefined;
  notes?: string | undefined;
}

export type Performer = { kind: 'directory'; idNatPs: string } | { kind: 'text'; name: string };

/** A checked vaccination, ready to store. */
export interface VaccinationEntry {
  vaccineCode: string;
  vaccineName: string | null;
  targetDiseases: string[];
  occurredOn: string;
  doseNumber: number | null;
  lotNumber: string | null;
  route: RouteCode | null;
  site: SiteCode | null;
  performer: Performer | null;
  notes: string | null;
}

const LOT = /^[A-Za-z0-9][A-Za-z0-9 ./-]{0,39}$/;

/** Trims and collapses spaces; null when empty. */
export function cleanText(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim().replace(/[ \t]+/g, ' ');
  return t === '' ? null : t;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Checks a vaccination; `birthDate` and `today` are YYYY-MM-DD (today in the patient's calendar). */
export function checkVaccination(input: VaccinationInput, ctx: { today: string; birthDate: string }, catalogue: VaccineCatalogue = CATALOGUE): { ok: VaccinationEntry } | { problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const problem = (field: string, reason: string) => problems.push({ field: `body.${field}`, reason });

  const vaccineName = cleanText(input.vaccineName);
  if (vaccineName !== null && (vaccineName.length > 120 || CONTROL.test(vaccineName))) problem('vaccineName', 'must be at most 120 characters of text');
  let targets: string[] = [];
  if (input.vaccineCode === OTHER_VACCINE) {
    if (vaccineName === null) problem('vaccineName', 'is required when vaccineCode is "other": name the vaccine as written in the carnet');
    targets = [...new Set(input.targetDiseases ?? [])];
    for (const t of targets) if (!catalogue.diseases.has(t)) problem('targetDiseases', `"${t}" is not a disease of the catalogue (SNOMED CT codes listed at GET /api/vaccines)`);
  } else {
    const vaccine = catalogue.vaccines.get(input.vaccineCode);
    if (vaccine === undefined) {
      problem('vaccineCode', `"${input.vaccineCode}" is not a vaccine of the catalogue: pick an ATC code from GET /api/vaccines, or "other" with vaccineName`);
    } else if (input.targetDiseases === undefined || input.targetDiseases.length === 0) {
      targets = [...vaccine.targets];
    } else {
      targets = [...new Set(input.targetDiseases)];
      // A vaccine protects against what it protects against: a subset may be named, nothing else.
      for (const t of targets) if (!vaccine.targets.includes(t)) problem('targetDiseases', `"${t}" is not a disease ${vaccine.code} (${vaccine.label}) targets (it targets ${vaccine.targets.join(', ')})`);
    }
  }

  const date = input.date;
  if (!isIsoDate(date)) problem('date', 'must be a date YYYY-MM-DD');
  else if (date > ctx.today) problem('date', 'is in the future: give the date the vaccine was given');
  else if (date < ctx.birthDate) problem('date', `is before the patient’s birth (${ctx.birthDate})`);

  const lot = cleanText(input.lotNumber);
  if (lot !== null && !LOT.test(lot)) problem('lotNumber', 'must be 1 to 40 letters, digits, spaces or . / - (as printed on the vaccine’s label)');

  let route: RouteCode | null = null;
  if (input.route !== undefined) {
    if (isRouteCode(input.route)) route = input.route;
    else problem('route', `"${input.route}" is not a route of administration (IM, SQ, IDINJ, PO, NASINHLC: HL7 v3 RouteOfAdministration)`);
  }
  let site: SiteCode | null = null;
  if (input.site !== undefined) {
    if (isSiteCode(input.site)) site = input.site;
    else problem('site', `"${input.site}" is not a site of administration (LA, RA, LD, RD, LT, RT, LVL, RVL: HL7 v3 ActSite)`);
  }

  let performer: Performer | null = null;
  const p = input.performer;
  if (p !== undefined) {
    if ('idNatPs' in p) {
      const id = checkIdNatPs(p.idNatPs);
      if (id.ok) performer = { kind: 'directory', idNatPs: id.value };
      else problem('performer.idNatPs', id.reason);
    } else {
      const name = cleanText(p.name);
      if (name === null || name.length > 120 || CONTROL.test(name)) problem('performer.name', 'must be 1 to 120 characters: who gave the vaccine');
      else performer = { kind: 'text', name };
    }
  }

  const notes = input.notes === undefined ? null : input.notes.trim() === '' ? null : input.notes.trim();
  if (notes !== null && (notes.length > 1000 || CONTROL.test(notes))) problem('notes', 'must be at most 1000 characters of text');
  // The schema checks it too; kept here because the stored value is sealed (no CHECK constraint behind).
  if (input.doseNumber !== undefined && !(Number.isInteger(input.doseNumber) && input.doseNumber >= 1 && input.doseNumber <= 20)) problem('doseNumber', 'must be a whole number from 1 to 20');

  if (problems.length > 0) return { problems };
  return {
    ok: {
      vaccineCode: input.vaccineCode,
      vaccineName,
      targetDiseases: targets,
      occurredOn: date,
      doseNumber: input.doseNumber ?? null,
      lotNumber: lot,
      route,
      site,
      performer,
      notes,
    },
  };
}

/** The 400 for a list of problems: the first one in the message, all in the details. */
export function invalidInput(problems: ErrorDetail[]): AppError {
  const first = problems[0];
  return new AppError('validation_failed', first ? `Invalid input: ${first.field ?? ''} ${first.reason}.` : 'Invalid input.', { details: problems });
}

/** Today in Paris, YYYY-MM-DD (the calendar patients and professionals live in). */
export function parisDay(now: Date): string {
  return now.toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
}

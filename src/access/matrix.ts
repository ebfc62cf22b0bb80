/**
 * The authorization matrix (RULES §3.2) as data: `matrix.json` beside this file, or a file an
 * operator supplies (`loadMatrixFile`), validated here once at start-up so that decide() only
 * ever sees a well-formed matrix. Anything unknown (profession, specialty, document type or
 * class, resource kind, field) is refused with an error naming the entry: a typo in a matrix
 * must never silently open or close access.
 */
import { readFileSync } from 'node:fs';
import { isProfessionCode, PHYSICIAN } from '../identity/directory.ts';
import type { ProfessionCode } from '../identity/directory.ts';
import { AppError } from '../platform/errors.ts';
import type { ErrorDetail } from '../platform/errors.ts';
import { ADVANCE_DIRECTIVES_TYPE, classOfType, isDocumentClass, isDocumentType } from './document-types.ts';
import type { DocumentClassCode } from './document-types.ts';
import bundled from './matrix.json' with { type: 'json' };
import { PROFESSIONAL_RESOURCE_KINDS } from './types.ts';
import type { ProfessionalResourceKind, ResourceKind } from './types.ts';

export const READ_MODES = ['all_except', 'only', 'none'] as const;
export type ReadMode = (typeof READ_MODES)[number];

/** What one profession (or physicians' specialty) may read. */
export interface MatrixRow {
  /** Where the row comes from, e.g. `rows.40`, `rows.10.specialties.SM25`, `defaults.fallback`. */
  readonly entry: string;
  readonly read: ReadMode;
  readonly types: ReadonlySet<string>;
  readonly classes: ReadonlySet<DocumentClassCode>;
  /** Resource kinds the row opens; advance_directives already removed when EXPPAT_3 is not readable. */
  readonly resourceKinds: ReadonlySet<ProfessionalResourceKind>;
  /** The row's source or, for a default, why it was chosen. */
  readonly basis: string;
}

export interface Matrix {
  readonly name: string;
  readonly version: string;
  readonly source: string;
  readonly rows: ReadonlyMap<ProfessionCode, MatrixRow>;
  /** Physicians' specialty rows, by TRE_R38 code. */
  readonly specialties: ReadonlyMap<string, MatrixRow>;
  /** Defaults chosen for professions without a known row. */
  readonly defaultRows: ReadonlyMap<ProfessionCode, MatrixRow>;
  readonly fallback: MatrixRow;
  readonly defaultsWhy: string;
}

const SPECIALTY_CODE = /^SM\d{2}$/;
const TOP_KEYS = new Set(['$comment', 'name', 'version', 'source', 'professionalResourceKinds', 'rows', 'defaults']);
const ROW_KEYS = new Set(['label', 'read', 'types', 'classes', 'resourceKinds', 'source', 'why', 'specialties']);
const DEFAULTS_KEYS = new Set(['why', 'fallback', 'professions']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a parsed matrix document (from JSON). Throws `validation_failed` listing every problem. */
export function parseMatrix(raw: unknown, origin = 'matrix'): Matrix {
  const problems: ErrorDetail[] = [];
  const problem = (field: string, reason: string) => problems.push({ field, reason });

  if (!isObject(raw)) throw invalid(origin, [{ field: '(root)', reason: 'must be a JSON object' }]);
  for (const k of Object.keys(raw)) if (!TOP_KEYS.has(k)) problem(k, `unknown field "${k}" (expected one of ${[...TOP_KEYS].join(', ')})`);

  const text = (field: string, v: unknown): string => {
    if (typeof v === 'string' && v.trim() !== '') return v;
    problem(field, 'must be a non-empty string');
    return '';
  };
  const name = text('name', raw.name);
  const version = text('version', raw.version);
  const source = text('source', raw.source);

  const kinds = (field: string, v: unknown): ProfessionalResourceKind[] => {
    if (!Array.isArray(v)) {
      problem(field, 'must be an array of resource kinds');
      return [];
    }
    const out: ProfessionalResourceKind[] = [];
    v.forEach((k, i) => {
      if (typeof k === 'string' && (PROFESSIONAL_RESOURCE_KINDS as readonly string[]).includes(k)) out.push(k as ProfessionalResourceKind);
      else problem(`${field}[${i}]`, `unknown resource kind ${JSON.stringify(k)} (expected one of ${PROFESSIONAL_RESOURCE_KINDS.join(', ')})`);
    });
    return out;
  };
  const defaultKinds = kinds('professionalResourceKinds', raw.professionalResourceKinds);

  const row = (entry: string, v: unknown, opts: { specialtiesAllowed: boolean; basisField: 'source' | 'why' }): MatrixRow | null => {
    if (!isObject(v)) {
      problem(entry, 'must be an object {"read": ..., "types": [...], "classes": [...]}');
      return null;
    }
    for (const k of Object.keys(v)) if (!ROW_KEYS.has(k)) problem(`${entry}.${k}`, `unknown field "${k}"`);
    if (v.specialties !== undefined && !opts.specialtiesAllowed) problem(`${entry}.specialties`, 'specialty rows exist for physicians (profession 10) only');
    const read = v.read;
    if (typeof read !== 'string' || !(READ_MODES as readonly string[]).includes(read)) {
      problem(`${entry}.read`, `must be one of ${READ_MODES.join(', ')}, got ${JSON.stringify(read)}`);
      return null;
    }
    const types = new Set<string>();
    if (v.types !== undefined && !Array.isArray(v.types)) problem(`${entry}.types`, 'must be an array of JDV_J66 type codes');
    (Array.isArray(v.types) ? v.types : []).forEach((t: unknown, i) => {
      if (typeof t === 'string' && isDocumentType(t)) types.add(t);
      else problem(`${entry}.types[${i}]`, `unknown document type ${JSON.stringify(t)} (not in JDV_J66, see valuesets.md)`);
    });
    const classes = new Set<DocumentClassCode>();
    if (v.classes !== undefined && !Array.isArray(v.classes)) problem(`${entry}.classes`, 'must be an array of TRE_A03 class codes');
    (Array.isArray(v.classes) ? v.classes : []).forEach((c: unknown, i) => {
      if (typeof c === 'string' && isDocumentClass(c)) classes.add(c);
      else problem(`${entry}.classes[${i}]`, `unknown document class ${JSON.stringify(c)} (not in TRE_A03)`);
    });
    if (read === 'none' && (types.size > 0 || classes.size > 0)) problem(entry, '"read": "none" takes no types or classes');
    const basis = text(`${entry}.${opts.basisField}`, v[opts.basisField]);
    const partial = { entry, read: read as ReadMode, types, classes };
    const rowKinds = new Set(v.resourceKinds === undefined ? defaultKinds : kinds(`${entry}.resourceKinds`, v.resourceKinds));
    // One source of truth: a row that cannot read EXPPAT_3 cannot read the advance directives form either.
    if (!readsType(partial, ADVANCE_DIRECTIVES_TYPE)) rowKinds.delete('advance_directives');
    return Object.freeze({ ...partial, resourceKinds: rowKinds, basis });
  };

  const rows = new Map<ProfessionCode, MatrixRow>();
  const specialties = new Map<string, MatrixRow>();
  if (!isObject(raw.rows)) problem('rows', 'must be an object keyed by profession code (TRE_G15)');
  else {
    for (const [code, v] of Object.entries(raw.rows)) {
      if (!isProfessionCode(code)) {
        problem(`rows.${code}`, `unknown profession code "${code}" (TRE_G15 codes Carnet knows: see identity/directory.ts PROFESSIONS)`);
        continue;
      }
      const r = row(`rows.${code}`, v, { specialtiesAllowed: code === PHYSICIAN, basisField: 'source' });
      if (r) rows.set(code, r);
      if (isObject(v) && v.specialties !== undefined && code === PHYSICIAN) {
        if (!isObject(v.specialties)) problem(`rows.${code}.specialties`, 'must be an object keyed by specialty code (TRE_R38 SMnn)');
        else
          for (const [sm, sv] of Object.entries(v.specialties)) {
            if (!SPECIALTY_CODE.test(sm)) {
              problem(`rows.${code}.specialties.${sm}`, `unknown specialty code "${sm}" (expected TRE_R38 SMnn)`);
              continue;
            }
            const s = row(`rows.${code}.specialties.${sm}`, sv, { specialtiesAllowed: false, basisField: 'source' });
            if (s) specialties.set(sm, s);
          }
      }
    }
  }

  const defaultRows = new Map<ProfessionCode, MatrixRow>();
  let fallback: MatrixRow | null = null;
  let defaultsWhy = '';
  if (!isObject(raw.defaults)) problem('defaults', 'must be an object {"why", "fallback", "professions"}');
  else {
    const d = raw.defaults;
    for (const k of Object.keys(d)) if (!DEFAULTS_KEYS.has(k)) problem(`defaults.${k}`, `unknown field "${k}"`);
    defaultsWhy = text('defaults.why', d.why);
    fallback = row('defaults.fallback', d.fallback, { specialtiesAllowed: false, basisField: 'why' });
    if (d.professions !== undefined) {
      if (!isObject(d.professions)) problem('defaults.professions', 'must be an object keyed by profession code');
      else
        for (const [code, v] of Object.entries(d.professions)) {
          if (!isProfessionCode(code)) problem(`defaults.professions.${code}`, `unknown profession code "${code}"`);
          else if (rows.has(code)) problem(`defaults.professions.${code}`, `profession ${code} has a known row (rows.${code}): a default would be ignored`);
          else {
            const r = row(`defaults.professions.${code}`, v, { specialtiesAllowed: false, basisField: 'why' });
            if (r) defaultRows.set(code, r);
          }
        }
    }
  }

  if (problems.length > 0 || fallback === null) throw invalid(origin, problems);
  return Object.freeze({ name, version, source, rows, specialties, defaultRows, fallback, defaultsWhy });
}

function invalid(origin: string, details: ErrorDetail[]): AppError {
  const first = details[0];
  const head = first ? `${first.field}: ${first.reason}` : 'invalid';
  const more = details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''})` : '';
  return new AppError('validation_failed', `Authorization matrix ${origin} refused: ${head}${more}.`, { details });
}

/** Reads and validates an operator-supplied matrix file (start-up only; decide() does no I/O). */
export function loadMatrixFile(path: string): Matrix {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AppError('validation_failed', `Authorization matrix ${path}: cannot read the file (${(e as Error).message}).`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new AppError('validation_failed', `Authorization matrix ${path}: not JSON (${(e as Error).message}).`, { cause: e });
  }
  return parseMatrix(raw, path);
}

/** The matrix shipped with Carnet (`src/access/matrix.json`). */
export const DEFAULT_MATRIX: Matrix = parseMatrix(bundled, 'src/access/matrix.json');

/**
 * The row governing a professional: the physician's specialty row if any, else the
 * profession's known row, else its default, else the fallback; null for a profession code
 * Carnet does not know (deny).
 */
export function rowFor(matrix: Matrix, professionCode: string, specialtyCode: string | null): MatrixRow | null {
  if (!isProfessionCode(professionCode)) return null;
  if (professionCode === PHYSICIAN && specialtyCode !== null) {
    const s = matrix.specialties.get(specialtyCode);
    if (s) return s;
  }
  return matrix.rows.get(professionCode) ?? matrix.defaultRows.get(professionCode) ?? matrix.fallback;
}

/** Whether a row reads a document type (a type outside JDV_J66 is never readable). */
export function readsType(row: Pick<MatrixRow, 'read' | 'types' | 'classes'>, typeCode: string): boolean {
  const cls = classOfType(typeCode);
  if (cls === null) return false;
  const listed = row.types.has(typeCode) || row.classes.has(cls);
  switch (row.read) {
    case 'all_except':
      return !listed;
    case 'only':
      return listed;
    case 'none':
      return false;
  }
}

export function readsKind(row: MatrixRow, kind: ResourceKind): boolean {
  return (row.resourceKinds as ReadonlySet<string>).has(kind);
}

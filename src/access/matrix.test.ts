import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFESSIONS } from '../identity/directory.ts';
import { AppError } from '../platform/errors.ts';
import { DOCUMENT_TYPES } from './document-types.ts';
import bundled from './matrix.json' with { type: 'json' };
import { DEFAULT_MATRIX, loadMatrixFile, parseMatrix, readsKind, readsType, rowFor } from './matrix.ts';
import type { ProfessionCode } from '../identity/directory.ts';

/** A mutable copy of the bundled file, loosely typed on purpose: tests break it in every way. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;
const clone = (): Loose => JSON.parse(JSON.stringify(bundled)) as Loose;
const refusal = (raw: unknown): AppError => {
  try {
    parseMatrix(raw, 'test.json');
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('matrix accepted');
};
const ALL_TYPES = Object.keys(DOCUMENT_TYPES);
const readable = (profession: string, specialty: string | null = null) => {
  const row = rowFor(DEFAULT_MATRIX, profession, specialty);
  if (!row) throw new Error(`no row for ${profession}`);
  return new Set(ALL_TYPES.filter((t) => readsType(row, t)));
};
const unreadable = (profession: string, specialty: string | null = null) => ALL_TYPES.filter((t) => !readable(profession, specialty).has(t)).sort();

describe('the bundled matrix', () => {
  it('loads', () => {
    expect(DEFAULT_MATRIX.version).toBe('2023-10-26/carnet-1');
    expect([...DEFAULT_MATRIX.rows.keys()].sort()).toEqual(['10', '40', '60', '80']);
  });

  it('holds the known rows of RULES §3.2, type for type', () => {
    expect(unreadable('10')).toEqual(['ATTEST-RESID']);
    expect(unreadable('40')).toEqual(['68599-0', '75496-0', '80788-3', '83901-9', '83981-1', 'EXPPAT_3']);
    expect(unreadable('60')).toEqual(['68599-0', '68817-6', '75496-0', '83901-9', '89601-9']);
    expect(unreadable('80')).toEqual(['15508-5']);
  });

  it('closes the record to occupational medicine (L. 1111-18), and only that specialty', () => {
    expect(readable('10', 'SM25').size).toBe(0);
    expect(rowFor(DEFAULT_MATRIX, '10', 'SM25')?.resourceKinds.size).toBe(0);
    expect(unreadable('10', 'SM42')).toEqual(['ATTEST-RESID']);
  });

  it('derives the advance directives form from EXPPAT_3: dentists do not see it, nurses do', () => {
    expect(readsKind(rowFor(DEFAULT_MATRIX, '40', null)!, 'advance_directives')).toBe(false);
    expect(readsKind(rowFor(DEFAULT_MATRIX, '40', null)!, 'vaccination')).toBe(true);
    expect(readsKind(rowFor(DEFAULT_MATRIX, '60', null)!, 'advance_directives')).toBe(true);
  });

  it('default: a profession without a row reads, type by type, no more than any known non-physician row', () => {
    const known = ['40', '60', '80'].map((p) => readable(p));
    const withoutRow = Object.keys(PROFESSIONS).filter((p) => !DEFAULT_MATRIX.rows.has(p as ProfessionCode) && !DEFAULT_MATRIX.defaultRows.has(p as ProfessionCode));
    expect(withoutRow.sort()).toEqual(['21', '26', '28', '70', '91', '92', '94', '95', '96', '98']);
    for (const p of withoutRow) {
      expect(rowFor(DEFAULT_MATRIX, p, null)).toBe(DEFAULT_MATRIX.fallback);
      for (const t of readable(p)) for (const k of known) expect(k.has(t), `${p} reads ${t}`).toBe(true);
    }
    expect(readable('21').has('ATTEST-RESID')).toBe(false);
  });

  it('midwives: the fallback plus the delivery report, and nothing else', () => {
    const fallback = readable('21');
    const midwife = readable('50');
    expect([...midwife].filter((t) => !fallback.has(t))).toEqual(['15508-5']);
    expect([...fallback].filter((t) => !midwife.has(t))).toEqual([]);
  });

  it('every default says why', () => {
    expect(DEFAULT_MATRIX.defaultsWhy).toMatch(/cannot be undone/);
    expect(DEFAULT_MATRIX.fallback.basis).toMatch(/least-privileged/);
    expect(DEFAULT_MATRIX.defaultRows.get('50')?.basis).toMatch(/L\. 4151-1/);
  });

  it('knows no profession outside TRE_G15', () => {
    expect(rowFor(DEFAULT_MATRIX, '99', null)).toBeNull();
  });

  it('reads no type outside JDV_J66', () => {
    expect(readsType(DEFAULT_MATRIX.rows.get('10')!, 'XX-1')).toBe(false);
  });
});

describe('parseMatrix refuses what it does not know, naming the entry', () => {
  const cases: [string, (m: Loose) => void, RegExp][] = [
    ['an unknown profession', (m) => (m.rows['77'] = { read: 'none', source: 'x' }), /rows\.77: unknown profession code "77"/],
    ['an unknown type', (m) => m.rows['40'].types.push('12345-6'), /rows\.40\.types\[6\]: unknown document type "12345-6"/],
    ['an unknown class', (m) => (m.rows['60'].classes = ['99']), /rows\.60\.classes\[0\]: unknown document class "99"/],
    ['an unknown read mode', (m) => (m.rows['80'].read = 'everything'), /rows\.80\.read: must be one of all_except, only, none/],
    ['an unknown specialty', (m) => (m.rows['10'].specialties.XX = { read: 'none', source: 'x' }), /rows\.10\.specialties\.XX: unknown specialty code/],
    ['specialties outside physicians', (m) => (m.rows['40'].specialties = {}), /rows\.40\.specialties: specialty rows exist for physicians/],
    ['an unknown resource kind', (m) => (m.rows['60'].resourceKinds = ['document', 'credentials']), /rows\.60\.resourceKinds\[1\]: unknown resource kind "credentials"/],
    ['an unknown field', (m) => (m.rows['60'].reads = 'all'), /rows\.60\.reads: unknown field "reads"/],
    ['a default without why', (m) => delete m.defaults.fallback.why, /defaults\.fallback\.why: must be a non-empty string/],
    ['a default for a profession with a row', (m) => (m.defaults.professions['40'] = { read: 'none', why: 'x' }), /defaults\.professions\.40: profession 40 has a known row/],
    ['no fallback', (m) => delete m.defaults.fallback, /defaults\.fallback: must be an object/],
    ['none with types', (m) => (m.rows['80'] = { read: 'none', types: ['15508-5'], source: 'x' }), /rows\.80: "read": "none" takes no types or classes/],
  ];
  it.each(cases)('%s', (_name, mutate, message) => {
    const m = clone();
    mutate(m);
    const e = refusal(m);
    expect(e.code).toBe('validation_failed');
    expect(e.message).toMatch(/^Authorization matrix test\.json refused: /);
    expect(e.message).toMatch(message);
  });

  it('lists every problem, not only the first', () => {
    const m = clone();
    m.rows['77'] = { read: 'none', source: 'x' };
    m.rows['40'].types.push('nope');
    const e = refusal(m);
    expect(e.details).toHaveLength(2);
    expect(e.message).toMatch(/and 1 more problem\)/);
  });

  it('refuses what is not an object', () => {
    expect(refusal([]).message).toMatch(/\(root\): must be a JSON object/);
  });
});

describe('loadMatrixFile (an operator-supplied matrix)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'carnet-matrix-'));
  it('loads a valid file', () => {
    const m = clone();
    m.version = 'operator-1';
    m.rows['21'] = { read: 'only', classes: ['42', '43'], source: 'operator' };
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify(m));
    const matrix = loadMatrixFile(file);
    expect(matrix.version).toBe('operator-1');
    expect(readsType(rowFor(matrix, '21', null)!, '60593-1')).toBe(true);
    expect(readsType(rowFor(matrix, '21', null)!, '11488-4')).toBe(false);
  });
  it('names the file when it is missing or not JSON', () => {
    expect(() => loadMatrixFile(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read the file/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ nope');
    expect(() => loadMatrixFile(bad)).toThrow(/bad\.json: not JSON/);
  });
});

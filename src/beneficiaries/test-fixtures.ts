/** Lines of beneficiary files for the tests of this folder (not a test file itself). */
import { withNirKey } from '../identity/index.ts';
import { BENEFICIARY_COLUMNS } from './beneficiary-line.ts';

export type Line = Record<string, string>;

const COLUMNS: readonly string[] = BENEFICIARY_COLUMNS;

export function csvOf(lines: Line[], sep = ','): string {
  const cell = (v: string) => (/[",;\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  return [COLUMNS.join(sep), ...lines.map((l) => COLUMNS.map((c) => cell(l[c] ?? '')).join(sep))].join('\n') + '\n';
}

export function ndjsonOf(lines: Line[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

let serial = 0;
/** A person with a unique NIR coherent with their traits. */
export function person(o: { sex?: 'M' | 'F'; birthDate?: string; email?: string | null; representative?: string } = {}): Line {
  const sex = o.sex ?? 'F';
  const birthDate = o.birthDate ?? '1985-04-12';
  serial++;
  const matricule = withNirKey(`${sex === 'M' ? 1 : 2}${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}75${String(100 + (serial % 900)).padStart(3, '0')}${String(serial % 1000).padStart(3, '0')}`);
  const l: Line = { matricule, birth_name: 'MARTIN', birth_given_names: sex === 'F' ? 'Claire Anne' : 'Jean Paul', birth_date: birthDate, sex, card_serial: `9${String(serial).padStart(9, '0')}` };
  if (o.email === null) Object.assign(l, { address: '12 rue des Lilas', postal_code: '69003', city: 'Lyon' });
  else l.email = o.email ?? `p${serial}@example.org`;
  if (o.representative !== undefined) l.representative_matricule = o.representative;
  return l;
}

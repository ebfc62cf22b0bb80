import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Db } from '../storage/index.ts';
import type { Clock } from '../platform/clock.ts';
import { importProfessionals } from './import-professionals.ts';
import type { ImportSummary } from './import-professionals.ts';

/** The demo directory file (fictitious professionals; RPPS 999..., FINESS 75999...). */
export const DEMO_DIRECTORY_FILE = fileURLToPath(new URL('../dev/demo-professionals.csv', import.meta.url));

/** National identifiers of demo professionals other demo data refers to. */
export const DEMO_PROFESSIONALS = {
  /** Dr Sophie Bernard, general practitioner: the demo patient's médecin traitant. */
  generalPractitioner: '899900000011',
  /** Dr Marc Leroy, cardiologist at the demo hospital. */
  cardiologist: '899900000029',
  /** Claire Dubois, pharmacist. */
  pharmacist: '899900000037',
  /** Julien Moreau, nurse. */
  nurse: '899900000045',
  /** Amélie Petit, dentist. */
  dentist: '899900000052',
  /** Thomas Roux, podiatrist. */
  podiatrist: '899900000060',
  /** Dr Karim Haddad, emergency physician, regulator at SAMU 75 – Centre 15. */
  samuRegulator: '899900000078',
} as const;

/**
 * Loads the demo directory (idempotent: a second call changes nothing). Development only;
 * the caller decides (config.demo). A line refused in the demo file is a bug: it throws.
 */
export async function loadDemoDirectory(db: Db, clock: Clock): Promise<ImportSummary> {
  const summary = await importProfessionals(db, clock, createReadStream(DEMO_DIRECTORY_FILE), 'csv');
  if (summary.errors > 0) {
    const p = summary.firstProblems[0];
    throw new Error(`The demo directory ${DEMO_DIRECTORY_FILE} has ${summary.errors} bad lines (first: line ${p?.line}, ${p?.field}: ${p?.reason}).`);
  }
  return summary;
}

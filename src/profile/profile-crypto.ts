/**
 * The sealing of the medical profile's tables (Invariant 4): every store of the profile seals
 * what it writes and opens what it reads through a RecordSealer (src/storage/blobs/sealed-json.ts),
 * under each patient's data key. The sealer is built from the configuration's master key where
 * the routes get their dependencies, and passed down explicitly: no global.
 */
import type { Config } from '../config.ts';
import type { Clock } from '../platform/clock.ts';
import type { RecordAccessDeps } from '../records/index.ts';
import { createMasterKeyRing, createPatientKeys, createRecordSealer } from '../storage/blobs/index.ts';
import type { RecordSealer } from '../storage/blobs/index.ts';

export type { PatientRecordSealer, RecordSealer } from '../storage/blobs/index.ts';

/** What the profile's use cases need: the record access (decide, trace, transaction) and the sealer. */
export interface ProfileDeps extends RecordAccessDeps {
  sealer: RecordSealer;
}

/** The profile's sealer, from the configured master key. */
export function createProfileSealer(deps: { config: Pick<Config, 'masterKey'>; clock: Clock }): RecordSealer {
  return createRecordSealer({ keys: createPatientKeys({ ring: createMasterKeyRing(deps.config.masterKey), clock: deps.clock }) });
}

/** The dependencies of the profile's use cases, built once per route plugin. */
export function profileDepsOf(deps: RecordAccessDeps & { config: Pick<Config, 'masterKey'> }): ProfileDeps {
  return { db: deps.db, clock: deps.clock, random: deps.random, config: deps.config, sealer: createProfileSealer(deps) };
}

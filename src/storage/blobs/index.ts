export type { BlobContent, BlobInfo, BlobStore } from './blob-store.ts';
export { createPgBlobStore } from './pg-blob-store.ts';
export { createPatientKeys } from './patient-keys.ts';
export type { PatientKeys, PatientKeysOptions } from './patient-keys.ts';
export { createMasterKeyRing, masterKeyVersion } from './master-key-ring.ts';
export type { MasterKeyRing } from './master-key-ring.ts';
export { generateKey } from './seal.ts';
export { createRecordSealer } from './sealed-json.ts';
export type { PatientRecordSealer, RecordSealer } from './sealed-json.ts';

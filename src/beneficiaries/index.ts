/** What other modules may use of the beneficiary import. */
export { importBeneficiaries, DEFAULT_BATCH_SIZE } from './import-beneficiaries.ts';
export type { ImportDeps, ImportOptions, ImportProgress, ImportSummary } from './import-beneficiaries.ts';
export { BENEFICIARY_COLUMNS, REQUIRED_COLUMNS } from './beneficiary-line.ts';
export type { LineError } from './beneficiary-line.ts';
export { beneficiaryRoutes } from './routes.ts';

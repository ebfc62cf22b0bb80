export { readRecords, detectFormat, inBatches, RECORD_FORMATS } from './read-records.ts';
export type { RecordFormat, SourceRecord, ReadRecordsOptions } from './read-records.ts';
export { createProgress } from './progress.ts';
export type { Progress } from './progress.ts';

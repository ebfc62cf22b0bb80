export { AppError, isAppError, toProblem, ERROR_CODES } from './errors.ts';
export type { ErrorCode, ErrorDetail, Problem } from './errors.ts';
export { systemClock, ManualClock, addDays, addMonths, addYears, DAY_MS } from './clock.ts';
export type { Clock } from './clock.ts';
export { cryptoRandom, normalizeCode } from './random.ts';
export type { Random } from './random.ts';
export { keyedHash, safeEqual } from './secrets.ts';

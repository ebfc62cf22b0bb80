/**
 * The one error type of Carnet. Every failure a caller should see is an AppError with a
 * stable code; the HTTP layer maps it to a status and a problem body (and, under /fhir,
 * to an OperationOutcome). Anything else is a bug and becomes a 500 with no detail.
 */
export const ERROR_CODES = {
  bad_request: 400,
  validation_failed: 400,
  invalid_nir: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  otp_invalid: 401,
  csrf_failed: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  code_invalid: 400,
  code_expired: 410,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  locked: 423,
  rate_limited: 429,
  refused_in_production: 500,
  unavailable: 503,
  internal: 500,
  /** Stored content or a key failed its integrity check (altered, moved, or under another key). */
  integrity_failed: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  /** Field path, e.g. `body.birthDate` or `line 12: nir`. */
  field?: string;
  reason: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly ErrorDetail[];
  /** Seconds after which the caller may retry (rate limits, lockouts). */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, opts: { details?: ErrorDetail[]; retryAfter?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = Object.freeze([...(opts.details ?? [])]);
    this.retryAfter = opts.retryAfter;
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Problem body returned to API clients (RFC 9457 shape, plus our stable code). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: readonly ErrorDetail[];
}

export function toProblem(e: AppError): Problem {
  const p: Problem = {
    type: `https://carnet.example/problems/${e.code}`,
    title: e.code.replaceAll('_', ' '),
    status: e.status,
    code: e.code,
    detail: e.message,
  };
  if (e.details.length > 0) p.errors = e.details;
  return p;
}

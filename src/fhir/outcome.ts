/**
 * Errors under /fhir as FHIR R4 OperationOutcome (ARCHITECTURE invariant 6; STYLE, Medplum's
 * OperationOutcomeError): every AppError code maps to an issue type, the HTTP status stays the
 * one the code carries, and a 5xx says nothing of its cause (the details go to the log).
 */
import type { FastifyError } from 'fastify';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { AppError } from '../platform/errors.ts';
import type { ErrorCode } from '../platform/errors.ts';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

/** System of Carnet's stable error codes, carried in `issue.details.coding`. */
export const CARNET_ERROR_SYSTEM = 'https://carnet.example/problems';

/** AppError code -> FHIR issue type (http://hl7.org/fhir/issue-type). */
const ISSUE_TYPE: Readonly<Record<ErrorCode, OperationOutcomeIssue['code']>> = {
  bad_request: 'invalid',
  validation_failed: 'invalid',
  invalid_nir: 'invalid',
  code_invalid: 'invalid',
  unauthenticated: 'login',
  invalid_credentials: 'login',
  otp_invalid: 'login',
  csrf_failed: 'security',
  forbidden: 'forbidden',
  not_found: 'not-found',
  conflict: 'conflict',
  invalid_transition: 'business-rule',
  code_expired: 'expired',
  gone: 'deleted',
  payload_too_large: 'too-long',
  unsupported_media_type: 'not-supported',
  locked: 'lock-error',
  rate_limited: 'throttled',
  refused_in_production: 'exception',
  unavailable: 'transient',
  internal: 'exception',
  integrity_failed: 'exception',
};

const HIDDEN_5XX = 'Something went wrong on our side. Please try again; if it persists, contact support.';

/** The OperationOutcome of an AppError (its message, then one issue per detail). */
export function outcomeOf(e: AppError): OperationOutcome {
  const code = ISSUE_TYPE[e.code];
  const text = e.status >= 500 ? HIDDEN_5XX : e.message;
  const issue: OperationOutcomeIssue[] = [{ severity: 'error', code, details: { coding: [{ system: CARNET_ERROR_SYSTEM, code: e.code }], text } }];
  if (e.status < 500) {
    for (const d of e.details) issue.push({ severity: 'error', code, diagnostics: d.field === undefined ? d.reason : `${d.field}: ${d.reason}` });
  }
  return { resourceType: 'OperationOutcome', issue };
}

type FastifyLikeError = FastifyError & {
  validation?: { instancePath: string; message?: string; params?: Record<string, unknown> }[];
  validationContext?: string;
};

/** Any error reaching the /fhir error handler, as an AppError (Fastify's own errors included). */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const fe = error as FastifyLikeError;
  if (fe.validation) {
    const details = fe.validation.map((v) => {
      const missing = v.params?.missingProperty;
      const extra = v.params?.additionalProperty;
      const name = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
      const field = typeof extra === 'string' ? extra : typeof missing === 'string' ? missing : name;
      const reason = typeof extra === 'string' ? 'is not a search parameter of this resource' : (v.message ?? 'is invalid');
      return { field: `${fe.validationContext === 'querystring' ? '' : `${fe.validationContext ?? 'body'}.`}${field}`, reason };
    });
    const first = details[0];
    const what = fe.validationContext === 'querystring' ? 'search parameter' : 'input';
    return new AppError('validation_failed', first ? `Invalid ${what} ${first.field}: ${first.reason}.` : 'Invalid input.', { details });
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Unsupported content type: send application/fhir+json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('bad_request', 'The body is not valid JSON.');
    default:
      break;
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AppError(fe.statusCode === 429 ? 'rate_limited' : fe.statusCode === 404 ? 'not_found' : 'bad_request', fe.message);
  }
  return new AppError('internal', HIDDEN_5XX, { cause: error });
}

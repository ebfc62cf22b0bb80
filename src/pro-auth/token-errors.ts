/**
 * Errors of the token endpoint, in the form OAuth clients expect (RFC 6749 §5.2):
 * `{ "error": "<code>", "error_description": "<text>" }`, status 400, or 401 for
 * invalid_client. Carnet's AppError (problem+json) is for its own API; an OAuth client
 * library reads `error`, so the token endpoint speaks OAuth.
 */
export const OAUTH_ERRORS = {
  /** Missing or repeated parameter, wrong content type, unreadable body. */
  invalid_request: 400,
  /** Unknown or revoked client (the assertion's issuer). */
  invalid_client: 401,
  /** The assertion is not valid (RFC 7523 §3.1): signature, times, audience, jti, subject. */
  invalid_grant: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  /** A bug on our side (RFC 6749 §4.1.2.1 defines it; clients know it). */
  server_error: 500,
} as const;

export type OAuthErrorCode = keyof typeof OAUTH_ERRORS;

export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
}

export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  /** HTTP status: the code's own, or 413/429 where HTTP says more than OAuth can. */
  readonly status: number;

  constructor(error: OAuthErrorCode, description: string, opts: { status?: number; cause?: unknown } = {}) {
    super(description, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'OAuthError';
    this.error = error;
    this.status = opts.status ?? OAUTH_ERRORS[error];
  }

  toBody(): OAuthErrorBody {
    return { error: this.error, error_description: this.message };
  }
}

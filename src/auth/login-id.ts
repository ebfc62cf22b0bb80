export const LOGIN_ID_MIN_LENGTH = 8;
export const LOGIN_ID_MAX_LENGTH = 64;

export interface LoginIdProblem {
  field: 'loginId';
  reason: string;
}

export interface LoginIdCheck {
  /** The identifier as stored and looked up: lower case. */
  loginId: string;
  /** Every unmet rule; empty when the identifier is acceptable. */
  problems: LoginIdProblem[];
}

/**
 * The sign-in identifier a person chooses at activation (RULES §6: at least 8 characters):
 * letters a-z, digits, `.`, `-` and `_`, at most 64 characters. Identifiers are case-insensitive,
 * so they are normalised to lower case.
 */
export function checkLoginId(input: string): LoginIdCheck {
  const loginId = input.toLowerCase();
  const reasons: string[] = [];
  if (loginId.length < LOGIN_ID_MIN_LENGTH) reasons.push(`Use at least ${LOGIN_ID_MIN_LENGTH} characters.`);
  if (loginId.length > LOGIN_ID_MAX_LENGTH) reasons.push(`Use at most ${LOGIN_ID_MAX_LENGTH} characters.`);
  if (!/^[a-z0-9._-]*$/.test(loginId)) reasons.push('Use only letters without accents (a-z), digits, and the characters . - _');
  return { loginId, problems: reasons.map((reason) => ({ field: 'loginId', reason })) };
}

import type { FastifyRequest } from 'fastify';
import { AppError } from '../platform/errors.ts';
import { safeEqual } from '../platform/secrets.ts';
import { CSRF_HEADER } from './patient-session.ts';
import type { PatientSession } from './patient-session.ts';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The signed-in patient of a request, for handlers of routes that need one: 401 when there is
 * no live session; for state-changing methods, 403 unless the `x-csrf-token` header carries
 * the session's CSRF token (a cross-site form or script cannot read it).
 */
export function requirePatient(request: FastifyRequest): PatientSession {
  const session = request.patientSession;
  if (!session) throw new AppError('unauthenticated', 'Sign in first.');
  if (STATE_CHANGING.has(request.method)) {
    const header = request.headers[CSRF_HEADER];
    if (typeof header !== 'string' || !safeEqual(header, session.csrfToken)) {
      throw new AppError('csrf_failed', 'This action was refused because its security token is missing or out of date. Reload the page and try again.');
    }
  }
  return session;
}

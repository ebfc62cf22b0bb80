import type { FastifyRequest } from 'fastify';

/** A signed-in patient (or the representative/aidant acting from their own account). */
export interface PatientSession {
  /** The account holder's patient id (whose credentials signed in). */
  patientId: string;
  csrfToken: string;
  expiresAt: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth plugin from the session cookie; null when not signed in. */
    patientSession: PatientSession | null;
  }
}

export const SESSION_COOKIE = 'carnet_session';
export const CSRF_HEADER = 'x-csrf-token';

export type SessionRequest = FastifyRequest;

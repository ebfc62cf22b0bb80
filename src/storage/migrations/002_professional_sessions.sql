-- Browser sessions of professionals signed in with OpenID Connect (Pro Santé Connect; the
-- development provider by default). Keyed by the professional first, like patients' sessions
-- by patient; the token is only ever stored as a keyed hash. Removing a professional from the
-- directory ends their sessions; a deactivated one is refused when the cookie comes back.
CREATE TABLE professional_sessions (
  id_nat_ps     text NOT NULL REFERENCES professionals (id_nat_ps) ON DELETE CASCADE,
  token_hash    text NOT NULL,
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  PRIMARY KEY (id_nat_ps, token_hash)
);
-- The purge of ended sessions walks by deadline.
CREATE INDEX professional_sessions_expiry ON professional_sessions (expires_at);

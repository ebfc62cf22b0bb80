-- Software access without a browser: the OAuth 2 JWT-bearer grant (RFC 7523).
-- Professionals' software (hospital systems, labs, practice software) is registered by an
-- operator (`carnet clients add`) with its public keys; it signs a short-lived assertion
-- naming the professional and exchanges it at POST /oauth/token for a short-lived access token.
-- Not patient-scoped: small tables, replicated when the schema is distributed.

-- A registered software client, acting for one organisation of the directory.
CREATE TABLE software_clients (
  client_id           text PRIMARY KEY CHECK (client_id ~ '^sw_[A-Za-z0-9_-]{16,64}$'),
  name                text NOT NULL,
  organisation_finess text NOT NULL REFERENCES organisations (finess),
  -- {"keys": [...]}: public keys only (RSA >= 2048 bits or EC P-256), checked on registration.
  jwks                jsonb NOT NULL,
  created_at          timestamptz NOT NULL,
  revoked_at          timestamptz
);

-- The "jti" of every accepted assertion, kept until the assertion expires: a second use of
-- the same jti by the same client is a replay. The primary key decides a race between two
-- uses of one assertion (the second insert waits for the first transaction, then conflicts).
CREATE TABLE assertion_jtis (
  client_id   text NOT NULL REFERENCES software_clients (client_id),
  jti         text NOT NULL,
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (client_id, jti)
);
CREATE INDEX assertion_jtis_expiry ON assertion_jtis (expires_at);

-- Access tokens are opaque random strings, stored as keyed hashes and looked up on every
-- request. Trade-off against self-contained (JWT) access tokens: one indexed read per request
-- (a JWT needs none), but a token dies the moment its client is revoked or the professional
-- leaves the directory, nothing about the professional travels in the token, and there is
-- no signing key to rotate or protect. At five minutes of life, rows stay few.
CREATE TABLE access_tokens (
  token_hash          text PRIMARY KEY,
  client_id           text NOT NULL REFERENCES software_clients (client_id),
  id_nat_ps           text NOT NULL,
  profession_code     text NOT NULL,
  specialty_code      text,
  organisation_finess text NOT NULL,
  -- Space-separated: api, fhir.
  scope               text NOT NULL,
  created_at          timestamptz NOT NULL,
  expires_at          timestamptz NOT NULL
);
CREATE INDEX access_tokens_client ON access_tokens (client_id);
CREATE INDEX access_tokens_expiry ON access_tokens (expires_at);

-- Carnet foundation: directory, patients and their spaces, sign-in, outbox, trace.
-- Patient-scoped tables carry patient_id first in their primary key (distributable by
-- patient_id). Look-up tables keyed by another identifier (INS, login) map it to patient_id.

-- Directory (small reference tables, replicated when distributed).
CREATE TABLE organisations (
  finess        text PRIMARY KEY CHECK (finess ~ '^[0-9A-Z]{9}$'),
  name          text NOT NULL,
  kind          text NOT NULL DEFAULT 'etablissement',
  siret         text CHECK (siret IS NULL OR siret ~ '^[0-9]{14}$'),
  city          text,
  active        boolean NOT NULL DEFAULT true,
  updated_at    timestamptz NOT NULL
);

CREATE TABLE professionals (
  id_nat_ps          text PRIMARY KEY CHECK (id_nat_ps ~ '^8[0-9]{11}$'),
  rpps               text NOT NULL UNIQUE CHECK (rpps ~ '^[0-9]{11}$'),
  family_name        text NOT NULL,
  given_name         text NOT NULL,
  profession_code    text NOT NULL,
  specialty_code     text,
  organisation_finess text REFERENCES organisations (finess),
  email              text,
  active             boolean NOT NULL DEFAULT true,
  updated_at         timestamptz NOT NULL
);
-- Directory searches and look-ups by organisation (operator search by FINESS, foreign key checks).
CREATE INDEX professionals_organisation ON professionals (organisation_finess);

-- Insurer and operator accounts (API tokens, stored as keyed hashes).
CREATE TABLE staff_accounts (
  account_id  uuid PRIMARY KEY,
  role        text NOT NULL CHECK (role IN ('operator', 'insurer')),
  name        text NOT NULL,
  token_hash  text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);

-- INS matricule (NIR or NIA) -> patient. Identifiers compare byte by byte (COLLATE "C"),
-- whatever the database's locale: cheaper for the index a national import fills.
CREATE TABLE patient_ins (
  matricule   text COLLATE "C" PRIMARY KEY,
  patient_id  uuid NOT NULL
);

CREATE TABLE patients (
  patient_id          uuid PRIMARY KEY,
  matricule           text COLLATE "C" NOT NULL,
  ins_oid             text NOT NULL,
  birth_name          text NOT NULL,
  birth_given_names   text NOT NULL,
  used_name           text,
  birth_date          date NOT NULL,
  sex                 text NOT NULL CHECK (sex IN ('M', 'F', 'U')),
  birthplace_code     text,
  card_serial         text,
  email               text,
  phone               text,
  address             text,
  postal_code         text,
  city                text,
  -- INS matricule of the legal representative a minor is attached to, as the insurer's file says.
  representative_matricule text COLLATE "C",
  status              text NOT NULL CHECK (status IN ('pending', 'opposed', 'open', 'active', 'closed', 'purged')),
  status_changed_at   timestamptz NOT NULL,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  -- pending: the date the space opens if nobody opposes.
  opens_at            timestamptz,
  activated_at        timestamptz,
  opposed_at          timestamptz,
  opposition_ref      text,
  closed_at           timestamptz,
  close_reason        text CHECK (close_reason IN ('patient', 'opposition', 'death', 'deletion_request')),
  -- closed: archive kept until this date, then purged; set earlier by an express deletion request.
  purge_at            timestamptz,
  deletion_requested_at timestamptz,
  deceased_on         date,
  -- status before closure, to restore on reopening.
  status_before_close text,
  login_id            text,
  password_hash       text,
  failed_logins       integer NOT NULL DEFAULT 0,
  locked_until        timestamptz,
  terms_version       text,
  terms_accepted_at   timestamptz
);
CREATE INDEX patients_status_opens ON patients (opens_at) WHERE status = 'pending';
CREATE INDEX patients_status_purge ON patients (purge_at) WHERE status = 'closed';
-- Children of a representative (linking after a beneficiary import names only the people it read).
CREATE INDEX patients_representative ON patients (representative_matricule) WHERE representative_matricule IS NOT NULL;

-- Sign-in identifier -> patient.
CREATE TABLE patient_logins (
  login_id    text PRIMARY KEY,
  patient_id  uuid NOT NULL
);

-- Single-use provisional code of a space (information message), kept as a keyed hash.
-- No foreign key to patients: it is written with its patient in one statement (beneficiary
-- import) or for an existing one (lifecycle), and a patient row is never deleted (purgeSpace
-- deletes the code and keeps a tombstone); the check cost a fifth of a national import.
CREATE TABLE provisional_codes (
  patient_id  uuid PRIMARY KEY,
  code_hash   text NOT NULL,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  failed_attempts integer NOT NULL DEFAULT 0,
  used_at     timestamptz
);

-- Legal representatives of a minor: rank 1 is the one the child is attached to at the
-- insurer; rank 2 comes by invitation.
CREATE TABLE representations (
  patient_id        uuid NOT NULL REFERENCES patients (patient_id) ON DELETE CASCADE,
  representative_id uuid NOT NULL,
  rank              smallint NOT NULL CHECK (rank IN (1, 2)),
  status            text NOT NULL CHECK (status IN ('active', 'invited', 'revoked')),
  invite_hash       text,
  invited_email     text,
  invite_expires_at timestamptz,
  created_at        timestamptz NOT NULL,
  accepted_at       timestamptz,
  PRIMARY KEY (patient_id, representative_id)
);
CREATE INDEX representations_by_representative ON representations (representative_id) WHERE status = 'active';

-- Sign-in: a password step then a one-time code sent by e-mail.
CREATE TABLE login_challenges (
  patient_id    uuid NOT NULL REFERENCES patients (patient_id) ON DELETE CASCADE,
  challenge_id  text NOT NULL,
  otp_hash      text NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  failed_attempts integer NOT NULL DEFAULT 0,
  used_at       timestamptz,
  PRIMARY KEY (patient_id, challenge_id)
);

CREATE TABLE sessions (
  patient_id    uuid NOT NULL REFERENCES patients (patient_id) ON DELETE CASCADE,
  token_hash    text NOT NULL,
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  PRIMARY KEY (patient_id, token_hash)
);

-- Outbox: written in the transaction of the action that sends the message, drained by a
-- worker with retries. `params` may hold a code in clear until sent; it is scrubbed then.
-- json, not jsonb: the documents are written once and read whole (a national import writes
-- millions; json only checks the text), never searched.
CREATE TABLE outbox (
  message_id      uuid PRIMARY KEY,
  patient_id      uuid,
  template        text NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('email', 'letter')),
  recipient       json NOT NULL,
  params          json NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  created_at      timestamptz NOT NULL,
  sent_at         timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending';

-- The patient's trace: append-only, hash-chained per patient (seq 1, 2, ...).
CREATE TABLE audit_events (
  patient_id   uuid NOT NULL,
  seq          bigint NOT NULL,
  at           timestamptz NOT NULL,
  actor_type   text NOT NULL,
  actor_id     text,
  actor_name   text,
  action       text NOT NULL,
  target       text,
  mode         text NOT NULL DEFAULT 'normal',
  detail       jsonb NOT NULL DEFAULT '{}',
  prev_hash    text NOT NULL,
  hash         text NOT NULL,
  PRIMARY KEY (patient_id, seq)
);

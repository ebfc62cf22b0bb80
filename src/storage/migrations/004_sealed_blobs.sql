-- Sealed blobs (document content) and the per-patient data keys that seal them (Invariant 4).
-- Envelope encryption: content is AES-256-GCM under its patient's data key; the data key is
-- stored only wrapped (AES-256-GCM) by a master key held outside the database
-- (CARNET_MASTER_KEY). No foreign key to patients: a patient row is never deleted (purge
-- keeps a tombstone), and deleting a patient's patient_keys row makes every blob of that
-- patient unreadable at once, wherever copies of the rows went.

-- One data key per patient, created on first use.
CREATE TABLE patient_keys (
  patient_id   uuid PRIMARY KEY,
  -- Fingerprint of the master key that wrapped it: rotation re-wraps row by row.
  key_version  text NOT NULL CHECK (key_version ~ '^[0-9a-f]{16}$'),
  -- IV (12 bytes) | GCM tag (16) | wrapped key (32), bound to patient_id and key_version.
  wrapped_key  bytea NOT NULL CHECK (octet_length(wrapped_key) = 60),
  created_at   timestamptz NOT NULL
);
-- Rotation: the data keys still wrapped by a previous master key.
CREATE INDEX patient_keys_version ON patient_keys (key_version);

-- Content, sealed. sha256 and size describe the clear content (checked on every read);
-- the ciphertext's GCM tag is bound to (patient_id, blob_id, content_type).
CREATE TABLE blobs (
  patient_id    uuid NOT NULL,
  blob_id       text NOT NULL CHECK (blob_id ~ '^[A-Za-z0-9._:-]{1,128}$'),
  content_type  text NOT NULL,
  size          bigint NOT NULL CHECK (size >= 0),
  sha256        bytea NOT NULL CHECK (octet_length(sha256) = 32),
  iv            bytea NOT NULL CHECK (octet_length(iv) = 12),
  tag           bytea NOT NULL CHECK (octet_length(tag) = 16),
  ciphertext    bytea NOT NULL,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (patient_id, blob_id)
);
-- Ciphertext does not compress: store it out of line without trying.
ALTER TABLE blobs ALTER COLUMN ciphertext SET STORAGE EXTERNAL;

-- Documents of the shared medical record (RULES §4): metadata here, content sealed in `blobs`
-- (written in the same transaction). Patient-scoped: patient_id first in the primary key.
-- A replacement is a new row whose version_of names the previous one (then 'superseded');
-- a deleted document keeps its row (status 'deleted') so its trace still points somewhere.
CREATE TABLE documents (
  patient_id                    uuid NOT NULL,
  document_id                   uuid NOT NULL,
  version_of                    uuid,
  -- JDV_J66 type and its TRE_A03 class (derived from the type, stored for filtering).
  type_code                     text NOT NULL,
  class_code                    text NOT NULL,
  title                         text NOT NULL CHECK (length(title) BETWEEN 1 AND 255),
  -- Date of the act the document describes.
  created_on                    date NOT NULL,
  submitted_at                  timestamptz NOT NULL,
  author_kind                   text NOT NULL CHECK (author_kind IN ('professional', 'patient', 'representative', 'aidant', 'insurer')),
  author_id                     text NOT NULL,
  author_name                   text,
  author_profession             text,
  author_organisation           text,
  format                        text NOT NULL,
  size                          bigint NOT NULL CHECK (size >= 0),
  sha256                        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  blob_id                       text NOT NULL,
  status                        text NOT NULL CHECK (status IN ('current', 'superseded', 'deleted')),
  masked_to_professionals       boolean NOT NULL DEFAULT false,
  invisible_to_patient_until    timestamptz,
  invisible_to_representatives  boolean NOT NULL DEFAULT false,
  updated_at                    timestamptz NOT NULL,
  PRIMARY KEY (patient_id, document_id)
);
-- Listing a space: current documents, newest first.
CREATE INDEX documents_listing ON documents (patient_id, status, submitted_at DESC);

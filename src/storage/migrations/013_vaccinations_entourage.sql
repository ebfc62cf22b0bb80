-- Vaccinations and entourage & volontés (RULES §7), parts of the medical profile professionals
-- may read per the matrix (resource kinds vaccination, entourage_volontes, advance_directives).
-- Patient-scoped: patient_id first in every primary key. Reads and writes go through
-- withRecordAccess (decided and traced); these tables are private to src/profile.

-- One vaccination act. The vaccine is a code of the catalogue (src/profile/vaccines.json: ATC
-- J07 codes) or 'other' with a free-text name; target diseases are SNOMED CT codes.
CREATE TABLE vaccinations (
  patient_id            uuid NOT NULL,
  vaccination_id        uuid NOT NULL,
  vaccine_code          text NOT NULL,
  -- The commercial name ("Gardasil 9"), or the vaccine's name when vaccine_code is 'other'.
  vaccine_name          text,
  target_diseases       jsonb NOT NULL,
  occurred_on           date NOT NULL,
  dose_number           smallint CHECK (dose_number BETWEEN 1 AND 20),
  lot_number            text,
  route_code            text,
  site_code             text,
  -- A professional of the directory (idNatPs), or a free-text performer, or neither.
  performer_id_nat_ps   text,
  performer_name        text,
  notes                 text,
  -- Who entered it: the patient side, or the professional who performed it.
  recorded_by_kind      text NOT NULL CHECK (recorded_by_kind IN ('patient', 'representative', 'aidant', 'professional')),
  recorded_by_id        text NOT NULL,
  recorded_by_name      text,
  recorded_at           timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  PRIMARY KEY (patient_id, vaccination_id),
  CHECK (vaccine_code <> 'other' OR vaccine_name IS NOT NULL)
);
CREATE INDEX vaccinations_by_date ON vaccinations (patient_id, occurred_on DESC);

-- Emergency contacts, the trusted person (personne de confiance, at most one) and caregivers.
CREATE TABLE entourage_contacts (
  patient_id      uuid NOT NULL,
  contact_id      uuid NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('emergency_contact', 'trusted_person', 'caregiver')),
  family_name     text NOT NULL,
  given_name      text,
  -- v3-RoleCode (SPS, MTH, FRND...) or 'other' with relation_text.
  relation_code   text NOT NULL,
  relation_text   text,
  phone           text,
  email           text,
  recorded_at     timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (patient_id, contact_id),
  CHECK (phone IS NOT NULL OR email IS NOT NULL)
);
-- RULES §7: exactly one trusted person at most (the routes answer 409 first; this holds under races).
CREATE UNIQUE INDEX entourage_one_trusted_person ON entourage_contacts (patient_id) WHERE kind = 'trusted_person';

-- The organ donation statement: the patient's position, an optional comment, its date.
CREATE TABLE organ_donation (
  patient_id    uuid NOT NULL,
  position      text NOT NULL CHECK (position IN ('accepts', 'accepts_partially', 'refuses')),
  comment       text,
  stated_on     date NOT NULL,
  stated_by_kind text NOT NULL,
  stated_by_id  text NOT NULL,
  updated_at    timestamptz NOT NULL,
  PRIMARY KEY (patient_id)
);

-- Advance directives: each version written with the form (its fields) or uploaded (a PDF), both
-- stored as an EXPPAT_3 document of the shared record; the newest is in force.
CREATE TABLE advance_directives (
  patient_id      uuid NOT NULL,
  directive_id    uuid NOT NULL,
  source          text NOT NULL CHECK (source IN ('form', 'upload')),
  -- The form's fields (null for an upload).
  form            jsonb,
  document_id     uuid NOT NULL,
  written_on      date NOT NULL,
  recorded_at     timestamptz NOT NULL,
  recorded_by_kind text NOT NULL,
  recorded_by_id  text NOT NULL,
  PRIMARY KEY (patient_id, directive_id),
  CHECK ((source = 'form') = (form IS NOT NULL))
);
CREATE INDEX advance_directives_newest ON advance_directives (patient_id, recorded_at DESC);

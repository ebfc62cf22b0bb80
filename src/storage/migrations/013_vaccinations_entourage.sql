-- Vaccinations and entourage & volontés (RULES §7), parts of the medical profile professionals
-- may read per the matrix (resource kinds vaccination, entourage_volontes, advance_directives).
-- Patient-scoped: patient_id first in every primary key. Reads and writes go through
-- withRecordAccess (decided and traced); these tables are private to src/profile.
-- Health content is sealed (Invariant 4: src/storage/blobs/sealed-json.ts, AES-256-GCM under
-- the patient's data key, bound to table, patient and row); clear columns hold only what the
-- queries filter and sort on (ids, dates, the contact kind) and who recorded what. Filters on
-- sealed fields (a vaccine code) and sorting by a contact's name happen in code after opening.

-- One vaccination act. The vaccine is a code of the catalogue (src/profile/vaccines.json: ATC
-- J07 codes) or 'other' with a free-text name; target diseases are SNOMED CT codes.
CREATE TABLE vaccinations (
  patient_id            uuid NOT NULL,
  vaccination_id        uuid NOT NULL,
  occurred_on           date NOT NULL,
  -- Sealed JSON, checked by src/profile/vaccinations-input.ts before sealing: vaccineCode,
  -- vaccineName (the commercial name, or the name of an 'other' vaccine: then required),
  -- targetDiseases, doseNumber (1 to 20), lotNumber, route, site, performerIdNatPs (a
  -- professional of the directory) or performerName (free text), notes.
  sealed                bytea NOT NULL,
  -- Who entered it: the patient side, or the professional who performed it.
  recorded_by_kind      text NOT NULL CHECK (recorded_by_kind IN ('patient', 'representative', 'aidant', 'professional')),
  recorded_by_id        text NOT NULL,
  recorded_by_name      text,
  recorded_at           timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  PRIMARY KEY (patient_id, vaccination_id)
);
CREATE INDEX vaccinations_by_date ON vaccinations (patient_id, occurred_on DESC);

-- Emergency contacts, the trusted person (personne de confiance, at most one) and caregivers.
CREATE TABLE entourage_contacts (
  patient_id      uuid NOT NULL,
  contact_id      uuid NOT NULL,
  -- Clear: the one-trusted-person index below needs it.
  kind            text NOT NULL CHECK (kind IN ('emergency_contact', 'trusted_person', 'caregiver')),
  -- Sealed JSON, checked by src/profile/entourage-input.ts before sealing (a phone or an
  -- e-mail at least): familyName, givenName, relation (v3-RoleCode: SPS, MTH, FRND... or
  -- 'other' with relationText), phone, email. Bound to the kind too.
  sealed          bytea NOT NULL,
  recorded_at     timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  PRIMARY KEY (patient_id, contact_id)
);
-- RULES §7: exactly one trusted person at most (the routes answer 409 first; this holds under races).
CREATE UNIQUE INDEX entourage_one_trusted_person ON entourage_contacts (patient_id) WHERE kind = 'trusted_person';

-- The organ donation statement: the patient's position and an optional comment (sealed JSON
-- {position, comment}; the position is one of accepts, accepts_partially, refuses, checked
-- by src/profile/entourage-input.ts), its date.
CREATE TABLE organ_donation (
  patient_id    uuid NOT NULL,
  sealed        bytea NOT NULL,
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
  -- The form's fields, sealed JSON (null for an upload).
  form            bytea,
  document_id     uuid NOT NULL,
  written_on      date NOT NULL,
  recorded_at     timestamptz NOT NULL,
  recorded_by_kind text NOT NULL,
  recorded_by_id  text NOT NULL,
  PRIMARY KEY (patient_id, directive_id),
  CHECK ((source = 'form') = (form IS NOT NULL))
);
CREATE INDEX advance_directives_newest ON advance_directives (patient_id, recorded_at DESC);

-- The medical profile's health history (RULES §7): diseases and health topics, treatments,
-- hospitalisations, disabilities, allergies, family history (lists), blood group and
-- lifestyle (one value each). Patient-scoped: patient_id first in every primary key.
-- Health content is sealed (Invariant 4: src/storage/blobs/sealed-json.ts, AES-256-GCM under
-- the patient's data key, bound to table, patient and row); clear columns hold only what the
-- queries filter and sort on (ids, section, dates) and who wrote what.

-- One row per list entry. The sections differ in shape; each entry's fields are checked by
-- src/profile/health-history-validation.ts and kept as one JSON object, sealed, read back whole
-- and opened in code (the lists are short: a patient's profile, not a register). The seal is
-- bound to the section as well as the entry: an entry relabelled to another section does not open.
CREATE TABLE health_history_entries (
  patient_id        uuid NOT NULL,
  entry_id          uuid NOT NULL,
  section           text NOT NULL CHECK (section IN ('conditions', 'treatments', 'hospitalisations', 'disabilities', 'allergies', 'familyHistory')),
  content           bytea NOT NULL,
  -- Who entered it (the holder, a legal representative or an aidant), then who last changed it.
  created_by_kind   text NOT NULL CHECK (created_by_kind IN ('patient', 'representative', 'aidant')),
  created_by_id     text NOT NULL,
  created_by_name   text,
  created_at        timestamptz NOT NULL,
  updated_by_kind   text NOT NULL CHECK (updated_by_kind IN ('patient', 'representative', 'aidant')),
  updated_by_id     text NOT NULL,
  updated_by_name   text,
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (patient_id, entry_id)
);
CREATE INDEX health_history_entries_by_section ON health_history_entries (patient_id, section, created_at);

-- The state of a section: for a list, "not concerned" and the day it was said (cleared when an
-- entry is added); for blood group and lifestyle, their one value (sealed). The row is also what a
-- writer locks (SELECT ... FOR UPDATE) so that adding an entry and saying "not concerned"
-- cannot both succeed at once.
CREATE TABLE health_history_sections (
  patient_id        uuid NOT NULL,
  section           text NOT NULL CHECK (section IN ('conditions', 'treatments', 'hospitalisations', 'disabilities', 'allergies', 'familyHistory', 'bloodGroup', 'lifestyle')),
  not_concerned_on  date,
  value             bytea,
  updated_by_kind   text CHECK (updated_by_kind IN ('patient', 'representative', 'aidant')),
  updated_by_id     text,
  updated_by_name   text,
  updated_at        timestamptz NOT NULL,
  PRIMARY KEY (patient_id, section),
  -- Lists say "not concerned", single values hold a value: never the other way round.
  CHECK (section IN ('bloodGroup', 'lifestyle') OR value IS NULL),
  CHECK (section NOT IN ('bloodGroup', 'lifestyle') OR not_concerned_on IS NULL)
);

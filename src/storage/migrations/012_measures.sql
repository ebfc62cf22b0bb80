-- Measures of the medical profile (RULES §7): one row per value entered from the patient's
-- side. Values are kept in the catalogue's unit (src/profile/measures-catalogue.ts), with what
-- the person typed beside them. BMI is never stored: it is computed from weight and height.
-- Patient-scoped: patient_id first in every primary key.
-- The values are sealed (Invariant 4: src/storage/blobs/sealed-json.ts, AES-256-GCM under the
-- patient's data key, bound to table, patient and row); clear columns hold only what queries
-- find and order rows by (type, effective_at) and who entered what. Statistics, series, BMI and
-- target positions are computed in code after opening (src/profile/measures-statistics.ts).
CREATE TABLE measures (
  patient_id      uuid NOT NULL,
  measure_id      uuid NOT NULL,
  -- A type of the catalogue (weight, height, blood_pressure...): checked by the service.
  type            text NOT NULL,
  -- When the measure was taken (not when it was typed in).
  effective_at    timestamptz NOT NULL,
  -- Sealed JSON {value, value2, enteredValue, enteredUnit}: value in the catalogue's unit (blood
  -- pressure: systolic, diastolic in value2), and as the person entered it (e.g. 154 [lb_av]
  -- for a weight kept as 69.9 kg). Bound to the type too: a row relabelled does not open.
  sealed          bytea NOT NULL,
  -- Who entered it: the holder, a legal representative or an aidant; app_id names the app
  -- that sent it on their behalf (connected apps, RULES §7), null when typed in the portal.
  author_kind     text NOT NULL CHECK (author_kind IN ('patient', 'representative', 'aidant')),
  author_id       text NOT NULL,
  author_name     text,
  app_id          text,
  entered_at      timestamptz NOT NULL,
  -- The last edit, if any (same shape as the author).
  updated_at      timestamptz,
  updated_by_kind text CHECK (updated_by_kind IN ('patient', 'representative', 'aidant')),
  updated_by_id   text,
  updated_by_name text,
  updated_by_app  text,
  PRIMARY KEY (patient_id, measure_id)
);
-- Series of one type over a period, newest first: the query every chart makes.
CREATE INDEX measures_series ON measures (patient_id, type, effective_at DESC);

-- Targets the patient sets for a type (HbA1c): a range in the catalogue's unit, sealed JSON
-- {low, high} (low < high is checked by the service, before sealing).
CREATE TABLE measure_targets (
  patient_id   uuid NOT NULL,
  type         text NOT NULL,
  sealed       bytea NOT NULL,
  set_at       timestamptz NOT NULL,
  author_kind  text NOT NULL CHECK (author_kind IN ('patient', 'representative', 'aidant')),
  author_id    text NOT NULL,
  author_name  text,
  PRIMARY KEY (patient_id, type)
);

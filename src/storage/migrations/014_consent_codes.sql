-- A one-time code the patient gives a professional at a consultation, instead of their card
-- (RULES §3.1). One live code per space: a new one replaces the previous. Stored as a keyed
-- hash; single use; a few wrong tries spend it.
CREATE TABLE consent_codes (
  patient_id      uuid PRIMARY KEY REFERENCES patients (patient_id),
  code_hash       text NOT NULL,
  created_at      timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  used_at         timestamptz,
  used_by         text,
  failed_attempts integer NOT NULL DEFAULT 0
);

-- What the patient decided about access to their space (RULES §3, §5): the facts decide()
-- reads. Both tables are patient-scoped (patient_id first).

-- One row per space once the patient (or the system) changed anything; absent = defaults.
CREATE TABLE access_settings (
  patient_id               uuid PRIMARY KEY,
  -- The three emergency settings (RULES §3.3), allowed by default; `emergency_masked` is only
  -- effective while one of the two others is on (decide() applies the dependency rule).
  emergency_samu           boolean NOT NULL DEFAULT true,
  emergency_bris_de_glace  boolean NOT NULL DEFAULT true,
  emergency_masked         boolean NOT NULL DEFAULT true,
  -- "Masquer tous mes documents" (RULES §3.4).
  mask_all                 boolean NOT NULL DEFAULT false,
  -- Optional notifications (RULES §5); first and emergency accesses are always notified.
  notify_every_ps_access   boolean NOT NULL DEFAULT false,
  notify_new_document      boolean NOT NULL DEFAULT true,
  medecin_traitant         text,
  updated_at               timestamptz NOT NULL
);

-- The patient's relation with one professional: authorized (consent attested), blocked,
-- administrator, and the last access (absent = the next access is the first one). Unblocking
-- clears blocked_since and authorized_since: the PS needs a new consent (RULES §3.4).
CREATE TABLE professional_relations (
  patient_id           uuid NOT NULL,
  id_nat_ps            text NOT NULL,
  authorized_since     timestamptz,
  blocked_since        timestamptz,
  administrator_since  timestamptz,
  last_access_at       timestamptz,
  PRIMARY KEY (patient_id, id_nat_ps)
);

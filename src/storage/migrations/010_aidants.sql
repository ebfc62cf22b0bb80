-- Aidants (caregivers, RULES §1): invitations from a space to another Carnet user, and the
-- answers. Both tables are patient-scoped (patient_id first): the invitations live with the
-- space of the person helped; the reverse look-up lives with the aidant's own space.

-- One row per invitation, kept after it ends (the history of who helped, and when).
-- aidant_id is null when the designation (login identifier + date of birth) matched nobody who
-- can be an aidant: the row still exists, pending until it expires, so the inviter sees the
-- same thing whether or not the person has a space (nothing leaks).
CREATE TABLE aidant_invitations (
  patient_id     uuid NOT NULL,
  invitation_id  uuid NOT NULL,
  aidant_id      uuid,
  -- The sign-in identifier as designated (lower case): what the inviter sees until an answer.
  login_id       text NOT NULL,
  -- The holder, or the legal representative who invited for a minor.
  invited_by     uuid NOT NULL,
  status         text NOT NULL CHECK (status IN ('pending', 'accepted', 'refused', 'expired', 'revoked', 'withdrawn')),
  invited_at     timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL,
  answered_at    timestamptz,
  ended_at       timestamptz,
  PRIMARY KEY (patient_id, invitation_id)
);
-- At most one live invitation (pending or accepted) of a person for a space.
CREATE UNIQUE INDEX aidant_invitations_live ON aidant_invitations (patient_id, aidant_id) WHERE status IN ('pending', 'accepted') AND aidant_id IS NOT NULL;
-- The expiry job (pending invitations past their 14 days).
CREATE INDEX aidant_invitations_due ON aidant_invitations (expires_at) WHERE status = 'pending';

-- Reverse look-up, keyed by the aidant: patient_id here is the AIDANT's own patient id (their
-- space), so "whom do I help, who invited me" is one partition's read. One row per live
-- matched invitation; deleted when it ends.
CREATE TABLE aidant_links (
  patient_id     uuid NOT NULL,
  aide_id        uuid NOT NULL,
  invitation_id  uuid NOT NULL,
  status         text NOT NULL CHECK (status IN ('pending', 'accepted')),
  expires_at     timestamptz NOT NULL,
  PRIMARY KEY (patient_id, aide_id)
);

-- The head of each patient's trace chain (last seq and hash). Appending locks and updates
-- this row, so concurrent appends for one patient queue and each sees the previous one's
-- result (locking the last event row instead lets two appends read the same predecessor).
CREATE TABLE audit_heads (
  patient_id  uuid PRIMARY KEY,
  seq         bigint NOT NULL,
  hash        text NOT NULL
);
INSERT INTO audit_heads (patient_id, seq, hash)
  SELECT DISTINCT ON (patient_id) patient_id, seq, hash FROM audit_events ORDER BY patient_id, seq DESC;

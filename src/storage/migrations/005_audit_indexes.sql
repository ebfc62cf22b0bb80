-- Traceability (R. 1111-43): the profession of the actor, shown to the patient and
-- filterable. Professionals: their TRE_G15 profession code and, for physicians, their
-- specialty; NULL for every other actor. Both are covered by the event hash (audit-log.ts).
ALTER TABLE audit_events ADD COLUMN actor_profession text;
ALTER TABLE audit_events ADD COLUMN actor_specialty text;

-- No new index: the patient's trace is read newest first by the primary key
-- (patient_id, seq), with the date and actor-type filters applied on the way (a patient has
-- thousands of events, not millions); `carnet audit verify` walks the same key. Every index
-- here would cost every traced action a write.

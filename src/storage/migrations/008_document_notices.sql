-- Notices about documents provisionally invisible to the patient (RULES §4.4): after 2 weeks
-- without an announcement consultation the patient is told a document awaits them and invited
-- to see a doctor; after 1 month (invisible_to_patient_until) it becomes visible and the
-- patient is told so. Each notice is sent once: these columns record it (documents-jobs.ts).
ALTER TABLE documents ADD COLUMN patient_notified_at timestamptz;
ALTER TABLE documents ADD COLUMN visible_notified_at timestamptz;
-- Documents whose invisibility had already lapsed before notices existed get no late notice.
UPDATE documents SET visible_notified_at = invisible_to_patient_until
  WHERE invisible_to_patient_until IS NOT NULL AND invisible_to_patient_until <= now();
-- The job's look-up across spaces: documents still owing a notice.
CREATE INDEX documents_notice_pending ON documents (invisible_to_patient_until)
  WHERE invisible_to_patient_until IS NOT NULL AND visible_notified_at IS NULL;

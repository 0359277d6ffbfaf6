-- Findings other services raise (rule risk-score from the Predictive service) belong to no
-- examination. Imported entries are read back per import in booking order (IMPORT_ENTRIES).

ALTER TABLE findings ALTER COLUMN examination_id DROP NOT NULL;
CREATE INDEX entries_import_idx ON entries (import_id, booking_date, id) WHERE import_id IS NOT NULL;

-- The documents behind a finding another service raised (the Vision service's document ids: a
-- document no entry pays, a receipt claimed twice). Null for every other finding.

ALTER TABLE findings ADD COLUMN document_ids uuid[];

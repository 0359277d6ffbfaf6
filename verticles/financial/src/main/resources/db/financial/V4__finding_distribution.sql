-- the observed against expected digit shares behind a benford finding (null for other rules)
ALTER TABLE findings ADD COLUMN distribution jsonb;

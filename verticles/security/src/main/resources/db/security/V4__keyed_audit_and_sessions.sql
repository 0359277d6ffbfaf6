-- The audit chain is keyed: each row's hash is an HMAC-SHA256 under a key held outside the
-- database (derived from the cluster secret), so whoever edits a row and recomputes the
-- hashes without the key is still caught. Rows written before this migration keep their
-- unkeyed SHA-256 (keyed = false); an unkeyed row after a keyed one is itself a break.
-- Each row also links to the previous row of its own organisation (org_prev_hash), so that a
-- tenant's admin can verify their organisation's trail end to end without seeing the others.
ALTER TABLE audit_log ADD COLUMN keyed boolean NOT NULL DEFAULT false;
ALTER TABLE audit_log ADD COLUMN org_prev_hash text;
CREATE INDEX audit_log_org_seq_idx ON audit_log (org, seq);
-- The last row written unkeyed (0 on an installation that starts keyed): any unkeyed row after
-- it is a forgery. Append-only like the trail.
CREATE TABLE audit_chain (legacy_until bigint NOT NULL);
INSERT INTO audit_chain SELECT coalesce(max(seq), 0) FROM audit_log;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_chain FROM PUBLIC;
CREATE TRIGGER audit_chain_no_update BEFORE UPDATE OR DELETE ON audit_chain
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Sessions have an absolute end that refreshes never move; users can be disabled.
ALTER TABLE sessions ADD COLUMN absolute_expires_at timestamptz;
UPDATE sessions SET absolute_expires_at = expires_at WHERE absolute_expires_at IS NULL;
ALTER TABLE sessions ALTER COLUMN absolute_expires_at SET NOT NULL;
ALTER TABLE users ADD COLUMN disabled_at timestamptz;

-- Private signing keys are stored encrypted (AES-256-GCM under a key outside the database).
ALTER TABLE signing_keys ADD COLUMN encrypted boolean NOT NULL DEFAULT false;

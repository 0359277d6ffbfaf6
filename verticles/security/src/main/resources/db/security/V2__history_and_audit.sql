-- Users become event-sourced entities: their stream's version is kept beside the row.
ALTER TABLE users ADD COLUMN version bigint NOT NULL DEFAULT 1;

-- The audit trail: one row per event in the log, each chained to the one before by a hash
-- over the previous row's hash and this row's canonical content.
CREATE TABLE audit_log (
  seq        bigint PRIMARY KEY,
  position   bigint NOT NULL UNIQUE,
  at         text NOT NULL,
  actor      text,
  org        text,
  entity     text NOT NULL,
  action     text NOT NULL,
  data       jsonb NOT NULL,
  prev_hash  text NOT NULL,
  hash       text NOT NULL
);
CREATE INDEX audit_log_org_at_idx ON audit_log (org, at);
CREATE INDEX audit_log_entity_idx ON audit_log (entity);
CREATE INDEX audit_log_actor_idx ON audit_log (actor);

-- Append-only for the application: no role may change or remove a row (the trigger holds for
-- the table owner too); only a superuser who switches triggers off can, and verification
-- then names the row.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

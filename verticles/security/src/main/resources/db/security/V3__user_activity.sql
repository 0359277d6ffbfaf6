-- Read model (projection of the log): per user, logins and changes.
CREATE TABLE user_activity (
  user_id         uuid PRIMARY KEY,
  org             uuid NOT NULL,
  logins          bigint NOT NULL DEFAULT 0,
  last_login_at   timestamptz,
  changes         bigint NOT NULL DEFAULT 0,
  last_change_at  timestamptz
);
CREATE INDEX user_activity_org_idx ON user_activity (org);

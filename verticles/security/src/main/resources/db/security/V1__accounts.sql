-- Organisations, their members, login sessions, API keys and token signing keys.

CREATE TABLE orgs (
  id          uuid PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  -- the organisation created at bootstrap: its admins operate the platform and create the others
  operator    boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX orgs_one_operator ON orgs (operator) WHERE operator;

CREATE TABLE users (
  id             uuid PRIMARY KEY,
  org_id         uuid NOT NULL REFERENCES orgs (id),
  email          text NOT NULL,
  name           text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'examiner', 'analyst', 'viewer')),
  password_hash  text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
-- Login is by email alone, so an email belongs to one user across all organisations.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_org_idx ON users (org_id);

CREATE TABLE sessions (
  id          uuid PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Refresh tokens are stored as SHA-256 hashes; each is used once and replaced.
CREATE TABLE refresh_tokens (
  token_hash  bytea PRIMARY KEY,
  session_id  uuid NOT NULL REFERENCES sessions (id),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

CREATE TABLE api_keys (
  id          uuid PRIMARY KEY,
  org_id      uuid NOT NULL REFERENCES orgs (id),
  name        text NOT NULL,
  role        text NOT NULL CHECK (role IN ('admin', 'examiner', 'analyst', 'viewer')),
  key_hash    bytea NOT NULL UNIQUE,
  created_by  uuid REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX api_keys_org_idx ON api_keys (org_id);

-- ES256 signing keys. The newest unretired key signs; retired keys verify until retention ends.
CREATE TABLE signing_keys (
  kid          text PRIMARY KEY,
  private_jwk  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  retired_at   timestamptz
);

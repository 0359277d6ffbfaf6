-- Examinations (rule runs over a ledger and period, as jobs) and their findings. A finding's
-- facts are events in the log (stream finding-<id>); this table is their current state,
-- written in the same transaction. Thresholds are per organisation.

ALTER TABLE entries ADD COLUMN entry_time time;

CREATE TABLE rule_settings (
  org         uuid PRIMARY KEY,
  settings    jsonb NOT NULL,
  version     bigint NOT NULL,
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE examinations (
  id            uuid PRIMARY KEY,
  ledger_id     uuid NOT NULL REFERENCES ledgers (id),
  org           uuid NOT NULL,
  period_from   date NOT NULL,
  period_to     date NOT NULL,
  rules         text[] NOT NULL,
  status        text NOT NULL CHECK (status IN ('running', 'completed', 'cancelled', 'failed')),
  rules_done    int NOT NULL DEFAULT 0,
  findings_new  int NOT NULL DEFAULT 0,
  findings_seen int NOT NULL DEFAULT 0,
  cancel_asked  boolean NOT NULL DEFAULT false,
  error         text,
  started_by    text NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
CREATE INDEX examinations_ledger_idx ON examinations (ledger_id, started_at);

CREATE TABLE findings (
  id              uuid PRIMARY KEY,
  ledger_id       uuid NOT NULL REFERENCES ledgers (id),
  org             uuid NOT NULL,
  examination_id  uuid NOT NULL REFERENCES examinations (id),
  rule            text NOT NULL,
  severity        text NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
  score           double precision NOT NULL,
  title           text NOT NULL,
  explanation     text NOT NULL,
  entry_ids       uuid[] NOT NULL,
  figures         jsonb NOT NULL,
  status          text NOT NULL CHECK (status IN ('open', 'confirmed', 'dismissed', 'escalated')),
  assignee        text,
  tags            text[] NOT NULL DEFAULT '{}',
  version         bigint NOT NULL,
  raised_at       timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX findings_ledger_idx ON findings (ledger_id, raised_at DESC, id);

CREATE TABLE finding_comments (
  finding_id  uuid NOT NULL REFERENCES findings (id),
  seq         int NOT NULL,
  author      text NOT NULL,
  text        text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (finding_id, seq)
);

-- Risk scoring and its model registry. Everything here is derived from the event log and the
-- Financial service's contract; nothing is read from another service's tables.

-- Each entry as risk scoring read it, in the order it was read per ledger (seq, from 1 without
-- gaps): the facts the features are computed from and the features themselves, computed against
-- the ledger's entries before it. A ledger's history is rebuilt from these rows in seq order.
CREATE TABLE payments (
  entry_id        uuid PRIMARY KEY,
  org             uuid NOT NULL,
  ledger_id       uuid NOT NULL,
  seq             bigint NOT NULL,
  booking_date    date NOT NULL,
  entry_time      time,
  counterparty    text,
  document        text,
  amount          double precision NOT NULL,
  debit_account   text NOT NULL,
  credit_account  text NOT NULL,
  features        double precision[] NOT NULL,
  committed_at    timestamptz NOT NULL,
  read_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (ledger_id, seq)
);
CREATE INDEX payments_ledger_date_idx ON payments (ledger_id, booking_date);
CREATE INDEX payments_org_idx ON payments (org, entry_id);

CREATE TABLE models (
  id           uuid PRIMARY KEY,
  org          uuid NOT NULL,
  version      int NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('isolation-forest', 'one-class-svm', 'logistic')),
  state        text NOT NULL CHECK (state IN ('training', 'trained', 'failed')),
  ledger_id    uuid NOT NULL,
  period_from  date NOT NULL,
  period_to    date NOT NULL,
  rows         bigint NOT NULL DEFAULT 0,
  metrics      jsonb NOT NULL DEFAULT '[]',
  parameters   jsonb NOT NULL DEFAULT '[]',
  threshold    double precision,
  body         bytea,
  author       text NOT NULL,
  error        text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  trained_at   timestamptz,
  UNIQUE (org, version)
);

-- Promotions per organisation, newest last; the active model is the newest not undone. A
-- rollback undoes the newest, so the one before is active again.
CREATE TABLE promotions (
  org        uuid NOT NULL,
  seq        int NOT NULL,
  model_id   uuid NOT NULL REFERENCES models (id),
  threshold  double precision NOT NULL,
  by_whom    text NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  undone     boolean NOT NULL DEFAULT false,
  PRIMARY KEY (org, seq)
);

-- One score per entry and model: scoring again (a replay, a catch-up, a second promotion) adds
-- nothing. published: in an entry-scored event; finding: pending until Financial has it.
CREATE TABLE scores (
  entry_id       uuid NOT NULL REFERENCES payments (entry_id),
  model_id       uuid NOT NULL REFERENCES models (id),
  org            uuid NOT NULL,
  ledger_id      uuid NOT NULL,
  model_version  int NOT NULL,
  score          double precision NOT NULL,
  threshold      double precision NOT NULL,
  factors        jsonb NOT NULL,
  scored_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  published      boolean NOT NULL DEFAULT false,
  finding        text CHECK (finding IN ('pending', 'raised', 'refused')),
  PRIMARY KEY (entry_id, model_id)
);
CREATE INDEX scores_unpublished_idx ON scores (scored_at) WHERE NOT published;
CREATE INDEX scores_pending_idx ON scores (scored_at) WHERE finding = 'pending';

-- Imports whose entries are still to be read (they arrive without an entry-posted event each).
CREATE TABLE import_backlog (
  import_id   uuid PRIMARY KEY,
  org         uuid NOT NULL,
  ledger_id   uuid NOT NULL,
  cursor      text,
  done        boolean NOT NULL DEFAULT false,
  entries     bigint NOT NULL DEFAULT 0,
  error       text,
  queued_at   timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Promoted models scoring the entries scored before them, in the background.
CREATE TABLE rescoring (
  model_id    uuid PRIMARY KEY REFERENCES models (id),
  org         uuid NOT NULL,
  after_entry uuid,
  done        boolean NOT NULL DEFAULT false,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The double-entry ledger: ledgers of an organisation, their chart of accounts, and immutable
-- journal entries whose lines balance per currency. Corrections are reversing entries.

CREATE TABLE ledgers (
  id          uuid PRIMARY KEY,
  org         uuid NOT NULL,
  name        text NOT NULL,
  currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (org, name)
);

CREATE TABLE accounts (
  id         uuid PRIMARY KEY,
  ledger_id  uuid NOT NULL REFERENCES ledgers (id),
  code       text NOT NULL,
  name       text NOT NULL,
  type       text NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'revenue', 'expense')),
  active     boolean NOT NULL DEFAULT true,
  UNIQUE (ledger_id, code)
);

CREATE TABLE entries (
  id               uuid PRIMARY KEY,
  ledger_id        uuid NOT NULL REFERENCES ledgers (id),
  booking_date     date NOT NULL,
  description      text NOT NULL,
  counterparty     text,
  document_number  text,
  posted_by        text NOT NULL,
  posted_at        timestamptz NOT NULL DEFAULT now(),
  reverses         uuid UNIQUE REFERENCES entries (id),
  reversed_by      uuid REFERENCES entries (id)
);
CREATE INDEX entries_ledger_date_idx ON entries (ledger_id, booking_date);

CREATE TABLE entry_lines (
  entry_id    uuid NOT NULL REFERENCES entries (id),
  line_no     int NOT NULL,
  account_id  uuid NOT NULL REFERENCES accounts (id),
  debit       numeric(19, 4) NOT NULL DEFAULT 0,
  credit      numeric(19, 4) NOT NULL DEFAULT 0,
  currency    text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  PRIMARY KEY (entry_id, line_no),
  CHECK ((debit > 0 AND credit = 0) OR (credit > 0 AND debit = 0))
);
CREATE INDEX entry_lines_account_idx ON entry_lines (account_id);

-- Reconciliation of documents with ledger entries.

-- The fields matching reads, beside the analysis they come from (filled from it for the
-- documents analysed before this version).
ALTER TABLE documents ADD COLUMN vendor text, ADD COLUMN iban text, ADD COLUMN currency text;
UPDATE documents SET vendor = analysis -> 'fields' -> 'vendor' ->> 'value',
    iban = analysis -> 'fields' -> 'iban' ->> 'value',
    currency = analysis -> 'fields' -> 'currency' ->> 'value'
  WHERE analysis IS NOT NULL;
CREATE INDEX documents_org_ledger_date_idx ON documents (org, ledger_id, doc_date) WHERE status = 'analysed';

-- The ledgers' entries as this service knows them: posted entries from the log (financial.entry-posted,
-- financial.entry-reversed), and every entry of a reconciled period as Financial lists it (imports too).
CREATE TABLE entries (
  entry_id      uuid PRIMARY KEY,
  org           uuid NOT NULL,
  ledger_id     uuid NOT NULL,
  booking_date  date NOT NULL,
  amount        numeric NOT NULL,
  currency      text NOT NULL,
  counterparty  text,
  document_no   text,
  reversed      boolean NOT NULL DEFAULT false
);
CREATE INDEX entries_ledger_date_idx ON entries (org, ledger_id, booking_date);

-- A document's match: the entry that pays it (each document at most one, each entry at most one).
CREATE TABLE matches (
  document_id   uuid PRIMARY KEY REFERENCES documents (id),
  entry_id      uuid NOT NULL UNIQUE,
  org           uuid NOT NULL,
  ledger_id     uuid NOT NULL,
  score         double precision NOT NULL,
  difference    numeric,
  matched_at    timestamptz NOT NULL DEFAULT now()
);

-- Reconciliation jobs: a ledger over a period.
CREATE TABLE reconciliations (
  id            uuid PRIMARY KEY,
  org           uuid NOT NULL,
  ledger_id     uuid NOT NULL,
  period_from   date NOT NULL,
  period_to     date NOT NULL,
  status        text NOT NULL,
  documents     int NOT NULL DEFAULT 0,
  entries       int NOT NULL DEFAULT 0,
  matched       int NOT NULL DEFAULT 0,
  findings      jsonb NOT NULL DEFAULT '[]',
  error         text,
  started_by    text NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);

-- Findings on their way to Financial (raise-findings), written with what found them; sent and
-- marked by whichever instance claims them. Financial raises a finding once however often it is sent.
CREATE TABLE finding_outbox (
  id            bigserial PRIMARY KEY,
  org           uuid NOT NULL,
  ledger_id     uuid NOT NULL,
  finding       jsonb NOT NULL,
  state         text NOT NULL DEFAULT 'pending',
  claimed_at    timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX finding_outbox_pending_idx ON finding_outbox (id) WHERE state = 'pending';

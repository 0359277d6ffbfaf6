-- Bulk imports of journal lines: one row per import with its options, progress and outcome.
-- Entries written by an import name it, so an import can be traced and counted.

CREATE TABLE imports (
  id                uuid PRIMARY KEY,
  ledger_id         uuid NOT NULL REFERENCES ledgers (id),
  org               uuid NOT NULL,
  created_by        text NOT NULL,
  format            text NOT NULL CHECK (format IN ('csv', 'jsonl')),
  mode              text NOT NULL CHECK (mode IN ('all-or-nothing', 'valid-rows')),
  options           jsonb NOT NULL,
  status            text NOT NULL CHECK (status IN ('created', 'receiving', 'completed', 'rejected', 'failed')),
  rows_done         bigint NOT NULL DEFAULT 0,
  bytes_done        bigint NOT NULL DEFAULT 0,
  bytes_total       bigint,
  entries_imported  bigint NOT NULL DEFAULT 0,
  error_count       bigint NOT NULL DEFAULT 0,
  errors            jsonb NOT NULL DEFAULT '[]',
  sha256            text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz
);
CREATE INDEX imports_ledger_idx ON imports (ledger_id, created_at);

ALTER TABLE entries ADD COLUMN import_id uuid REFERENCES imports (id);

-- Only reversals need the uniqueness of what they reverse; a partial index costs nothing for
-- ordinary (and bulk-imported) entries, where it is null.
ALTER TABLE entries DROP CONSTRAINT entries_reverses_key;
CREATE UNIQUE INDEX entries_reverses_idx ON entries (reverses) WHERE reverses IS NOT NULL;

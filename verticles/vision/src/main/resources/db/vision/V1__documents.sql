-- Documents and their analyses. The bytes are stored once per organisation and content
-- (SHA-256); a document is one upload of them. The log holds what happened to each
-- (vision.document-received, vision.document-analysed); these tables hold what is read back.

CREATE TABLE contents (
  org          uuid NOT NULL,
  sha256       text NOT NULL,
  media_type   text NOT NULL,
  size         bigint NOT NULL,
  bytes        bytea NOT NULL,
  stored_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org, sha256)
);

-- status: received (queued), analysing (claimed by an instance at claimed_at), analysed, failed.
-- seq orders the organisation's documents for listing (newest first) and cursors.
CREATE TABLE documents (
  id            uuid PRIMARY KEY,
  seq           bigserial NOT NULL UNIQUE,
  org           uuid NOT NULL,
  ledger_id     uuid,
  sha256        text NOT NULL,
  file_name     text,
  media_type    text NOT NULL,
  size          bigint NOT NULL,
  status        text NOT NULL,
  error         text,
  page_count    int NOT NULL DEFAULT 0,
  pages         int NOT NULL DEFAULT 0,
  analysis      jsonb,
  phash         bigint,
  dhash         bigint,
  total         numeric,
  doc_date      date,
  invoice_no    text,
  duplicate_of  uuid,
  uploaded_by   text NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  claimed_at    timestamptz,
  attempts      int NOT NULL DEFAULT 0,
  analysed_at   timestamptz,
  FOREIGN KEY (org, sha256) REFERENCES contents (org, sha256)
);
CREATE INDEX documents_org_seq_idx ON documents (org, seq DESC);
CREATE INDEX documents_org_ledger_seq_idx ON documents (org, ledger_id, seq DESC);
CREATE INDEX documents_org_sha_idx ON documents (org, sha256, seq);
CREATE INDEX documents_queue_idx ON documents (seq) WHERE status IN ('received', 'analysing');

-- Pairs of the organisation's documents that look like the same receipt (each pair once, in
-- both directions), with the Hamming distance of their perceptual hashes.
CREATE TABLE duplicates (
  document_id  uuid NOT NULL REFERENCES documents (id),
  other_id     uuid NOT NULL REFERENCES documents (id),
  distance     int NOT NULL,
  PRIMARY KEY (document_id, other_id)
);

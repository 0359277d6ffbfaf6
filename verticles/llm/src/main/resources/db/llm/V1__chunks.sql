-- The LLM service's facts: chunks made from the log's findings, entries, comments and documents'
-- pages, with their embeddings. This table is the truth; each node's Lucene index is a projection.

-- Every write to chunks takes a new seq under one advisory lock, so seq order is commit order and
-- an index that read up to seq N has seen every change at or below N.
CREATE SEQUENCE chunk_seq;

CREATE TABLE chunks (
  id            text PRIMARY KEY,            -- <kind>:<fact id>, a document's page <kind>:<id>#<page>
  org           uuid NOT NULL,
  ledger_id     uuid,
  kind          text NOT NULL,
  fact_id       text NOT NULL,               -- the id a citation names
  page          int,
  title         text NOT NULL,
  body          text NOT NULL,
  meaning       text NOT NULL,               -- what is embedded: the fact in its own few words, without its kind's boilerplate
  facts         jsonb NOT NULL,              -- the amounts and dates the chunk states (citations are checked against them)
  source        jsonb NOT NULL,              -- what it was made from, to remake it when the fact changes
  hash          text NOT NULL,               -- SHA-256 of meaning: an unchanged meaning keeps its vector
  vector        bytea,                       -- float32 little-endian; null until embedded
  model         text,
  seq           bigint NOT NULL,
  claimed_until timestamptz,                 -- an embedder took it until then
  deleted       boolean NOT NULL DEFAULT false,
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX chunks_by_seq ON chunks (seq);
CREATE INDEX chunks_pending ON chunks (seq) WHERE vector IS NULL AND NOT deleted;
CREATE INDEX chunks_by_org ON chunks (org, kind) WHERE NOT deleted;
CREATE INDEX chunks_by_fact ON chunks (fact_id);

-- Made once with the schema: an index built against another database is rebuilt, not trusted.
CREATE TABLE index_epoch (epoch uuid NOT NULL);
INSERT INTO index_epoch VALUES (gen_random_uuid());

-- Facts the log only announces: an import's entries (read over Financial's contract) and an
-- analysed document's text (over Vision's), fetched outside the subscription's transaction.
CREATE TABLE fetch_backlog (
  kind        text NOT NULL,                 -- import or document
  ref         uuid NOT NULL,
  org         uuid NOT NULL,
  ledger_id   uuid,
  cursor      text,
  attempts    int NOT NULL DEFAULT 0,
  not_before  timestamptz NOT NULL DEFAULT now(),
  error       text,
  PRIMARY KEY (kind, ref)
);

CREATE TABLE reports (
  org            uuid NOT NULL,
  ledger_id      uuid NOT NULL,
  examination_id text NOT NULL,
  version        int NOT NULL,
  findings       int NOT NULL,
  markdown       text NOT NULL,
  sha256         text NOT NULL,
  drafted_by     text NOT NULL,
  drafted_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org, examination_id, version)
);

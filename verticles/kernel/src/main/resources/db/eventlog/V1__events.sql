-- The event log: the system of record every service appends to and every reader follows.
--
-- Readers go in (tx_id, position) order and only up to the oldest transaction still running
-- (pg_snapshot_xmin of the current snapshot): nothing can ever appear behind a reader's
-- checkpoint, so no event is skipped even when its transaction commits late.

CREATE TABLE events (
  position     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tx_id        xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id    text NOT NULL CHECK (length(stream_id) BETWEEN 1 AND 200),
  version      bigint NOT NULL CHECK (version >= 1),
  type         text NOT NULL CHECK (length(type) BETWEEN 1 AND 200),
  data         jsonb NOT NULL,
  metadata     jsonb NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_stream_version_key UNIQUE (stream_id, version)
);

CREATE INDEX events_commit_order_idx ON events (tx_id, position);

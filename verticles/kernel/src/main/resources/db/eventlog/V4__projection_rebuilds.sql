-- Progress of projection rebuilds, visible from any node.
CREATE TABLE projection_rebuilds (
  name         text PRIMARY KEY,
  state        text NOT NULL CHECK (state IN ('running', 'done', 'failed')),
  replayed     bigint NOT NULL DEFAULT 0,
  -- events the read model could not apply (as the live subscription parks them), left out
  skipped      bigint NOT NULL DEFAULT 0,
  total        bigint NOT NULL DEFAULT 0,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  error        text
);

-- Each organisation's daily token budget for the model; absent: the configured default.
CREATE TABLE budgets (
  org             uuid PRIMARY KEY,
  tokens_per_day  bigint NOT NULL CHECK (tokens_per_day >= 0),
  set_by          text NOT NULL,
  set_at          timestamptz NOT NULL DEFAULT now()
);

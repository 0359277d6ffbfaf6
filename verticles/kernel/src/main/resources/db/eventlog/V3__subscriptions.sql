-- Durable subscriptions: each named consumer (and partition) keeps its checkpoint here,
-- updated in the same transaction as its effect; events it could not process are parked.

CREATE TABLE subscription_checkpoints (
  name        text NOT NULL,
  partition   int NOT NULL DEFAULT 0,
  tx_id       xid8 NOT NULL DEFAULT '0'::xid8,
  position    bigint NOT NULL DEFAULT 0,
  processed   bigint NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, partition)
);

CREATE TABLE parked_events (
  subscription  text NOT NULL,
  position      bigint NOT NULL REFERENCES events (position),
  partition     int NOT NULL,
  attempts      int NOT NULL,
  reason        text NOT NULL,
  parked_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subscription, position)
);

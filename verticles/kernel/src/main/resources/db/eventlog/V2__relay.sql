-- Wake the relay when events commit (NOTIFY is delivered at commit), and remember how far it
-- published so that a new leader continues where the old one stopped.

CREATE FUNCTION notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('nexus_events', '');
  RETURN NULL;
END $$;

CREATE TRIGGER events_notify AFTER INSERT ON events
  FOR EACH STATEMENT EXECUTE FUNCTION notify_events();

CREATE TABLE relay_checkpoint (
  id          int PRIMARY KEY CHECK (id = 1),
  tx_id       xid8 NOT NULL,
  position    bigint NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO relay_checkpoint (id, tx_id, position) VALUES (1, '0'::xid8, 0);

package io.nexus.kernel.events;

import io.nexus.kernel.db.Database;
import io.nexus.kernel.db.PgConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.micrometer.backends.BackendRegistries;

/**
 * The node's part in the event log: makes sure the log's schema is migrated before any service
 * appends to it, and runs this node's outbox-relay candidate.
 */
public final class EventLogVerticle extends VerticleBase {
  private static final long RELAY_TICK_MS = 1000;

  private Database db;
  private OutboxRelay relay;

  @Override
  public Future<?> start() {
    var pg = PgConfig.from(config());
    db = Database.connect(vertx, pg, EventStore.SCHEMA);
    relay = new OutboxRelay(vertx, pg, db.pool(), RELAY_TICK_MS);
    return EventStore.migrate(vertx, pg).compose(v -> relay.start(BackendRegistries.getDefaultNow()));
  }

  @Override
  public Future<?> stop() {
    return relay.stop().eventually(() -> db.close());
  }
}

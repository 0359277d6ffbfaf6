package io.nexus.kernel.events;

import io.nexus.kernel.db.PgConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;

/**
 * A cluster-wide exclusive role held as a PostgreSQL session advisory lock on a connection of its
 * own: held while the connection lives, freed by PostgreSQL the moment the holder's process dies
 * or its connection drops. A candidate keeps its one connection between attempts.
 */
final class Lease {
  /** Every NEXUS lease key lives in this advisory-lock namespace. */
  private static final int NAMESPACE = 0x4E5853;

  private final Vertx vertx;
  private final PgConfig config;
  private final String key;
  private final Runnable onLost;
  private PgConnection connection;
  private boolean held;

  /**
   * @param key the role, e.g. {@code outbox-relay}
   * @param onLost called when the role is lost (the holding connection closed)
   */
  Lease(Vertx vertx, PgConfig config, String key, Runnable onLost) {
    this.vertx = vertx;
    this.config = config;
    this.key = key;
    this.onLost = onLost;
  }

  /** Tries once to take the role; true when this candidate holds it (now or already). */
  Future<Boolean> tryTake() {
    if (held) {
      return Future.succeededFuture(true);
    }
    return connection()
        .compose(c -> c.preparedQuery("SELECT pg_try_advisory_lock($1, hashtext($2)) AS won").execute(Tuple.of(NAMESPACE, key)))
        .map(rows -> {
          held = rows.iterator().next().getBoolean("won");
          return held;
        });
  }

  /** The connection holding the role (for LISTEN), or null when not held. */
  PgConnection holder() {
    return held ? connection : null;
  }

  /** Gives the role (and the connection) up. */
  Future<Void> release() {
    held = false;
    PgConnection c = connection;
    connection = null;
    return c == null ? Future.succeededFuture() : c.close();
  }

  private Future<PgConnection> connection() {
    if (connection != null) {
      return Future.succeededFuture(connection);
    }
    return PgConnection.connect(vertx, config.connectOptions()).map(c -> {
      connection = c;
      c.closeHandler(v -> {
        boolean wasHeld = held;
        held = false;
        connection = null;
        if (wasHeld) {
          onLost.run();
        }
      });
      return c;
    });
  }
}

package io.nexus.kernel.events;

import io.nexus.kernel.db.PgConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;

/**
 * Cluster-wide exclusive roles held as PostgreSQL session advisory locks, each on a connection of
 * its own: the role is held while the connection lives, and freed by PostgreSQL the moment the
 * holder's process dies or its connection drops.
 */
final class Lease {
  /** Every NEXUS lease key lives in this advisory-lock namespace. */
  private static final int NAMESPACE = 0x4E5853;

  private Lease() {}

  /**
   * Tries once to take the role {@code key}.
   *
   * @param onLost called when the holding connection closes
   * @return the holding connection, or null when another holds the role
   */
  static Future<PgConnection> tryTake(Vertx vertx, PgConfig config, String key, Runnable onLost) {
    return PgConnection.connect(vertx, config.connectOptions())
        .compose(conn -> conn.preparedQuery("SELECT pg_try_advisory_lock($1, hashtext($2)) AS won")
            .execute(Tuple.of(NAMESPACE, key))
            .compose(rows -> {
              if (!rows.iterator().next().getBoolean("won")) {
                return conn.close().map((PgConnection) null);
              }
              conn.closeHandler(v -> onLost.run());
              return Future.succeededFuture(conn);
            }, err -> conn.close().transform(x -> Future.failedFuture(err))));
  }
}

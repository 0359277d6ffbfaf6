package io.nexus.kernel.discovery;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import java.util.List;

/**
 * A running instance of a service as the cluster sees it: announced in discovery once its
 * bindings are registered, withdrawn first when it stops (so callers stop choosing it before
 * it goes).
 */
public final class ServiceInstance {
  /** How often an instance checks that its record is still published (see {@link Discovery#ensure}). */
  static final long CHECK_MS = 3_000;
  private final Vertx vertx;
  private final Discovery discovery;
  private final Record record;
  private final long timer;
  private boolean checking;

  private ServiceInstance(Vertx vertx, Discovery discovery, Record record) {
    this.vertx = vertx;
    this.discovery = discovery;
    this.record = record;
    this.timer = vertx.setPeriodic(CHECK_MS, id -> check());
  }

  private void check() {
    if (checking) {
      return;
    }
    checking = true;
    discovery.ensure(record).onComplete(ar -> checking = false);
  }

  /** Announces {@code service} on this node (the node id is {@code node.id} in the config). */
  public static Future<ServiceInstance> announce(Vertx vertx, JsonObject config, String service, String version,
      List<String> addresses) {
    var discovery = new Discovery(vertx);
    String node = config.getJsonObject("node", new JsonObject()).getString("id", "local");
    return discovery.publish(service, version, node, addresses)
        .map(r -> new ServiceInstance(vertx, discovery, r))
        .onFailure(err -> discovery.close());
  }

  /** Withdraws the announcement; never fails (the node's departure cleans up what is left). */
  public Future<Void> withdraw() {
    vertx.cancelTimer(timer);
    return discovery.unpublish(record).otherwiseEmpty().eventually(() -> {
      discovery.close();
      return Future.succeededFuture();
    });
  }
}

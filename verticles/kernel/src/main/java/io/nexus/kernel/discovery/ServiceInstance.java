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
  private final Discovery discovery;
  private final Record record;

  private ServiceInstance(Discovery discovery, Record record) {
    this.discovery = discovery;
    this.record = record;
  }

  /** Announces {@code service} on this node (the node id is {@code node.id} in the config). */
  public static Future<ServiceInstance> announce(Vertx vertx, JsonObject config, String service, String version,
      List<String> addresses) {
    var discovery = new Discovery(vertx);
    String node = config.getJsonObject("node", new JsonObject()).getString("id", "local");
    return discovery.publish(service, version, node, addresses)
        .map(r -> new ServiceInstance(discovery, r))
        .onFailure(err -> discovery.close());
  }

  /** Withdraws the announcement; never fails (the node's departure cleans up what is left). */
  public Future<Void> withdraw() {
    return discovery.unpublish(record).otherwiseEmpty().eventually(() -> {
      discovery.close();
      return Future.succeededFuture();
    });
  }
}

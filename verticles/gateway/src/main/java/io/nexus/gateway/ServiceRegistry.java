package io.nexus.gateway;

import io.nexus.contracts.Contracts;
import io.nexus.kernel.breaker.Breakers;
import io.nexus.kernel.discovery.Discovery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscoveryOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's view of live service instances, from discovery: refreshed whenever an instance
 * is published or withdrawn anywhere in the cluster, and every few seconds besides, so that a
 * request for a service with no instance is answered 503 at once.
 */
final class ServiceRegistry {
  private static final long REFRESH_MS = 5_000;

  private final Vertx vertx;
  private final Discovery discovery;
  private final Breakers breakers;
  private volatile Map<String, List<Record>> byService = Map.of();
  private MessageConsumer<Object> announcements;
  private long timer = -1;

  ServiceRegistry(Vertx vertx, Discovery discovery, Breakers breakers) {
    this.vertx = vertx;
    this.discovery = discovery;
    this.breakers = breakers;
  }

  Future<Void> start() {
    announcements = vertx.eventBus().consumer(ServiceDiscoveryOptions.DEFAULT_ANNOUNCE_ADDRESS, m -> refresh());
    timer = vertx.setPeriodic(REFRESH_MS, t -> refresh());
    return announcements.completion().compose(v -> refresh());
  }

  Future<Void> refresh() {
    return discovery.instances().map(records -> {
      var next = new HashMap<String, List<Record>>();
      var live = new java.util.HashSet<String>();
      for (Record r : records) {
        next.computeIfAbsent(r.getName(), n -> new java.util.ArrayList<>()).add(r);
        live.add(breakerName(r.getName(), r.getMetadata().getString("node")));
      }
      byService = next;
      // breakers of instances that are gone (their node left): forgotten, gauges too
      breakers.retain(name -> serviceOfBreaker(name).isEmpty() || live.contains(name));
      return null;
    });
  }

  /** True when at least one instance of the service is published. */
  boolean hasInstance(String service) {
    return instances(service) > 0;
  }

  /** The nodes of the service's published instances. */
  List<String> nodes(String service) {
    List<Record> rs = byService.get(service);
    return rs == null ? List.of() : rs.stream().map(r -> r.getMetadata().getString("node")).filter(n -> n != null).toList();
  }

  /** The name of the breaker that guards one instance of a service. */
  static String breakerName(String service, String node) {
    return service + "@" + node;
  }

  /** The service whose instance a breaker of {@link #breakerName} guards; empty for other breakers. */
  static java.util.Optional<String> serviceOfBreaker(String breaker) {
    int at = breaker.indexOf('@');
    return at > 0 ? java.util.Optional.of(breaker.substring(0, at)) : java.util.Optional.empty();
  }

  /** How many instances of the service are published. */
  int instances(String service) {
    List<Record> rs = byService.get(service);
    return rs == null ? 0 : rs.size();
  }

  /** The live instances of every known service, with this gateway's breaker state for each. */
  JsonObject describe() {
    var services = new JsonArray();
    var names = new java.util.LinkedHashSet<>(Contracts.services());
    names.addAll(byService.keySet());
    for (String name : names) {
      var instances = new JsonArray();
      int open = 0;
      int closed = 0;
      for (Record r : byService.getOrDefault(name, List.of())) {
        String node = r.getMetadata().getString("node");
        var state = breakers.state(breakerName(name, node));
        if (state == io.vertx.circuitbreaker.CircuitBreakerState.CLOSED) {
          closed++;
        } else if (state == io.vertx.circuitbreaker.CircuitBreakerState.OPEN) {
          open++;
        }
        instances.add(new JsonObject()
            .put("id", r.getRegistration())
            .put("node", node)
            .put("version", r.getMetadata().getString("version"))
            .put("startedAt", r.getMetadata().getString("startedAt"))
            .put("breaker", state.name().toLowerCase().replace('_', '-')));
      }
      // the service's breaker as a whole: closed when every instance's is, open when every one is open
      String breaker = closed == instances.size() ? "closed" : open == instances.size() ? "open" : "partly-open";
      String status = instances.isEmpty() ? "down" : "closed".equals(breaker) ? "up" : "degraded";
      services.add(new JsonObject().put("name", name).put("status", status).put("breaker", breaker)
          .put("instances", instances));
    }
    return new JsonObject().put("services", services);
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (announcements != null) {
      announcements.unregister();
    }
  }
}

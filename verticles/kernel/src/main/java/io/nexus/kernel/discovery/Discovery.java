package io.nexus.kernel.discovery;

import io.nexus.contracts.Codec;
import io.nexus.contracts.system.SystemFeed;
import io.nexus.contracts.system.SystemFeed.SystemEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.servicediscovery.Record;
import io.vertx.servicediscovery.ServiceDiscovery;
import io.vertx.servicediscovery.ServiceDiscoveryOptions;
import io.vertx.servicediscovery.Status;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry of running service instances, kept in the cluster-wide discovery map. Each
 * instance publishes one record at start and withdraws it at stop; the survivors of a node
 * that vanished remove its records ({@link #removeNode}). Every change is also announced on
 * the public {@code ui.system} feed.
 */
public final class Discovery {
  private static final Logger LOG = LoggerFactory.getLogger(Discovery.class);
  /** The record type of a NEXUS service instance. */
  public static final String RECORD_TYPE = "nexus-service";

  private final Vertx vertx;
  private final ServiceDiscovery discovery;

  public Discovery(Vertx vertx) {
    this.vertx = vertx;
    this.discovery = ServiceDiscovery.create(vertx, new ServiceDiscoveryOptions());
  }

  /**
   * Publishes an instance of {@code service} running on {@code node} and answering on
   * {@code addresses}.
   */
  public Future<Record> publish(String service, String version, String node, List<String> addresses) {
    Record record = new Record()
        .setName(service)
        .setType(RECORD_TYPE)
        .setStatus(Status.UP)
        .setLocation(new JsonObject().put("addresses", new JsonArray(addresses)))
        .setMetadata(new JsonObject()
            .put("node", node)
            .put("version", version)
            .put("startedAt", Instant.now().toString()));
    return discovery.publish(record)
        .onSuccess(r -> {
          LOG.info("service instance published [service: {}, node: {}, registration: {}]", service, node,
              r.getRegistration());
          announce(SystemFeed.SystemEventType.SERVICE_UP, node, service);
        });
  }

  /**
   * Puts a record this node published back when it is missing: survivors remove a node's
   * records when it leaves the cluster, and a node that was only paused or cut off comes back
   * (its cluster merges) still running. True when it had to be put back.
   */
  public Future<Boolean> ensure(Record record) {
    String registration = record.getRegistration();
    return discovery.getRecord(r -> registration.equals(r.getRegistration()), true).compose(found -> {
      if (found != null) {
        return Future.succeededFuture(false);
      }
      return discovery.update(record).map(r -> {
        LOG.warn("service instance published again after its record was lost [service: {}, node: {}, registration: {}]",
            record.getName(), record.getMetadata().getString("node"), registration);
        announce(SystemFeed.SystemEventType.SERVICE_UP, record.getMetadata().getString("node"), record.getName());
        return true;
      });
    });
  }

  /** Withdraws a record this instance published. */
  public Future<Void> unpublish(Record record) {
    return discovery.unpublish(record.getRegistration())
        .onSuccess(v -> announce(SystemFeed.SystemEventType.SERVICE_DOWN, record.getMetadata().getString("node"), record.getName()));
  }

  /** Every published service instance. */
  public Future<List<Record>> instances() {
    return discovery.getRecords(r -> RECORD_TYPE.equals(r.getType()), true);
  }

  /** Removes every record of a node that left the cluster; returns how many. */
  public Future<Integer> removeNode(String node) {
    return instances().compose(records -> {
      var mine = records.stream().filter(r -> node.equals(r.getMetadata().getString("node"))).toList();
      return Future.all(mine.stream().map(r -> discovery.unpublish(r.getRegistration())
              .onSuccess(v -> announce(SystemFeed.SystemEventType.SERVICE_DOWN, node, r.getName()))
              .otherwiseEmpty()).toList())
          .map(done -> mine.size());
    }).onSuccess(n -> {
      if (n > 0) {
        LOG.info("removed records of departed node [node: {}, records: {}]", node, n);
      }
    });
  }

  /** Announces a node or service change on {@code ui.system}. */
  public void announce(SystemFeed.SystemEventType type, String node, String service) {
    var event = new SystemEvent(type, node, service, Instant.now().toString());
    vertx.eventBus().publish(SystemFeed.SYSTEM.address(), Codec.toJson(event));
  }

  /** Releases the discovery client (records stay published). */
  public void close() {
    discovery.close();
  }
}

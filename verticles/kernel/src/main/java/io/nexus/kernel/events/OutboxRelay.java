package io.nexus.kernel.events;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.kernel.db.PgConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the event log on the bus: every committed event, in log order, on
 * {@code nexus.<service>.events.<event>} with its position. Every node runs a candidate; the
 * one holding a PostgreSQL advisory lock (on a connection of its own) is the relay. When that
 * node dies its connection closes, the lock is freed, and another candidate takes over at its
 * next attempt. The relay wakes on NOTIFY from the log's trigger and polls as a fallback; its
 * checkpoint is in {@code eventlog.relay_checkpoint}, so delivery is at least once across
 * failovers (consumers dedupe by position).
 */
public final class OutboxRelay {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  private static final int BATCH = 1000;

  private final Vertx vertx;
  private final PgConfig config;
  private final Pool pool;
  private final EventStore store;
  private final long tickMs;
  private final Lease lease;
  private LogPosition checkpoint;
  private long timer = -1;
  private boolean draining;
  private boolean again;
  private boolean stopped;
  private volatile Instant lastPublishedAt;
  private volatile boolean leader;

  /**
   * @param tickMs how often a candidate tries to become the relay, and how often the relay looks
   *     for events without a wake-up
   */
  public OutboxRelay(Vertx vertx, PgConfig config, Pool pool, long tickMs) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.store = new EventStore(pool);
    this.tickMs = tickMs;
    this.lease = new Lease(vertx, config, "outbox-relay", this::lostLeadership);
  }

  /** Starts campaigning; exports {@code nexus_relay_leader} and {@code nexus_relay_lag_seconds} when given a registry. */
  public Future<Void> start(MeterRegistry registry) {
    if (registry != null) {
      Gauge.builder("nexus_relay_leader", this, r -> r.leader ? 1 : 0)
          .description("1 on the node whose relay publishes the event log").register(registry);
      Gauge.builder("nexus_relay_lag_seconds", this, OutboxRelay::lagSeconds)
          .description("age of the newest event published by this relay when it was published").register(registry);
    }
    timer = vertx.setPeriodic(0, tickMs, t -> tick());
    return Future.succeededFuture();
  }

  /** True while this candidate is the relay. */
  public boolean isLeader() {
    return leader;
  }

  private void tick() {
    if (stopped) {
      return;
    }
    if (!leader) {
      campaign();
    } else {
      drain();
    }
  }

  private void campaign() {
    lease.tryTake()
        .compose(won -> {
          if (!won) {
            return Future.succeededFuture(false);
          }
          PgConnection conn = lease.holder();
          conn.notificationHandler(n -> drain());
          return conn.query("LISTEN " + EventStore.CHANNEL).execute()
              .compose(v -> pool.query("SELECT tx_id::text AS tx, position FROM " + EventStore.SCHEMA
                  + ".relay_checkpoint WHERE id = 1").execute())
              .map(r -> {
                var row = r.iterator().next();
                checkpoint = new LogPosition(Long.parseUnsignedLong(row.getString("tx")), row.getLong("position"));
                leader = true;
                LOG.info("this node is now the event relay [from: {}]", checkpoint);
                drain();
                return true;
              });
        })
        .onFailure(err -> LOG.debug("relay campaign failed: {}", err.getMessage()));
  }

  private void lostLeadership() {
    if (leader) {
      LOG.warn("event relay connection lost; campaigning again");
    }
    leader = false;
  }

  /** Publishes everything after the checkpoint; coalesces wake-ups that arrive meanwhile. */
  private void drain() {
    if (!leader || stopped) {
      return;
    }
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    again = false;
    store.readAll(checkpoint, BATCH)
        .compose(events -> {
          if (events.isEmpty()) {
            return Future.succeededFuture(false);
          }
          for (RecordedEvent e : events) {
            vertx.eventBus().publish(NewEvent.topicOf(e.type()), wire(e));
          }
          RecordedEvent last = events.get(events.size() - 1);
          lastPublishedAt = last.recordedAt();
          vertx.eventBus().publish(DurableSubscription.WAKE_ADDRESS, last.position());
          return pool.preparedQuery("UPDATE " + EventStore.SCHEMA + ".relay_checkpoint SET tx_id = $1::text::xid8, "
                  + "position = $2, updated_at = now() WHERE id = 1")
              .execute(Tuple.of(Long.toUnsignedString(last.txId()), last.position()))
              .map(v -> {
                checkpoint = last.logPosition();
                return events.size() == BATCH;
              });
        })
        .onComplete(ar -> {
          draining = false;
          if (ar.failed()) {
            LOG.warn("event relay could not publish: {}", ar.cause().getMessage());
          } else if (ar.result() || again) {
            drain();
          }
        });
  }

  /** The form an event travels in on the bus. */
  public static JsonObject wire(RecordedEvent e) {
    return new JsonObject()
        .put("position", e.position())
        .put("txId", Long.toUnsignedString(e.txId()))
        .put("streamId", e.streamId())
        .put("version", e.version())
        .put("type", e.type())
        .put("data", e.data())
        .put("metadata", e.metadata())
        .put("recordedAt", e.recordedAt().toString());
  }

  private double lagSeconds() {
    Instant at = lastPublishedAt;
    return at == null ? 0 : Math.max(0, Duration.between(at, Instant.now()).toMillis() / 1000.0);
  }

  /** Stops campaigning and gives up leadership. */
  public Future<Void> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    leader = false;
    return lease.release();
  }
}

package io.nexus.kernel.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.bus.Call;
import io.nexus.kernel.db.Database;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.testing.TestServers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OutboxRelayTest {
  private static final long TICK_MS = 200;
  private static final long TAKEOVER_DEADLINE_MS = 10_000;
  private static final String TYPE = "test.thing-happened";

  @Test
  @DisplayName("exactly one relay publishes committed events in log order with their positions; when it stops another takes over "
      + "within 10 s and continues where it left off")
  void oneRelayAndFailover() throws Exception {
    Vertx vertx = Vertx.vertx();
    var pg = new PgConfig(TestServers.freshDatabase(), 4);
    EventStore.migrate(vertx, pg).await(60, TimeUnit.SECONDS);
    Pool pool = Database.connect(vertx, pg, EventStore.SCHEMA).pool();
    var store = new EventStore(pool);
    var received = new ConcurrentSkipListMap<Long, JsonObject>();
    var duplicates = new java.util.concurrent.atomic.AtomicInteger();
    vertx.eventBus().<JsonObject>consumer(NewEvent.topicOf(TYPE), m -> {
      if (received.put(m.body().getLong("position"), m.body()) != null) {
        duplicates.incrementAndGet();
      }
    }).completion().await(10, TimeUnit.SECONDS);

    var a = new OutboxRelay(vertx, pg, pool, TICK_MS);
    var b = new OutboxRelay(vertx, pg, pool, TICK_MS);
    try {
      a.start(null).await(10, TimeUnit.SECONDS);
      waitUntil(a::isLeader, TAKEOVER_DEADLINE_MS);
      b.start(null).await(10, TimeUnit.SECONDS);
      Thread.sleep(3 * TICK_MS);
      assertThat(b.isLeader()).as("only one relay at a time").isFalse();

      append(store, pool, "s-1", 0, 50);
      waitUntil(() -> received.size() == 50, TAKEOVER_DEADLINE_MS);
      assertThat(received.firstEntry().getValue().getString("streamId")).isEqualTo("s-1");
      assertThat(received.firstEntry().getValue().getLong("version")).isEqualTo(1L);

      a.stop().await(10, TimeUnit.SECONDS);
      long stoppedAt = System.nanoTime();
      append(store, pool, "s-1", 50, 25);
      waitUntil(b::isLeader, TAKEOVER_DEADLINE_MS);
      long takeoverMs = (System.nanoTime() - stoppedAt) / 1_000_000;
      waitUntil(() -> received.size() == 75, TAKEOVER_DEADLINE_MS);
      assertThat(takeoverMs).isLessThan(TAKEOVER_DEADLINE_MS);
      // in log order: versions 1..75 of the one stream at increasing positions
      long v = 0;
      for (JsonObject e : received.values()) {
        assertThat(e.getLong("version")).isEqualTo(++v);
      }
      assertThat(duplicates.get()).as("the checkpoint carried over: nothing published twice").isZero();
    } finally {
      a.stop();
      b.stop().await(10, TimeUnit.SECONDS);
      pool.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static void append(EventStore store, Pool pool, String stream, long expected, int n) throws Exception {
    var events = new java.util.ArrayList<NewEvent>();
    for (int i = 0; i < n; i++) {
      events.add(new NewEvent(TYPE, new JsonObject().put("i", i)));
    }
    pool.withTransaction(tx -> store.append(tx, stream, expected, List.copyOf(events), Call.system()))
        .await(10, TimeUnit.SECONDS);
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition, long ms) {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMillis(ms))
        .pollInterval(java.time.Duration.ofMillis(20)).until(condition::getAsBoolean);
  }
}

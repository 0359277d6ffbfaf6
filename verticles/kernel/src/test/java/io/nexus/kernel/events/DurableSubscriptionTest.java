package io.nexus.kernel.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.bus.Call;
import io.nexus.kernel.db.Database;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.testing.TestServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DurableSubscriptionTest {
  private static final long WAIT_MS = 20_000;
  private static final String TYPE = "test.item-added";

  private Vertx vertx;
  private PgConfig pg;
  private Pool pool;
  private EventStore store;
  private final List<DurableSubscription> running = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    pg = new PgConfig(TestServers.freshDatabase(), 6);
    EventStore.migrate(vertx, pg).await(60, TimeUnit.SECONDS);
    pool = Database.connect(vertx, pg, EventStore.SCHEMA).pool();
    store = new EventStore(pool);
    pool.query("CREATE TABLE public.effects (position bigint PRIMARY KEY, stream text NOT NULL, version bigint NOT NULL)")
        .execute().await(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (var s : running) {
      s.stop().await(10, TimeUnit.SECONDS);
    }
    pool.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** The effect: one row per event; applying an event twice would violate the primary key. */
  private static DurableSubscription.Handler recordEffect(AtomicBoolean poisonFixed) {
    return (e, tx) -> {
      if (e.data().getBoolean("poison", false) && !poisonFixed.get()) {
        return Future.failedFuture(new IllegalStateException("cannot handle poison item " + e.data().getInteger("i")));
      }
      return tx.preparedQuery("INSERT INTO public.effects (position, stream, version) VALUES ($1, $2, $3)")
          .execute(Tuple.of(e.position(), e.streamId(), e.version())).mapEmpty();
    };
  }

  private DurableSubscription start(DurableSubscription.Options opts, DurableSubscription.Handler h) throws Exception {
    var s = new DurableSubscription(vertx, pg, pool, opts, h);
    s.start(null).await(10, TimeUnit.SECONDS);
    running.add(s);
    return s;
  }

  private void append(String stream, int from, int n, int poisonAt) throws Exception {
    var events = new ArrayList<NewEvent>();
    for (int i = 0; i < n; i++) {
      events.add(new NewEvent(TYPE, new JsonObject().put("i", from + i).put("poison", from + i == poisonAt)));
    }
    pool.withTransaction(tx -> store.append(tx, stream, from, events, Call.system())).await(10, TimeUnit.SECONDS);
  }

  private long effects() throws Exception {
    return pool.query("SELECT count(*) FROM public.effects").execute().await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  private long parked(String name) throws Exception {
    return pool.preparedQuery("SELECT count(*) FROM eventlog.parked_events WHERE subscription = $1").execute(Tuple.of(name))
        .await(10, TimeUnit.SECONDS).iterator().next().getLong(0);
  }

  private static void waitUntil(String what, BooleanSupplier condition) {
    org.awaitility.Awaitility.await(what).atMost(java.time.Duration.ofMillis(WAIT_MS))
        .pollInterval(java.time.Duration.ofMillis(25)).until(condition::getAsBoolean);
  }

  private static boolean quietly(java.util.concurrent.Callable<Boolean> c) {
    try {
      return c.call();
    } catch (Exception e) {
      return false;
    }
  }

  private static DurableSubscription.Options fast(String name) {
    return new DurableSubscription.Options(name, 0, 1, 3, 10, 100);
  }

  @Test
  @DisplayName("a subscription applies each event once, catches up after a stop, and resumes from its checkpoint")
  void exactlyOnceAcrossRestarts() throws Exception {
    var fixed = new AtomicBoolean(true);
    append("a", 0, 300, -1);
    var first = start(fast("books"), recordEffect(fixed));
    waitUntil("300 effects", () -> quietly(() -> effects() == 300));
    first.stop().await(10, TimeUnit.SECONDS);
    append("a", 300, 200, -1);
    append("b", 0, 100, -1);
    start(fast("books"), recordEffect(fixed));
    waitUntil("600 effects", () -> quietly(() -> effects() == 600));
    Thread.sleep(300);
    assertThat(effects()).isEqualTo(600);
    assertThat(parked("books")).as("no effect was attempted twice").isZero();
  }

  @Test
  @DisplayName("one active instance per name: a second waits, and takes over when the first stops")
  void oneActivePerName() throws Exception {
    var fixed = new AtomicBoolean(true);
    var a = start(fast("single"), recordEffect(fixed));
    waitUntil("a active", a::isActive);
    var b = start(fast("single"), recordEffect(fixed));
    Thread.sleep(400);
    assertThat(b.isActive()).isFalse();
    append("c", 0, 50, -1);
    waitUntil("50 effects", () -> quietly(() -> effects() == 50));
    a.stop().await(10, TimeUnit.SECONDS);
    append("c", 50, 50, -1);
    waitUntil("b active", b::isActive);
    waitUntil("100 effects", () -> quietly(() -> effects() == 100));
    assertThat(parked("single")).isZero();
  }

  @Test
  @DisplayName("a poison event is parked after its retries while the rest flow on; after the fix, retrying it processes it once")
  void poisonEventParkedThenRetried() throws Exception {
    var fixed = new AtomicBoolean(false);
    append("p", 0, 20, 7);
    var s = start(fast("poisoned"), recordEffect(fixed));
    waitUntil("19 effects", () -> quietly(() -> effects() == 19));
    assertThat(parked("poisoned")).isEqualTo(1);
    var reason = pool.query("SELECT reason, attempts, position FROM eventlog.parked_events").execute()
        .await(10, TimeUnit.SECONDS).iterator().next();
    assertThat(reason.getString("reason")).contains("poison item 7");
    assertThat(reason.getInteger("attempts")).isEqualTo(3);

    fixed.set(true);
    s.retryParked(reason.getLong("position")).await(10, TimeUnit.SECONDS);
    assertThat(effects()).isEqualTo(20);
    assertThat(parked("poisoned")).isZero();
  }

  @Test
  @DisplayName("partitions split the streams: two partitions together apply every event once")
  void partitions() throws Exception {
    var fixed = new AtomicBoolean(true);
    for (int i = 0; i < 10; i++) {
      append("stream-" + i, 0, 10, -1);
    }
    start(new DurableSubscription.Options("split", 0, 2, 3, 10, 100), recordEffect(fixed));
    start(new DurableSubscription.Options("split", 1, 2, 3, 10, 100), recordEffect(fixed));
    waitUntil("100 effects", () -> quietly(() -> effects() == 100));
    var byPartition = pool.query("SELECT partition, processed FROM eventlog.subscription_checkpoints WHERE name = 'split' "
        + "ORDER BY partition").execute().await(10, TimeUnit.SECONDS);
    long total = 0;
    for (var r : byPartition) {
      assertThat(r.getLong("processed")).as("partition " + r.getInteger("partition") + " did some").isPositive();
      total += r.getLong("processed");
    }
    assertThat(total).isEqualTo(100);
  }
}

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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProjectionTest {
  private static final long WAIT_MS = 60_000;
  private static final int STREAMS = 20;

  /** The read model: per stream, how many events and the last version. */
  private static final Projection.Apply COUNTS = (e, tx, table) -> tx.preparedQuery("INSERT INTO " + table
          + " (stream, n, last_version) VALUES ($1, 1, $2) ON CONFLICT (stream) DO UPDATE SET n = " + table
          + ".n + 1, last_version = EXCLUDED.last_version")
      .execute(Tuple.of(e.streamId(), e.version())).mapEmpty();

  @Test
  @DisplayName("a projection rebuilt while writes continue ends equal to one built from scratch, and reports its progress")
  void rebuildUnderLoad() throws Exception {
    Vertx vertx = Vertx.vertx();
    var pg = new PgConfig(TestServers.freshDatabase(), 8);
    EventStore.migrate(vertx, pg).await(60, TimeUnit.SECONDS);
    Pool pool = Database.connect(vertx, pg, EventStore.SCHEMA).pool();
    var store = new EventStore(pool);
    for (String t : List.of("counts", "counts_fresh")) {
      pool.query("CREATE TABLE public." + t + " (stream text PRIMARY KEY, n bigint NOT NULL, last_version bigint NOT NULL)")
          .execute().await(10, TimeUnit.SECONDS);
    }
    var live = new Projection(vertx, pg, pool, "counts", "public", "counts", COUNTS);
    Projection fresh = null;
    var writing = new AtomicBoolean(true);
    try {
      live.start(null).await(10, TimeUnit.SECONDS);
      Future<Void> writer = write(vertx, pool, store, writing);
      Thread.sleep(1500); // writes going on before and during the rebuild (pacing, not a wait for a condition)
      var started = live.rebuild().await(10, TimeUnit.SECONDS);
      assertThat(started.state()).isEqualTo(io.nexus.contracts.ProjectionState.RUNNING);
      assertThat(started.total()).isPositive();
      Projection.Status status = org.awaitility.Awaitility.await("rebuild finished").atMost(java.time.Duration.ofMillis(WAIT_MS))
          .pollInterval(java.time.Duration.ofMillis(50)).until(() -> live.status().await(10, TimeUnit.SECONDS), st -> {
            assertThat(st.state()).as(String.valueOf(st.error())).isNotEqualTo(io.nexus.contracts.ProjectionState.FAILED);
            return st.state() == io.nexus.contracts.ProjectionState.DONE;
          });
      assertThat(status.replayed()).isGreaterThanOrEqualTo(started.total());
      Thread.sleep(1000); // and after it
      writing.set(false);
      writer.await(30, TimeUnit.SECONDS);

      long head = pool.query("SELECT max(position) FROM eventlog.events").execute().await(10, TimeUnit.SECONDS)
          .iterator().next().getLong(0);
      waitCaughtUp(pool, "counts", head);
      fresh = new Projection(vertx, pg, pool, "counts-fresh", "public", "counts_fresh", COUNTS);
      fresh.start(null).await(10, TimeUnit.SECONDS);
      waitCaughtUp(pool, "counts-fresh", head);

      var a = rows(pool, "public.counts");
      var b = rows(pool, "public.counts_fresh");
      assertThat(a).hasSize(STREAMS);
      assertThat(a).isEqualTo(b);
      long total = a.stream().mapToLong(r -> r.getLong("n")).sum();
      assertThat(total).isEqualTo(head);
    } finally {
      writing.set(false);
      live.stop().await(10, TimeUnit.SECONDS);
      if (fresh != null) {
        fresh.stop().await(10, TimeUnit.SECONDS);
      }
      pool.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static Future<Void> write(Vertx vertx, Pool pool, EventStore store, AtomicBoolean writing) {
    if (!writing.get()) {
      return Future.succeededFuture();
    }
    var rnd = ThreadLocalRandom.current();
    String stream = "s-" + rnd.nextInt(STREAMS);
    var events = new ArrayList<NewEvent>();
    for (int i = 0; i < 1 + rnd.nextInt(20); i++) {
      events.add(new NewEvent("test.counted", new JsonObject().put("i", i)));
    }
    return pool.withTransaction(tx -> store.append(tx, stream, EventStore.ANY, events, Call.system()))
        .<Void>mapEmpty()
        .recover(err -> Future.succeededFuture())
        .compose(v -> vertx.timer(2))
        .compose(v -> write(vertx, pool, store, writing));
  }

  private static void waitCaughtUp(Pool pool, String name, long head) {
    org.awaitility.Awaitility.await(name + " caught up").atMost(java.time.Duration.ofMillis(WAIT_MS))
        .pollInterval(java.time.Duration.ofMillis(50)).until(() -> {
          var rows = pool.preparedQuery("SELECT position FROM eventlog.subscription_checkpoints WHERE name = $1")
              .execute(Tuple.of(name)).await(10, TimeUnit.SECONDS);
          return rows.size() == 1 && rows.iterator().next().getLong(0) >= head;
        });
  }

  private static List<JsonObject> rows(Pool pool, String table) throws Exception {
    var out = new ArrayList<JsonObject>();
    pool.query("SELECT stream, n, last_version FROM " + table + " ORDER BY stream").execute().await(10, TimeUnit.SECONDS)
        .forEach(r -> out.add(r.toJson()));
    return out;
  }
}

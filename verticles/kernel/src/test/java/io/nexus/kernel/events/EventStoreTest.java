package io.nexus.kernel.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.Principal;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.db.Database;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.testing.TestServers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EventStoreTest {
  private static final int WRITERS = 8;
  private static final int EVENTS_PER_WRITER = 10_000;
  private static final int MAX_BATCH = 40;
  private static final int MAX_COMMIT_DELAY_MS = 4;
  private static final int READ_PAGE = 2_000;
  private static final long WAIT_SECONDS = 180;
  private static final Call CALL = Call.edge("corr-test", null, new Principal("u1", "o1", io.nexus.contracts.Role.EXAMINER, "s1"));

  private static Vertx vertx;
  private static Pool pool;
  private static EventStore store;

  @BeforeAll
  static void setUp() throws Exception {
    vertx = Vertx.vertx();
    var pg = new PgConfig(TestServers.freshDatabase(), WRITERS * 2 + 2);
    EventStore.migrate(vertx, pg).await(60, TimeUnit.SECONDS);
    pool = Database.connect(vertx, pg, EventStore.SCHEMA).pool();
    store = new EventStore(pool);
  }

  @AfterAll
  static void tearDown() throws Exception {
    pool.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static List<NewEvent> events(String type, int n) {
    var out = new ArrayList<NewEvent>();
    for (int i = 0; i < n; i++) {
      out.add(new NewEvent(type, new JsonObject().put("i", i)));
    }
    return out;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.await(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("appended events get versions from 1, carry the caller's metadata, and read back in order")
  void appendAndRead() throws Exception {
    var recorded = await(pool.withTransaction(tx -> store.append(tx, "ledger-1", EventStore.NO_STREAM, events("test.entry-posted", 3), CALL)));
    assertThat(recorded).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L);
    var read = await(store.readStream("ledger-1", 1, Long.MAX_VALUE));
    assertThat(read).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L);
    assertThat(read.get(0).metadata().getString("correlationId")).isEqualTo("corr-test");
    assertThat(read.get(0).metadata().getJsonObject("principal").getString("subject")).isEqualTo("u1");
    assertThat(read.get(2).data().getInteger("i")).isEqualTo(2);
    // metadata is stored as a JSON object (an earlier version stored a JSON string holding one; both read)
    var kinds = await(pool.query("SELECT DISTINCT jsonb_typeof(metadata) AS k FROM " + EventStore.SCHEMA
        + ".events WHERE stream_id = 'ledger-1'").execute());
    assertThat(kinds.iterator().next().getString("k")).isEqualTo("object");
    assertThat(kinds.size()).isEqualTo(1);
  }

  @Test
  @DisplayName("an append with a stale expected version fails with 409 naming the current version, and writes nothing")
  void versionConflict() throws Exception {
    await(pool.withTransaction(tx -> store.append(tx, "ledger-2", EventStore.NO_STREAM, events("test.a", 2), CALL)));
    assertThatThrownBy(() -> await(pool.withTransaction(tx -> store.append(tx, "ledger-2", 1, events("test.b", 1), CALL))))
        .isInstanceOfSatisfying(BusFailure.class, f -> {
          assertThat(f.code()).isEqualTo(ErrorCode.CONFLICT);
          assertThat(f.getMessage()).contains("version 2").contains("expected 1");
        });
    assertThat(await(store.readStream("ledger-2", 1, 100))).hasSize(2);
  }

  @Test
  @DisplayName("a reader does not pass a transaction that is still running: a late commit is read before what committed after it")
  void lateCommitIsNotSkipped() throws Exception {
    LogPosition start = lastPosition();
    SqlConnection early = await(pool.getConnection());
    try {
      var txEarly = await(early.begin());
      // the early transaction writes first (older xid) but commits last
      await(store.append(early, "late-1", EventStore.NO_STREAM, events("test.early", 1), CALL));
      await(pool.withTransaction(tx -> store.append(tx, "late-2", EventStore.NO_STREAM, events("test.later", 1), CALL)));
      assertThat(await(store.readAll(start, 100))).as("nothing is readable past the running transaction").isEmpty();
      await(txEarly.commit());
    } finally {
      early.close();
    }
    var read = await(store.readAll(start, 100));
    assertThat(read).extracting(RecordedEvent::type).containsExactly("test.early", "test.later");
  }

  @Test
  @DisplayName("an append by a transaction older than the one that wrote the stream's head is refused with 409")
  void olderTransactionCannotExtendStream() throws Exception {
    SqlConnection old = await(pool.getConnection());
    try {
      var txOld = await(old.begin());
      await(old.query("SELECT pg_current_xact_id()").execute());
      await(pool.withTransaction(tx -> store.append(tx, "xid-1", EventStore.NO_STREAM, events("test.first", 1), CALL)));
      assertThatThrownBy(() -> await(store.append(old, "xid-1", 1, events("test.second", 1), CALL)))
          .isInstanceOfSatisfying(BusFailure.class, f -> assertThat(f.code()).isEqualTo(ErrorCode.CONFLICT));
      await(txOld.rollback());
    } finally {
      old.close();
    }
  }

  @Test
  @DisplayName("8 concurrent writers x 10,000 events with random commit delays: a reader from the start sees every event "
      + "exactly once, in log order, each stream in version order")
  void concurrentWritersAndAReader() throws Exception {
    LogPosition start = lastPosition();
    var done = new AtomicBoolean(false);
    var seen = new ArrayList<RecordedEvent>();
    Promise<Void> readerDone = Promise.promise();
    readLoop(start, seen, done, readerDone);

    var writers = new ArrayList<Future<Void>>();
    for (int w = 0; w < WRITERS; w++) {
      writers.add(write(w, 0, new HashMap<>()));
    }
    await(Future.all(writers));
    done.set(true);
    await(readerDone.future());

    assertThat(seen).hasSize(WRITERS * EVENTS_PER_WRITER);
    var positions = new HashSet<Long>();
    var versions = new HashMap<String, Long>();
    LogPosition prev = start;
    for (RecordedEvent e : seen) {
      assertThat(positions.add(e.position())).as("seen once: " + e.position()).isTrue();
      assertThat(e.logPosition().compareTo(prev)).as("log order").isPositive();
      prev = e.logPosition();
      long expected = versions.getOrDefault(e.streamId(), 0L) + 1;
      assertThat(e.version()).as("version order of " + e.streamId()).isEqualTo(expected);
      versions.put(e.streamId(), e.version());
    }
  }

  /** One writer: batches to its own streams (and sometimes a shared one, retrying conflicts) until it wrote its share. */
  private Future<Void> write(int writer, int written, Map<String, Long> known) {
    if (written >= EVENTS_PER_WRITER) {
      return Future.succeededFuture();
    }
    var rnd = ThreadLocalRandom.current();
    int n = Math.min(EVENTS_PER_WRITER - written, 1 + rnd.nextInt(MAX_BATCH));
    boolean shared = rnd.nextInt(10) == 0;
    String stream = shared ? "shared-" + rnd.nextInt(2) : "w" + writer + "-" + rnd.nextInt(5);
    long expected = shared ? EventStore.ANY : known.getOrDefault(stream, 0L);
    int delay = rnd.nextInt(MAX_COMMIT_DELAY_MS + 1);
    return pool.withTransaction(tx -> store.append(tx, stream, expected, events("test.w" + writer, n), CALL)
            .compose(recorded -> vertx.timer(Math.max(1, delay)).map(recorded)))
        .compose(recorded -> {
          known.put(stream, recorded.get(recorded.size() - 1).version());
          return write(writer, written + n, known);
        }, err -> {
          if (err instanceof BusFailure bf && bf.code() == ErrorCode.CONFLICT) {
            return write(writer, written, known);
          }
          return Future.failedFuture(err);
        });
  }

  private void readLoop(LogPosition from, List<RecordedEvent> seen, AtomicBoolean done, Promise<Void> finished) {
    store.readAll(from, READ_PAGE).onComplete(ar -> {
      if (ar.failed()) {
        finished.fail(ar.cause());
        return;
      }
      List<RecordedEvent> page = ar.result();
      seen.addAll(page);
      LogPosition next = page.isEmpty() ? from : page.get(page.size() - 1).logPosition();
      if (page.isEmpty() && done.get()) {
        finished.complete();
      } else if (page.isEmpty()) {
        vertx.setTimer(5, t -> readLoop(next, seen, done, finished));
      } else {
        readLoop(next, seen, done, finished);
      }
    });
  }

  private LogPosition lastPosition() throws Exception {
    LogPosition at = LogPosition.START;
    while (true) {
      var page = await(store.readAll(at, READ_PAGE));
      if (page.isEmpty()) {
        return at;
      }
      at = page.get(page.size() - 1).logPosition();
    }
  }
}

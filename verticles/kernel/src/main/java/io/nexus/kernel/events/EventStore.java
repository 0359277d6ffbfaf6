package io.nexus.kernel.events;

import io.nexus.contracts.Codec;
import io.nexus.contracts.ErrorCode;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.db.Database;
import io.nexus.kernel.db.PgConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The event log in PostgreSQL ({@code eventlog.events}): append to a stream with an expected
 * version inside the caller's transaction, read a stream, and read the whole log in a stable
 * order that never skips an event whose transaction committed late.
 *
 * <p>Order: {@code (tx_id, position)}, read only below the oldest running transaction. A
 * stream's events are kept in that order too: an append whose transaction is older than the
 * one that wrote the stream's head is refused with 409, and the caller retries in a new
 * transaction.
 */
public final class EventStore {
  /** The schema of the log. */
  public static final String SCHEMA = "eventlog";
  /** Expected version for a stream that must not exist yet. */
  public static final long NO_STREAM = 0;
  /** Expected version that skips the concurrency check. */
  public static final long ANY = -1;
  private static final int MAX_BATCH = 10_000;

  private static final String COLUMNS =
      "position, tx_id::text AS tx, stream_id, version, type, data, metadata, recorded_at";

  /** The channel the relay LISTENs on. */
  static final String CHANNEL = "nexus_events";

  private final Pool pool;
  private boolean ringing;
  private boolean ringAgain;

  public EventStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Wakes the relay once the appending transaction has committed: one NOTIFY in its own
   * transaction, coalesced while one is in flight, so appending transactions never wait on the
   * notification queue's lock.
   */
  private void ringAfterCommit(SqlConnection tx) {
    var t = tx.transaction();
    if (t == null) {
      return;
    }
    t.completion().onSuccess(v -> ring());
  }

  private synchronized void ring() {
    if (ringing) {
      ringAgain = true;
      return;
    }
    ringing = true;
    pool.query("NOTIFY " + CHANNEL).execute().onComplete(ar -> {
      boolean again;
      synchronized (this) {
        ringing = false;
        again = ringAgain;
        ringAgain = false;
      }
      if (again) {
        ring();
      }
    });
  }

  /** Creates or upgrades the log's schema (blocking Flyway on a worker thread). */
  public static Future<Void> migrate(Vertx vertx, PgConfig config) {
    return Database.migrate(vertx, config, SCHEMA);
  }

  /**
   * Appends events to a stream inside the caller's transaction.
   *
   * @param expectedVersion the stream's current version as the caller saw it: {@link #NO_STREAM}
   *     for a new stream, {@link #ANY} to skip the check
   * @return the recorded events, in version order
   * @throws BusFailure 409 naming the current version when the stream moved on
   */
  public Future<List<RecordedEvent>> append(SqlConnection tx, String streamId, long expectedVersion, List<NewEvent> events,
      Call call) {
    if (events.isEmpty() || events.size() > MAX_BATCH) {
      return Future.failedFuture(BusFailure.badRequest("append 1 to " + MAX_BATCH + " events at a time"));
    }
    var types = new String[events.size()];
    var data = new String[events.size()];
    for (int i = 0; i < events.size(); i++) {
      types[i] = events.get(i).type();
      data[i] = events.get(i).data().encode();
    }
    JsonObject metadata = metadata(call);
    // one round trip: the head check and the insert together; nothing is inserted when the check fails
    return tx.preparedQuery(APPEND)
        .execute(Tuple.of(streamId, types, data, expectedVersion, metadata))
        .compose(rows -> {
          if (rows.rowCount() == 0) {
            return explainRefusal(tx, streamId, expectedVersion);
          }
          var out = new ArrayList<RecordedEvent>(events.size());
          for (Row r : rows) {
            int i = (int) (r.getLong("version") - r.getLong("base")) - 1;
            out.add(new RecordedEvent(r.getLong("position"), Long.parseUnsignedLong(r.getString("tx")), streamId,
                r.getLong("version"), events.get(i).type(), events.get(i).data(), metadata,
                r.getOffsetDateTime("recorded_at").toInstant()));
          }
          out.sort(Comparator.comparingLong(RecordedEvent::version));
          ringAfterCommit(tx);
          return Future.succeededFuture(out);
        })
        .recover(err -> Future.failedFuture(io.nexus.kernel.db.SqlStates.uniqueViolation(err)
            ? new BusFailure(ErrorCode.CONFLICT, "stream " + streamId + " was changed concurrently; reload and retry")
            : err));
  }

  /** Appends at the stream's head when the expected version holds and no newer transaction wrote the head. */
  private static final String APPEND = "WITH head AS (SELECT version, tx_id FROM " + SCHEMA + ".events WHERE stream_id = $1 "
      + "ORDER BY version DESC LIMIT 1), "
      + "h AS (SELECT coalesce((SELECT version FROM head), 0) AS v, "
      + "coalesce((SELECT tx_id > pg_current_xact_id() FROM head), false) AS later) "
      + "INSERT INTO " + SCHEMA + ".events (stream_id, version, type, data, metadata) "
      + "SELECT $1, h.v + x.ord, x.t, x.d::jsonb, $5::jsonb FROM h, unnest($2::text[], $3::text[]) WITH ORDINALITY AS x(t, d, ord) "
      + "WHERE ($4 = -1 OR h.v = $4) AND NOT h.later "
      + "RETURNING position, tx_id::text AS tx, version, (SELECT v FROM h) AS base, recorded_at";

  /** Says why an append inserted nothing: a stale expected version, or a newer transaction at the head. */
  private Future<List<RecordedEvent>> explainRefusal(SqlConnection tx, String streamId, long expectedVersion) {
    return tx.preparedQuery("SELECT version, tx_id > pg_current_xact_id() AS later FROM " + SCHEMA + ".events "
            + "WHERE stream_id = $1 ORDER BY version DESC LIMIT 1")
        .execute(Tuple.of(streamId))
        .compose(rows -> {
          long current = rows.size() == 0 ? 0 : rows.iterator().next().getLong("version");
          if (expectedVersion != ANY && current != expectedVersion) {
            return Future.failedFuture(conflict(streamId, current, expectedVersion));
          }
          return Future.failedFuture(BusFailure.transientConflict("stream " + streamId
              + " was extended by a newer transaction; retry in a new transaction"));
        });
  }

  /**
   * Runs a unit of work (a whole transaction) again, up to {@code attempts} times, while it fails
   * with a transient conflict: two writers of one stream whose transaction ids came in the other
   * order than their commits. The new transaction gets a newer id, and the conflict is gone.
   */
  public static <T> Future<T> retrying(int attempts, java.util.function.Supplier<Future<T>> work) {
    return work.get().recover(err -> attempts > 1 && err instanceof BusFailure bf && bf.isTransientConflict()
        ? retrying(attempts - 1, work) : Future.failedFuture(err));
  }

  /**
   * Appends events to a stream that must not exist yet, on a blocking JDBC connection inside
   * the caller's transaction: for bulk jobs (imports) that write with {@code COPY} on a worker
   * thread and must commit their facts with their data. A stream that exists already fails the
   * unique key, so nothing is appended twice. Call {@link #ringBlocking(java.sql.Connection)}
   * after the commit.
   */
  public static void appendToNewStream(java.sql.Connection c, String streamId, List<NewEvent> events, Call call)
      throws java.sql.SQLException {
    try (var st = c.prepareStatement("INSERT INTO " + SCHEMA + ".events (stream_id, version, type, data, metadata) "
        + "VALUES (?, ?, ?, ?::jsonb, ?::jsonb)")) {
      String metadata = metadata(call).encode();
      for (int i = 0; i < events.size(); i++) {
        st.setString(1, streamId);
        st.setLong(2, i + 1L);
        st.setString(3, events.get(i).type());
        st.setString(4, events.get(i).data().encode());
        st.setString(5, metadata);
        st.addBatch();
      }
      st.executeBatch();
    }
  }

  /** Wakes the relay from a blocking JDBC connection (autocommit), after a commit that appended. */
  public static void ringBlocking(java.sql.Connection c) throws java.sql.SQLException {
    try (var st = c.createStatement()) {
      st.execute("NOTIFY " + CHANNEL);
    }
  }

  /** Where the readable log ends now: the position of its last event below the oldest running transaction. */
  public Future<LogPosition> head() {
    return pool.query("SELECT tx_id::text AS tx, position FROM " + SCHEMA + ".events "
            + "WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY tx_id DESC, position DESC LIMIT 1")
        .execute()
        .map(rows -> rows.size() == 0 ? LogPosition.START
            : new LogPosition(Long.parseUnsignedLong(rows.iterator().next().getString("tx")),
                rows.iterator().next().getLong("position")));
  }

  /** A stream's events from {@code fromVersion} up to {@code toVersion} (inclusive), in version order. */
  public Future<List<RecordedEvent>> readStream(String streamId, long fromVersion, long toVersion) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM " + SCHEMA + ".events "
            + "WHERE stream_id = $1 AND version BETWEEN $2 AND $3 ORDER BY version")
        .execute(Tuple.of(streamId, fromVersion, toVersion))
        .map(EventStore::events);
  }

  /** The event at a position; fails when there is none. */
  public Future<RecordedEvent> readAt(SqlClient client, long position) {
    return client.preparedQuery("SELECT " + COLUMNS + " FROM " + SCHEMA + ".events WHERE position = $1")
        .execute(Tuple.of(position))
        .map(rows -> {
          if (rows.size() == 0) {
            throw BusFailure.notFound("no event at position " + position);
          }
          return event(rows.iterator().next());
        });
  }

  /**
   * Up to {@code max} events after {@code after} in log order, only from transactions that
   * have finished: what is returned will never be preceded by an event not yet visible.
   */
  public Future<List<RecordedEvent>> readAll(LogPosition after, int max) {
    return readAll(pool, after, max);
  }

  /** As {@link #readAll(LogPosition, int)} on a given client (a transaction, for checkpointed consumers). */
  public Future<List<RecordedEvent>> readAll(SqlClient client, LogPosition after, int max) {
    return client.preparedQuery("SELECT " + COLUMNS + " FROM " + SCHEMA + ".events "
            + "WHERE (tx_id, position) > ($1::text::xid8, $2) AND tx_id < pg_snapshot_xmin(pg_current_snapshot()) "
            + "ORDER BY tx_id, position LIMIT $3")
        .execute(Tuple.of(Long.toUnsignedString(after.txId()), after.position(), max))
        .map(EventStore::events);
  }

  private static List<RecordedEvent> events(Iterable<Row> rows) {
    var out = new ArrayList<RecordedEvent>();
    rows.forEach(r -> out.add(event(r)));
    return out;
  }

  private static RecordedEvent event(Row r) {
    return new RecordedEvent(r.getLong("position"), Long.parseUnsignedLong(r.getString("tx")), r.getString("stream_id"),
        r.getLong("version"), r.getString("type"), jsonOf(r.getValue("data")), jsonOf(r.getValue("metadata")),
        r.getOffsetDateTime("recorded_at").toInstant());
  }

  private static JsonObject jsonOf(Object v) {
    return v instanceof JsonObject j ? j : new JsonObject(String.valueOf(v));
  }

  private static JsonObject metadata(Call call) {
    var m = new JsonObject()
        .put("correlationId", call.correlationId())
        .put("causationId", call.causationId() != null ? call.causationId() : call.messageId())
        .put("at", Instant.now().toString());
    if (call.traceparent() != null) {
      m.put("traceparent", call.traceparent());
    }
    if (call.principal() != null) {
      m.put("principal", Codec.toJson(call.principal()));
    }
    return m;
  }

  private static BusFailure conflict(String streamId, long current, long expected) {
    return new BusFailure(ErrorCode.CONFLICT, "stream " + streamId + " is at version " + current + ", expected "
        + expected);
  }
}

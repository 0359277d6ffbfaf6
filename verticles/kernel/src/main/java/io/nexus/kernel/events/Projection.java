package io.nexus.kernel.events;

import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.contracts.ProjectionState;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.db.PgConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read model: a table kept up to date from the event log by a durable subscription, and
 * rebuildable while writes continue. A rebuild replays the whole log into a shadow table (a
 * copy of the table's structure), then, in one transaction that holds the live table
 * exclusively, applies the events the live table has and the shadow lacks, puts the shadow in
 * the table's place and moves the subscription's checkpoint to where the shadow stands. Readers
 * see the old table until that commit and the rebuilt one after it.
 */
public final class Projection {
  private static final String RUNNING = ProjectionState.RUNNING.sql();
  private static final Logger LOG = LoggerFactory.getLogger(Projection.class);
  private static final Pattern IDENT = Pattern.compile("[a-z_][a-z0-9_]{0,50}");
  private static final int PAGE = 1000;

  /** Applies one event to the given table (the live one, or the shadow during a rebuild). */
  @FunctionalInterface
  public interface Apply {
    Future<Void> apply(RecordedEvent e, SqlConnection tx, String table);
  }

  /** Where a rebuild stands. */
  public record Status(String name, ProjectionState state, long replayed, long skipped, long total, String startedAt,
      String finishedAt, String error) {}

  private final Vertx vertx;
  private final Pool pool;
  private final String name;
  private final String table;
  private final String shadow;
  private final Apply apply;
  private final EventStore store;
  private final DurableSubscription subscription;

  /**
   * @param name the projection's (and its subscription's) name
   * @param schema the schema of its table
   * @param table the table's name; it must exist (the service's migration creates it)
   */
  public Projection(Vertx vertx, PgConfig config, Pool pool, String name, String schema, String table, Apply apply) {
    if (!IDENT.matcher(schema).matches() || !IDENT.matcher(table).matches()) {
      throw new IllegalArgumentException("schema and table must be simple lower-case identifiers");
    }
    this.vertx = vertx;
    this.pool = pool;
    this.name = name;
    this.table = schema + "." + table;
    this.shadow = schema + "." + table + "_shadow";
    this.apply = apply;
    this.store = new EventStore(pool);
    this.subscription = new DurableSubscription(vertx, config, pool, DurableSubscription.Options.of(name),
        (e, tx) -> apply.apply(e, tx, this.table));
  }

  /** Keeps the table up to date from the log. */
  public Future<Void> start(MeterRegistry registry) {
    return subscription.start(registry);
  }

  public Future<Void> stop() {
    return subscription.stop();
  }

  /** The subscription behind it (for its checkpoint, and parked events). */
  public DurableSubscription subscription() {
    return subscription;
  }

  /**
   * Starts a rebuild and returns at once with its status; 409 when one is already running.
   * Progress is in {@link #status()} from any node.
   */
  public Future<Status> rebuild() {
    return pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO " + EventStore.SCHEMA + ".projection_rebuilds "
                + "(name, state, total) VALUES ($1, " + RUNNING + ", (SELECT count(*) FROM " + EventStore.SCHEMA + ".events)) "
                + "ON CONFLICT (name) DO UPDATE SET state = " + RUNNING + ", replayed = 0, skipped = 0, total = EXCLUDED.total, "
                + "started_at = now(), finished_at = NULL, error = NULL WHERE projection_rebuilds.state <> " + RUNNING + " "
                + "RETURNING name")
            .execute(Tuple.of(name))
            .compose(rows -> rows.rowCount() == 0
                ? Future.failedFuture(BusFailure.conflict("a rebuild of " + name + " is already running"))
                : tx.query("DROP TABLE IF EXISTS " + shadow + "; CREATE TABLE " + shadow + " (LIKE " + table
                    + " INCLUDING ALL)").execute()))
        .onSuccess(v -> replay(LogPosition.START, 0))
        .compose(v -> status());
  }

  /** Where the latest rebuild stands; 404 when there never was one. */
  public Future<Status> status() {
    return pool.preparedQuery("SELECT name, state, replayed, skipped, total, started_at::text, finished_at::text, error FROM "
            + EventStore.SCHEMA + ".projection_rebuilds WHERE name = $1").execute(Tuple.of(name))
        .map(rows -> {
          if (rows.size() == 0) {
            throw BusFailure.notFound("projection " + name + " was never rebuilt");
          }
          Row r = rows.iterator().next();
          return new Status(r.getString("name"),
              io.nexus.contracts.Wire.parse(ProjectionState.class, r.getString("state")), r.getLong("replayed"), r.getLong("skipped"),
              r.getLong("total"),
              r.getString("started_at"), r.getString("finished_at"), r.getString("error"));
        });
  }

  /** Replays the log into the shadow page by page (progress kept with each page), then swaps. */
  private void replay(LogPosition from, long replayed) {
    store.readAll(from, PAGE).onComplete(read -> {
      if (read.failed()) {
        failed(read.cause());
        return;
      }
      List<RecordedEvent> events = read.result();
      if (events.isEmpty()) {
        swap(from);
        return;
      }
      long now = replayed + events.size();
      pool.withTransaction(tx -> applyAll(tx, events, 0, shadow)
              .compose(skipped -> tx.preparedQuery("UPDATE " + EventStore.SCHEMA + ".projection_rebuilds SET replayed = $2, "
                  + "skipped = skipped + $3 WHERE name = $1").execute(Tuple.of(name, now, skipped))))
          .onSuccess(v -> replay(events.get(events.size() - 1).logPosition(), now))
          .onFailure(this::failed);
    });
  }

  /**
   * Applies events in order, each behind a savepoint: one the read model cannot apply is left
   * out (the live subscription parks it the same way). Returns how many were left out.
   */
  private Future<Integer> applyAll(SqlConnection tx, List<RecordedEvent> events, int i, String into) {
    if (i >= events.size()) {
      return Future.succeededFuture(0);
    }
    RecordedEvent e = events.get(i);
    Future<Integer> one = tx.query("SAVEPOINT rebuild_event").execute()
        .compose(v -> apply.apply(e, tx, into))
        .compose(v -> tx.query("RELEASE SAVEPOINT rebuild_event").execute().map(0))
        .recover(err -> {
          LOG.warn("rebuild left out an event it cannot apply [name: {}, position: {}, reason: {}]", name, e.position(),
              err.getMessage());
          return tx.query("ROLLBACK TO SAVEPOINT rebuild_event").execute().map(1);
        });
    return one.compose(skipped -> applyAll(tx, events, i + 1, into).map(rest -> rest + skipped));
  }

  /** In one transaction: hold the live table, bring the shadow to the live checkpoint, swap, move the checkpoint. */
  private void swap(LogPosition shadowAt) {
    // the checkpoint row first, then the table: the subscription's transactions take them in that order too
    pool.withTransaction(tx -> tx.preparedQuery("SELECT tx_id::text AS tx, position FROM " + EventStore.SCHEMA
                + ".subscription_checkpoints WHERE name = $1 AND partition = 0 FOR UPDATE").execute(Tuple.of(name))
            .compose(rows -> tx.query("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE").execute().map(rows))
            .compose(rows -> {
              LogPosition live = rows.size() == 0 ? LogPosition.START
                  : new LogPosition(Long.parseUnsignedLong(rows.iterator().next().getString("tx")),
                      rows.iterator().next().getLong("position"));
              return catchUp(tx, shadowAt, live).map(live);
            })
            .compose(live -> {
              LogPosition at = live.compareTo(shadowAt) > 0 ? live : shadowAt;
              String bare = table.substring(table.indexOf('.') + 1);
              return tx.query("DROP TABLE " + table + "; ALTER TABLE " + shadow + " RENAME TO " + bare).execute()
                  .compose(v -> tx.preparedQuery("INSERT INTO " + EventStore.SCHEMA + ".subscription_checkpoints "
                      + "(name, partition, tx_id, position) VALUES ($1, 0, $2::text::xid8, $3) ON CONFLICT (name, partition) "
                      + "DO UPDATE SET tx_id = EXCLUDED.tx_id, position = EXCLUDED.position, updated_at = now()")
                      .execute(Tuple.of(name, Long.toUnsignedString(at.txId()), at.position())))
                  .compose(v -> tx.preparedQuery("UPDATE " + EventStore.SCHEMA + ".projection_rebuilds SET state = " + ProjectionState.DONE.sql() + ", "
                      + "replayed = greatest(replayed, total), finished_at = now() WHERE name = $1").execute(Tuple.of(name)));
            }))
        .onSuccess(v -> LOG.info("projection rebuilt and swapped in [name: {}]", name))
        .onFailure(this::failed);
  }

  /** Applies to the shadow the events after its position up to the live checkpoint. */
  private Future<Void> catchUp(SqlConnection tx, LogPosition from, LogPosition upTo) {
    if (from.compareTo(upTo) >= 0) {
      return Future.succeededFuture();
    }
    return store.readAll(tx, from, PAGE).compose(events -> {
      var within = events.stream().filter(e -> e.logPosition().compareTo(upTo) <= 0).toList();
      if (within.isEmpty()) {
        return Future.succeededFuture();
      }
      return applyAll(tx, within, 0, shadow).compose(v -> catchUp(tx, within.get(within.size() - 1).logPosition(), upTo));
    });
  }

  private void failed(Throwable err) {
    LOG.error("projection rebuild failed [name: {}]", name, err);
    pool.preparedQuery("UPDATE " + EventStore.SCHEMA + ".projection_rebuilds SET state = " + ProjectionState.FAILED.sql() + ", finished_at = now(), "
        + "error = $2 WHERE name = $1").execute(Tuple.of(name, String.valueOf(err.getMessage())));
  }
}

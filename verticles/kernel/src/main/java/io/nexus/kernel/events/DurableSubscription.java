package io.nexus.kernel.events;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.contracts.ErrorCode;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.db.PgConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named consumer of the event log that never trusts the bus for delivery: it reads the log
 * from its checkpoint, applies each event and advances the checkpoint in the same transaction,
 * so every event takes effect exactly once. The bus only wakes it early. One instance per name
 * (and partition) is active across the cluster, chosen by a PostgreSQL advisory lock; with
 * {@code partitions > 1}, each partition takes the streams whose hash falls in it, so several
 * nodes share the work. An event that keeps failing is retried with backoff, then parked with
 * its reason and skipped; parked events can be retried or dropped later.
 */
public final class DurableSubscription {
  private static final Logger LOG = LoggerFactory.getLogger(DurableSubscription.class);
  /** Published by the relay after each batch; subscriptions wake on it. */
  public static final String WAKE_ADDRESS = "nexus.eventlog.events.appended";
  private static final int BATCH = 500;

  /** What a subscription does with one event, inside the transaction that moves its checkpoint. */
  @FunctionalInterface
  public interface Handler {
    Future<Void> apply(RecordedEvent event, SqlConnection tx);

    /**
     * A page of events in log order, in one transaction: one after the other unless the handler
     * can do better by taking them together (fewer statements). If it fails, the subscription goes
     * through the page with {@link #apply}, one event per transaction.
     */
    default Future<Void> applyAll(List<RecordedEvent> events, SqlConnection tx) {
      Future<Void> chain = Future.succeededFuture();
      for (RecordedEvent e : events) {
        chain = chain.compose(v -> apply(e, tx));
      }
      return chain;
    }
  }

  /**
   * How a subscription behaves.
   *
   * @param name unique name; its checkpoint and parked events are kept under it
   * @param partition which partition this instance serves, 0-based
   * @param partitions how many partitions the streams are split into (1: none)
   * @param maxAttempts attempts before an event is parked
   * @param backoffMs first retry delay, doubled after each failure
   * @param tickMs how often to campaign and to poll without a wake-up
   */
  public record Options(String name, int partition, int partitions, int maxAttempts, long backoffMs, long tickMs) {
    public Options {
      if (partitions < 1 || partition < 0 || partition >= partitions) {
        throw new IllegalArgumentException("partition must be in [0, partitions)");
      }
    }

    public static Options of(String name) {
      return new Options(name, 0, 1, 5, 100, 1000);
    }
  }

  private final Vertx vertx;
  private final PgConfig config;
  private final Pool pool;
  private final EventStore store;
  private final Options opts;
  private final Handler handler;
  private final AtomicLong lag = new AtomicLong();
  private Counter processed;
  private Counter parked;
  private final Lease lease;
  private MessageConsumer<Object> wake;
  private LogPosition checkpoint;
  private long timer = -1;
  private boolean running;
  private boolean again;
  private boolean stopped;
  private volatile boolean active;

  public DurableSubscription(Vertx vertx, PgConfig config, Pool pool, Options opts, Handler handler) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.store = new EventStore(pool);
    this.opts = opts;
    this.handler = handler;
    this.lease = new Lease(vertx, config, "subscription:" + opts.name() + "#" + opts.partition(), () -> active = false);
  }

  /** Starts campaigning for the name (and partition), and catching up when active. */
  public Future<Void> start(MeterRegistry registry) {
    if (registry != null) {
      var tags = List.of(io.micrometer.core.instrument.Tag.of("subscription", opts.name()),
          io.micrometer.core.instrument.Tag.of("partition", String.valueOf(opts.partition())));
      processed = Counter.builder("nexus_subscription_processed_total").tags(tags)
          .description("events this subscription applied").register(registry);
      parked = Counter.builder("nexus_subscription_parked_total").tags(tags)
          .description("events this subscription gave up on after its retries").register(registry);
      Gauge.builder("nexus_subscription_lag_events", lag, AtomicLong::get).tags(tags)
          .description("events in the log after this subscription's checkpoint (sampled)").register(registry);
    }
    wake = vertx.eventBus().consumer(WAKE_ADDRESS, m -> run());
    timer = vertx.setPeriodic(0, opts.tickMs(), t -> tick());
    return wake.completion();
  }

  /** True while this instance is the active one for its name and partition. */
  public boolean isActive() {
    return active;
  }

  private void tick() {
    if (stopped) {
      return;
    }
    if (active) {
      run();
      return;
    }
    lease.tryTake()
        .compose(won -> {
          if (!won) {
            return Future.<Void>succeededFuture();
          }
          return pool.preparedQuery("INSERT INTO " + EventStore.SCHEMA + ".subscription_checkpoints (name, partition) "
                  + "VALUES ($1, $2) ON CONFLICT DO NOTHING").execute(Tuple.of(opts.name(), opts.partition()))
              .compose(v -> loadCheckpoint(pool))
              .map(cp -> {
                checkpoint = cp;
                active = true;
                LOG.info("subscription active here [name: {}, partition: {}, from: {}]", opts.name(), opts.partition(), cp);
                run();
                return null;
              });
        })
        .onFailure(err -> LOG.debug("subscription campaign failed [name: {}]: {}", opts.name(), err.getMessage()));
  }

  /** Processes batches until the log is drained; wake-ups meanwhile cause one more pass. */
  private void run() {
    if (!active || stopped) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    store.readAll(checkpoint, BATCH)
        .compose(events -> processBatch(events).map(events.size()))
        .onComplete(ar -> {
          running = false;
          if (ar.failed()) {
            LOG.warn("subscription stalled [name: {}]: {}", opts.name(), ar.cause().getMessage());
          } else if (ar.result() == BATCH || again) {
            run();
          } else {
            sampleLag();
          }
        });
  }

  /**
   * Applies a page in one transaction with one checkpoint move (one commit for many events);
   * when anything in it fails, goes through the page one event at a time so that only the
   * failing event is retried and parked.
   */
  private Future<Void> processBatch(List<RecordedEvent> events) {
    if (events.isEmpty() || !active) {
      return Future.succeededFuture();
    }
    if (events.size() == 1) {
      return processAll(events, 0);
    }
    RecordedEvent last = events.get(events.size() - 1);
    List<RecordedEvent> ours = events.stream()
        .filter(e -> Math.floorMod(e.streamId().hashCode(), opts.partitions()) == opts.partition()).toList();
    int[] mine = {ours.size()};
    return pool.withTransaction(tx -> holdCheckpoint(tx)
            .compose(v -> ours.isEmpty() ? Future.<Void>succeededFuture() : handler.applyAll(ours, tx))
            .compose(v -> advance(tx, last, mine[0])))
        .onSuccess(v -> {
          checkpoint = last.logPosition();
          if (processed != null) {
            processed.increment(mine[0]);
          }
        })
        // a moved checkpoint or a failing event: the careful path sorts out which
        .recover(err -> processAll(events, 0));
  }

  private Future<Void> processAll(List<RecordedEvent> events, int i) {
    if (i >= events.size() || !active) {
      return Future.succeededFuture();
    }
    return processOne(events.get(i), 1, opts.backoffMs())
        .compose(v -> processAll(events, i + 1), err -> err instanceof CheckpointMoved
            // someone else moved the checkpoint (a projection swap, a second instance): start over from it
            ? loadCheckpoint(pool).map(cp -> {
              LOG.info("checkpoint moved elsewhere; continuing from it [name: {}, from: {}]", opts.name(), cp);
              checkpoint = cp;
              return (Void) null;
            })
            : Future.failedFuture(err));
  }

  /** The checkpoint in the database is already at or past the event being applied. */
  private static final class CheckpointMoved extends RuntimeException {
    CheckpointMoved() {
      super("checkpoint moved", null, false, false);
    }
  }

  /** Applies one event (or only moves past it, when another partition owns its stream). */
  private Future<Void> processOne(RecordedEvent e, int attempt, long backoff) {
    boolean mine = Math.floorMod(e.streamId().hashCode(), opts.partitions()) == opts.partition();
    Future<Void> done = pool.withTransaction(tx -> holdCheckpoint(tx)
        .compose(v -> mine ? handler.apply(e, tx) : Future.<Void>succeededFuture())
        .compose(v -> advance(tx, e, mine ? 1 : 0)));
    return done.onSuccess(v -> {
      checkpoint = e.logPosition();
      if (mine && processed != null) {
        processed.increment();
      }
    }).recover(err -> {
      if (err instanceof CheckpointMoved) {
        return Future.failedFuture(err);
      }
      if (attempt < opts.maxAttempts()) {
        LOG.debug("event failed; retrying [name: {}, position: {}, attempt: {}]", opts.name(), e.position(), attempt);
        return vertx.timer(backoff).compose(t -> processOne(e, attempt + 1, backoff * 2));
      }
      return park(e, attempt, err);
    });
  }

  /**
   * First thing in every effect's transaction: lock the checkpoint row and make sure it is where
   * this instance believes. A projection swap takes the same row before its table, so the two
   * never wait on each other in opposite order, and an effect never lands on a rebuilt table
   * that already holds it.
   */
  private Future<Void> holdCheckpoint(SqlConnection tx) {
    return tx.preparedQuery("SELECT tx_id::text AS tx, position FROM " + EventStore.SCHEMA + ".subscription_checkpoints "
            + "WHERE name = $1 AND partition = $2 FOR UPDATE").execute(Tuple.of(opts.name(), opts.partition()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(new CheckpointMoved());
          }
          var r = rows.iterator().next();
          var stored = new LogPosition(Long.parseUnsignedLong(r.getString("tx")), r.getLong("position"));
          return stored.equals(checkpoint) ? Future.<Void>succeededFuture() : Future.failedFuture(new CheckpointMoved());
        });
  }

  /**
   * Moves the checkpoint to {@code e} in the effect's transaction, only forward: when the stored
   * checkpoint is already there, the effect is rolled back ({@link CheckpointMoved}).
   */
  private Future<Void> advance(SqlConnection tx, RecordedEvent e, int counted) {
    return tx.preparedQuery("UPDATE " + EventStore.SCHEMA + ".subscription_checkpoints SET tx_id = $3::text::xid8, "
            + "position = $4, processed = processed + $5, updated_at = now() WHERE name = $1 AND partition = $2 "
            + "AND (tx_id, position) < ($3::text::xid8, $4)")
        .execute(Tuple.of(opts.name(), opts.partition(), Long.toUnsignedString(e.txId()), e.position(), counted))
        .compose(rows -> rows.rowCount() == 1 ? Future.<Void>succeededFuture() : Future.failedFuture(new CheckpointMoved()));
  }

  private Future<Void> park(RecordedEvent e, int attempts, Throwable err) {
    String reason = err.getMessage() == null ? err.getClass().getSimpleName() : err.getMessage();
    LOG.warn("event parked [name: {}, position: {}, type: {}, attempts: {}, reason: {}]", opts.name(), e.position(),
        e.type(), attempts, reason);
    return pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO " + EventStore.SCHEMA + ".parked_events "
                + "(subscription, position, partition, attempts, reason) VALUES ($1, $2, $3, $4, $5) "
                + "ON CONFLICT (subscription, position) DO UPDATE SET attempts = parked_events.attempts + EXCLUDED.attempts, "
                + "reason = EXCLUDED.reason, parked_at = now()")
            .execute(Tuple.of(opts.name(), e.position(), opts.partition(), attempts, truncate(reason)))
            .compose(v -> advance(tx, e, 0)))
        .onSuccess(v -> {
          checkpoint = e.logPosition();
          if (parked != null) {
            parked.increment();
          }
        });
  }

  /**
   * Processes a parked event once more; on success it is no longer parked. Fails with the
   * handler's error when it fails again (and it stays parked), 404 when nothing is parked there.
   */
  public Future<Void> retryParked(long position) {
    return pool.withTransaction(tx -> tx.preparedQuery("DELETE FROM " + EventStore.SCHEMA + ".parked_events "
                + "WHERE subscription = $1 AND position = $2 RETURNING position").execute(Tuple.of(opts.name(), position))
            .compose(rows -> rows.rowCount() == 0
                ? Future.failedFuture(BusFailure.notFound("no parked event at " + position + " for " + opts.name()))
                : store.readAt(tx, position))
            .compose(e -> handler.apply(e, tx)))
        .onSuccess(v -> {
          if (processed != null) {
            processed.increment();
          }
        });
  }

  /**
   * As {@link #retryParked}, failing as an operator route answers: 404 when nothing is parked at
   * {@code position}, 422 with the reason when the handler fails again.
   */
  public Future<Void> retryParkedOrFail(long position) {
    return retryParked(position).recover(err -> Future.failedFuture(err instanceof BusFailure ? err
        : new BusFailure(ErrorCode.UNPROCESSABLE, "still failing: " + err.getMessage())));
  }

  /** As {@link #skipParked}, with 404 when nothing is parked at {@code position}. */
  public Future<Void> skipParkedOrFail(long position) {
    return skipParked(position).compose(found -> found ? Future.<Void>succeededFuture()
        : Future.failedFuture(BusFailure.notFound("no parked event at " + position + " for " + opts.name())));
  }

  /** Drops a parked event without processing it. */
  public Future<Boolean> skipParked(long position) {
    return pool.preparedQuery("DELETE FROM " + EventStore.SCHEMA + ".parked_events WHERE subscription = $1 AND position = $2")
        .execute(Tuple.of(opts.name(), position)).map(rows -> rows.rowCount() > 0);
  }

  private Future<LogPosition> loadCheckpoint(Pool client) {
    return client.preparedQuery("SELECT tx_id::text AS tx, position FROM " + EventStore.SCHEMA
            + ".subscription_checkpoints WHERE name = $1 AND partition = $2").execute(Tuple.of(opts.name(), opts.partition()))
        .map(rows -> {
          var r = rows.iterator().next();
          return new LogPosition(Long.parseUnsignedLong(r.getString("tx")), r.getLong("position"));
        });
  }

  private void sampleLag() {
    LogPosition cp = checkpoint;
    if (cp == null) {
      return;
    }
    pool.preparedQuery("SELECT count(*) FROM " + EventStore.SCHEMA + ".events WHERE position > $1")
        .execute(Tuple.of(cp.position())).onSuccess(rows -> lag.set(rows.iterator().next().getLong(0)));
  }

  private static String truncate(String s) {
    return s.length() > 2000 ? s.substring(0, 2000) : s;
  }

  /** Stops processing and releases the name. */
  public Future<Void> stop() {
    stopped = true;
    active = false;
    vertx.cancelTimer(timer);
    Future<Void> unregistered = wake == null ? Future.succeededFuture() : wake.unregister();
    return unregistered.compose(v -> lease.release());
  }
}

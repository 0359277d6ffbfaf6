package io.nexus.predictive;

import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.financial.Financial.EntryPage;
import io.nexus.contracts.financial.Financial.ExternalFinding;
import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.ImportEntriesQuery;
import io.nexus.contracts.financial.Financial.RaiseFindings;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.financial.Financial.Severity;
import io.nexus.contracts.predictive.Predictive;
import io.nexus.contracts.predictive.Predictive.EntriesScored;
import io.nexus.contracts.predictive.Predictive.Factor;
import io.nexus.contracts.predictive.Predictive.ScoredEntry;
import io.nexus.kernel.events.DurableSubscription;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.nexus.predictive.risk.Payment;
import io.nexus.kernel.bus.ServiceClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows from scores, on the node whose risk subscription is active, one pass at a time:
 * scores go to the log as {@code predictive.entry-scored} batches (one event per ledger and
 * model per pass); scores above the threshold become {@code risk-score} findings in Financial
 * (idempotent there, so a send repeated after a failure raises nothing twice); completed imports
 * are read page by page from Financial; a promoted model scores the entries read before it.
 * Each step moves its own marks in PostgreSQL, so a node that takes over goes on from there.
 */
final class RiskWork {
  private static final Logger LOG = LoggerFactory.getLogger(RiskWork.class);
  private static final int PUBLISH_BATCH = 2000;
  private static final int FINDING_BATCH = 200;
  private static final int IMPORT_PAGE = 500;
  private static final int RESCORE_PAGE = 1000;

  private final Vertx vertx;
  private final Pool pool;
  private final EventStore events;
  private final ServiceClient financial;
  private final RiskScoring scoring;
  private final DurableSubscription subscription;
  private long timer = -1;
  private boolean running;

  RiskWork(Vertx vertx, Pool pool, EventStore events, ServiceClient financial, RiskScoring scoring,
      DurableSubscription subscription) {
    this.vertx = vertx;
    this.pool = pool;
    this.events = events;
    this.financial = financial;
    this.scoring = scoring;
    this.subscription = subscription;
  }

  void start(long periodMs) {
    timer = vertx.setPeriodic(periodMs, t -> pass());
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** One pass of every step, when this node reads risk and no pass is running. */
  void pass() {
    if (running || !subscription.isActive()) {
      return;
    }
    running = true;
    // each step on its own: Financial failing holds up the findings, not the events or the rescoring
    boolean[] busy = new boolean[1];
    step("publishing scores", this::publish, busy)
        .compose(x -> step("raising findings", this::raise, busy))
        .compose(x -> step("reading an import", this::importPage, busy))
        .compose(x -> step("rescoring", this::rescorePage, busy))
        .onComplete(x -> {
          running = false;
          if (busy[0]) {
            // more to do: go on at once rather than at the next tick
            vertx.runOnContext(v -> pass());
          }
        });
  }

  private static Future<Void> step(String what, java.util.function.Supplier<Future<Boolean>> work, boolean[] busy) {
    return work.get().<Void>map(did -> {
      busy[0] |= did;
      return null;
    }).recover(err -> {
      LOG.warn("risk work: {} failed, retried next pass: {}", what, err.getMessage());
      return Future.succeededFuture();
    });
  }

  // ---- entry-scored events ----

  private record Key(UUID org, UUID ledger, UUID model, int version) {}

  /** Unpublished scores as one event per ledger and model; true when there were any. */
  Future<Boolean> publish() {
    return pool.withTransaction(tx -> tx.preparedQuery("SELECT entry_id, model_id, org, ledger_id, model_version, score, threshold "
            + "FROM scores WHERE NOT published ORDER BY scored_at LIMIT " + PUBLISH_BATCH + " FOR UPDATE SKIP LOCKED").execute()
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(false);
          }
          var groups = new LinkedHashMap<Key, List<ScoredEntry>>();
          var entries = new ArrayList<UUID>();
          var models = new ArrayList<UUID>();
          for (Row r : rows) {
            var key = new Key(r.getUUID("org"), r.getUUID("ledger_id"), r.getUUID("model_id"), r.getInteger("model_version"));
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(new ScoredEntry(r.getUUID("entry_id").toString(),
                r.getDouble("score"), r.getDouble("score") > r.getDouble("threshold")));
            entries.add(r.getUUID("entry_id"));
            models.add(r.getUUID("model_id"));
          }
          Future<?> chain = Future.succeededFuture();
          for (var g : groups.entrySet()) {
            Key k = g.getKey();
            var event = new EntriesScored(k.ledger().toString(), k.model().toString(), k.version(), g.getValue());
            chain = chain.compose(x -> events.append(tx, Predictive.ENTRY_SCORED.stream(k.ledger()), EventStore.ANY,
                List.of(NewEvent.of(Predictive.ENTRY_SCORED, event)), RiskScoring.asService(k.org())));
          }
          return chain.compose(x -> tx.preparedQuery("UPDATE scores s SET published = true FROM unnest($1::uuid[], $2::uuid[]) "
                  + "AS u(e, m) WHERE s.entry_id = u.e AND s.model_id = u.m")
              .execute(Tuple.of(entries.toArray(new UUID[0]), (Object) models.toArray(new UUID[0]))))
              // a full batch: more are waiting; otherwise the next tick, so a steady stream makes a few events a second
              .map(rows.size() == PUBLISH_BATCH);
        }));
  }

  // ---- risk-score findings ----

  private record Pending(UUID entry, UUID model, int version, double score, double threshold, Object factors, double amount,
      String counterparty) {}

  /** Scores above their threshold as findings in Financial; marked raised once Financial has them. */
  Future<Boolean> raise() {
    return pool.preparedQuery("SELECT s.entry_id, s.model_id, s.org, s.ledger_id, s.model_version, s.score, s.threshold, s.factors, "
            + "p.amount, p.counterparty FROM scores s JOIN payments p ON p.entry_id = s.entry_id WHERE s.finding = 'pending' "
            + "ORDER BY s.scored_at LIMIT " + FINDING_BATCH).execute()
        .compose(rows -> {
          var byLedger = new LinkedHashMap<List<UUID>, List<Pending>>();
          for (Row r : rows) {
            byLedger.computeIfAbsent(List.of(r.getUUID("org"), r.getUUID("ledger_id")), k -> new ArrayList<>())
                .add(new Pending(r.getUUID("entry_id"), r.getUUID("model_id"), r.getInteger("model_version"), r.getDouble("score"),
                    r.getDouble("threshold"), r.getValue("factors"), r.getDouble("amount"), r.getString("counterparty")));
          }
          Future<?> chain = Future.succeededFuture();
          for (var g : byLedger.entrySet()) {
            UUID org = g.getKey().get(0);
            UUID ledger = g.getKey().get(1);
            var findings = g.getValue().stream().map(RiskWork::finding).toList();
            UUID[] entries = g.getValue().stream().map(Pending::entry).toArray(UUID[]::new);
            UUID[] models = g.getValue().stream().map(Pending::model).toArray(UUID[]::new);
            chain = chain.compose(x -> financial.request(Financial.RAISE_FINDINGS, new RaiseFindings(ledger.toString(), findings),
                    RiskScoring.asService(org))
                .compose(raised -> mark(entries, models, "raised")
                    .onSuccess(y -> LOG.debug("risk-score findings sent [ledger: {}, new: {}, existing: {}]", ledger,
                        raised.raised(), raised.existing())))
                // Financial will never take these (the ledger or an entry is gone): not again; a failing Financial: later
                .recover(err -> err instanceof io.nexus.kernel.bus.BusFailure f && f.code().status() / 100 == 4
                    ? mark(entries, models, "refused").onSuccess(y -> LOG.warn("risk-score findings refused by Financial "
                        + "[ledger: {}]: {}", ledger, err.getMessage()))
                    : Future.failedFuture(err)));
          }
          return chain.map(rows.size() == FINDING_BATCH);
        });
  }

  private Future<Void> mark(UUID[] entries, UUID[] models, String state) {
    return pool.preparedQuery("UPDATE scores s SET finding = $3 FROM unnest($1::uuid[], $2::uuid[]) AS u(e, m) "
        + "WHERE s.entry_id = u.e AND s.model_id = u.m").execute(Tuple.of(entries, models, state)).mapEmpty();
  }

  /** The finding of one score: its id follows from the entry (the key) and the rule in Financial. */
  static ExternalFinding finding(Pending p) {
    List<Factor> factors = RiskScoring.factors(p.factors());
    double span = 1 - p.threshold();
    Severity severity = p.score() >= p.threshold() + span * 2 / 3 ? Severity.HIGH
        : p.score() >= p.threshold() + span / 3 ? Severity.MEDIUM : Severity.LOW;
    var why = new StringBuilder();
    for (Factor f : factors) {
      why.append(why.length() == 0 ? "" : "; ").append(f.feature().wire())
          .append(String.format(Locale.ROOT, " %.0f %% (value %.2f)", f.contribution() * 100, f.value()));
    }
    var figures = new ArrayList<Figure>();
    figures.add(new Figure("score", String.format(Locale.ROOT, "%.4f", p.score())));
    figures.add(new Figure("threshold", String.format(Locale.ROOT, "%.4f", p.threshold())));
    figures.add(new Figure("model-version", Integer.toString(p.version())));
    for (Factor f : factors) {
      figures.add(new Figure(f.feature().wire(), String.format(Locale.ROOT, "%.1f %% (value %.2f)", f.contribution() * 100,
          f.value())));
    }
    String title = String.format(Locale.ROOT, "Risk score %.2f%s", p.score(),
        p.counterparty() == null ? "" : " for a payment to " + p.counterparty());
    String explanation = String.format(Locale.ROOT, "Model v%d scored this entry %.3f, above the organisation's threshold %.3f. "
        + "What made it stand out: %s.", p.version(), p.score(), p.threshold(), why.length() == 0 ? "nothing in particular" : why);
    return new ExternalFinding(RuleId.RISK_SCORE, p.entry().toString(), severity, p.score(), title, explanation,
        List.of(p.entry().toString()), figures, null);
  }

  // ---- imports ----

  /** One page of the oldest import not read to its end. */
  Future<Boolean> importPage() {
    // the one waiting longest since it last moved: one that keeps failing does not hold up the others
    return pool.preparedQuery("SELECT import_id, org, ledger_id, cursor FROM import_backlog WHERE NOT done ORDER BY updated_at LIMIT 1")
        .execute()
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(false);
          }
          Row r = rows.iterator().next();
          UUID importId = r.getUUID("import_id");
          UUID org = r.getUUID("org");
          UUID ledger = r.getUUID("ledger_id");
          String cursor = r.getString("cursor");
          return financial.request(Financial.IMPORT_ENTRIES, new ImportEntriesQuery(ledger.toString(), importId.toString(),
                  IMPORT_PAGE, cursor), RiskScoring.asService(org))
              .compose((EntryPage page) -> pool.withTransaction(tx -> tx.preparedQuery("SELECT cursor FROM import_backlog "
                      + "WHERE import_id = $1 AND NOT done FOR UPDATE").execute(Tuple.of(importId))
                  .compose(now -> {
                    if (now.size() == 0 || !java.util.Objects.equals(now.iterator().next().getString("cursor"), cursor)) {
                      return Future.succeededFuture(); // another pass moved it meanwhile
                    }
                    List<Payment> payments = page.entries().stream().map(Payment::of).toList();
                    Instant readAt = Instant.now();
                    return scoring.read(tx, org, ledger, payments, payments.stream().map(x -> readAt).toList())
                        .compose(n -> tx.preparedQuery("UPDATE import_backlog SET cursor = $2, done = $3, entries = entries + $4, "
                                + "updated_at = now() WHERE import_id = $1")
                            .execute(Tuple.of(importId, page.next(), page.next() == null, n)));
                  })))
              .onSuccess(x -> LOG.debug("import page read for risk [import: {}]", importId))
              .map(true)
              .recover(err -> giveUpOrRetry(importId, err));
        });
  }

  /**
   * An import Financial does not know (404: the ledger or the import is gone, or the log was
   * restored without them) is marked done with the reason; anything else is retried later, after
   * the other imports' next pages.
   */
  private Future<Boolean> giveUpOrRetry(UUID importId, Throwable err) {
    boolean gone = err instanceof io.nexus.kernel.bus.BusFailure f && f.code().status() == 404;
    if (gone) {
      LOG.warn("import not read for risk: Financial does not have it [import: {}]: {}", importId, err.getMessage());
    }
    return pool.preparedQuery("UPDATE import_backlog SET done = $2, error = $3, updated_at = now() WHERE import_id = $1")
        .execute(Tuple.of(importId, gone, String.valueOf(err.getMessage())))
        .compose(x -> gone ? Future.succeededFuture(true) : Future.failedFuture(err));
  }

  // ---- rescoring after a promotion ----

  /** One page of entries a promoted (or rolled-back-to) model has not scored, while it is still the active one. */
  Future<Boolean> rescorePage() {
    return pool.preparedQuery("SELECT model_id, org, after_entry FROM rescoring WHERE NOT done ORDER BY updated_at LIMIT 1").execute()
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(false);
          }
          Row r = rows.iterator().next();
          UUID model = r.getUUID("model_id");
          UUID org = r.getUUID("org");
          UUID after = r.getUUID("after_entry");
          return pool.withTransaction(tx -> scoring.active(tx, org).compose(active -> {
            if (active.isEmpty() || !active.get().modelId().equals(model)) {
              // no longer active: entries are scored by the one that is
              return tx.preparedQuery("UPDATE rescoring SET done = true, updated_at = now() WHERE model_id = $1")
                  .execute(Tuple.of(model)).map(true);
            }
            return tx.preparedQuery("SELECT entry_id, ledger_id, features FROM payments WHERE org = $1 "
                    + "AND ($2::uuid IS NULL OR entry_id > $2) ORDER BY entry_id LIMIT " + RESCORE_PAGE)
                .execute(Tuple.of(org, after))
                .compose(page -> {
                  var byLedger = new LinkedHashMap<UUID, List<Row>>();
                  UUID last = null;
                  for (Row p : page) {
                    byLedger.computeIfAbsent(p.getUUID("ledger_id"), k -> new ArrayList<>()).add(p);
                    last = p.getUUID("entry_id");
                  }
                  Future<?> chain = Future.succeededFuture();
                  for (Map.Entry<UUID, List<Row>> g : byLedger.entrySet()) {
                    var ids = g.getValue().stream().map(p -> p.getUUID("entry_id")).toList();
                    var features = g.getValue().stream().map(p -> RiskScoring.unbox(p.getArrayOfDoubles("features"))).toList();
                    chain = chain.compose(x -> scoring.score(tx, org, g.getKey(), active.get(), ids, features));
                  }
                  UUID next = last;
                  boolean done = page.size() < RESCORE_PAGE;
                  return chain.compose(x -> tx.preparedQuery("UPDATE rescoring SET after_entry = $2, done = $3, updated_at = now() "
                      + "WHERE model_id = $1").execute(Tuple.of(model, next, done))).map(true);
                });
          }));
        });
  }
}

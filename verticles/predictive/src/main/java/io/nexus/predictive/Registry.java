package io.nexus.predictive;

import io.nexus.contracts.Codec;
import io.nexus.contracts.Empty;
import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Wire;
import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.financial.Financial.FindingPage;
import io.nexus.contracts.financial.Financial.FindingSearch;
import io.nexus.contracts.financial.Financial.FindingStatus;
import io.nexus.contracts.financial.Financial.FindingView;
import io.nexus.contracts.predictive.Predictive;
import io.nexus.contracts.predictive.Predictive.EntryRiskQuery;
import io.nexus.contracts.predictive.Predictive.EntryRisksQuery;
import io.nexus.contracts.predictive.Predictive.Metric;
import io.nexus.contracts.predictive.Predictive.ModelKind;
import io.nexus.contracts.predictive.Predictive.ModelList;
import io.nexus.contracts.predictive.Predictive.ModelProgress;
import io.nexus.contracts.predictive.Predictive.ModelPromoted;
import io.nexus.contracts.predictive.Predictive.ModelRef;
import io.nexus.contracts.predictive.Predictive.ModelState;
import io.nexus.contracts.predictive.Predictive.ModelView;
import io.nexus.contracts.predictive.Predictive.PromoteModel;
import io.nexus.contracts.predictive.Predictive.LedgerRiskQuery;
import io.nexus.contracts.predictive.Predictive.RiskList;
import io.nexus.contracts.predictive.Predictive.RiskStatus;
import io.nexus.contracts.predictive.Predictive.RiskView;
import io.nexus.contracts.predictive.Predictive.TrainModel;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.nexus.predictive.risk.IsolationForest;
import io.nexus.predictive.risk.LogisticRisk;
import io.nexus.predictive.risk.OneClassSvm;
import io.nexus.predictive.risk.RiskModel;
import io.nexus.kernel.bus.ServiceClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model registry and the risk reads: models trained as jobs (the reply at once, the work on
 * the forecast workers, progress on the bridge), stored with everything needed to judge them,
 * one active per organisation by its newest promotion not undone; and an entry's score.
 */
final class Registry {
  private static final Logger LOG = LoggerFactory.getLogger(Registry.class);
  /** A model whose row has not moved for this long while training is taken as failed (its node went away). */
  private static final String STALE_AFTER = "10min";
  /** The share of training entries an isolation forest's threshold leaves above it. */
  static final double FLAGGED_SHARE = 0.01;
  /** A logistic model's threshold: more likely risky than not. */
  static final double LOGISTIC_THRESHOLD = 0.5;
  private static final int FINDINGS_PAGE = 500;
  private static final String ACTIVE = "(SELECT p.model_id FROM promotions p WHERE p.org = m.org AND NOT p.undone "
      + "ORDER BY p.seq DESC LIMIT 1)";
  private static final String COLUMNS = "m.id, m.version, m.kind, m.ledger_id, m.period_from, m.period_to, m.rows, m.metrics, "
      + "m.parameters, m.threshold, m.author, m.created_at, m.trained_at, m.error, m.id = " + ACTIVE + " AS active, "
      + "CASE WHEN m.state = " + ModelState.TRAINING.sql() + " AND m.updated_at < now() - interval '" + STALE_AFTER + "' "
      + "THEN " + ModelState.FAILED.sql() + " ELSE m.state END AS state";

  private final Vertx vertx;
  private final Pool pool;
  private final EventStore events;
  private final ServiceClient financial;
  private final WorkerExecutor workers;

  Registry(Vertx vertx, Pool pool, EventStore events, ServiceClient financial, WorkerExecutor workers) {
    this.vertx = vertx;
    this.pool = pool;
    this.events = events;
    this.financial = financial;
    this.workers = workers;
  }

  // ---- the registry ----

  Future<ModelView> train(TrainModel req, Call call) {
    Principal p = call.requirePrincipal();
    LocalDate from = req.from() == null ? LocalDate.of(1900, 1, 1) : date("from", req.from());
    LocalDate to = req.to() == null ? LocalDate.now() : date("to", req.to());
    if (to.isBefore(from)) {
      throw BusFailure.badRequest("to: " + to + " is before from: " + from);
    }
    UUID org = UUID.fromString(p.org());
    UUID id = UUID.randomUUID();
    return financial.request(Financial.LIST_LEDGERS, Empty.INSTANCE, call.next())
        .compose(list -> list.ledgers().stream().anyMatch(l -> l.id().equals(req.ledgerId())) ? Future.succeededFuture()
            : Future.failedFuture(BusFailure.notFound("no ledger " + req.ledgerId())))
        .compose(x -> pool.withTransaction(tx -> lockOrg(tx, org)
            .compose(v -> tx.preparedQuery("INSERT INTO models (id, org, version, kind, state, ledger_id, period_from, period_to, "
                    + "author) SELECT $1, $2, coalesce(max(version), 0) + 1, $3, " + ModelState.TRAINING.sql() + ", $4, $5, $6, $7 "
                    + "FROM models WHERE org = $2").execute(Tuple.from(Arrays.asList(id, org, req.kind().wire(),
                UUID.fromString(req.ledgerId()), from, to, p.subject()))))
            .compose(v -> one(tx, org, id))))
        .onSuccess(v -> run(v, org, call));
  }

  Future<ModelList> list(Empty req, Call call) {
    UUID org = UUID.fromString(call.requirePrincipal().org());
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM models m WHERE m.org = $1 ORDER BY m.version DESC LIMIT 200")
        .execute(Tuple.of(org)).map(rows -> {
          var out = new ArrayList<ModelView>();
          rows.forEach(r -> out.add(view(r)));
          return new ModelList(out);
        });
  }

  Future<ModelView> get(ModelRef req, Call call) {
    UUID org = UUID.fromString(call.requirePrincipal().org());
    UUID id = uuid(req.modelId());
    return id == null ? Future.failedFuture(BusFailure.notFound("no model " + req.modelId()))
        : pool.withConnection(c -> one(c, org, id));
  }

  Future<ModelView> promote(PromoteModel req, Call call) {
    Principal p = call.requirePrincipal();
    UUID org = UUID.fromString(p.org());
    UUID id = uuid(req.modelId());
    if (id == null) {
      return Future.failedFuture(BusFailure.notFound("no model " + req.modelId()));
    }
    return pool.withTransaction(tx -> lockOrg(tx, org)
        .compose(v -> one(tx, org, id))
        .compose(m -> {
          if (m.state() != ModelState.TRAINED) {
            return Future.failedFuture(BusFailure.conflict("model " + m.version() + " is " + m.state()
                + "; only a trained model can be promoted"));
          }
          double threshold = req.threshold() != null ? req.threshold() : m.threshold();
          return activeRow(tx, org).compose(prev -> tx.preparedQuery("INSERT INTO promotions (org, seq, model_id, threshold, by_whom) "
                  + "SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4 FROM promotions WHERE org = $1")
              .execute(Tuple.of(org, id, threshold, p.subject()))
              .compose(x -> rescore(tx, id, org))
              .compose(x -> events.append(tx, Predictive.MODEL_PROMOTED.stream(id), EventStore.ANY,
                  List.of(NewEvent.of(Predictive.MODEL_PROMOTED, new ModelPromoted(id.toString(), m.version(), threshold,
                      prev == null ? null : prev.toString(), false, p.subject()))), call)));
        })
        .compose(x -> one(tx, org, id)))
        .onSuccess(m -> LOG.info("model promoted [org: {}, model: {}, version: {}, by: {}]", org, id, m.version(), p.subject()));
  }

  Future<ModelView> rollback(Empty req, Call call) {
    Principal p = call.requirePrincipal();
    UUID org = UUID.fromString(p.org());
    return pool.withTransaction(tx -> lockOrg(tx, org)
        .compose(v -> tx.preparedQuery("SELECT seq, model_id, threshold FROM promotions WHERE org = $1 AND NOT undone "
            + "ORDER BY seq DESC LIMIT 2").execute(Tuple.of(org)))
        .compose(rows -> {
          var list = new ArrayList<Row>();
          rows.forEach(list::add);
          if (list.size() < 2) {
            return Future.failedFuture(BusFailure.conflict(list.isEmpty() ? "no model is active; nothing to roll back"
                : "no model was active before the current one; nothing to roll back to"));
          }
          Row current = list.get(0);
          Row back = list.get(1);
          UUID to = back.getUUID("model_id");
          return tx.preparedQuery("UPDATE promotions SET undone = true WHERE org = $1 AND seq = $2")
              .execute(Tuple.of(org, current.getInteger("seq")))
              .compose(x -> rescore(tx, to, org))
              .compose(x -> one(tx, org, to))
              .compose(m -> events.append(tx, Predictive.MODEL_PROMOTED.stream(to), EventStore.ANY,
                  List.of(NewEvent.of(Predictive.MODEL_PROMOTED, new ModelPromoted(to.toString(), m.version(),
                      back.getDouble("threshold"), current.getUUID("model_id").toString(), true, p.subject()))), call).map(m));
        }))
        .onSuccess(m -> LOG.info("model rolled back [org: {}, now: {}, by: {}]", org, m.version(), p.subject()));
  }

  /** Queues the model to score the organisation's entries it has not scored (done again after a rollback to it). */
  private static Future<?> rescore(SqlConnection tx, UUID model, UUID org) {
    return tx.preparedQuery("INSERT INTO rescoring (model_id, org) VALUES ($1, $2) ON CONFLICT (model_id) DO UPDATE "
        + "SET done = false, after_entry = NULL, updated_at = now()").execute(Tuple.of(model, org));
  }

  private static Future<UUID> activeRow(SqlConnection tx, UUID org) {
    return tx.preparedQuery("SELECT model_id FROM promotions WHERE org = $1 AND NOT undone ORDER BY seq DESC LIMIT 1")
        .execute(Tuple.of(org)).map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID("model_id"));
  }

  private static Future<?> lockOrg(SqlConnection tx, UUID org) {
    return tx.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended('predictive-models:' || $1::uuid::text, 0))")
        .execute(Tuple.of(org));
  }

  private static Future<ModelView> one(SqlConnection c, UUID org, UUID id) {
    return c.preparedQuery("SELECT " + COLUMNS + " FROM models m WHERE m.id = $1 AND m.org = $2").execute(Tuple.of(id, org))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(BusFailure.notFound("no model " + id))
            : Future.succeededFuture(view(rows.iterator().next())));
  }

  // ---- the training job ----

  private record Rows(List<UUID> entries, List<double[]> features) {}

  /** A trained model as it is stored: its bytes (made on the worker that trained it), rows, threshold, metrics, parameters. */
  private record Trained(byte[] body, long rows, double threshold, List<Metric> metrics, List<Metric> parameters) {}

  private void run(ModelView v, UUID org, Call call) {
    UUID id = UUID.fromString(v.id());
    String address = Predictive.modelProgress(org.toString(), v.id());
    long seed = id.getMostSignificantBits();
    long started = System.nanoTime();
    progress(address, id, ModelState.TRAINING, "loading", 0);
    pool.preparedQuery("SELECT entry_id, features FROM payments WHERE org = $1 AND ledger_id = $2 AND booking_date BETWEEN $3 AND $4 "
            + "ORDER BY seq").execute(Tuple.of(org, UUID.fromString(v.ledgerId()), LocalDate.parse(v.from()), LocalDate.parse(v.to())))
        .map(Registry::rows)
        .compose(rows -> {
          if (rows.entries().isEmpty()) {
            return Future.failedFuture(new BusFailure(ErrorCode.UNPROCESSABLE, "no entries of ledger " + v.ledgerId()
                + " booked " + v.from() + ".." + v.to() + " have been read for risk yet"));
          }
          progress(address, id, ModelState.TRAINING, "fitting", rows.entries().size());
          if (v.kind() == ModelKind.LOGISTIC) {
            return labels(v.ledgerId(), call).compose(labels -> workers.<Trained>executeBlocking(
                () -> logistic(rows, labels, seed), false));
          }
          return workers.<Trained>executeBlocking(() -> v.kind() == ModelKind.ONE_CLASS_SVM ? svm(rows, seed)
              : forest(rows, seed), false);
        })
        .compose(t -> {
          progress(address, id, ModelState.TRAINING, "storing", 0);
          return pool.withTransaction(tx -> tx.preparedQuery("UPDATE models SET state = " + ModelState.TRAINED.sql() + ", body = $2, "
                  + "rows = $3, metrics = $4, parameters = $5, threshold = $6, trained_at = now(), updated_at = now() WHERE id = $1")
              .execute(Tuple.from(Arrays.asList(id, Buffer.buffer(t.body()), t.rows(), json(t.metrics()),
                  json(t.parameters()), t.threshold())))
              .compose(x -> one(tx, org, id))
              .compose(m -> events.append(tx, Predictive.MODEL_TRAINED.stream(id), EventStore.NO_STREAM,
                  List.of(NewEvent.of(Predictive.MODEL_TRAINED, m)), call).map(m)));
        })
        .recover(err -> {
          String why = err instanceof BusFailure bf ? bf.getMessage() : err instanceof IllegalArgumentException ia ? ia.getMessage()
              : "training failed on the server (correlation id " + call.correlationId() + ")";
          if (!(err instanceof BusFailure) && !(err instanceof IllegalArgumentException)) {
            LOG.error("training failed [model: {}]", id, err);
          }
          return pool.withTransaction(tx -> tx.preparedQuery("UPDATE models SET state = " + ModelState.FAILED.sql() + ", error = $2, "
                  + "updated_at = now() WHERE id = $1").execute(Tuple.of(id, why))
              .compose(x -> one(tx, org, id))
              .compose(m -> events.append(tx, Predictive.MODEL_TRAINED.stream(id), EventStore.NO_STREAM,
                  List.of(NewEvent.of(Predictive.MODEL_TRAINED, m)), call).map(m)));
        })
        .onSuccess(m -> {
          progress(address, id, m.state(), m.state() == ModelState.TRAINED ? "done" : "failed", m.rows());
          LOG.info("model {} [model: {}, org: {}, version: {}, kind: {}, rows: {}, ms: {}]", m.state(), id, org, m.version(),
              m.kind(), m.rows(), (System.nanoTime() - started) / 1_000_000);
        })
        .onFailure(err -> LOG.error("training outcome not recorded [model: {}]", id, err));
  }

  private static Rows rows(RowSet<Row> rows) {
    var entries = new ArrayList<UUID>();
    var features = new ArrayList<double[]>();
    for (Row r : rows) {
      entries.add(r.getUUID("entry_id"));
      features.add(RiskScoring.unbox(r.getArrayOfDoubles("features")));
    }
    return new Rows(entries, features);
  }

  /** An isolation forest on every row; its threshold leaves {@link #FLAGGED_SHARE} of them above it. */
  static Trained forest(Rows rows, long seed) {
    double[][] x = rows.features().toArray(double[][]::new);
    var forest = IsolationForest.fit(x, IsolationForest.TREES, IsolationForest.SAMPLE, seed);
    return unsupervised(forest, x, List.of(metric("trees", IsolationForest.TREES),
        metric("sample", Math.min(IsolationForest.SAMPLE, x.length)), metric("seed", seed)));
  }

  /** A one-class SVM on (a sample of) the rows; the same kind of threshold. */
  static Trained svm(Rows rows, long seed) {
    double[][] x = rows.features().toArray(double[][]::new);
    var svm = OneClassSvm.train(x, seed);
    return unsupervised(svm, x, List.of(metric("kernel-rbf-gamma", 1.0 / x[0].length), metric("nu", OneClassSvm.NU),
        metric("trained-on", Math.min(OneClassSvm.MAX_ROWS, x.length)), metric("seed", seed)));
  }

  /** A model that needs no labels: its threshold leaves {@link #FLAGGED_SHARE} of the training rows above it. */
  private static Trained unsupervised(RiskModel model, double[][] x, List<Metric> parameters) {
    double[] scores = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      scores[i] = model.value(x[i]);
    }
    Arrays.sort(scores);
    double threshold = quantile(scores, 1 - FLAGGED_SHARE);
    return new Trained(model.toBytes(), x.length, threshold,
        List.of(metric("rows", x.length), metric("score-p50", quantile(scores, 0.5)), metric("score-p90", quantile(scores, 0.9)),
            metric("score-p99", quantile(scores, 0.99)), metric("score-max", scores[scores.length - 1])),
        parameters);
  }

  /** Logistic regression on the rows behind decided findings: confirmed risky, dismissed not (confirmed wins). */
  static Trained logistic(Rows rows, Map<UUID, Boolean> labels, long seed) {
    var x = new ArrayList<double[]>();
    var y = new ArrayList<Boolean>();
    for (int i = 0; i < rows.entries().size(); i++) {
      Boolean risky = labels.get(rows.entries().get(i));
      if (risky != null) {
        x.add(rows.features().get(i));
        y.add(risky);
      }
    }
    if (x.isEmpty()) {
      throw new IllegalArgumentException("no entries in the period are behind a confirmed or dismissed finding; decide some "
          + "findings first, or train an isolation-forest");
    }
    boolean[] risky = new boolean[y.size()];
    for (int i = 0; i < risky.length; i++) {
      risky[i] = y.get(i);
    }
    double[][] xs = x.toArray(double[][]::new);
    var model = LogisticRisk.train(xs, risky, seed);
    int right = 0;
    int positives = 0;
    for (int i = 0; i < xs.length; i++) {
      boolean said = model.score(xs[i]).score() > LOGISTIC_THRESHOLD;
      right += said == risky[i] ? 1 : 0;
      positives += risky[i] ? 1 : 0;
    }
    return new Trained(model.toBytes(), xs.length, LOGISTIC_THRESHOLD,
        List.of(metric("rows", xs.length), metric("confirmed", positives), metric("dismissed", xs.length - positives),
            metric("accuracy-on-labels", (double) right / xs.length)),
        List.of(metric("epochs", LogisticRisk.EPOCHS), metric("seed", seed)));
  }

  /** Entry labels from the ledger's decided findings, read from Financial page by page. */
  private Future<Map<UUID, Boolean>> labels(String ledgerId, Call call) {
    var labels = new HashMap<UUID, Boolean>();
    return page(ledgerId, FindingStatus.DISMISSED, null, labels, call)
        .compose(x -> page(ledgerId, FindingStatus.CONFIRMED, null, labels, call))
        .map(labels);
  }

  private Future<Void> page(String ledgerId, FindingStatus status, String cursor, Map<UUID, Boolean> labels, Call call) {
    return financial.request(Financial.LIST_FINDINGS, new FindingSearch(ledgerId, null, null, status, null, null, FINDINGS_PAGE,
            cursor, null), call.next())
        .compose((FindingPage page) -> {
          for (FindingView f : page.findings()) {
            for (String e : f.entryIds()) {
              labels.put(UUID.fromString(e), status == FindingStatus.CONFIRMED);
            }
          }
          return page.next() == null ? Future.succeededFuture() : page(ledgerId, status, page.next(), labels, call);
        });
  }

  private void progress(String address, UUID id, ModelState state, String stage, long rows) {
    vertx.eventBus().publish(address, Codec.toJson(new ModelProgress(id.toString(), state, stage, rows)));
  }

  // ---- risk reads ----

  private static final String SCORE_COLUMNS = "s.entry_id, s.model_id, s.model_version, s.score, s.threshold, s.factors, "
      + "s.scored_at";
  private static final String ACTIVE_FIRST = "(s.model_id IS NOT DISTINCT FROM (SELECT p.model_id FROM promotions p "
      + "WHERE p.org = s.org AND NOT p.undone ORDER BY p.seq DESC LIMIT 1)) DESC, s.scored_at DESC";

  Future<RiskView> risk(EntryRiskQuery q, Call call) {
    UUID org = UUID.fromString(call.requirePrincipal().org());
    UUID ledger = uuid(q.ledgerId());
    UUID entry = uuid(q.entryId());
    if (ledger == null || entry == null) {
      return Future.failedFuture(BusFailure.notFound("no scored entry " + q.entryId() + " in ledger " + q.ledgerId()));
    }
    return pool.preparedQuery("SELECT " + SCORE_COLUMNS + " FROM scores s WHERE s.entry_id = $1 AND s.org = $2 AND s.ledger_id = $3 "
            + "ORDER BY " + ACTIVE_FIRST + " LIMIT 1").execute(Tuple.of(entry, org, ledger))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(BusFailure.notFound("entry " + q.entryId() + " of ledger " + q.ledgerId()
                + " has no risk score (not scored yet, no model active, or not there)"))
            : Future.succeededFuture(riskView(rows.iterator().next())));
  }

  Future<RiskList> risks(EntryRisksQuery q, Call call) {
    UUID org = UUID.fromString(call.requirePrincipal().org());
    UUID ledger = uuid(q.ledgerId());
    var ids = new ArrayList<UUID>();
    for (String s : q.entryIds().split(",")) {
      UUID id = uuid(s);
      if (id == null) {
        throw BusFailure.badRequest("entryIds: '" + s + "' is not an entry id");
      }
      ids.add(id);
    }
    if (ledger == null) {
      return Future.succeededFuture(new RiskList(List.of()));
    }
    return pool.preparedQuery("SELECT DISTINCT ON (s.entry_id) " + SCORE_COLUMNS + " FROM scores s WHERE s.entry_id = ANY($1) "
            + "AND s.org = $2 AND s.ledger_id = $3 ORDER BY s.entry_id, " + ACTIVE_FIRST)
        .execute(Tuple.of(ids.toArray(new UUID[0]), org, ledger))
        .map(rows -> {
          var out = new ArrayList<RiskView>();
          rows.forEach(r -> out.add(riskView(r)));
          return new RiskList(out);
        });
  }

  /** How far risk has got with a ledger; a ledger of another organisation reads as nothing read. */
  Future<RiskStatus> status(LedgerRiskQuery q, Call call) {
    UUID org = UUID.fromString(call.requirePrincipal().org());
    UUID ledger = uuid(q.ledgerId());
    if (ledger == null) {
      return Future.failedFuture(BusFailure.notFound("no ledger " + q.ledgerId()));
    }
    return pool.preparedQuery("WITH a AS (SELECT p.model_id, m.version FROM promotions p JOIN models m ON m.id = p.model_id "
            + "WHERE p.org = $2 AND NOT p.undone ORDER BY p.seq DESC LIMIT 1) "
            + "SELECT (SELECT count(*) FROM payments WHERE ledger_id = $1 AND org = $2) AS read, "
            + "(SELECT max(read_at) FROM payments WHERE ledger_id = $1 AND org = $2) AS last, "
            + "(SELECT count(*) FROM scores s, a WHERE s.ledger_id = $1 AND s.org = $2 AND s.model_id = a.model_id) AS scored, "
            + "(SELECT version FROM a) AS version, "
            + "(SELECT count(*) FROM import_backlog WHERE ledger_id = $1 AND org = $2 AND NOT done) AS imports")
        .execute(Tuple.of(ledger, org))
        .map(rows -> {
          Row r = rows.iterator().next();
          return new RiskStatus(q.ledgerId(), r.getLong("read"), r.getLong("scored"), r.getInteger("version"),
              r.getLong("imports"), r.getOffsetDateTime("last") == null ? null : r.getOffsetDateTime("last").toString());
        });
  }

  private static RiskView riskView(Row r) {
    return new RiskView(r.getUUID("entry_id").toString(), r.getDouble("score"), r.getInteger("model_version"),
        r.getUUID("model_id").toString(), r.getDouble("threshold"), RiskScoring.factors(r.getValue("factors")),
        r.getOffsetDateTime("scored_at").toString());
  }

  // ---- helpers ----

  private static ModelView view(Row r) {
    return new ModelView(r.getUUID("id").toString(), r.getInteger("version"), Wire.parse(ModelKind.class, r.getString("kind")),
        Wire.parse(ModelState.class, r.getString("state")), r.getUUID("ledger_id").toString(),
        r.getLocalDate("period_from").toString(), r.getLocalDate("period_to").toString(), r.getLong("rows"),
        metrics(r.getValue("metrics")), metrics(r.getValue("parameters")), r.getDouble("threshold"),
        Boolean.TRUE.equals(r.getBoolean("active")), r.getString("author"), r.getOffsetDateTime("created_at").toString(),
        r.getOffsetDateTime("trained_at") == null ? null : r.getOffsetDateTime("trained_at").toString(), r.getString("error"));
  }

  private static List<Metric> metrics(Object stored) {
    var out = new ArrayList<Metric>();
    for (Object o : stored instanceof JsonArray a ? a : new JsonArray(String.valueOf(stored))) {
      out.add(Codec.fromJson((io.vertx.core.json.JsonObject) o, Metric.class));
    }
    return out;
  }

  private static JsonArray json(List<Metric> metrics) {
    return new JsonArray(metrics.stream().map(Codec::toJson).toList());
  }

  private static Metric metric(String name, double value) {
    return new Metric(name, String.format(Locale.ROOT, "%.4f", value));
  }

  private static Metric metric(String name, long value) {
    return new Metric(name, Long.toString(value));
  }

  private static double quantile(double[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
  }

  private static LocalDate date(String field, String value) {
    try {
      return LocalDate.parse(value);
    } catch (DateTimeException e) {
      throw BusFailure.badRequest(field + ": '" + value + "' is not a date (YYYY-MM-DD)");
    }
  }

  private static UUID uuid(String s) {
    try {
      return s == null || s.length() != 36 ? null : UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}

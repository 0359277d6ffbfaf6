package io.nexus.predictive;

import io.nexus.contracts.Codec;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.Wire;
import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.financial.Financial.EntryView;
import io.nexus.contracts.financial.Financial.ImportEnded;
import io.nexus.contracts.predictive.Predictive.Factor;
import io.nexus.contracts.predictive.Predictive.Feature;
import io.nexus.contracts.predictive.Predictive.ModelKind;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.events.DurableSubscription;
import io.nexus.kernel.events.RecordedEvent;
import io.nexus.predictive.risk.FeatureHistory;
import io.nexus.predictive.risk.Payment;
import io.nexus.predictive.risk.RiskModel;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Reading entries into risk: per ledger, in the order they arrive, each entry's features against
 * the ledger's entries before it (kept in memory per ledger, rebuilt from the {@code payments}
 * rows when this node's copy is not the stored one), its row, and its score under the
 * organisation's active model — all in the caller's transaction, so the durable subscription's
 * checkpoint moves with them and every entry is read once.
 *
 * <p>Writers of one ledger take a transaction-scoped advisory lock on it, so the subscription
 * (posted entries) and the import reader never interleave their histories; a copy whose last
 * sequence number and entry differ from the stored ones is rebuilt.
 */
final class RiskScoring implements DurableSubscription.Handler {
  /** The durable subscription that reads entries into risk. */
  static final String SUBSCRIPTION = "predictive.risk";
  /** Factors kept with a score: the largest contributions. */
  static final int TOP_FACTORS = 3;
  /** Ledger histories kept in memory on a node. */
  private static final int LEDGERS_KEPT = 64;
  /** Models kept deserialised on a node. */
  private static final int MODELS_KEPT = 8;
  static final String SERVICE_NAME = PredictiveVerticle.SERVICE;

  /** A ledger's history as this node holds it: the features' state after entry {@code lastEntry}, number {@code seq}. */
  private static final class LedgerState {
    final FeatureHistory history = new FeatureHistory();
    long seq;
    UUID lastEntry;
  }

  /** The organisation's active model. */
  record Active(UUID modelId, int version, double threshold, RiskModel model) {}

  private final Map<UUID, LedgerState> ledgers = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<UUID, LedgerState> eldest) {
      return size() > LEDGERS_KEPT;
    }
  };
  private final Map<UUID, RiskModel> models = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<UUID, RiskModel> eldest) {
      return size() > MODELS_KEPT;
    }
  };

  private final io.vertx.core.WorkerExecutor workers;

  RiskScoring(io.vertx.core.WorkerExecutor workers) {
    this.workers = workers;
  }

  /** The call a service makes on its own account in an organisation. */
  static Call asService(UUID org) {
    return Call.system().as(Principal.service(SERVICE_NAME, org.toString(), Role.EXAMINER));
  }

  /**
   * A page of the log at once: the posted entries of each ledger in one read (one lock, one check,
   * one insert of rows and one of scores per ledger instead of per entry), in log order within
   * the ledger; everything else one by one.
   */
  @Override
  public Future<Void> applyAll(List<RecordedEvent> events, SqlConnection tx) {
    record Key(UUID org, UUID ledger) {}
    record Posted(Payment payment, Instant committed) {}
    var groups = new LinkedHashMap<Key, List<Posted>>();
    var others = new ArrayList<RecordedEvent>();
    for (RecordedEvent e : events) {
      UUID org = e.org();
      if (org != null && e.is(Financial.ENTRY_POSTED)) {
        EntryView v = e.payload(Financial.ENTRY_POSTED);
        groups.computeIfAbsent(new Key(org, UUID.fromString(v.ledgerId())), k -> new ArrayList<>())
            .add(new Posted(Payment.of(v), e.recordedAt()));
      } else {
        others.add(e);
      }
    }
    Future<Void> chain = Future.succeededFuture();
    for (var g : groups.entrySet()) {
      List<Payment> payments = g.getValue().stream().map(Posted::payment).toList();
      List<Instant> committed = g.getValue().stream().map(Posted::committed).toList();
      chain = chain.compose(v -> read(tx, g.getKey().org(), g.getKey().ledger(), payments, committed).mapEmpty());
    }
    for (RecordedEvent e : others) {
      chain = chain.compose(v -> apply(e, tx));
    }
    return chain;
  }

  /** The durable subscription's handler: posted entries are read, completed imports queued for the import reader. */
  @Override
  public Future<Void> apply(RecordedEvent e, SqlConnection tx) {
    UUID org = e.org();
    if (org == null) {
      return Future.succeededFuture();
    }
    if (e.is(Financial.ENTRY_POSTED)) {
      EntryView v = e.payload(Financial.ENTRY_POSTED);
      return read(tx, org, UUID.fromString(v.ledgerId()), List.of(Payment.of(v)), List.of(e.recordedAt())).mapEmpty();
    }
    if (e.is(Financial.IMPORT_COMPLETED)) {
      ImportEnded v = e.payload(Financial.IMPORT_COMPLETED);
      if (v.entries() == 0) {
        return Future.succeededFuture();
      }
      return tx.preparedQuery("INSERT INTO import_backlog (import_id, org, ledger_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
          .execute(Tuple.of(UUID.fromString(v.importId()), org, UUID.fromString(v.ledgerId()))).mapEmpty();
    }
    return Future.succeededFuture();
  }

  /**
   * Reads entries of one ledger, in order, in the caller's transaction: features, rows and scores.
   * Entries read before are skipped. Returns how many were new.
   *
   * @param committed per entry, when it was committed (its event's time)
   */
  Future<Integer> read(SqlConnection tx, UUID org, UUID ledger, List<Payment> payments, List<Instant> committed) {
    UUID[] ids = payments.stream().map(p -> UUID.fromString(p.entryId())).toArray(UUID[]::new);
    return tx.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended('predictive-ledger:' || $1::uuid::text, 0))")
        .execute(Tuple.of(ledger))
        .compose(v -> tx.preparedQuery("SELECT (SELECT seq FROM payments WHERE ledger_id = $1 ORDER BY seq DESC LIMIT 1) AS seq, "
                + "(SELECT entry_id FROM payments WHERE ledger_id = $1 ORDER BY seq DESC LIMIT 1) AS last, "
                + "(SELECT coalesce(array_agg(entry_id), '{}') FROM payments WHERE entry_id = ANY($2)) AS present")
            .execute(Tuple.of(ledger, (Object) ids)))
        .compose(rows -> {
          Row r = rows.iterator().next();
          long seq = r.getLong("seq") == null ? 0 : r.getLong("seq");
          UUID last = r.getUUID("last");
          var present = new HashSet<>(Arrays.asList(r.getArrayOfUUIDs("present")));
          LedgerState known = ledgers.get(ledger);
          Future<LedgerState> state = known != null && known.seq == seq && java.util.Objects.equals(known.lastEntry, last)
              ? Future.succeededFuture(known) : rebuild(tx, ledger);
          return state.compose(st -> insert(tx, org, ledger, st, payments, present, committed));
        });
  }

  private Future<LedgerState> rebuild(SqlConnection tx, UUID ledger) {
    ledgers.remove(ledger);
    var st = new LedgerState();
    return tx.preparedQuery("SELECT entry_id, seq, booking_date, entry_time, counterparty, document, amount, debit_account, "
            + "credit_account FROM payments WHERE ledger_id = $1 ORDER BY seq").execute(Tuple.of(ledger))
        .map(rows -> {
          for (Row r : rows) {
            st.history.add(payment(r));
            st.seq = r.getLong("seq");
            st.lastEntry = r.getUUID("entry_id");
          }
          ledgers.put(ledger, st);
          return st;
        });
  }

  private Future<Integer> insert(SqlConnection tx, UUID org, UUID ledger, LedgerState st, List<Payment> payments,
      java.util.Set<UUID> present, List<Instant> committed) {
    var rows = new ArrayList<Tuple>();
    var fresh = new ArrayList<UUID>();
    var features = new ArrayList<double[]>();
    for (int k = 0; k < payments.size(); k++) {
      Payment p = payments.get(k);
      var committedAt = committed.get(k).atOffset(ZoneOffset.UTC);
      UUID id = UUID.fromString(p.entryId());
      if (!present.add(id)) {
        continue;
      }
      double[] f = st.history.features(p);
      // the copy moves ahead of the stored rows here; if the transaction does not commit, the
      // next reader finds the stored last entry differs and rebuilds
      st.history.add(p);
      st.seq++;
      st.lastEntry = id;
      fresh.add(id);
      features.add(f);
      rows.add(Tuple.from(Arrays.asList(id, org, ledger, st.seq, p.date(), p.time(), p.counterparty(), p.document(), p.amount(),
          p.debitAccount(), p.creditAccount(), box(f), committedAt)));
    }
    if (rows.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return tx.preparedQuery("INSERT INTO payments (entry_id, org, ledger_id, seq, booking_date, entry_time, counterparty, "
            + "document, amount, debit_account, credit_account, features, committed_at) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)").executeBatch(rows)
        .compose(v -> active(tx, org))
        .compose(active -> active.isEmpty() ? Future.succeededFuture()
            : score(tx, org, ledger, active.get(), fresh, features))
        .map(fresh.size());
  }

  /** Scores entries under a model (one row per entry and model; scored before: nothing happens). */
  Future<Void> score(SqlClient tx, UUID org, UUID ledger, Active active, List<UUID> entries, List<double[]> features) {
    var rows = new ArrayList<Tuple>();
    for (int i = 0; i < entries.size(); i++) {
      RiskModel.Score s = active.model().score(features.get(i));
      rows.add(Tuple.from(Arrays.asList(entries.get(i), active.modelId(), org, ledger, active.version(), s.score(),
          active.threshold(), factors(features.get(i), s), s.score() > active.threshold() ? "pending" : null)));
    }
    return tx.preparedQuery("INSERT INTO scores (entry_id, model_id, org, ledger_id, model_version, score, threshold, factors, "
            + "finding) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING").executeBatch(rows).mapEmpty();
  }

  /** The organisation's active model, if it has one. */
  Future<Optional<Active>> active(SqlClient c, UUID org) {
    return c.preparedQuery("SELECT p.model_id, p.threshold, m.version, m.kind FROM promotions p JOIN models m ON m.id = p.model_id "
            + "WHERE p.org = $1 AND NOT p.undone ORDER BY p.seq DESC LIMIT 1").execute(Tuple.of(org))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(Optional.empty());
          }
          Row r = rows.iterator().next();
          UUID id = r.getUUID("model_id");
          ModelKind kind = Wire.parse(ModelKind.class, r.getString("kind"));
          return model(c, id, kind).map(m -> Optional.of(new Active(id, r.getInteger("version"), r.getDouble("threshold"), m)));
        });
  }

  /** A stored model, read once per node (models never change once trained). */
  Future<RiskModel> model(SqlClient c, UUID id, ModelKind kind) {
    RiskModel known = models.get(id);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    // inflating and reading a stored model (megabytes for a forest) is work for a worker, not the event loop
    return c.preparedQuery("SELECT body FROM models WHERE id = $1").execute(Tuple.of(id))
        .compose(rows -> {
          byte[] body = rows.iterator().next().getBuffer("body").getBytes();
          return workers.<RiskModel>executeBlocking(() -> RiskModel.fromBytes(kind, body), false);
        })
        .onSuccess(m -> models.put(id, m));
  }

  /** The largest contributions, largest first, as stored with a score. */
  static JsonArray factors(double[] features, RiskModel.Score s) {
    Integer[] order = new Integer[features.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -s.contributions()[i]).thenComparing(i -> i));
    var out = new JsonArray();
    for (int k = 0; k < Math.min(TOP_FACTORS, order.length); k++) {
      int i = order[k];
      if (s.contributions()[i] <= 0) {
        break;
      }
      out.add(Codec.toJson(new Factor(Feature.values()[i], features[i], s.contributions()[i])));
    }
    return out;
  }

  static List<Factor> factors(Object stored) {
    var out = new ArrayList<Factor>();
    for (Object o : stored instanceof JsonArray a ? a : new JsonArray(String.valueOf(stored))) {
      out.add(Codec.fromJson((JsonObject) o, Factor.class));
    }
    return out;
  }

  static Payment payment(Row r) {
    LocalTime t = r.getLocalTime("entry_time");
    return new Payment(r.getUUID("entry_id").toString(), r.getLocalDate("booking_date"), t, r.getString("counterparty"),
        r.getString("document"), r.getDouble("amount"), r.getString("debit_account"), r.getString("credit_account"));
  }

  static Double[] box(double[] f) {
    Double[] out = new Double[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i];
    }
    return out;
  }

  static double[] unbox(Double[] f) {
    double[] out = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i];
    }
    return out;
  }
}

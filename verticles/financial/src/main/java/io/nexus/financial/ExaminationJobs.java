package io.nexus.financial;

import io.nexus.contracts.Wire;
import io.nexus.contracts.financial.Financial.ExaminationStatus;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.Codec;
import io.nexus.contracts.Empty;
import io.nexus.contracts.Principal;
import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.financial.Financial.ExaminationList;
import io.nexus.contracts.financial.Financial.ExaminationProgress;
import io.nexus.contracts.financial.Financial.ExaminationRef;
import io.nexus.contracts.financial.Financial.ExaminationView;
import io.nexus.contracts.financial.Financial.LedgerRef;
import io.nexus.contracts.financial.Financial.RuleSettings;
import io.nexus.contracts.financial.Financial.StartExamination;
import io.nexus.financial.exam.Draft;
import io.nexus.financial.exam.Rules;
import io.nexus.financial.exam.Settings;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Examinations as jobs: started on request (the reply comes at once), run rule by rule on the
 * instance that took the request over one consistent snapshot of the ledger, raising findings
 * after each rule, stoppable between rules. Progress goes to
 * {@code ui.org.<org>.examinations.<id>}; start and end are events in the log.
 */
final class ExaminationJobs {
  private static final Logger LOG = LoggerFactory.getLogger(ExaminationJobs.class);
  private static final long HEARTBEAT_MS = 15_000;
  /** A running examination whose row has not moved for this long is taken as failed. */
  private static final String STALE_AFTER = "2min";
  private static final String COLUMNS = "id, ledger_id, period_from, period_to, rules, rules_done, findings_new, findings_seen, "
      + "error, started_by, started_at, finished_at, "
      + "CASE WHEN status = " + ExaminationStatus.RUNNING.sql() + " AND updated_at < now() - interval '" + STALE_AFTER + "' "
      + "THEN " + ExaminationStatus.FAILED.sql() + " ELSE status END AS status";

  private final Vertx vertx;
  private final Pool pool;
  private final EventStore events;
  private final Ledger ledger;
  private final Findings findings;

  ExaminationJobs(Vertx vertx, Pool pool, EventStore events, Ledger ledger, Findings findings) {
    this.vertx = vertx;
    this.pool = pool;
    this.events = events;
    this.ledger = ledger;
    this.findings = findings;
  }

  // ---- settings ----

  Future<RuleSettings> settings(Empty req, Call call) {
    Principal p = call.requirePrincipal();
    return stored(UUID.fromString(p.org())).map(s -> Settings.of(s.settings()).view(s.version()));
  }

  Future<RuleSettings> putSettings(RuleSettings req, Call call) {
    Principal p = call.requirePrincipal();
    Settings.check(req);
    JsonObject json = Codec.toJson(req);
    json.remove("version");
    json.fieldNames().removeIf(k -> json.getValue(k) == null);
    UUID org = UUID.fromString(p.org());
    return pool.withTransaction(tx -> tx.preparedQuery("INSERT INTO rule_settings (org, settings, version, updated_by) "
            + "VALUES ($1, $2, 1, $3) ON CONFLICT (org) DO UPDATE SET settings = rule_settings.settings || $2, "
            + "version = rule_settings.version + 1, updated_by = $3, updated_at = now() RETURNING settings, version")
        .execute(Tuple.of(org, json, p.subject()))
        .map(rows -> {
          Row r = rows.iterator().next();
          return Settings.of(Codec.fromJson((JsonObject) r.getValue("settings"), RuleSettings.class)).view(r.getLong("version"));
        })
        // in the log, and so in the audit trail: the thresholds every later finding was raised under
        .compose(view -> events.append(tx, Financial.RULE_SETTINGS_CHANGED.stream(org), EventStore.ANY,
            List.of(NewEvent.of(Financial.RULE_SETTINGS_CHANGED, view)), call).map(view)));
  }

  private record Stored(RuleSettings settings, long version) {}

  private Future<Stored> stored(UUID org) {
    return pool.preparedQuery("SELECT settings, version FROM rule_settings WHERE org = $1").execute(Tuple.of(org))
        .map(rows -> rows.size() == 0 ? new Stored(null, 0)
            : new Stored(Codec.fromJson((JsonObject) rows.iterator().next().getValue("settings"), RuleSettings.class),
                rows.iterator().next().getLong("version")));
  }

  // ---- jobs ----

  Future<ExaminationView> start(StartExamination req, Call call) {
    Principal p = call.requirePrincipal();
    LocalDate from = req.from() == null ? LocalDate.of(1900, 1, 1) : Ledger.date("from", req.from());
    LocalDate to = req.to() == null ? LocalDate.now() : Ledger.date("to", req.to());
    if (to.isBefore(from)) {
      throw BusFailure.badRequest("to: " + to + " is before from: " + from);
    }
    List<RuleId> rules = req.rules() == null || req.rules().isEmpty() ? Financial.RULES
        : Financial.RULES.stream().filter(req.rules()::contains).toList();
    UUID id = UUID.randomUUID();
    UUID org = UUID.fromString(p.org());
    return pool.withTransaction(tx -> ledger.ownLedger(tx, p, req.ledgerId())
            .compose(l -> tx.preparedQuery("INSERT INTO examinations (id, ledger_id, org, period_from, period_to, rules, status, "
                    + "started_by) VALUES ($1, $2, $3, $4, $5, $6, " + ExaminationStatus.RUNNING.sql() + ", $7) RETURNING " + COLUMNS)
                .execute(Tuple.of(id, l, org, from, to, rules.stream().map(RuleId::wire).toArray(String[]::new), p.subject())))
            .map(rows -> view(rows.iterator().next()))
            .compose(v -> events.append(tx, stream(id), EventStore.NO_STREAM, List.of(NewEvent.of(Financial.EXAMINATION_STARTED, v)),
                call).map(v)))
        .onSuccess(v -> stored(org).onComplete(s -> run(v, p, Settings.of(s.succeeded() ? s.result().settings() : null), call)));
  }

  Future<ExaminationView> get(ExaminationRef req, Call call) {
    return ledger.one(call.requirePrincipal(), req.ledgerId(), "examination", req.examinationId(),
        "SELECT " + COLUMNS + " FROM examinations", ExaminationJobs::view);
  }

  Future<ExaminationList> list(LedgerRef req, Call call) {
    Principal p = call.requirePrincipal();
    return pool.withConnection(c -> ledger.ownLedger(c, p, req.ledgerId())
        .compose(l -> c.preparedQuery("SELECT " + COLUMNS + " FROM examinations WHERE ledger_id = $1 ORDER BY started_at DESC "
            + "LIMIT 200").execute(Tuple.of(l)))
        .map(rows -> {
          var out = new ArrayList<ExaminationView>();
          rows.forEach(r -> out.add(view(r)));
          return new ExaminationList(out);
        }));
  }

  Future<ExaminationView> cancel(ExaminationRef req, Call call) {
    Principal p = call.requirePrincipal();
    UUID id = Ledger.uuid(req.examinationId());
    return pool.withConnection(c -> ledger.ownLedger(c, p, req.ledgerId())
            .compose(l -> id == null ? Future.failedFuture(BusFailure.notFound("no examination " + req.examinationId()))
                : c.preparedQuery("UPDATE examinations SET cancel_asked = true WHERE id = $1 AND ledger_id = $2 "
                    + "RETURNING status").execute(Tuple.of(id, l))))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(BusFailure.notFound("no examination " + req.examinationId()));
          }
          return get(req, call);
        });
  }

  /** The job: one repeatable-read snapshot for the rules, findings raised after each rule in their own transaction. */
  private void run(ExaminationView v, Principal p, Settings settings, Call call) {
    UUID id = UUID.fromString(v.id());
    UUID ledgerId = UUID.fromString(v.ledgerId());
    UUID org = UUID.fromString(p.org());
    String address = Financial.examinationProgress(p.org(), v.id());
    var counts = new int[3]; // rules done, new, existing
    var outcome = new ExaminationStatus[] {ExaminationStatus.COMPLETED};
    var error = new String[1];
    long started = System.nanoTime();
    // a heartbeat: readers take a running examination whose row has not moved for 2 minutes as failed
    long heartbeat = vertx.setPeriodic(HEARTBEAT_MS, t -> pool.preparedQuery("UPDATE examinations SET updated_at = now() "
        + "WHERE id = $1 AND status = " + ExaminationStatus.RUNNING.sql()).execute(Tuple.of(id)));
    pool.getConnection().compose(c -> c.begin()
            .compose(tx -> c.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute()
                // the snapshot sits idle while each rule's findings are raised on other connections:
                // its own limit, the time after which readers take the examination as failed
                .compose(x -> c.query("SET LOCAL idle_in_transaction_session_timeout = '" + STALE_AFTER + "'").execute())
                .compose(x -> c.preparedQuery("SELECT currency FROM ledgers WHERE id = $1").execute(Tuple.of(ledgerId)))
                .compose(cur -> {
                  var rules = new Rules(c, ledgerId, LocalDate.parse(v.from()), LocalDate.parse(v.to()), settings,
                      cur.iterator().next().getString("currency"));
                  Future<?> chain = rules.prepare();
                  for (RuleId rule : v.rules()) {
                    chain = chain.compose(x -> cancelled(id)).compose(stop -> {
                      if (stop) {
                        outcome[0] = ExaminationStatus.CANCELLED;
                        return Future.succeededFuture();
                      }
                      long ruleStart = System.nanoTime();
                      return rules.run(rule)
                          .onSuccess(drafts -> LOG.debug("rule done [examination: {}, rule: {}, findings: {}, ms: {}]", id, rule,
                              drafts.size(), (System.nanoTime() - ruleStart) / 1_000_000))
                          .compose(drafts -> raise(drafts, ledgerId, org, id, call, counts))
                          .compose(x -> {
                            counts[0]++;
                            progress(address, v, ExaminationStatus.RUNNING, rule, counts);
                            return pool.preparedQuery("UPDATE examinations SET rules_done = $2, findings_new = $3, "
                                + "findings_seen = $4, updated_at = now() WHERE id = $1")
                                .execute(Tuple.of(id, counts[0], counts[1], counts[2]));
                          });
                    });
                  }
                  return chain;
                })
                .eventually(() -> tx.rollback()))
            .eventually(() -> c.close()))
        .recover(err -> {
          LOG.error("examination failed [examination: {}]", id, err);
          outcome[0] = ExaminationStatus.FAILED;
          error[0] = err instanceof BusFailure bf ? bf.getMessage() : "the examination failed on the server (correlation id "
              + call.correlationId() + ")";
          return Future.succeededFuture();
        })
        .compose(x -> {
          vertx.cancelTimer(heartbeat);
          return Future.succeededFuture();
        })
        .compose(x -> pool.withTransaction(tx -> tx.preparedQuery("UPDATE examinations SET status = $2, error = $3, "
                + "rules_done = $4, findings_new = $5, findings_seen = $6, finished_at = now(), updated_at = now() "
                + "WHERE id = $1 RETURNING " + COLUMNS)
            .execute(Tuple.of(id, outcome[0].wire(), error[0], counts[0], counts[1], counts[2]))
            .map(rows -> view(rows.iterator().next()))
            .compose(end -> events.append(tx, stream(id), EventStore.ANY, List.of(NewEvent.of(Financial.EXAMINATION_ENDED, end)), call)
                .map(end))))
        .onSuccess(end -> {
          progress(address, end, end.status(), null, counts);
          LOG.info("examination {} [examination: {}, rules: {}, new findings: {}, found again: {}, ms: {}]", end.status(), id,
              counts[0], counts[1], counts[2], (System.nanoTime() - started) / 1_000_000);
        })
        .onFailure(err -> LOG.error("examination outcome not recorded [examination: {}]", id, err));
  }

  private Future<Void> raise(List<Draft> drafts, UUID ledgerId, UUID org, UUID exam, Call call, int[] counts) {
    if (drafts.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.withTransaction(tx -> {
      Future<?> chain = Future.succeededFuture();
      for (Draft d : drafts) {
        chain = chain.compose(x -> findings.raise(tx, d, ledgerId, org, exam, call).map(fresh -> {
          counts[fresh ? 1 : 2]++;
          return null;
        }));
      }
      return chain.mapEmpty();
    });
  }

  private Future<Boolean> cancelled(UUID id) {
    return pool.preparedQuery("SELECT cancel_asked FROM examinations WHERE id = $1").execute(Tuple.of(id))
        .map(rows -> rows.iterator().next().getBoolean("cancel_asked"));
  }

  private void progress(String address, ExaminationView v, ExaminationStatus status, RuleId rule, int[] counts) {
    vertx.eventBus().publish(address, Codec.toJson(new ExaminationProgress(v.id(), status, rule, counts[0], v.rules().size(),
        counts[1])));
  }

  static String stream(UUID id) {
    return Financial.EXAMINATION_STARTED.stream(id);
  }

  private static ExaminationView view(Row r) {
    String[] rules = r.getArrayOfStrings("rules");
    return new ExaminationView(r.getUUID("id").toString(), r.getUUID("ledger_id").toString(),
        r.getLocalDate("period_from").toString(), r.getLocalDate("period_to").toString(),
        Arrays.stream(rules).map(x -> Wire.parse(RuleId.class, x)).toList(),
        Wire.parse(ExaminationStatus.class, r.getString("status")),
        r.getInteger("rules_done"), rules.length, r.getInteger("findings_new"), r.getInteger("findings_seen"),
        r.getString("error"), r.getString("started_by"), r.getOffsetDateTime("started_at").toString(),
        r.getOffsetDateTime("finished_at") == null ? null : r.getOffsetDateTime("finished_at").toString());
  }
}

package io.nexus.vision;

import io.nexus.contracts.Codec;
import io.nexus.contracts.Empty;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.Wire;
import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.financial.Financial.EntryReversed;
import io.nexus.contracts.financial.Financial.EntrySearch;
import io.nexus.contracts.financial.Financial.EntryView;
import io.nexus.contracts.financial.Financial.ExternalFinding;
import io.nexus.contracts.financial.Financial.Line;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.financial.Financial.RuleSettings;
import io.nexus.contracts.vision.Vision;
import io.nexus.contracts.vision.Vision.DocumentAnalysed;
import io.nexus.contracts.vision.Vision.DocumentStatus;
import io.nexus.contracts.vision.Vision.MatchFound;
import io.nexus.contracts.vision.Vision.ReconciliationRef;
import io.nexus.contracts.vision.Vision.ReconciliationStatus;
import io.nexus.contracts.vision.Vision.ReconciliationView;
import io.nexus.contracts.vision.Vision.RuleCount;
import io.nexus.contracts.vision.Vision.StartReconciliation;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.bus.ServiceClient;
import io.nexus.kernel.events.DurableSubscription;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.nexus.kernel.events.RecordedEvent;
import io.nexus.vision.recon.ReconFindings;
import io.nexus.vision.recon.Reconciler;
import io.nexus.vision.recon.Reconciler.Doc;
import io.nexus.vision.recon.Reconciler.DuplicatePair;
import io.nexus.vision.recon.Reconciler.Entry;
import io.nexus.vision.recon.Reconciler.Match;
import io.nexus.vision.recon.Reconciler.Outcome;
import io.nexus.vision.recon.Reconciler.Settings;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciliation of documents with the ledger entries that pay them, two ways over the same
 * {@link Reconciler}:
 *
 * <ul>
 *   <li>as a job over a ledger and a period ({@link Vision#START_RECONCILIATION}): every entry of the
 *       period and its window read from Financial (imports too), every analysed document of the
 *       ledger, matched afresh; all five kinds of finding, absences included;</li>
 *   <li>incrementally, as a durable subscription to the log: an analysed document is matched against
 *       the entries around its date, a posted entry against the unmatched documents around its
 *       date; what they find present (a match, an amount that differs, a changed IBAN, a receipt
 *       claimed twice) follows at once; absences only from a job, which sees the whole period.</li>
 * </ul>
 *
 * Matches, their {@code vision.match-found} events and the findings (into the outbox, sent to
 * Financial by {@link FindingOutbox}) are written in one transaction under the ledger's lock.
 */
final class Reconciliations implements DurableSubscription.Handler {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciliations.class);
  /** The durable subscription that matches as documents and entries arrive. */
  static final String SUBSCRIPTION = "vision.reconcile";
  /** The longest period a job reconciles. */
  static final int MAX_PERIOD_DAYS = 3660;
  private static final int SEARCH_PAGE = 500;
  private static final long SETTINGS_FRESH_MS = 30_000;
  private static final Settings DEFAULTS = new Settings(new BigDecimal(Financial.DOCUMENT_REQUIRED_ABOVE),
      Financial.DOCUMENT_WINDOW_DAYS);
  private static final String VIEW_COLUMNS = "id, ledger_id, period_from, period_to, status, documents, entries, matched, findings, "
      + "error, started_by, started_at, finished_at";

  private final Pool pool;
  private final EventStore events;
  private final ServiceClient financial;
  private final WorkerExecutor workers;
  private final Runnable findingsQueued;
  private final Map<UUID, CachedSettings> settings = new ConcurrentHashMap<>();

  private record CachedSettings(Settings settings, long at) {}

  Reconciliations(Pool pool, EventStore events, ServiceClient financial, WorkerExecutor workers, Runnable findingsQueued) {
    this.pool = pool;
    this.events = events;
    this.financial = financial;
    this.workers = workers;
    this.findingsQueued = findingsQueued;
  }

  /** The call this service makes in an organisation on its own account. */
  static Call asService(UUID org) {
    return Call.system().as(Principal.service(VisionVerticle.SERVICE, org.toString(), Role.EXAMINER));
  }

  // ---- the job ----

  Future<ReconciliationView> start(StartReconciliation req, Call call) {
    Principal p = call.requirePrincipal();
    LocalDate from = LocalDate.parse(req.from());
    LocalDate to = LocalDate.parse(req.to());
    if (to.isBefore(from)) {
      return Future.failedFuture(BusFailure.badRequest("to: " + req.to() + " is before from " + req.from()));
    }
    if (ChronoUnit.DAYS.between(from, to) >= MAX_PERIOD_DAYS) {
      return Future.failedFuture(BusFailure.badRequest("to: a period is at most " + MAX_PERIOD_DAYS + " days"));
    }
    UUID org = UUID.fromString(p.org());
    UUID id = UUID.randomUUID();
    return Documents.ledgerKnown(financial, req.ledgerId(), call)
        .compose(ledger -> pool.preparedQuery("INSERT INTO reconciliations (id, org, ledger_id, period_from, period_to, status, "
                + "started_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING " + VIEW_COLUMNS)
            .execute(Tuple.from(Arrays.asList(id, org, ledger, from, to, ReconciliationStatus.RUNNING.wire(), p.subject())))
            .map(rows -> {
              run(id, org, ledger, from, to);
              return view(rows.iterator().next());
            }));
  }

  Future<ReconciliationView> get(ReconciliationRef req, Call call) {
    UUID org = UUID.fromString(call.requirePrincipal().org());
    UUID id = Documents.uuid(req.reconciliationId());
    UUID ledger = Documents.uuid(req.ledgerId());
    if (id == null || ledger == null) {
      return Future.failedFuture(BusFailure.notFound("no reconciliation " + req.reconciliationId()));
    }
    return pool.preparedQuery("SELECT " + VIEW_COLUMNS + " FROM reconciliations WHERE id = $1 AND org = $2 AND ledger_id = $3")
        .execute(Tuple.of(id, org, ledger))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(BusFailure.notFound("no reconciliation " + req.reconciliationId()))
            : Future.succeededFuture(view(rows.iterator().next())));
  }

  /** Marks jobs that never ended (their instance stopped) as failed. */
  Future<Void> sweep(long staleAfterMs) {
    return pool.preparedQuery("UPDATE reconciliations SET status = $1, error = $2, finished_at = now() WHERE status = $3 "
            + "AND started_at < now() - $4::bigint * interval '1 millisecond'")
        .execute(Tuple.of(ReconciliationStatus.FAILED.wire(), "the instance running it stopped; start it again",
            ReconciliationStatus.RUNNING.wire(), staleAfterMs))
        .mapEmpty();
  }

  private void run(UUID id, UUID org, UUID ledger, LocalDate from, LocalDate to) {
    long started = System.nanoTime();
    settings(org)
        .compose(s -> readEntries(org, ledger, from.minusDays(s.windowDays()), to.plusDays(s.windowDays()), null, 0)
            .compose(read -> pool.withTransaction(tx -> lockLedger(tx, ledger)
                .compose(v -> reconcile(tx, org, ledger, from, to, s, id)))))
        .onSuccess(v -> {
          LOG.info("reconciliation done [ledger: {}, reconciliation: {}, ms: {}]", ledger, id, (System.nanoTime() - started) / 1_000_000);
          findingsQueued.run();
        })
        .onFailure(err -> {
          LOG.warn("reconciliation failed [ledger: {}, reconciliation: {}]: {}", ledger, id, err.toString());
          String why = err instanceof BusFailure f ? f.getMessage() : "the reconciliation failed on the server ("
              + err.getClass().getSimpleName() + ")";
          pool.withTransaction(tx -> tx.preparedQuery("UPDATE reconciliations SET status = $2, error = $3, finished_at = now() "
                  + "WHERE id = $1 RETURNING " + VIEW_COLUMNS)
              .execute(Tuple.of(id, ReconciliationStatus.FAILED.wire(), why))
              .compose(rows -> ended(tx, org, rows.iterator().next())))
              .onFailure(e -> LOG.error("a reconciliation's failure was not recorded [reconciliation: {}]", id, e));
        });
  }

  /** Financial's entries of the ledger booked in [from, to], a page at a time, into this service's {@code entries}. */
  private Future<Integer> readEntries(UUID org, UUID ledger, LocalDate from, LocalDate to, String cursor, int read) {
    var search = new EntrySearch(ledger.toString(), null, null, null, null, from.toString(), to.toString(), null, SEARCH_PAGE,
        cursor);
    return financial.request(Financial.SEARCH_ENTRIES, search, asService(org))
        .compose(page -> upsert(pool, org, page.entries()).map(page))
        .compose(page -> page.next() == null ? Future.succeededFuture(read + page.entries().size())
            : readEntries(org, ledger, from, to, page.next(), read + page.entries().size()));
  }

  private static Future<Void> upsert(io.vertx.sqlclient.SqlClient c, UUID org, List<EntryView> entries) {
    if (entries.isEmpty()) {
      return Future.succeededFuture();
    }
    var batch = new ArrayList<Tuple>();
    for (EntryView e : entries) {
      BigDecimal amount = BigDecimal.ZERO;
      for (Line l : e.lines()) {
        if (l.debit() != null) {
          amount = amount.add(new BigDecimal(l.debit()));
        }
      }
      batch.add(Tuple.from(Arrays.asList(UUID.fromString(e.id()), org, UUID.fromString(e.ledgerId()), LocalDate.parse(e.bookingDate()),
          amount, e.lines().get(0).currency(), e.counterparty(), e.documentNumber(), e.reverses() != null || e.reversedBy() != null)));
    }
    return c.preparedQuery("INSERT INTO entries (entry_id, org, ledger_id, booking_date, amount, currency, counterparty, document_no, "
            + "reversed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (entry_id) DO UPDATE SET reversed = entries.reversed "
            + "OR EXCLUDED.reversed")
        .executeBatch(batch).mapEmpty();
  }

  /** The job's work in its transaction: read, match on a worker, store, end. */
  private Future<Void> reconcile(SqlConnection tx, UUID org, UUID ledger, LocalDate from, LocalDate to, Settings s, UUID job) {
    LocalDate first = from.minusDays(s.windowDays());
    LocalDate last = to.plusDays(s.windowDays());
    return docs(tx, org, ledger, "coalesce(d.doc_date, d.received_at::date) BETWEEN $3 AND $4", Tuple.of(org, ledger, first, last),
            from, to)
        .compose(docs -> entries(tx, org, ledger, first, last, from, to, false).compose(entries -> existing(tx, ledger, docs, entries)
            .compose(fixed -> {
              // a match with one side outside what was read stands; both sides inside are decided again
              var freeDocs = docs.stream().filter(d -> !fixed.docs().contains(d.id())).toList();
              var freeEntries = entries.stream().filter(e -> !fixed.entries().contains(e.id())).toList();
              return duplicates(tx, docs.stream().map(d -> UUID.fromString(d.id())).toList()).compose(pairs -> vendorIbans(tx, org, ledger, docs)
                  .compose(ibans -> workers.<Outcome>executeBlocking(() -> Reconciler.reconcile(freeDocs, freeEntries, pairs, ibans, s),
                      false))
                  .compose(o -> store(tx, org, ledger, o, freeDocs, fixed.previous(), false)
                      .compose(findings -> {
                        var counts = new TreeMap<RuleId, Integer>();
                        findings.forEach(f -> counts.merge(f.rule(), 1, Integer::sum));
                        var byRule = new JsonArray();
                        counts.forEach((rule, n) -> byRule.add(Codec.toJson(new RuleCount(rule, n))));
                        int inPeriod = (int) docs.stream().filter(Doc::inPeriod).count();
                        return tx.preparedQuery("UPDATE reconciliations SET status = $2, documents = $3, entries = $4, matched = $5, "
                                + "findings = $6, finished_at = now() WHERE id = $1 RETURNING " + VIEW_COLUMNS)
                            .execute(Tuple.of(job, ReconciliationStatus.COMPLETED.wire(), inPeriod,
                                (int) entries.stream().filter(Entry::inPeriod).count(), o.matches().size() + fixed.docs().size(), byRule))
                            .compose(rows -> ended(tx, org, rows.iterator().next()));
                      })));
            })));
  }

  private Future<Void> ended(SqlConnection tx, UUID org, Row row) {
    ReconciliationView v = view(row);
    return events.append(tx, Vision.RECONCILIATION_ENDED.stream(UUID.fromString(v.id())), EventStore.ANY,
        List.of(NewEvent.of(Vision.RECONCILIATION_ENDED, v)), asService(org)).mapEmpty();
  }

  // ---- incrementally, from the log ----

  @Override
  public Future<Void> apply(RecordedEvent e, SqlConnection tx) {
    UUID org = e.org();
    if (org == null) {
      return Future.succeededFuture();
    }
    if (e.is(Financial.ENTRY_POSTED)) {
      EntryView v = e.payload(Financial.ENTRY_POSTED);
      UUID ledger = UUID.fromString(v.ledgerId());
      if (v.reverses() != null) {
        // a reversal pays nothing: the entry it reverses loses its match, and it is kept as reversed itself
        return reversed(tx, UUID.fromString(v.reverses())).compose(x -> upsert(tx, org, List.of(v)));
      }
      LocalDate day = LocalDate.parse(v.bookingDate());
      return upsert(tx, org, List.of(v)).compose(x -> settings(org))
          .compose(s -> lockLedger(tx, ledger).compose(x -> around(tx, org, ledger, day, day, s, null)));
    }
    if (e.is(Financial.ENTRY_REVERSED)) {
      return reversed(tx, UUID.fromString(e.payload(Financial.ENTRY_REVERSED).entryId()));
    }
    if (e.is(Vision.DOCUMENT_ANALYSED)) {
      DocumentAnalysed v = e.payload(Vision.DOCUMENT_ANALYSED);
      if (v.status() != DocumentStatus.ANALYSED || v.ledgerId() == null) {
        return Future.succeededFuture();
      }
      UUID ledger = UUID.fromString(v.ledgerId());
      UUID doc = UUID.fromString(v.documentId());
      return settings(org).compose(s -> lockLedger(tx, ledger).compose(x -> tx.preparedQuery("SELECT doc_date, received_at::date "
              + "AS received FROM documents WHERE id = $1").execute(Tuple.of(doc)))
          .compose(rows -> {
            if (rows.size() == 0) {
              return Future.succeededFuture();
            }
            Row r = rows.iterator().next();
            LocalDate date = r.getLocalDate("doc_date");
            return around(tx, org, ledger, date, date != null ? date : r.getLocalDate("received"), s, doc);
          }));
    }
    return Future.succeededFuture();
  }

  private static Future<Void> reversed(SqlConnection tx, UUID entry) {
    return tx.preparedQuery("UPDATE entries SET reversed = true WHERE entry_id = $1").execute(Tuple.of(entry))
        .compose(x -> tx.preparedQuery("DELETE FROM matches WHERE entry_id = $1").execute(Tuple.of(entry))).mapEmpty();
  }

  /**
   * Matches the unmatched documents and entries around a day (the window each side; entries twice
   * the window, so a document at its edge finds them); {@code doc}: the document just analysed,
   * whose duplicates and IBAN are checked too. A document without a date is matched alone, on its
   * number, against the entries of the year around its upload ({@code centre}).
   */
  private Future<Void> around(SqlConnection tx, UUID org, UUID ledger, LocalDate day, LocalDate centre, Settings s, UUID doc) {
    String where = "NOT EXISTS (SELECT 1 FROM matches m WHERE m.document_id = d.id) AND "
        + (day == null ? "d.id = $3" : "(d.doc_date BETWEEN $3 AND $4" + (doc == null ? ")" : " OR d.id = $5)"));
    var args = day == null ? Tuple.of(org, ledger, doc) : doc == null ? Tuple.of(org, ledger, day.minusDays(s.windowDays()),
        day.plusDays(s.windowDays())) : Tuple.of(org, ledger, day.minusDays(s.windowDays()), day.plusDays(s.windowDays()), doc);
    String self = doc == null ? null : doc.toString();
    int reach = day == null ? 366 : 2 * s.windowDays();
    return docs(tx, org, ledger, where, args, null, null)
        .map(docs -> docs.stream().map(d -> new Doc(d.id(), d.date(), d.total(), d.currency(), d.vendor(), d.iban(), d.invoiceNumber(),
            d.codeIban(), d.id().equals(self))).toList())
        .compose(docs -> docs.isEmpty() ? Future.succeededFuture()
            : entries(tx, org, ledger, centre.minusDays(reach), centre.plusDays(reach), null, null, true)
                .compose(entries -> (doc == null ? Future.succeededFuture(List.<DuplicatePair>of()) : duplicates(tx, List.of(doc)))
                    .compose(pairs -> (doc == null ? Future.succeededFuture(Map.<String, List<String>>of())
                        : vendorIbans(tx, org, ledger, docs))
                        .compose(ibans -> workers.<Outcome>executeBlocking(() -> Reconciler.reconcile(docs, entries, pairs, ibans, s),
                            false))
                        .compose(o -> store(tx, org, ledger, o, List.of(), Map.of(), true))))
                .mapEmpty());
  }

  // ---- reading and storing ----

  /** The ledger's analysed documents matching {@code where} ($1 org, $2 ledger); in the period when {@code from} is given. */
  private static Future<List<Doc>> docs(SqlConnection tx, UUID org, UUID ledger, String where, Tuple args, LocalDate from,
      LocalDate to) {
    return tx.preparedQuery("SELECT d.id, d.doc_date, d.total, d.currency, d.vendor, d.iban, d.invoice_no, "
            + "coalesce(d.doc_date, d.received_at::date) AS day, (SELECT x ->> 'code' FROM jsonb_array_elements(d.analysis -> "
            + "'disagreements') x WHERE x ->> 'field' = 'iban' LIMIT 1) AS code_iban FROM documents d WHERE d.org = $1 "
            + "AND d.ledger_id = $2 AND d.status = " + DocumentStatus.ANALYSED.sql() + " AND " + where + " ORDER BY d.seq")
        .execute(args)
        .map(rows -> {
          var out = new ArrayList<Doc>();
          for (Row r : rows) {
            LocalDate day = r.getLocalDate("day");
            out.add(new Doc(r.getUUID("id").toString(), r.getLocalDate("doc_date"), r.getBigDecimal("total"), r.getString("currency"),
                r.getString("vendor"), r.getString("iban"), r.getString("invoice_no"), r.getString("code_iban"),
                from == null || !day.isBefore(from) && !day.isAfter(to)));
          }
          return out;
        });
  }

  /**
   * The ledger's entries booked in [first, last], not reversed (and not matched, with {@code unmatchedOnly}); each in the
   * period [from, to], or all of them when {@code from} is null.
   */
  private static Future<List<Entry>> entries(SqlConnection tx, UUID org, UUID ledger, LocalDate first, LocalDate last,
      LocalDate from, LocalDate to, boolean unmatchedOnly) {
    return tx.preparedQuery("SELECT e.entry_id, e.booking_date, e.amount, e.currency, e.counterparty, e.document_no FROM entries e "
            + "WHERE e.org = $1 AND e.ledger_id = $2 AND e.booking_date BETWEEN $3 AND $4 AND NOT e.reversed"
            + (unmatchedOnly ? " AND NOT EXISTS (SELECT 1 FROM matches m WHERE m.entry_id = e.entry_id)" : "")
            + " ORDER BY e.booking_date, e.entry_id")
        .execute(Tuple.of(org, ledger, first, last))
        .map(rows -> {
          var out = new ArrayList<Entry>();
          for (Row r : rows) {
            LocalDate d = r.getLocalDate("booking_date");
            out.add(new Entry(r.getUUID("entry_id").toString(), d, r.getBigDecimal("amount"), r.getString("currency"),
                r.getString("counterparty"), r.getString("document_no"), from == null || !d.isBefore(from) && !d.isAfter(to)));
          }
          return out;
        });
  }

  /** Matches already stored that touch what was read: decided again when both sides were read, else fixed. */
  private record Existing(Set<String> docs, Set<String> entries, Map<String, String> previous) {}

  private static Future<Existing> existing(SqlConnection tx, UUID ledger, List<Doc> docs, List<Entry> entries) {
    var docIds = docs.stream().map(d -> UUID.fromString(d.id())).toArray(UUID[]::new);
    var entryIds = entries.stream().map(e -> UUID.fromString(e.id())).toArray(UUID[]::new);
    var readDocs = new HashSet<String>();
    docs.forEach(d -> readDocs.add(d.id()));
    var readEntries = new HashSet<String>();
    entries.forEach(e -> readEntries.add(e.id()));
    return tx.preparedQuery("SELECT document_id, entry_id FROM matches WHERE ledger_id = $1 AND (document_id = ANY($2) "
            + "OR entry_id = ANY($3))").execute(Tuple.of(ledger, docIds, (Object) entryIds))
        .map(rows -> {
          var fixedDocs = new HashSet<String>();
          var fixedEntries = new HashSet<String>();
          var previous = new HashMap<String, String>();
          for (Row r : rows) {
            String d = r.getUUID("document_id").toString();
            String e = r.getUUID("entry_id").toString();
            if (readDocs.contains(d) && readEntries.contains(e)) {
              previous.put(d, e);
            } else {
              fixedDocs.add(d);
              fixedEntries.add(e);
            }
          }
          return new Existing(fixedDocs, fixedEntries, previous);
        });
  }

  /** The pairs of the same receipt that involve these documents (the other in the same ledger), with the entries paying each. */
  private static Future<List<DuplicatePair>> duplicates(SqlConnection tx, List<UUID> docs) {
    var ids = docs.toArray(UUID[]::new);
    return tx.preparedQuery("SELECT u.document_id, u.other_id, u.distance, ma.entry_id AS first_entry, mb.entry_id AS second_entry "
            + "FROM duplicates u JOIN documents a ON a.id = u.document_id JOIN documents b ON b.id = u.other_id "
            + "LEFT JOIN matches ma ON ma.document_id = u.document_id LEFT JOIN matches mb ON mb.document_id = u.other_id "
            + "WHERE u.document_id < u.other_id AND (u.document_id = ANY($1) OR u.other_id = ANY($1)) AND a.ledger_id = b.ledger_id "
            + "AND a.status = " + DocumentStatus.ANALYSED.sql() + " AND b.status = " + DocumentStatus.ANALYSED.sql())
        .execute(Tuple.of((Object) ids))
        .map(rows -> {
          var out = new ArrayList<DuplicatePair>();
          rows.forEach(r -> out.add(new DuplicatePair(r.getUUID("document_id").toString(), r.getUUID("other_id").toString(),
              r.getInteger("distance"), str(r.getUUID("first_entry")), str(r.getUUID("second_entry")))));
          return out;
        });
  }

  private static String str(UUID id) {
    return id == null ? null : id.toString();
  }

  /** The IBANs the ledger's other documents name, per vendor (normalised). */
  private static Future<Map<String, List<String>>> vendorIbans(SqlConnection tx, UUID org, UUID ledger, List<Doc> docs) {
    var ids = docs.stream().map(d -> UUID.fromString(d.id())).toArray(UUID[]::new);
    return tx.preparedQuery("SELECT vendor, iban FROM documents WHERE org = $1 AND ledger_id = $2 AND status = "
            + DocumentStatus.ANALYSED.sql() + " AND iban IS NOT NULL AND vendor IS NOT NULL AND NOT (id = ANY($3)) "
            + "ORDER BY seq DESC LIMIT 5000")
        .execute(Tuple.of(org, ledger, ids))
        .map(rows -> {
          var out = new HashMap<String, List<String>>();
          rows.forEach(r -> out.computeIfAbsent(Reconciler.normalise(r.getString("vendor")), k -> new ArrayList<>())
              .add(r.getString("iban")));
          return out;
        });
  }

  /**
   * Stores an outcome: the matches of {@code decided} documents replaced by the new ones (a
   * {@code vision.match-found} for each that is new), its findings into the outbox. Returns them.
   */
  private Future<List<ExternalFinding>> store(SqlConnection tx, UUID org, UUID ledger, Outcome o, List<Doc> decided,
      Map<String, String> previous, boolean positiveOnly) {
    var findings = ReconFindings.of(o, positiveOnly);
    UUID[] cleared = decided.stream().map(d -> UUID.fromString(d.id())).toArray(UUID[]::new);
    Future<?> chain = cleared.length == 0 ? Future.succeededFuture()
        : tx.preparedQuery("DELETE FROM matches WHERE document_id = ANY($1)").execute(Tuple.of((Object) cleared));
    if (!o.matches().isEmpty()) {
      var batch = new ArrayList<Tuple>();
      for (Match m : o.matches()) {
        batch.add(Tuple.from(Arrays.asList(UUID.fromString(m.doc().id()), UUID.fromString(m.entry().id()), org, ledger, m.score(),
            m.difference())));
      }
      chain = chain.compose(x -> tx.preparedQuery("INSERT INTO matches (document_id, entry_id, org, ledger_id, score, difference) "
          + "VALUES ($1, $2, $3, $4, $5, $6)").executeBatch(batch));
      for (Match m : o.matches()) {
        if (m.entry().id().equals(previous.get(m.doc().id()))) {
          continue;
        }
        var found = new MatchFound(m.doc().id(), ledger.toString(), m.entry().id(), m.score(),
            m.difference() == null ? null : m.difference().toPlainString());
        chain = chain.compose(x -> events.append(tx, Vision.MATCH_FOUND.stream(UUID.fromString(m.doc().id())), EventStore.ANY,
            List.of(NewEvent.of(Vision.MATCH_FOUND, found)), asService(org)));
      }
    }
    if (!findings.isEmpty()) {
      var batch = new ArrayList<Tuple>();
      findings.forEach(f -> batch.add(Tuple.of(org, ledger, Codec.toJson(f))));
      chain = chain.compose(x -> tx.preparedQuery("INSERT INTO finding_outbox (org, ledger_id, finding) VALUES ($1, $2, $3)")
          .executeBatch(batch));
    }
    return chain.map(x -> {
      if (positiveOnly && !findings.isEmpty()) {
        findingsQueued.run();
      }
      return findings;
    });
  }

  private static Future<?> lockLedger(SqlConnection tx, UUID ledger) {
    return tx.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended('vision-reconcile:' || $1::uuid::text, 0))")
        .execute(Tuple.of(ledger));
  }

  /**
   * The organisation's window and threshold, from Financial's rule settings (kept for
   * {@value #SETTINGS_FRESH_MS} ms); while Financial cannot answer, the last known, else the defaults.
   */
  private Future<Settings> settings(UUID org) {
    CachedSettings c = settings.get(org);
    if (c != null && System.currentTimeMillis() - c.at() < SETTINGS_FRESH_MS) {
      return Future.succeededFuture(c.settings());
    }
    return financial.request(Financial.GET_RULE_SETTINGS, Empty.INSTANCE, asService(org))
        .map(r -> {
          var s = new Settings(r.documentRequiredAbove() == null ? DEFAULTS.documentRequiredAbove() : new BigDecimal(r.documentRequiredAbove()),
              r.documentWindowDays() == null ? DEFAULTS.windowDays() : r.documentWindowDays());
          settings.put(org, new CachedSettings(s, System.currentTimeMillis()));
          return s;
        })
        .recover(err -> {
          LOG.warn("rule settings unavailable, reconciling with {} [org: {}]: {}", c == null ? "the defaults" : "the last known", org,
              err.getMessage());
          return Future.succeededFuture(c == null ? DEFAULTS : c.settings());
        });
  }

  static ReconciliationView view(Row r) {
    var counts = new ArrayList<RuleCount>();
    Object f = r.getValue("findings");
    if (f instanceof JsonArray a) {
      a.forEach(o -> counts.add(Codec.fromJson((io.vertx.core.json.JsonObject) o, RuleCount.class)));
    }
    return new ReconciliationView(r.getUUID("id").toString(), r.getUUID("ledger_id").toString(), r.getLocalDate("period_from").toString(),
        r.getLocalDate("period_to").toString(), Wire.parse(ReconciliationStatus.class, r.getString("status")), r.getInteger("documents"),
        r.getInteger("entries"), r.getInteger("matched"), counts, r.getString("error"), r.getString("started_by"),
        r.getOffsetDateTime("started_at").toString(), r.getOffsetDateTime("finished_at") == null ? null
        : r.getOffsetDateTime("finished_at").toString());
  }
}

package io.nexus.vision;

import io.nexus.contracts.Codec;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.Wire;
import io.nexus.contracts.vision.Vision;
import io.nexus.contracts.vision.Vision.DocumentAnalysed;
import io.nexus.contracts.vision.Vision.DocumentProgress;
import io.nexus.contracts.vision.Vision.DocumentStatus;
import io.nexus.contracts.vision.Vision.DuplicateView;
import io.nexus.contracts.vision.Vision.KeyFields;
import io.nexus.contracts.vision.Vision.MediaType;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.NewEvent;
import io.nexus.vision.pages.Pages;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analysis queue: every instance claims queued documents from PostgreSQL ({@code FOR UPDATE
 * SKIP LOCKED}, so two never take the same), as many at once as it has analysis threads,
 * analyses each on its workers, and stores the outcome, its duplicates and its event in one
 * transaction fenced by the claim (a document taken over after its instance went silent is not
 * stored twice). A document whose instance stopped mid-analysis is taken again after
 * {@code staleAfter}; after {@link #MAX_ATTEMPTS} it is failed, so no file can stall the queue.
 */
final class AnalysisWork {
  private static final Logger LOG = LoggerFactory.getLogger(AnalysisWork.class);
  static final int MAX_ATTEMPTS = 3;
  static final String SERVICE_NAME = "vision";
  private static final int CANDIDATES = 1000;

  private final Vertx vertx;
  private final Pool pool;
  private final EventStore events;
  private final Analyser analyser;
  private final WorkerExecutor workers;
  private final int slots;
  private final long staleAfterMs;
  private int inFlight;
  private boolean claiming;
  private boolean again;
  private long timer = -1;
  private volatile boolean stopped;

  AnalysisWork(Vertx vertx, Pool pool, EventStore events, Analyser analyser, WorkerExecutor workers, int slots, long staleAfterMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.events = events;
    this.analyser = analyser;
    this.workers = workers;
    this.slots = slots;
    this.staleAfterMs = staleAfterMs;
  }

  void start(long periodMs) {
    timer = vertx.setPeriodic(periodMs, t -> wake());
  }

  void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Claims what there is room for; called on the period and when a document was queued (from any thread). */
  void wake() {
    vertx.runOnContext(v -> claim());
  }

  private void claim() {
    if (stopped || inFlight >= slots) {
      return;
    }
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    pool.preparedQuery("UPDATE documents SET status = " + DocumentStatus.ANALYSING.sql() + ", claimed_at = now(), "
            + "attempts = attempts + 1 WHERE id = (SELECT id FROM documents WHERE status = " + DocumentStatus.RECEIVED.sql()
            + " OR status = " + DocumentStatus.ANALYSING.sql() + " AND claimed_at < now() - $1::bigint * interval '1 millisecond' ORDER BY seq "
            + "FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING id, org, ledger_id, media_type, sha256, attempts")
        .execute(Tuple.of(staleAfterMs))
        .onComplete(ar -> {
          claiming = false;
          if (ar.succeeded() && ar.result().size() > 0) {
            inFlight++;
            Row r = ar.result().iterator().next();
            analyse(new Claim(r.getUUID("id"), r.getUUID("org"), r.getUUID("ledger_id"),
                Wire.parse(MediaType.class, r.getString("media_type")), r.getString("sha256"), r.getInteger("attempts")))
                .onComplete(done -> {
                  inFlight--;
                  claim();
                });
            claim();
          } else {
            if (ar.failed() && !stopped) {
              LOG.warn("claiming a document failed [reason: {}]", ar.cause().getMessage());
            }
            if (again) {
              again = false;
              claim();
            }
          }
        });
  }

  /** A document this instance claimed, and the attempt that fences what it stores. */
  private record Claim(UUID id, UUID org, UUID ledger, MediaType type, String sha256, int attempt) {
    String progressAddress() {
      return Vision.documentProgress(org.toString(), id.toString());
    }

    Call call() {
      return Call.system().as(Principal.service(SERVICE_NAME, org.toString(), Role.ANALYST));
    }
  }

  private Future<Void> analyse(Claim c) {
    long started = System.nanoTime();
    if (c.attempt() > MAX_ATTEMPTS) {
      return fail(c, "the analysis was started " + MAX_ATTEMPTS + " times and never finished (the instance analysing it "
          + "stopped each time); it is not tried again");
    }
    progress(c, DocumentStatus.ANALYSING, "queued", 0, 0);
    return pool.preparedQuery("SELECT bytes FROM contents WHERE org = $1 AND sha256 = $2").execute(Tuple.of(c.org(), c.sha256()))
        .map(rows -> rows.iterator().next().getBuffer("bytes").getBytes())
        .compose(bytes -> workers.<Analyser.Analysis>executeBlocking(() -> analyser.analyse(bytes, c.type(),
            (stage, page, pages) -> progress(c, DocumentStatus.ANALYSING, stage, page, pages)), false))
        .compose(a -> finish(c, a))
        .onSuccess(v -> LOG.info("document analysed [document: {}, ms: {}]", c.id(), (System.nanoTime() - started) / 1_000_000))
        .recover(err -> {
          if (err instanceof Pages.Unreadable u) {
            return fail(c, u.getMessage());
          }
          LOG.error("analysis failed [document: {}]", c.id(), err);
          return fail(c, "the analysis failed on the server (" + err.getClass().getSimpleName() + ")");
        });
  }

  /** Stores the analysis, the duplicates found against the organisation's analysed documents, and the event. */
  private Future<Void> finish(Claim c, Analyser.Analysis a) {
    progress(c, DocumentStatus.ANALYSING, "duplicates", a.pages(), a.pages());
    KeyFields f = a.fields();
    var self = Duplicates.Candidate.of(c.id().toString(), a.phash(), a.dhash(), f);
    BigDecimal total = self.total();
    LocalDate date = self.date();
    String number = self.invoiceNumber();
    return pool.withTransaction(tx -> lockOrg(tx, c.org())
            .compose(v -> tx.preparedQuery("SELECT id, phash, dhash, total, doc_date, invoice_no FROM documents WHERE org = $1 "
                    + "AND id <> $2 AND status = " + DocumentStatus.ANALYSED.sql() + " AND (sha256 = $3 OR total = $4 "
                    + "OR invoice_no = $5 OR length(replace((($6::bigint # dhash)::bit(64))::text, '0', '')) <= $7) "
                    + "ORDER BY seq DESC LIMIT " + CANDIDATES)
                .execute(Tuple.from(Arrays.asList(c.org(), c.id(), c.sha256(), total, number, a.dhash(), Duplicates.PREFILTER_BITS))))
            .compose(rows -> {
              var duplicates = new ArrayList<DuplicateView>();
              for (Row r : rows) {
                var other = new Duplicates.Candidate(r.getUUID("id").toString(), r.getLong("phash"), r.getLong("dhash"),
                    r.getBigDecimal("total"), r.getLocalDate("doc_date"), r.getString("invoice_no"));
                int d = Duplicates.same(self, other);
                if (d >= 0) {
                  duplicates.add(new DuplicateView(other.id(), d));
                }
              }
              return tx.preparedQuery("UPDATE documents SET status = " + DocumentStatus.ANALYSED.sql() + ", error = $3, pages = $4, "
                      + "page_count = $5, analysis = $6, phash = $7, dhash = $8, total = $9, doc_date = $10, invoice_no = $11, "
                      + "vendor = $12, iban = $13, currency = $14, analysed_at = now() WHERE id = $1 AND attempts = $2 AND status = "
                      + DocumentStatus.ANALYSING.sql())
                  .execute(Tuple.from(Arrays.asList(c.id(), c.attempt(), a.notes().isEmpty() ? null : String.join("; ", a.notes()),
                      a.pages(), a.pageCount(), Codec.toJson(Stored.of(a)), a.phash(), a.dhash(), total, date, number,
                      value(f.vendor()), value(f.iban()), value(f.currency()))))
                  .<Void>compose(updated -> {
                    if (updated.rowCount() == 0) {
                      return Future.succeededFuture(); // another instance took it over: its outcome stands
                    }
                    return pairs(tx, c.id(), duplicates)
                        .compose(x -> events.append(tx, Vision.DOCUMENT_ANALYSED.stream(c.id()), EventStore.ANY,
                            List.of(NewEvent.of(Vision.DOCUMENT_ANALYSED, new DocumentAnalysed(c.id().toString(),
                                c.ledger() == null ? null : c.ledger().toString(), DocumentStatus.ANALYSED,
                                a.notes().isEmpty() ? null : String.join("; ", a.notes()), a.pages(), a.codes().size(), f,
                                duplicates))), c.call()))
                        .<Void>mapEmpty();
                  });
            }))
        .onSuccess(v -> progress(c, DocumentStatus.ANALYSED, "done", a.pages(), a.pages()));
  }

  private static String value(Vision.Field f) {
    return f == null ? null : f.value();
  }

  private static Future<?> pairs(SqlConnection tx, UUID id, List<DuplicateView> duplicates) {
    if (duplicates.isEmpty()) {
      return Future.succeededFuture();
    }
    var batch = new ArrayList<Tuple>();
    for (DuplicateView d : duplicates) {
      UUID other = UUID.fromString(d.id());
      batch.add(Tuple.of(id, other, d.distance()));
      batch.add(Tuple.of(other, id, d.distance()));
    }
    return tx.preparedQuery("INSERT INTO duplicates (document_id, other_id, distance) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
        .executeBatch(batch);
  }

  private Future<Void> fail(Claim c, String why) {
    return pool.withTransaction(tx -> tx.preparedQuery("UPDATE documents SET status = " + DocumentStatus.FAILED.sql()
                + ", error = $3, analysed_at = now() WHERE id = $1 AND attempts = $2 AND status = " + DocumentStatus.ANALYSING.sql())
            .execute(Tuple.of(c.id(), c.attempt(), why))
            .compose(updated -> updated.rowCount() == 0 ? Future.succeededFuture()
                : events.append(tx, Vision.DOCUMENT_ANALYSED.stream(c.id()), EventStore.ANY,
                    List.of(NewEvent.of(Vision.DOCUMENT_ANALYSED, new DocumentAnalysed(c.id().toString(),
                        c.ledger() == null ? null : c.ledger().toString(), DocumentStatus.FAILED, why, 0, 0,
                        Stored.NONE.fields(), List.of()))), c.call()).mapEmpty()))
        .onSuccess(v -> {
          LOG.info("document failed [document: {}, reason: {}]", c.id(), why);
          progress(c, DocumentStatus.FAILED, "failed", 0, 0);
        })
        .onFailure(err -> LOG.error("a document's failure was not recorded [document: {}]", c.id(), err))
        .mapEmpty();
  }

  private static Future<?> lockOrg(SqlConnection tx, UUID org) {
    return tx.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended('vision-duplicates:' || $1::uuid::text, 0))")
        .execute(Tuple.of(org));
  }

  private void progress(Claim c, DocumentStatus status, String stage, int page, int pages) {
    vertx.eventBus().publish(c.progressAddress(), Codec.toJson(new DocumentProgress(c.id().toString(), status, stage, page, pages)));
  }
}

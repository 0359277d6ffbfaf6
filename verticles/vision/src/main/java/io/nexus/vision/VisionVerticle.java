package io.nexus.vision;

import io.nexus.contracts.vision.Vision;
import io.nexus.kernel.breaker.Breakers;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.bus.ServiceClient;
import io.nexus.kernel.db.Database;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.discovery.ServiceInstance;
import io.nexus.kernel.events.DurableSubscription;
import io.nexus.kernel.events.EventStore;
import io.nexus.vision.ocr.Tesseract;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AI Vision: invoices and receipts. Documents are stored content-addressed in its PostgreSQL
 * schema {@code vision} and analysed from a queue there — codes (ZXing), PDF pages (PDFBox),
 * text (the PDF's text layer, else Tesseract), key fields, duplicates — on a bounded worker
 * pool, off the event loop; documents reconciled with the ledgers' entries, as jobs and as they
 * arrive (a durable subscription to the log), their findings sent to Financial from an outbox.
 * Ledgers, entries and settings are read over Financial's contract, behind a breaker.
 */
public final class VisionVerticle extends VerticleBase {
  /** The service name in discovery and in {@code NEXUS_SERVICES}. */
  public static final String SERVICE = "vision";
  private static final Logger LOG = LoggerFactory.getLogger(VisionVerticle.class);
  private static final String VERSION = "1";
  private static final long WORK_PERIOD_MS = 500;
  private static final long SWEEP_PERIOD_MS = 60_000;
  private static final int INTAKE_THREADS = 2;

  private Database db;
  private Bus bus;
  private Breakers breakers;
  private WorkerExecutor workers;
  private WorkerExecutor intake;
  private AnalysisWork work;
  private FindingOutbox outbox;
  private DurableSubscription subscription;
  private long sweeper = -1;
  private ServiceInstance instance;

  @Override
  public Future<?> start() {
    var cfg = VisionConfig.from(config());
    bus = Bus.on(vertx, config(), cfg.financialTimeoutMs());
    breakers = new Breakers(vertx, SERVICE, new CircuitBreakerOptions().setMaxFailures(cfg.breakerMaxFailures())
        .setResetTimeout(cfg.breakerResetMs()), BackendRegistries.getDefaultNow());
    workers = vertx.createSharedWorkerExecutor("nexus-vision", cfg.analysisThreads(), cfg.pageTimeoutMs() * (long) cfg.limits().maxPages()
        + cfg.staleAfterMs(), java.util.concurrent.TimeUnit.MILLISECONDS);
    // intake checks and reconciliation's matching are short: never queued behind a page's OCR
    intake = vertx.createSharedWorkerExecutor("nexus-vision-intake", INTAKE_THREADS);
    var pg = PgConfig.from(config());
    db = Database.connect(vertx, pg, SERVICE);
    var events = new EventStore(db.pool());
    var financial = new ServiceClient(bus, breakers, "financial", "the Financial Examiner", cfg.financialTimeoutMs());
    return vertx.executeBlocking(() -> ocr(cfg))
        .compose(ocr -> {
          work = new AnalysisWork(vertx, db.pool(), events, new Analyser(cfg.limits(), ocr, cfg.pageTimeoutMs()), workers,
              cfg.analysisThreads(), cfg.staleAfterMs());
          var documents = new Documents(db.pool(), events, financial, intake, cfg.limits(), work::wake);
          outbox = new FindingOutbox(vertx, db.pool(), financial);
          var reconciliations = new Reconciliations(db.pool(), events, financial, intake, outbox::wake);
          subscription = new DurableSubscription(vertx, pg, db.pool(), DurableSubscription.Options.of(Reconciliations.SUBSCRIPTION),
              reconciliations);
          sweeper = vertx.setPeriodic(SWEEP_PERIOD_MS, t -> reconciliations.sweep(cfg.staleAfterMs())
              .onFailure(err -> LOG.warn("sweeping stopped reconciliations failed: {}", err.getMessage())));
          return db.migrate().compose(v -> bus.handle(Vision.STORE_DOCUMENT, documents::store)
              .handle(Vision.LIST_DOCUMENTS, documents::list)
              .handle(Vision.GET_DOCUMENT, documents::get)
              .handle(Vision.DOCUMENT_CONTENT, documents::content)
              .handle(Vision.START_RECONCILIATION, reconciliations::start)
              .handle(Vision.GET_RECONCILIATION, reconciliations::get)
              .bind());
        })
        .compose(b -> subscription.start(BackendRegistries.getDefaultNow()).map(b))
        .onSuccess(b -> {
          work.start(WORK_PERIOD_MS);
          outbox.start(WORK_PERIOD_MS);
        })
        .compose(b -> ServiceInstance.announce(vertx, config(), SERVICE, VERSION, b.addresses()))
        .onSuccess(i -> {
          instance = i;
          LOG.info("vision bound [endpoints: {}, analysisThreads: {}]", Vision.ENDPOINTS.size(), cfg.analysisThreads());
        });
  }

  /** The OCR command when it is installed with its languages; else none, said once in the log. */
  private static Tesseract ocr(VisionConfig cfg) {
    if (cfg.ocrCommand().isBlank()) {
      LOG.info("OCR is off (vision.ocrCommand is empty)");
      return null;
    }
    var t = new Tesseract(cfg.ocrCommand(), cfg.ocrLanguages());
    var version = t.probe();
    if (version.isEmpty()) {
      LOG.warn("OCR unavailable: '{}' with languages {} cannot be run; documents get codes and PDF text layers only "
          + "(install tesseract-ocr, tesseract-ocr-eng, tesseract-ocr-deu)", cfg.ocrCommand(), cfg.ocrLanguages());
      return null;
    }
    LOG.info("OCR ready [version: {}, languages: {}]", version.get(), cfg.ocrLanguages());
    return t;
  }

  @Override
  public Future<?> stop() {
    Future<Void> withdrawn = instance == null ? Future.succeededFuture() : instance.withdraw();
    if (work != null) {
      work.stop();
    }
    if (outbox != null) {
      outbox.stop();
    }
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
    }
    return withdrawn.compose(v -> bus.unbind())
        .eventually(() -> subscription == null ? Future.succeededFuture() : subscription.stop())
        .eventually(() -> {
          breakers.close();
          return workers.close().eventually(() -> intake.close());
        })
        .eventually(() -> db.close());
  }
}

package io.nexus.vision;

import io.nexus.contracts.vision.Vision;
import io.nexus.kernel.breaker.Breakers;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.bus.ServiceClient;
import io.nexus.kernel.db.Database;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.discovery.ServiceInstance;
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
 * pool, off the event loop. Ledgers are checked over Financial's contract, behind a breaker.
 */
public final class VisionVerticle extends VerticleBase {
  /** The service name in discovery and in {@code NEXUS_SERVICES}. */
  public static final String SERVICE = "vision";
  private static final Logger LOG = LoggerFactory.getLogger(VisionVerticle.class);
  private static final String VERSION = "1";
  private static final long WORK_PERIOD_MS = 500;

  private Database db;
  private Bus bus;
  private Breakers breakers;
  private WorkerExecutor workers;
  private AnalysisWork work;
  private ServiceInstance instance;

  @Override
  public Future<?> start() {
    var cfg = VisionConfig.from(config());
    bus = Bus.on(vertx, config(), cfg.financialTimeoutMs());
    breakers = new Breakers(vertx, new CircuitBreakerOptions().setMaxFailures(cfg.breakerMaxFailures())
        .setResetTimeout(cfg.breakerResetMs()), BackendRegistries.getDefaultNow());
    workers = vertx.createSharedWorkerExecutor("nexus-vision", cfg.analysisThreads(), cfg.pageTimeoutMs() * (long) cfg.limits().maxPages()
        + cfg.staleAfterMs(), java.util.concurrent.TimeUnit.MILLISECONDS);
    var pg = PgConfig.from(config());
    db = Database.connect(vertx, pg, SERVICE);
    var events = new EventStore(db.pool());
    var financial = new ServiceClient(bus, breakers, "financial", "the Financial Examiner", cfg.financialTimeoutMs());
    return vertx.executeBlocking(() -> ocr(cfg))
        .compose(ocr -> {
          work = new AnalysisWork(vertx, db.pool(), events, new Analyser(cfg.limits(), ocr, cfg.pageTimeoutMs()), workers,
              cfg.analysisThreads(), cfg.staleAfterMs());
          var documents = new Documents(db.pool(), events, financial, workers, cfg.limits(), work::wake);
          return db.migrate().compose(v -> bus.handle(Vision.STORE_DOCUMENT, documents::store)
              .handle(Vision.LIST_DOCUMENTS, documents::list)
              .handle(Vision.GET_DOCUMENT, documents::get)
              .handle(Vision.DOCUMENT_CONTENT, documents::content)
              .bind());
        })
        .onSuccess(b -> work.start(WORK_PERIOD_MS))
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
    return withdrawn.compose(v -> bus.unbind())
        .eventually(() -> {
          breakers.close();
          return workers.close();
        })
        .eventually(() -> db.close());
  }
}

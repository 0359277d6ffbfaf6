package io.nexus.llm;

import io.nexus.contracts.llm.Llm;
import io.nexus.contracts.llm.Llm.ChunksChanged;
import io.nexus.kernel.breaker.Breakers;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.bus.ServiceClient;
import io.nexus.kernel.db.Database;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.discovery.ServiceInstance;
import io.nexus.kernel.events.DurableSubscription;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.work.WorkLoop;
import io.nexus.kernel.redis.RedisConfig;
import io.nexus.llm.answer.Budget;
import io.nexus.llm.answer.ModelBackend;
import io.nexus.llm.facts.ChunkStore;
import io.nexus.llm.facts.FactFeed;
import io.nexus.llm.facts.Fetcher;
import io.nexus.llm.index.Embedder;
import io.nexus.llm.index.EmbeddingWork;
import io.nexus.llm.index.Indexer;
import io.nexus.llm.index.SearchIndex;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AI LLM: the organisation's facts as chunks in its PostgreSQL schema {@code llm} — made from
 * the log by a durable subscription, imported entries and documents' text fetched over Financial's
 * and Vision's contracts, embedded in-process in batches on workers — and this node's Lucene
 * index as their projection, searched by words and meaning at once.
 */
public final class LlmVerticle extends VerticleBase {
  /** The service name in discovery and in {@code NEXUS_SERVICES}. */
  public static final String SERVICE = "llm";
  private static final Logger LOG = LoggerFactory.getLogger(LlmVerticle.class);
  private static final String VERSION = "1";
  private static final long FETCH_PERIOD_MS = 1000;
  private static final long EMBED_PERIOD_MS = 500;

  private Database db;
  private Bus bus;
  private Breakers breakers;
  private WorkerExecutor workers;
  private WorkerExecutor indexWriter;
  private DurableSubscription subscription;
  private Indexer indexer;
  private WorkLoop embedding;
  private WorkLoop fetching;
  private ServiceInstance instance;
  private volatile Embedder embedder;

  @Override
  public Future<?> start() {
    var cfg = LlmConfig.from(config());
    bus = Bus.on(vertx, config(), cfg.financialTimeoutMs());
    var registry = BackendRegistries.getDefaultNow();
    breakers = new Breakers(vertx, SERVICE, new CircuitBreakerOptions().setMaxFailures(cfg.breakerMaxFailures())
        .setResetTimeout(cfg.breakerResetMs()), registry);
    workers = vertx.createSharedWorkerExecutor("nexus-llm", cfg.workerThreads());
    indexWriter = vertx.createSharedWorkerExecutor("nexus-llm-index", 1);
    var pg = PgConfig.from(config());
    db = Database.connect(vertx, pg, SERVICE);
    var events = new EventStore(db.pool());
    var store = new ChunkStore(db.pool());
    var financial = new ServiceClient(bus, breakers, "financial", "the Financial Examiner", cfg.financialTimeoutMs());
    var vision = new ServiceClient(bus, breakers, "vision", "the Vision service", cfg.visionTimeoutMs());
    Runnable changed = () -> bus.publish(Llm.CHUNKS_CHANGED, new ChunksChanged(), Call.system());
    return db.migrate()
        .compose(v -> workers.executeBlocking(() -> SearchIndex.open(cfg.indexDir()), true))
        .compose(index -> {
          indexer = new Indexer(vertx, store, index, indexWriter);
          embedding = new WorkLoop("embedding chunks", new EmbeddingWork(store, workers, cfg.embedBatch(), changed, registry)::once);
          Runnable stored = () -> {
            changed.run();
            embedding.wake();
          };
          fetching = new WorkLoop("fetching facts", new Fetcher(db.pool(), financial, vision, SERVICE, stored)::next);
          var feed = new FactFeed(stored, fetching::wake);
          subscription = new DurableSubscription(vertx, pg, db.pool(), DurableSubscription.Options.of(FactFeed.SUBSCRIPTION), feed);
          var search = new Search(index, workers, () -> embedder);
          var reindexing = new Reindexing(store, indexer, events);
          var redis = RedisConfig.from(config()).connect(vertx);
          ModelBackend model = cfg.model() == null ? null : new ModelBackend(vertx, cfg.model().baseUrl(), cfg.model().name(),
              cfg.model().apiKey(), cfg.model().timeoutMs(), cfg.model().idleMs(), cfg.model().maxTokens(), breakers.of("model"));
          var assistant = new Assistant(vertx, db.pool(), events, store, search, index, workers, model,
              new Budget(redis, cfg.asksPerMinute(), java.time.Clock.systemUTC()), cfg.tokensPerDay(), cfg.contextFacts(), registry);
          var reports = new Reports(db.pool(), events, store, financial);
          LOG.info("assistant [model: {}]", cfg.model() == null ? "none: answers are extractive" : cfg.model());
          return bus.handle(Llm.SEARCH, search::search)
              .handle(Llm.ASK, assistant::ask)
              .handle(Llm.GET_BUDGET, assistant::getBudget)
              .handle(Llm.SET_BUDGET, assistant::setBudget)
              .handle(Llm.DRAFT_REPORT, reports::draft)
              .handle(Llm.GET_REPORT, reports::get)
              .handle(Llm.INDEX_STATUS, reindexing::status)
              .handle(Llm.REINDEX, reindexing::reindex)
              .subscribe(Llm.CHUNKS_CHANGED, (e, call) -> indexer.wake())
              .bind();
        })
        .compose(b -> indexer.start(cfg.pollMs()).map(b))
        .compose(b -> subscription.start(registry).map(b))
        .onSuccess(b -> {
          fetching.every(vertx, FETCH_PERIOD_MS);
          // the model loads off the event loop; until it has, search is by words and nothing is embedded
          workers.executeBlocking(Embedder::shared, false)
              .onSuccess(e -> {
                embedder = e;
                embedding.every(vertx, EMBED_PERIOD_MS);
                embedding.wake();
              })
              .onFailure(err -> LOG.warn("the embedding model could not be loaded; search is by words only: {}", err.getMessage()));
        })
        .compose(b -> ServiceInstance.announce(vertx, config(), SERVICE, VERSION, b.addresses()))
        .onSuccess(i -> {
          instance = i;
          LOG.info("llm bound [endpoints: {}, index: {}]", Llm.ENDPOINTS.size(), indexer.index().directory());
        });
  }

  @Override
  public Future<?> stop() {
    Future<Void> withdrawn = instance == null ? Future.succeededFuture() : instance.withdraw();
    if (fetching != null) {
      fetching.stop();
    }
    if (embedding != null) {
      embedding.stop();
    }
    return withdrawn.compose(v -> bus.unbind())
        .eventually(() -> subscription == null ? Future.succeededFuture() : subscription.stop())
        .eventually(() -> indexer == null ? Future.succeededFuture() : indexer.stop())
        .eventually(() -> {
          breakers.close();
          return workers.close().eventually(() -> indexWriter.close());
        })
        .eventually(() -> db.close());
  }
}

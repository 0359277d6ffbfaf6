package io.nexus.predictive;

import io.nexus.contracts.predictive.Predictive;
import io.nexus.kernel.breaker.Breakers;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.bus.ServiceClient;
import io.nexus.kernel.db.Database;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.discovery.ServiceInstance;
import io.nexus.kernel.events.DurableSubscription;
import io.nexus.kernel.events.EventStore;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AI Predictive: forecasts of a ledger's accounts, a risk score for every entry, and the model
 * registry. What it reads of the books comes from the Financial Examiner over its contract,
 * behind a breaker and a timeout, or from the event log through its durable subscription
 * ({@code predictive.risk}); its own facts (entries as read, models, promotions, scores) are in
 * its PostgreSQL schema {@code predictive}. Fitting and training run on a bounded worker pool,
 * off the event loop.
 */
public final class PredictiveVerticle extends VerticleBase {
  /** The service name in discovery and in {@code NEXUS_SERVICES}. */
  public static final String SERVICE = "predictive";
  private static final Logger LOG = LoggerFactory.getLogger(PredictiveVerticle.class);
  private static final String VERSION = "1";

  private static final long WORK_PERIOD_MS = 200;

  private Database db;
  private DurableSubscription subscription;
  private RiskWork work;
  private Bus bus;
  private Breakers breakers;
  private WorkerExecutor workers;
  private ServiceInstance instance;

  @Override
  public Future<?> start() {
    var cfg = PredictiveConfig.from(config());
    bus = Bus.on(vertx, config(), cfg.financialTimeoutMs());
    breakers = new Breakers(vertx, SERVICE, new CircuitBreakerOptions().setMaxFailures(cfg.breakerMaxFailures())
        .setResetTimeout(cfg.breakerResetMs()), BackendRegistries.getDefaultNow());
    workers = vertx.createSharedWorkerExecutor("nexus-forecast", cfg.forecastThreads());
    var pg = PgConfig.from(config());
    db = Database.connect(vertx, pg, SERVICE);
    var events = new EventStore(db.pool());
    var financial = new ServiceClient(bus, breakers, "financial", "the Financial Examiner", cfg.financialTimeoutMs());
    var forecasts = new Forecasts(financial, workers);
    var scoring = new RiskScoring(workers);
    var registry = new Registry(vertx, db.pool(), events, financial, workers);
    subscription = new DurableSubscription(vertx, pg, db.pool(), DurableSubscription.Options.of(RiskScoring.SUBSCRIPTION),
        scoring);
    work = new RiskWork(vertx, db.pool(), events, financial, scoring, subscription);
    return db.migrate()
        .compose(v -> bus.handle(Predictive.FORECAST, forecasts::forecast)
            .handle(Predictive.ENTRY_RISK, registry::risk)
            .handle(Predictive.ENTRY_RISKS, registry::risks)
            .handle(Predictive.RISK_STATUS, registry::status)
            .handle(Predictive.TRAIN_MODEL, registry::train)
            .handle(Predictive.LIST_MODELS, registry::list)
            .handle(Predictive.GET_MODEL, registry::get)
            .handle(Predictive.PROMOTE_MODEL, registry::promote)
            .handle(Predictive.ROLLBACK_MODEL, registry::rollback)
            .bind())
        .compose(b -> subscription.start(BackendRegistries.getDefaultNow()).map(b))
        .onSuccess(b -> work.start(WORK_PERIOD_MS))
        .compose(b -> ServiceInstance.announce(vertx, config(), SERVICE, VERSION, b.addresses()))
        .onSuccess(i -> {
          instance = i;
          LOG.info("predictive bound [endpoints: {}]", Predictive.ENDPOINTS.size());
        });
  }

  @Override
  public Future<?> stop() {
    Future<Void> withdrawn = instance == null ? Future.succeededFuture() : instance.withdraw();
    if (work != null) {
      work.stop();
    }
    return withdrawn.compose(v -> bus.unbind())
        .eventually(() -> subscription == null ? Future.succeededFuture() : subscription.stop())
        .eventually(() -> {
          breakers.close();
          return workers.close();
        })
        .eventually(() -> db.close());
  }
}

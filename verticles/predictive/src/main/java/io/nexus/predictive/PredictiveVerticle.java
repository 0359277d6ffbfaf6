package io.nexus.predictive;

import io.nexus.contracts.predictive.Predictive;
import io.nexus.kernel.breaker.Breakers;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.discovery.ServiceInstance;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AI Predictive: forecasts of a ledger's accounts. It holds no data of its own yet: the series
 * come from the Financial Examiner over its contract, behind a breaker and a timeout, and the
 * fitting runs on a bounded worker pool, off the event loop.
 */
public final class PredictiveVerticle extends VerticleBase {
  /** The service name in discovery and in {@code NEXUS_SERVICES}. */
  public static final String SERVICE = "predictive";
  private static final Logger LOG = LoggerFactory.getLogger(PredictiveVerticle.class);
  private static final String VERSION = "1";

  private Bus bus;
  private Breakers breakers;
  private WorkerExecutor workers;
  private ServiceInstance instance;

  @Override
  public Future<?> start() {
    var cfg = PredictiveConfig.from(config());
    bus = Bus.on(vertx, config(), cfg.financialTimeoutMs());
    breakers = new Breakers(vertx, new CircuitBreakerOptions().setMaxFailures(cfg.breakerMaxFailures())
        .setResetTimeout(cfg.breakerResetMs()), BackendRegistries.getDefaultNow());
    workers = vertx.createSharedWorkerExecutor("nexus-forecast", cfg.forecastThreads());
    var forecasts = new Forecasts(bus, breakers, workers, cfg.financialTimeoutMs());
    return bus.handle(Predictive.FORECAST, forecasts::forecast)
        .bind()
        .compose(b -> ServiceInstance.announce(vertx, config(), SERVICE, VERSION, b.addresses()))
        .onSuccess(i -> {
          instance = i;
          LOG.info("predictive bound [endpoints: {}]", Predictive.ENDPOINTS.size());
        });
  }

  @Override
  public Future<?> stop() {
    Future<Void> withdrawn = instance == null ? Future.succeededFuture() : instance.withdraw();
    return withdrawn.compose(v -> bus.unbind()).eventually(() -> {
      breakers.close();
      return workers.close();
    });
  }
}

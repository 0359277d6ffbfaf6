package io.nexus.predictive;

import io.nexus.contracts.Endpoint;
import io.nexus.kernel.breaker.Breakers;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;

/**
 * Every call this service makes to the Financial Examiner: through one breaker ({@code financial})
 * with the configured timeout; an open breaker is a 503 naming Financial, with a retry hint.
 */
final class FinancialClient {
  static final String BREAKER = "financial";
  private static final long RETRY_AFTER_SECONDS = 5;

  private final Bus bus;
  private final Breakers breakers;
  private final long timeoutMs;

  FinancialClient(Bus bus, Breakers breakers, long timeoutMs) {
    this.bus = bus;
    this.breakers = breakers;
    this.timeoutMs = timeoutMs;
  }

  <Q, R> Future<R> request(Endpoint<Q, R> endpoint, Q body, Call call) {
    return breakers.of(BREAKER).<R>execute(p -> bus.request(endpoint, body, call, timeoutMs).onComplete(p))
        .recover(err -> Future.failedFuture(err instanceof OpenCircuitException
            ? BusFailure.unavailable("the Financial Examiner is failing; its breaker is open", RETRY_AFTER_SECONDS)
            : err));
  }
}

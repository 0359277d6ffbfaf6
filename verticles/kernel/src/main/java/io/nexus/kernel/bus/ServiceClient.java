package io.nexus.kernel.bus;

import io.nexus.contracts.Endpoint;
import io.nexus.kernel.breaker.Breakers;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;

/**
 * Every call one service makes to another: through one breaker named after the service called,
 * with one timeout; an open breaker is a 503 naming that service, with a retry hint.
 */
public final class ServiceClient {
  private static final long RETRY_AFTER_SECONDS = 5;

  private final Bus bus;
  private final Breakers breakers;
  private final String breaker;
  private final String serviceName;
  private final long timeoutMs;

  /**
   * @param breaker the breaker's name (the service called, e.g. {@code financial})
   * @param serviceName how a refusal names it ({@code the Financial Examiner})
   */
  public ServiceClient(Bus bus, Breakers breakers, String breaker, String serviceName, long timeoutMs) {
    this.bus = bus;
    this.breakers = breakers;
    this.breaker = breaker;
    this.serviceName = serviceName;
    this.timeoutMs = timeoutMs;
  }

  /** Sends {@code body} to {@code endpoint} as {@code call} says, through the breaker, within the timeout. */
  public <Q, R> Future<R> request(Endpoint<Q, R> endpoint, Q body, Call call) {
    return breakers.of(breaker).<R>execute(p -> bus.request(endpoint, body, call, timeoutMs).onComplete(p))
        .recover(err -> Future.failedFuture(err instanceof OpenCircuitException
            ? BusFailure.unavailable(serviceName + " is failing; its breaker is open", RETRY_AFTER_SECONDS)
            : err));
  }
}

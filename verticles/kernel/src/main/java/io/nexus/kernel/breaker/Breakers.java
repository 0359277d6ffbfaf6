package io.nexus.kernel.breaker;

import io.micrometer.core.instrument.Gauge;
import io.nexus.kernel.bus.BusFailure;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One circuit breaker per outbound dependency, created on first use and exported as the gauge
 * {@code nexus_breaker_state{name, service}} (0 closed, 1 half-open, 2 open; {@code service}: the
 * caller, as several services of one node call the same dependency). Only server-side failures
 * (5xx, timeouts, no instance) count against a dependency.
 */
public final class Breakers {
  private final Vertx vertx;
  private final String service;
  private final CircuitBreakerOptions options;
  private final MeterRegistry registry;
  private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
  private volatile java.util.function.BiConsumer<String, CircuitBreakerState> onChange = (name, state) -> { };

  /**
   * @param options shared settings; the timeout of each call is left to the caller (the bus
   *     request carries its own), so the breaker only counts failures
   * @param registry where to export states, or null
   * @param service the service whose calls these breakers guard (the gauges' {@code service} tag)
   */
  public Breakers(Vertx vertx, String service, CircuitBreakerOptions options, MeterRegistry registry) {
    this.vertx = vertx;
    this.service = service;
    this.options = new CircuitBreakerOptions(options).setTimeout(-1);
    this.registry = registry;
  }

  /** Tells {@code listener} each time a breaker opens, half-opens or closes (set before breakers are used). */
  public Breakers onChange(java.util.function.BiConsumer<String, CircuitBreakerState> listener) {
    this.onChange = listener;
    return this;
  }

  /** The breaker of a dependency. */
  public CircuitBreaker of(String name) {
    return breakers.computeIfAbsent(name, n -> {
      // a caller's mistake (4xx) says nothing about the dependency's health: only 5xx and transport failures count
      CircuitBreaker cb = CircuitBreaker.create("nexus-" + n, vertx, options)
          .failurePolicy(f -> f.failed() && !(f.cause() instanceof BusFailure bf && bf.code().status() < 500));
      cb.openHandler(v -> onChange.accept(n, CircuitBreakerState.OPEN))
          .halfOpenHandler(v -> onChange.accept(n, CircuitBreakerState.HALF_OPEN))
          .closeHandler(v -> onChange.accept(n, CircuitBreakerState.CLOSED));
      if (registry != null) {
        Gauge.builder("nexus_breaker_state", cb, b -> ordinal(b.state()))
            .description("circuit breaker state: 0 closed, 1 half-open, 2 open")
            .tag("name", n)
            .tag("service", service)
            .register(registry);
      }
      return cb;
    });
  }

  /** The state of a dependency's breaker, closed when none was created yet. */
  public CircuitBreakerState state(String name) {
    CircuitBreaker cb = breakers.get(name);
    return cb == null ? CircuitBreakerState.CLOSED : cb.state();
  }

  /**
   * Forgets the breakers {@code keep} rejects, with their gauges: breakers of service instances
   * whose node is gone would otherwise pile up as nodes come and go.
   */
  public void retain(java.util.function.Predicate<String> keep) {
    for (String name : List.copyOf(breakers.keySet())) {
      if (!keep.test(name)) {
        CircuitBreaker cb = breakers.remove(name);
        if (cb != null) {
          cb.close();
        }
        if (registry != null) {
          registry.find("nexus_breaker_state").tag("name", name).tag("service", service).gauges().forEach(registry::remove);
        }
      }
    }
  }

  /** Closes every breaker. */
  public void close() {
    breakers.values().forEach(CircuitBreaker::close);
  }

  private static double ordinal(CircuitBreakerState s) {
    return switch (s) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }
}

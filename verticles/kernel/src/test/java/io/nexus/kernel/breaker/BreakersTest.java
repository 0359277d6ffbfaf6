package io.nexus.kernel.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nexus.kernel.bus.BusFailure;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class BreakersTest {
  private static final int MAX_FAILURES = 3;

  @Test
  @DisplayName("callers' mistakes (4xx) never open a breaker; server failures do, and then calls fail fast; the state is a gauge and told to a listener")
  void opensOnServerFailuresOnly(Vertx vertx, VertxTestContext ctx) {
    var registry = new SimpleMeterRegistry();
    var breakers = new Breakers(vertx, "test", new CircuitBreakerOptions().setMaxFailures(MAX_FAILURES).setResetTimeout(60_000), registry);
    var changes = new java.util.concurrent.CopyOnWriteArrayList<String>();
    breakers.onChange((name, state) -> changes.add(name + " " + state));
    var cb = breakers.of("ledger");
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < MAX_FAILURES * 2; i++) {
      chain = chain.compose(v -> cb.<Void>execute(() -> Future.failedFuture(BusFailure.notFound("no such entry"))).otherwiseEmpty());
    }
    chain = chain.compose(v -> {
      ctx.verify(() -> assertThat(breakers.state("ledger")).isEqualTo(CircuitBreakerState.CLOSED));
      return Future.succeededFuture();
    });
    for (int i = 0; i < MAX_FAILURES; i++) {
      chain = chain.compose(v -> cb.<Void>execute(() -> Future.failedFuture(BusFailure.unavailable("down", 1))).otherwiseEmpty());
    }
    chain.compose(v -> cb.<String>execute(() -> Future.succeededFuture("should not run")))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(err).isInstanceOf(OpenCircuitException.class);
          assertThat(breakers.state("ledger")).isEqualTo(CircuitBreakerState.OPEN);
          assertThat(registry.get("nexus_breaker_state").tag("name", "ledger").gauge().value()).isEqualTo(2.0);
          assertThat(changes).as("state changes told to the listener").containsExactly("ledger OPEN");
          breakers.close();
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("breakers that are no longer wanted (an instance's node is gone) are forgotten with their gauges")
  void retain(Vertx vertx) {
    var registry = new SimpleMeterRegistry();
    var breakers = new Breakers(vertx, "test", new CircuitBreakerOptions().setMaxFailures(MAX_FAILURES), registry);
    breakers.of("security@node-a");
    breakers.of("security@node-b");
    breakers.of("security-redis");
    breakers.retain(name -> !name.contains("@") || name.endsWith("@node-a"));
    assertThat(registry.find("nexus_breaker_state").gauges()).extracting(g -> g.getId().getTag("name"))
        .containsExactlyInAnyOrder("security@node-a", "security-redis");
    assertThat(breakers.state("security@node-b")).isEqualTo(CircuitBreakerState.CLOSED);
    breakers.close();
  }
}

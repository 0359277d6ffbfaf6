package io.nexus.kernel.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.Empty;
import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.security.Security;
import io.nexus.contracts.security.Security.UserRef;
import io.nexus.contracts.security.Security.UserView;
import io.nexus.contracts.system.SystemFeed;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class BusTest {
  private static final long TIMEOUT_MS = 500;
  private static final Principal ADA = new Principal("u1", "org1", io.nexus.contracts.Role.ADMIN, "s1");

  @Test
  @DisplayName("a typed request reaches its handler with the caller's principal and correlation id, and the reply decodes")
  void requestReply(Vertx vertx, VertxTestContext ctx) {
    Bus bus = Bus.on(vertx, TIMEOUT_MS);
    bus.handle(Security.GET_USER, (ref, call) -> Future.succeededFuture(
        new UserView(ref.id(), call.principal().org(), "a@b.c", call.correlationId(), io.nexus.contracts.Role.ADMIN, "2026-01-01T00:00:00Z", 1)));
    bus.bind()
        .compose(b -> bus.request(Security.GET_USER, new UserRef("u9", null), Call.edge("corr-1", null, ADA)))
        .onComplete(ctx.succeeding(view -> ctx.verify(() -> {
          assertThat(view.id()).isEqualTo("u9");
          assertThat(view.org()).isEqualTo("org1");
          assertThat(view.name()).isEqualTo("corr-1");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a request that fails its schema is refused with 400 naming the field, before the logic runs")
  void schemaViolation(Vertx vertx, VertxTestContext ctx) {
    Bus bus = Bus.on(vertx, TIMEOUT_MS);
    bus.handle(Security.GET_USER, (ref, call) -> Future.failedFuture(new AssertionError("logic must not run")));
    bus.bind()
        .compose(b -> vertx.eventBus().request(Security.GET_USER.address(), new JsonObject().put("id", 5),
            Call.edge("c", null, ADA).toDelivery(new io.vertx.core.eventbus.DeliveryOptions(), bus.seal())))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          BusFailure f = Bus.toBusFailure(Security.GET_USER.address(), err);
          assertThat(f.code()).isEqualTo(ErrorCode.BAD_REQUEST);
          assertThat(f.getMessage()).contains("/id");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a failure thrown by the logic keeps its status; an unexpected error becomes 500 without a stack trace")
  void failuresTravel(Vertx vertx, VertxTestContext ctx) {
    Bus bus = Bus.on(vertx, TIMEOUT_MS);
    bus.handle(Security.GET_USER, (ref, call) -> {
      throw BusFailure.notFound("no user " + ref.id());
    });
    bus.handle(Security.ME, (e, call) -> Future.failedFuture(new NullPointerException("secret detail")));
    bus.bind()
        .compose(b -> bus.request(Security.GET_USER, new UserRef("u2", null), Call.edge("c", null, ADA)).<Void>mapEmpty()
            .recover(err -> {
              ctx.verify(() -> {
                assertThat(((BusFailure) err).code()).isEqualTo(ErrorCode.NOT_FOUND);
                assertThat(err.getMessage()).isEqualTo("no user u2");
              });
              return bus.request(Security.ME, Empty.INSTANCE, Call.edge("c", null, ADA)).mapEmpty();
            }))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(((BusFailure) err).code()).isEqualTo(ErrorCode.INTERNAL);
          assertThat(err.getMessage()).doesNotContain("secret detail").contains("correlation id");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a request with no instance listening fails at once with 503")
  void noHandler(Vertx vertx, VertxTestContext ctx) {
    Bus.on(vertx, TIMEOUT_MS).request(Security.ME, Empty.INSTANCE, Call.system())
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(((BusFailure) err).code()).isEqualTo(ErrorCode.UNAVAILABLE);
          assertThat(err.getMessage()).contains("security");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a request nobody answers fails with 503 at its timeout")
  void timeout(Vertx vertx, VertxTestContext ctx) {
    Bus bus = Bus.on(vertx, TIMEOUT_MS);
    bus.handle(Security.ME, (e, call) -> vertx.timer(10_000).map(x -> null));
    long start = System.nanoTime();
    bus.bind()
        .compose(b -> bus.request(Security.ME, Empty.INSTANCE, Call.edge("c", null, ADA)))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(((BusFailure) err).code()).isEqualTo(ErrorCode.UNAVAILABLE);
          assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("role checks: a viewer is refused an admin action with 403, an anonymous caller with 401")
  void roles() {
    var viewer = Call.edge(null, null, new Principal("u", "o", io.nexus.contracts.Role.VIEWER, null));
    assertThat(viewer.require(Role.VIEWER).subject()).isEqualTo("u");
    try {
      viewer.require(Role.ADMIN);
      throw new AssertionError("expected 403");
    } catch (BusFailure f) {
      assertThat(f.code()).isEqualTo(ErrorCode.FORBIDDEN);
    }
    try {
      Call.system().requirePrincipal();
      throw new AssertionError("expected 401");
    } catch (BusFailure f) {
      assertThat(f.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    }
  }

  @Test
  @DisplayName("subscribers receive valid events and never ones that fail the schema")
  void subscribe(Vertx vertx, VertxTestContext ctx) {
    Bus bus = Bus.on(vertx, TIMEOUT_MS);
    bus.subscribe(SystemFeed.SYSTEM, (ev, call) -> ctx.verify(() -> {
      assertThat(ev.type()).isEqualTo(SystemFeed.SystemEventType.NODE_JOINED);
      ctx.completeNow();
    }));
    bus.bind().onComplete(ctx.succeeding(b -> {
      vertx.eventBus().publish(SystemFeed.SYSTEM.address(), new JsonObject().put("type", "bogus"));
      bus.publish(SystemFeed.SYSTEM, new SystemFeed.SystemEvent(SystemFeed.SystemEventType.NODE_JOINED, "n1", null,
          "2026-01-01T00:00:00Z"), Call.system());
    }));
  }

  @Test
  @DisplayName("the fault switch: a service named in the fault file fails (503) or answers late; cleared, it answers at once")
  void faultSwitch(Vertx vertx, VertxTestContext ctx) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("nexus-faults", ".json");
    java.nio.file.Files.writeString(file, "{\"security\": {\"failPercent\": 100}}");
    Faults.install(vertx, file);
    Bus bus = Bus.on(vertx, TIMEOUT_MS);
    bus.handle(Security.ME, (e, call) -> Future.succeededFuture(new UserView(call.principal().subject(),
        call.principal().org(), "a@b.c", "Ada", io.nexus.contracts.Role.ADMIN, "2026-01-01T00:00:00Z", 1)));
    long[] started = new long[1];
    bus.bind()
        .compose(b -> sleep(vertx, 500))
        .compose(x -> bus.request(Security.ME, Empty.INSTANCE, Call.edge("c", null, ADA)).<Void>mapEmpty()
            .recover(err -> {
              ctx.verify(() -> {
                assertThat(((BusFailure) err).code()).isEqualTo(ErrorCode.UNAVAILABLE);
                assertThat(err.getMessage()).isEqualTo("fault injected");
              });
              return vertx.fileSystem().writeFile(file.toString(),
                  io.vertx.core.buffer.Buffer.buffer("{\"security\": {\"delayMs\": 300}}"));
            }))
        .compose(x -> sleep(vertx, 500))
        .compose(x -> {
          started[0] = System.nanoTime();
          return bus.request(Security.ME, Empty.INSTANCE, Call.edge("c", null, ADA));
        })
        .compose(p -> {
          ctx.verify(() -> assertThat((System.nanoTime() - started[0]) / 1_000_000).isGreaterThanOrEqualTo(300));
          return vertx.fileSystem().writeFile(file.toString(), io.vertx.core.buffer.Buffer.buffer(""));
        })
        .compose(x -> sleep(vertx, 500))
        .compose(x -> {
          started[0] = System.nanoTime();
          return bus.request(Security.ME, Empty.INSTANCE, Call.edge("c", null, ADA));
        })
        .onComplete(ctx.succeeding(p -> ctx.verify(() -> {
          assertThat(p.id()).isEqualTo("u1");
          assertThat((System.nanoTime() - started[0]) / 1_000_000).isLessThan(300);
          java.nio.file.Files.deleteIfExists(file);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a lost or refused connection to a dependency answers 503 with Retry-After, not 500")
  void unreachableDependency(Vertx vertx, VertxTestContext ctx) {
    Bus bus = Bus.on(vertx, TIMEOUT_MS);
    bus.handle(Security.ME, (e, call) -> Future.failedFuture(new IllegalStateException("query failed",
        new java.net.SocketException("Connection reset"))));
    bus.handle(Security.GET_USER, (e, call) -> Future.failedFuture(new java.nio.channels.ClosedChannelException()));
    // what a write to a connection PostgreSQL reset raises (seen in a fault drill): a bare IOException
    bus.handle(Security.LIST_USERS, (e, call) -> Future.failedFuture(new java.io.IOException("Connection reset by peer")));
    bus.bind()
        .compose(b -> bus.request(Security.ME, Empty.INSTANCE, Call.edge("c", null, ADA)).<Void>mapEmpty().recover(err -> {
          ctx.verify(() -> {
            assertThat(((BusFailure) err).code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(((BusFailure) err).retryAfterSeconds()).isNotNull();
          });
          return bus.request(Security.GET_USER, new UserRef("u1", null), Call.edge("c", null, ADA)).<Void>mapEmpty();
        }))
        .recover(err -> {
          ctx.verify(() -> assertThat(((BusFailure) err).code()).isEqualTo(ErrorCode.UNAVAILABLE));
          return bus.request(Security.LIST_USERS, Empty.INSTANCE, Call.edge("c", null, ADA)).mapEmpty();
        })
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(((BusFailure) err).code()).isEqualTo(ErrorCode.UNAVAILABLE);
          ctx.completeNow();
        })));
  }

  private static Future<Void> sleep(Vertx vertx, long ms) {
    return Future.future(p -> vertx.setTimer(ms, t -> p.complete()));
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "an endpoint for {0}s called by a {1}: {2}")
  @org.junit.jupiter.params.provider.CsvSource({"admin, viewer, 403", "admin, admin, 200", "viewer, viewer, 200",
      "examiner, analyst, 403", "examiner, admin, 200"})
  @DisplayName("the bus enforces the least role written on the endpoint constant, before the handler runs")
  void leastRoleFromTheConstant(String least, String caller, int expected, Vertx vertx, VertxTestContext ctx) {
    // the same handler behind two constants that differ only in their role: the constant decides
    var ep = io.nexus.contracts.Endpoint.query("nexus.test.role-" + least, Empty.class, Empty.class, Role.parse(least));
    Bus bus = Bus.on(vertx, TIMEOUT_MS);
    boolean[] ran = new boolean[1];
    bus.handle(ep, (e, call) -> {
      ran[0] = true;
      return Future.succeededFuture(Empty.INSTANCE);
    });
    var who = new Principal("u-1", "org-1", Role.parse(caller), "s-1");
    bus.bind().compose(b -> bus.request(ep, Empty.INSTANCE, Call.edge("c", null, who)))
        .onComplete(ar -> ctx.verify(() -> {
          int status = ar.succeeded() ? 200 : ((BusFailure) ar.cause()).code().status();
          assertThat(status).isEqualTo(expected);
          assertThat(ran[0]).as("the handler ran").isEqualTo(expected == 200);
          ctx.completeNow();
        }));
  }

  @Test
  @DisplayName("an endpoint with a least role refuses a message without a principal (401); an open one serves it")
  void openAndClosedEndpoints(Vertx vertx, VertxTestContext ctx) {
    var closed = io.nexus.contracts.Endpoint.query("nexus.test.closed", Empty.class, Empty.class, Role.VIEWER);
    var open = io.nexus.contracts.Endpoint.openQuery("nexus.test.open", Empty.class, Empty.class);
    Bus bus = Bus.on(vertx, TIMEOUT_MS);
    bus.handle(closed, (e, call) -> Future.succeededFuture(Empty.INSTANCE))
        .handle(open, (e, call) -> Future.succeededFuture(Empty.INSTANCE));
    bus.bind().compose(b -> bus.request(open, Empty.INSTANCE, Call.system()))
        .compose(x -> bus.request(closed, Empty.INSTANCE, Call.system()))
        .onComplete(ar -> ctx.verify(() -> {
          assertThat(ar.failed()).isTrue();
          assertThat(((BusFailure) ar.cause()).code()).isEqualTo(ErrorCode.UNAUTHORIZED);
          ctx.completeNow();
        }));
  }
}

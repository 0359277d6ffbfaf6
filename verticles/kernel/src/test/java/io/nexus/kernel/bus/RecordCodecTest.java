package io.nexus.kernel.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.Principal;
import io.nexus.contracts.security.Security;
import io.nexus.contracts.security.Security.UserRef;
import io.nexus.contracts.security.Security.UserView;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Records cross the bus as themselves in one JVM and as checked JSON between nodes. */
@ExtendWith(VertxExtension.class)
class RecordCodecTest {
  private static final Principal ADA = new Principal("u1", "org1", io.nexus.contracts.Role.ADMIN, "s1");

  @Test
  @DisplayName("in one JVM the handler gets the very request record and the caller the very reply record: no copy, no JSON")
  void localDeliveryShares(Vertx vertx, VertxTestContext ctx) {
    Bus bus = Bus.on(vertx, 2_000);
    var received = new AtomicReference<Object>();
    var replied = new AtomicReference<UserView>();
    bus.handle(Security.GET_USER, (ref, call) -> {
      received.set(ref);
      replied.set(new UserView(ref.id(), "org1", "a@b.c", "Ada", io.nexus.contracts.Role.ADMIN, "2026-01-01T00:00:00Z", 1));
      return Future.succeededFuture(replied.get());
    });
    var sent = new UserRef("u9", null);
    bus.bind()
        .compose(b -> bus.request(Security.GET_USER, sent, Call.edge("c", null, ADA)))
        .onComplete(ctx.succeeding(view -> ctx.verify(() -> {
          assertThat(received.get()).isSameAs(sent);
          assertThat(view).isSameAs(replied.get());
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("between nodes a record is its type's name and its JSON, and comes back equal")
  void wireRoundTrip() {
    var codec = new RecordCodec();
    var view = new UserView("u1", "org1", "a@b.c", "Ada", io.nexus.contracts.Role.ADMIN, "2026-01-01T00:00:00Z", 3);
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, view);
    assertThat(wire.toString(StandardCharsets.UTF_8)).contains(UserView.class.getName()).contains("\"email\":\"a@b.c\"");
    assertThat(codec.decodeFromWire(0, wire)).isEqualTo(view);
  }

  @Test
  @DisplayName("what arrives from another node is checked against its schema; an unknown type name is never loaded")
  void wireArrivalsAreChecked() {
    var codec = new RecordCodec();
    assertThat(codec.decodeFromWire(0, frame(UserRef.class.getName(), new JsonObject().put("id", 5))))
        .isInstanceOfSatisfying(RecordCodec.Refused.class, r -> assertThat(r.problem()).contains("/id"));
    assertThat(codec.decodeFromWire(0, frame("java.lang.ProcessBuilder", new JsonObject())))
        .isInstanceOfSatisfying(RecordCodec.Refused.class, r -> assertThat(r.problem()).contains("not a message type"));
    assertThat(codec.decodeFromWire(0, frame(UserRef.class.getName(), new JsonObject().put("id", "u2"))))
        .isEqualTo(new UserRef("u2", null));
  }

  @Test
  @DisplayName("a request refused on arrival reaches no logic: the caller gets 400 naming the field")
  void refusedArrivalIs400(Vertx vertx, VertxTestContext ctx) {
    Bus bus = Bus.on(vertx, 2_000);
    bus.handle(Security.GET_USER, (ref, call) -> Future.failedFuture(new AssertionError("logic must not run")));
    bus.bind()
        .compose(b -> vertx.eventBus().request(Security.GET_USER.address(), new RecordCodec.Refused("/id: not a string"),
            Call.edge("c", null, ADA).toDelivery(new io.vertx.core.eventbus.DeliveryOptions().setCodecName(RecordCodec.NAME),
                bus.seal())))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          BusFailure f = Bus.toBusFailure(Security.GET_USER.address(), err);
          assertThat(f.code().status()).isEqualTo(400);
          assertThat(f.getMessage()).contains("/id");
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a reply that does not fit its record is the service's fault: 500 to the caller, not 400")
  void unfitReplyIs500(Vertx vertx, VertxTestContext ctx) {
    Bus bus = Bus.on(vertx, 2_000);
    vertx.eventBus().consumer(Security.GET_USER.address(), m -> m.reply(new RecordCodec.Refused("/email: not a string"),
        new io.vertx.core.eventbus.DeliveryOptions().setCodecName(RecordCodec.NAME)))
        .completion()
        .compose(v -> bus.request(Security.GET_USER, new UserRef("u9", null), Call.edge("c", null, ADA)))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          assertThat(err).isInstanceOf(BusFailure.class);
          assertThat(((BusFailure) err).code().status()).isEqualTo(500);
          assertThat(err.getMessage()).doesNotContain("/email");
          ctx.completeNow();
        })));
  }

  private static Buffer frame(String type, JsonObject json) {
    byte[] name = type.getBytes(StandardCharsets.UTF_8);
    byte[] body = json.toBuffer().getBytes();
    return Buffer.buffer().appendInt(name.length).appendBytes(name).appendInt(body.length).appendBytes(body);
  }
}

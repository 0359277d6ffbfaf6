package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.system.SystemFeed;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The SockJS bridge, spoken to as a browser would over its raw WebSocket transport. */
class BridgeTest extends NodeSpec {
  private static final long WAIT_SECONDS = 10;
  /** What the bridge answers a refused frame: by our rules ("rejected") or by its permitted list ("access_denied"). */
  static final String[] REFUSED = {"rejected", "access_denied"};
  private static JsonObject adminMe;

  @BeforeAll
  static void signIn() {
    adminMe = http.get("/api/v1/me", admin).json();
  }

  /** A browser-side bridge connection collecting every frame it receives. */
  static final class Socket implements WebSocket.Listener, AutoCloseable {
    final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    final WebSocket ws;
    final java.util.concurrent.CompletableFuture<Integer> closed = new java.util.concurrent.CompletableFuture<>();
    /** Probes received (see {@link #awaitListening}): counted, never put among the frames. */
    final java.util.concurrent.atomic.AtomicInteger probes = new java.util.concurrent.atomic.AtomicInteger();

    Socket(int port) {
      ws = HttpClient.newHttpClient().newWebSocketBuilder()
          .buildAsync(URI.create("ws://127.0.0.1:" + port + "/eventbus/websocket"), this).join();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        JsonObject frame = new JsonObject(partial.toString());
        if (frame.getValue("body") instanceof JsonObject b && b.getBoolean(PROBE, false)) {
          probes.incrementAndGet();
        } else {
          frames.add(frame);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    /** The raw transport sends bridge frames as binary WebSocket frames of UTF-8 JSON. */
    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      return onText(webSocket, new String(bytes, java.nio.charset.StandardCharsets.UTF_8), last);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(-1);
    }

    void send(JsonObject frame) {
      ws.sendText(frame.encode(), true).join();
    }

    void register(String address, String token) {
      var frame = new JsonObject().put("type", "register").put("address", address);
      if (token != null) {
        frame.put("headers", new JsonObject().put("authorization", "Bearer " + token));
      }
      send(frame);
    }

    /** The next frame matching a type (skipping pongs), or null after the wait. */
    JsonObject next(String type) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
      while (System.nanoTime() < deadline) {
        JsonObject f = frames.poll(100, TimeUnit.MILLISECONDS);
        if (f != null && type.equals(f.getString("type"))) {
          return f;
        }
      }
      return null;
    }

    @Override
    public void close() {
      ws.abort();
    }
  }

  /**
   * Waits until the socket's registration of {@code address} is in place: probes published there
   * until one arrives (the probes are then dropped from the socket's frames).
   */
  static void awaitListening(Socket s, String address, io.vertx.core.Vertx vertx) {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(WAIT_SECONDS))
        .pollInterval(java.time.Duration.ofMillis(50)).until(() -> {
          // a type every member may see on an organisation's feed, marked as a probe
          vertx.eventBus().publish(address, new JsonObject()
              .put("type", io.nexus.contracts.financial.Financial.LEDGER_CREATED.name()).put(PROBE, true));
          return s.probes.get() > 0;
        });
  }

  private static final String PROBE = "testProbe";

  @Test
  @DisplayName("anyone may listen to ui.system and receives node and service events")
  void publicSystemFeed() throws Exception {
    try (var s = new Socket(TestNode.port(cfg))) {
      s.register(SystemFeed.SYSTEM.address(), null);
      awaitListening(s, SystemFeed.SYSTEM.address(), node.vertx());
      node.vertx().runOnContext(v -> new io.nexus.kernel.discovery.Discovery(node.vertx())
          .announce(SystemFeed.SystemEventType.SERVICE_UP, node.nodeId(), "security"));
      JsonObject rec = s.next("rec");
      assertThat(rec).isNotNull();
      assertThat(rec.getJsonObject("body").getString("type")).isEqualTo(SystemFeed.SystemEventType.SERVICE_UP.wire());
      assertThat(rec.getJsonObject("body").getString("node")).isEqualTo(node.nodeId());
    }
  }

  @Test
  @DisplayName("registering a private address without a token is refused")
  void unauthenticatedRegisterRefused() throws Exception {
    try (var s = new Socket(TestNode.port(cfg))) {
      s.register("ui.org." + adminMe.getString("org") + ".events", null);
      JsonObject err = s.next("err");
      assertThat(err).isNotNull();
      assertThat(err.getString("body")).isIn(REFUSED);
    }
  }

  @Test
  @DisplayName("an authenticated user may listen on their own org's address but not on another org's")
  void ownOrgOnly() throws Exception {
    String org = adminMe.getString("org");
    try (var s = new Socket(TestNode.port(cfg))) {
      s.register("ui.org." + UUID.randomUUID() + ".events", admin);
      JsonObject err = s.next("err");
      assertThat(err).isNotNull();
      assertThat(err.getString("body")).isIn(REFUSED);

      s.register("ui.org." + org + ".events", admin);
      awaitListening(s, "ui.org." + org + ".events", node.vertx());
      node.vertx().eventBus().publish("ui.org." + org + ".events", new JsonObject().put("hello", "org"));
      JsonObject rec = s.next("rec");
      assertThat(rec).isNotNull();
      assertThat(rec.getJsonObject("body").getString("hello")).isEqualTo("org");
    }
  }

  @Test
  @DisplayName("a message with a forged principal header reaches the service with the verified principal instead")
  void forgedPrincipalReplaced() throws Exception {
    String email = "viewer-" + UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
    var created = http.post("/api/v1/users", new JsonObject().put("email", email).put("password", "a-good-long-password")
        .put("name", "V").put("role", "viewer"), admin).json();
    String viewer = http.login(email, "a-good-long-password");
    var forged = new JsonObject().put("subject", adminMe.getString("id")).put("org", adminMe.getString("org"))
        .put("role", "admin").put("session", "forged");
    try (var s = new Socket(TestNode.port(cfg))) {
      s.send(new JsonObject().put("type", "send").put("address", SystemFeed.WHOAMI.address()).put("body", new JsonObject())
          .put("replyAddress", "reply-1")
          .put("headers", new JsonObject().put("authorization", "Bearer " + viewer).put("x-principal", forged.encode())));
      JsonObject rec = s.next("rec");
      assertThat(rec).as("reply to whoami").isNotNull();
      JsonObject principal = rec.getJsonObject("body");
      assertThat(principal.getString("subject")).isEqualTo(created.getString("id"));
      assertThat(principal.getString("role")).isEqualTo("viewer");

      s.send(new JsonObject().put("type", "send").put("address", SystemFeed.WHOAMI.address()).put("body", new JsonObject())
          .put("replyAddress", "reply-2").put("headers", new JsonObject().put("x-principal", forged.encode())));
      JsonObject err = s.next("err");
      assertThat(err).as("a send without a token is refused").isNotNull();
    }
  }

  @Test
  @DisplayName("addresses outside ui.* are never reachable from a browser")
  void internalAddressesUnreachable() throws Exception {
    try (var s = new Socket(TestNode.port(cfg))) {
      s.send(new JsonObject().put("type", "send").put("address", "nexus.security.list-users").put("body", new JsonObject())
          .put("replyAddress", "r").put("headers", new JsonObject().put("authorization", "Bearer " + admin)));
      JsonObject err = s.next("err");
      assertThat(err).isNotNull();
      assertThat(err.getString("body")).isIn(REFUSED);
    }
  }

  @Test
  @DisplayName("a socket is closed at the next event for it once its session ended (logout); another user's token on it is refused")
  void endedSessionClosesTheSocket() throws Exception {
    String org = adminMe.getString("org");
    String session = http.login(TestNode.adminEmail(cfg), TestNode.ADMIN_PASSWORD);
    String email = "other-" + UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
    assertThat(http.post("/api/v1/users", new JsonObject().put("email", email).put("password", "a-good-long-password")
        .put("name", "O").put("role", "examiner"), admin).status()).isEqualTo(201);
    String other = http.login(email, "a-good-long-password");
    try (var s = new Socket(TestNode.port(cfg))) {
      s.register("ui.org." + org + ".events", session);
      awaitListening(s, "ui.org." + org + ".events", node.vertx());
      node.vertx().eventBus().publish("ui.org." + org + ".events", new JsonObject().put("n", 1));
      assertThat(s.next("rec")).as("delivered while the session lives").isNotNull();

      s.register("ui.org." + org + ".events.more", other);
      JsonObject err = s.next("err");
      assertThat(err).as("a second user's token on the socket").isNotNull();
      assertThat(err.getString("body")).isIn(REFUSED);

      assertThat(http.post("/api/v1/auth/logout", null, session).status()).isEqualTo(204);
      node.vertx().eventBus().publish("ui.org." + org + ".events", new JsonObject().put("n", 2));
      assertThat(s.closed.get(WAIT_SECONDS, TimeUnit.SECONDS)).as("socket closed").isNotNull();
      assertThat(s.frames.stream().filter(f -> "rec".equals(f.getString("type")))).as("nothing after the logout").isEmpty();
    }
  }
}

package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.db.PgConfig;
import io.vertx.core.json.JsonObject;
import java.sql.DriverManager;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Read models, their rebuild, and parked events, through the API. */
class OperationsTest extends NodeSpec {
  private static final long WAIT_MS = 20_000;
  private static final String ACTIVITY = "security.user-activity";

  private static JsonObject activityOf(String userId) {
    return org.awaitility.Awaitility.await("activity of " + userId).atMost(java.time.Duration.ofMillis(WAIT_MS))
        .pollInterval(java.time.Duration.ofMillis(100))
        .until(() -> http.get("/api/v1/activity/users", admin).json().getJsonArray("users").stream()
            .map(JsonObject.class::cast).filter(u -> u.getString("userId").equals(userId) && u.getLong("logins") >= 2)
            .findFirst(), java.util.Optional::isPresent).orElseThrow();
  }

  @Test
  @DisplayName("the user-activity read model counts logins and changes; a rebuild reports progress and ends with the same rows")
  void readModelAndRebuild() throws Exception {
    String email = "act-" + UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
    String id = http.post("/api/v1/users", new JsonObject().put("email", email).put("password", "a-good-long-password")
        .put("name", "Act").put("role", "viewer"), admin).json().getString("id");
    http.login(email, "a-good-long-password");
    http.login(email, "a-good-long-password");
    JsonObject before = activityOf(id);
    assertThat(before.getLong("changes")).isEqualTo(1L);
    var all = http.get("/api/v1/activity/users", admin).json();

    var started = http.post("/api/v1/admin/security/projections/" + ACTIVITY + "/rebuild", null, admin);
    assertThat(started.status()).as(started.toString()).isEqualTo(202);
    JsonObject status = org.awaitility.Awaitility.await("rebuild done").atMost(java.time.Duration.ofMillis(WAIT_MS))
        .pollInterval(java.time.Duration.ofMillis(100))
        .until(() -> http.get("/api/v1/admin/security/projections/" + ACTIVITY, admin).json(), s -> {
          assertThat(s.getString("state")).as(s.encode()).isNotEqualTo("failed");
          return s.getString("state").equals("done");
        });
    assertThat(status.getLong("replayed")).isGreaterThanOrEqualTo(status.getLong("total"));
    assertThat(http.get("/api/v1/activity/users", admin).json()).isEqualTo(all);
    assertThat(http.get("/api/v1/admin/security/projections/nope", admin).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("an event the read model cannot apply is parked with its reason; retry fails again with 422; skip drops it")
  void parkedEvents() throws Exception {
    var pg = new PgConfig(cfg.getJsonObject("postgres").getString("url"), 1);
    long position;
    try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); var st = c.createStatement()) {
      var rs = st.executeQuery("INSERT INTO eventlog.events (stream_id, version, type, data, metadata) VALUES "
          + "('session-poison', 1, 'security.logged-in', '{\"user\":\"not-a-uuid\"}', '{}') RETURNING position");
      rs.next();
      position = rs.getLong(1);
    }
    long parkedAt = position;
    JsonObject parked = org.awaitility.Awaitility.await("parked after its retries").atMost(java.time.Duration.ofMillis(WAIT_MS))
        .pollInterval(java.time.Duration.ofMillis(200))
        .until(() -> http.get("/api/v1/admin/security/parked", admin).json().getJsonArray("events").stream()
            .map(JsonObject.class::cast).filter(p -> p.getLong("position") == parkedAt).findFirst(), java.util.Optional::isPresent)
        .orElseThrow();
    assertThat(parked.getString("subscription")).isEqualTo(ACTIVITY);
    assertThat(parked.getString("reason")).containsIgnoringCase("uuid");
    String at = "/api/v1/admin/security/parked/" + ACTIVITY + "/" + position;
    var retried = http.post(at + "/retry", null, admin);
    assertThat(retried.status()).as(retried.toString()).isEqualTo(422);
    assertThat(http.method("DELETE", at, null, null, admin).status()).isEqualTo(204);
    assertThat(http.get("/api/v1/admin/security/parked", admin).body()).doesNotContain("\"position\":" + position + ",");
    assertThat(http.method("DELETE", at, null, null, admin).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("events the gateway's live feed parked are listed with Security's; retry publishes them to the browsers, skip drops them")
  void liveFeedParkedEvents() throws Exception {
    String org = http.get("/api/v1/me", admin).json().getString("org");
    String ledger = http.post("/api/v1/ledgers", new JsonObject().put("name", "Parked feed").put("currency", "EUR"), admin)
        .json().getString("id");
    var pg = new PgConfig(cfg.getJsonObject("postgres").getString("url"), 1);
    long[] positions = new long[2];
    try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); var st = c.createStatement()) {
      // the ledger's event, as if publishing it had failed every time: parked for the live feed
      var rs = st.executeQuery("SELECT position FROM eventlog.events WHERE stream_id = 'ledger-" + ledger + "' ORDER BY position");
      assertThat(rs.next()).as("the ledger's event").isTrue();
      positions[0] = rs.getLong(1);
      rs = st.executeQuery("SELECT max(position) FROM eventlog.events WHERE position < " + positions[0]);
      rs.next();
      positions[1] = rs.getLong(1);
      for (long p : positions) {
        st.execute("INSERT INTO eventlog.parked_events (subscription, position, partition, attempts, reason) VALUES "
            + "('gateway.live-feed', " + p + ", 0, 5, 'publish failed (test)')");
      }
    }
    var listed = http.get("/api/v1/admin/security/parked", admin).json().getJsonArray("events").stream()
        .map(o -> (JsonObject) o).filter(e -> "gateway.live-feed".equals(e.getString("subscription"))).toList();
    assertThat(listed).extracting(e -> e.getLong("position")).contains(positions[0], positions[1]);
    String at = "/api/v1/admin/security/parked/gateway.live-feed/";
    try (var s = new BridgeTest.Socket(TestNode.port(cfg))) {
      s.register("ui.org." + org + ".events", admin);
      BridgeTest.awaitListening(s, "ui.org." + org + ".events", node.vertx());
      var retried = http.post(at + positions[0] + "/retry", null, admin);
      assertThat(retried.status()).as(retried.toString()).isEqualTo(204);
      JsonObject rec = s.next("rec");
      assertThat(rec).as("the parked event, published on retry").isNotNull();
      assertThat(rec.getJsonObject("body").getLong("position")).isEqualTo(positions[0]);
    }
    assertThat(http.post(at + positions[0] + "/retry", null, admin).status()).as("no longer parked").isEqualTo(404);
    assertThat(http.method("DELETE", at + positions[1], null, null, admin).status()).isEqualTo(204);
    assertThat(http.method("DELETE", at + positions[1], null, null, admin).status()).isEqualTo(404);
    assertThat(http.method("DELETE", "/api/v1/admin/security/parked/gateway.nothing/" + positions[1], null, null, admin)
        .status()).isEqualTo(404);
  }

  @Test
  @DisplayName("platform operations are refused to admins of other organisations")
  void operatorOnly() {
    String email = "op-" + UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
    assertThat(http.post("/api/v1/orgs", new JsonObject().put("name", "Other " + email).put("adminEmail", email)
        .put("adminName", "O").put("adminPassword", "other-admin-password"), admin).status()).isEqualTo(201);
    String other = http.login(email, "other-admin-password");
    assertThat(http.get("/api/v1/admin/security/parked", other).status()).isEqualTo(403);
    assertThat(http.post("/api/v1/admin/security/projections/" + ACTIVITY + "/rebuild", null, other).status()).isEqualTo(403);
  }
}

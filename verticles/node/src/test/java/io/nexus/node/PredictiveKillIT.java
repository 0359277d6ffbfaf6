package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.kernel.testing.TestServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Degraded mode: the only Predictive instance runs in its own process and is SIGKILLed during a
 * posting burst. Posting goes on meanwhile (risk reads answer 503); once a Predictive process is
 * back, scoring catches up from the log and every entry is scored exactly once by the active
 * model, counted in PostgreSQL.
 */
class PredictiveKillIT {
  private static final String PASSWORD = "admin-password-for-tests";
  private static final int BEFORE = 60;
  private static final long BURST_MS = 5000;
  private static final long KILL_AFTER_MS = 1500;
  private static final long WAIT_MS = 60_000;

  @Test
  @DisplayName("SIGKILL of the only predictive instance during a posting burst: posting goes on; back, every entry is scored exactly once")
  void killThePredictiveInstance() throws Exception {
    String cluster = "risk-" + UUID.randomUUID().toString().substring(0, 8);
    int hzA = EmbeddedServers.freePort();
    int hzB = EmbeddedServers.freePort();
    int http = EmbeddedServers.freePort();
    String db = TestServers.freshDatabase();
    Map<String, String> common = NodeProcess.clusterEnv(cluster, db, PASSWORD, hzA, hzB);
    Map<String, String> predictiveEnv = NodeProcess.with(common, "NEXUS_SERVICES", "predictive", "NEXUS_CLUSTER_PORT", hzB,
        "NEXUS_HTTP_PORT", EmbeddedServers.freePort(), "NEXUS_DATA_DIR", "target/risk-b");
    try (NodeProcess a = NodeProcess.start("risk-A", NodeProcess.with(common, "NEXUS_SERVICES", "security,financial,gateway",
        "NEXUS_CLUSTER_PORT", hzA, "NEXUS_HTTP_PORT", http, "NEXUS_DATA_DIR", "target/risk-a"))) {
      a.awaitReady();
      var api = new Http(http);
      String token = api.login(cluster + "@nexus.test", PASSWORD);
      String ledger = api.post("/api/v1/ledgers", new JsonObject().put("name", "Burst").put("currency", "EUR"), token).json()
          .getString("id");
      for (String[] acc : new String[][] {{"1000", "Bank", "asset"}, {"5000", "Supplies", "expense"}}) {
        assertThat(api.post("/api/v1/ledgers/" + ledger + "/accounts", new JsonObject().put("code", acc[0]).put("name", acc[1])
            .put("type", acc[2]), token).status()).isEqualTo(201);
      }
      var posted = new ArrayList<String>();
      String modelId;
      try (NodeProcess b = NodeProcess.start("risk-B", predictiveEnv)) {
        b.awaitReady();
        waitUntil("the predictive instance is reachable", () -> api.get("/api/v1/models", token).status() == 200);
        for (int i = 0; i < BEFORE; i++) {
          posted.add(post(api, token, ledger, i));
        }
        waitUntil("the first entries read", () -> status(api, token, ledger).getLong("entriesRead") == BEFORE);
        var m = api.post("/api/v1/models", new JsonObject().put("ledgerId", ledger).put("kind", "isolation-forest"), token);
        assertThat(m.status()).as(m.toString()).isEqualTo(202);
        modelId = m.json().getString("id");
        waitUntil("trained", () -> "trained".equals(api.get("/api/v1/models/" + modelId, token).json().getString("state")));
        assertThat(api.post("/api/v1/models/" + modelId + "/promote", new JsonObject(), token).status()).isEqualTo(200);

        // the burst: the predictive process dies in the middle of it; posting must not notice
        long start = System.currentTimeMillis();
        boolean killed = false;
        int i = BEFORE;
        while (System.currentTimeMillis() - start < BURST_MS) {
          if (!killed && System.currentTimeMillis() - start > KILL_AFTER_MS) {
            b.kill();
            killed = true;
          }
          posted.add(post(api, token, ledger, i++));
        }
        System.out.printf(Locale.ROOT, "RISK burst: %d entries posted in %d ms, the predictive process killed after %d ms%n",
            posted.size() - BEFORE, BURST_MS, KILL_AFTER_MS);
      }
      // gone from discovery: risk reads are refused at once (503), posting still works
      waitUntil("the killed instance dropped", () -> instances(api, token, "predictive") == 0);
      var refused = api.get("/api/v1/ledgers/" + ledger + "/entries/" + posted.get(0) + "/risk", token);
      assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
      for (int k = 0; k < 20; k++) {
        posted.add(post(api, token, ledger, 10_000 + k));
      }
      // back: a new process catches up from the log
      long back = System.currentTimeMillis();
      try (NodeProcess b2 = NodeProcess.start("risk-B2", predictiveEnv)) {
        b2.awaitReady();
        var pg = new PgConfig(db, 1);
        try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); var st = c.createStatement()) {
          long total = posted.size();
          waitUntil("every entry scored", () -> count(st, "SELECT count(*) FROM predictive.scores WHERE model_id = '"
              + modelId + "'::uuid") >= total);
          System.out.printf(Locale.ROOT, "RISK caught up %d entries %d ms after the predictive process was started again%n",
              total, System.currentTimeMillis() - back);
          assertThat(count(st, "SELECT count(*) FROM predictive.payments WHERE ledger_id = '" + ledger + "'::uuid"))
              .as("every entry read once").isEqualTo(total);
          assertThat(count(st, "SELECT count(DISTINCT entry_id) FROM predictive.payments WHERE ledger_id = '" + ledger + "'::uuid"))
              .isEqualTo(total);
          assertThat(count(st, "SELECT count(*) FROM predictive.scores WHERE model_id = '" + modelId + "'::uuid"))
              .as("every entry scored exactly once by the model").isEqualTo(total);
          assertThat(count(st, "SELECT count(*) FROM predictive.scores WHERE entry_id = ANY('{" + String.join(",", posted)
              + "}'::uuid[])")).as("and those are the posted entries").isEqualTo(total);
          // the per-ledger order has no gap: the history the features came from is whole
          assertThat(count(st, "SELECT max(seq) FROM predictive.payments WHERE ledger_id = '" + ledger + "'::uuid"))
              .isEqualTo(total);
        }
        var r = api.get("/api/v1/ledgers/" + ledger + "/entries/" + posted.get(posted.size() - 1) + "/risk", token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().getString("modelId")).isEqualTo(modelId);
      }
    }
  }

  private static String post(Http api, String token, String ledger, int i) {
    String amount = String.format(Locale.ROOT, "%.2f", 100 + (i % 17) * 13.5);
    var lines = new JsonArray().add(new JsonObject().put("account", "5000").put("debit", amount).put("currency", "EUR"))
        .add(new JsonObject().put("account", "1000").put("credit", amount).put("currency", "EUR"));
    var r = api.post("/api/v1/ledgers/" + ledger + "/entries", new JsonObject().put("bookingDate", "2025-03-" + (10 + i % 15))
        .put("description", "burst " + i).put("counterparty", "Supplier " + (i % 5)).put("lines", lines), token);
    assertThat(r.status()).as("posting " + i + ": " + r).isEqualTo(201);
    return r.json().getString("id");
  }

  static int instances(Http api, String token, String service) {
    for (Object o : api.get("/api/v1/services", token).json().getJsonArray("services")) {
      JsonObject svc = (JsonObject) o;
      if (service.equals(svc.getString("name"))) {
        return svc.getJsonArray("instances").size();
      }
    }
    return 0;
  }

  private static JsonObject status(Http api, String token, String ledger) {
    return api.get("/api/v1/ledgers/" + ledger + "/risk-status", token).json();
  }

  static long count(Statement st, String sql) {
    try (var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static void waitUntil(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not within " + WAIT_MS + " ms: " + what);
      }
      Thread.sleep(200);
    }
  }
}

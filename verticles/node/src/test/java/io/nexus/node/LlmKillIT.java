package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.kernel.testing.TestServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The index follows the log across a crash: the only LLM instance runs in its own process and is
 * SIGKILLed; 100 entries are posted while it is gone; a new process on the same data directory
 * (its index committed only up to some point before the kill) catches up from the log and from
 * its index's checkpoint, and every entry is a chunk once and a document of the index once.
 */
class LlmKillIT {
  private static final String PASSWORD = "admin-password-for-tests";
  private static final int BEFORE = 20;
  private static final int WHILE_DOWN = 100;

  @Test
  @DisplayName("SIGKILL of the only llm instance, 100 entries posted meanwhile, a new instance: every entry indexed exactly once")
  void killTheLlmInstance() throws Exception {
    String cluster = "llm-" + UUID.randomUUID().toString().substring(0, 8);
    int hzA = EmbeddedServers.freePort();
    int hzB = EmbeddedServers.freePort();
    int http = EmbeddedServers.freePort();
    String db = TestServers.freshDatabase();
    Map<String, String> common = NodeProcess.clusterEnv(cluster, db, PASSWORD, hzA, hzB);
    Map<String, String> llmEnv = NodeProcess.with(common, "NEXUS_SERVICES", "llm", "NEXUS_CLUSTER_PORT", hzB,
        "NEXUS_HTTP_PORT", EmbeddedServers.freePort(), "NEXUS_DATA_DIR", "target/llm-kill-b-" + cluster);
    try (NodeProcess a = NodeProcess.start("llm-A", NodeProcess.with(common, "NEXUS_SERVICES", "security,financial,gateway",
        "NEXUS_CLUSTER_PORT", hzA, "NEXUS_HTTP_PORT", http, "NEXUS_DATA_DIR", "target/llm-kill-a-" + cluster))) {
      a.awaitReady();
      var api = new Http(http);
      String token = api.login(cluster + "@nexus.test", PASSWORD);
      String ledger = api.post("/api/v1/ledgers", new JsonObject().put("name", "Crash").put("currency", "EUR"), token).json()
          .getString("id");
      for (String[] acc : new String[][] {{"1000", "Bank", "asset"}, {"5000", "Supplies", "expense"}}) {
        assertThat(api.post("/api/v1/ledgers/" + ledger + "/accounts", new JsonObject().put("code", acc[0]).put("name", acc[1])
            .put("type", acc[2]), token).status()).isEqualTo(201);
      }
      var posted = new ArrayList<String>();
      try (NodeProcess b = NodeProcess.start("llm-B", llmEnv)) {
        b.awaitReady();
        for (int i = 0; i < BEFORE; i++) {
          posted.add(post(api, token, ledger, i));
        }
        PredictiveKillIT.waitUntil("the first entries indexed", () -> current(api, token, BEFORE));
        b.kill();
      }
      PredictiveKillIT.waitUntil("the killed instance dropped", () -> PredictiveKillIT.instances(api, token, "llm") == 0);
      assertThat(api.get("/api/v1/search?q=crash", token).status()).as("no instance: 503 at once").isEqualTo(503);
      for (int i = BEFORE; i < BEFORE + WHILE_DOWN; i++) {
        posted.add(post(api, token, ledger, i));
      }
      long back = System.currentTimeMillis();
      try (NodeProcess b2 = NodeProcess.start("llm-B2", llmEnv)) {
        b2.awaitReady();
        int total = posted.size();
        PredictiveKillIT.waitUntil("every entry indexed", () -> current(api, token, total));
        System.out.printf(Locale.ROOT, "LLM caught up %d entries %d ms after the llm process was started again%n", total,
            System.currentTimeMillis() - back);
        var pg = new PgConfig(db, 1);
        try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); var st = c.createStatement()) {
          assertThat(PredictiveKillIT.count(st, "SELECT count(*) FROM llm.chunks WHERE kind = 'entry' AND ledger_id = '" + ledger + "'::uuid"))
              .as("one chunk per entry").isEqualTo(total);
          assertThat(PredictiveKillIT.count(st, "SELECT count(*) FROM llm.chunks WHERE kind = 'entry' AND fact_id = ANY('{" + String.join(",", posted)
              + "}')")).as("and those are the posted entries").isEqualTo(total);
        }
        var status = api.get("/api/v1/search/index", token).json();
        assertThat(status.getLong("indexed")).as("one document of the index per chunk").isEqualTo(status.getLong("chunks"));
        // an entry posted while the instance was down is found by its words
        var hit = api.get("/api/v1/search?q=" + URLEncoder.encode("crashword" + (BEFORE + 42), StandardCharsets.UTF_8), token);
        assertThat(ids(hit)).first().isEqualTo(posted.get(BEFORE + 42));
      }
    }
  }

  /** The organisation's index on the answering instance holds {@code n} chunks, all embedded and applied. */
  private static boolean current(Http api, String token, int n) {
    var r = api.get("/api/v1/search/index", token);
    if (r.status() != 200) {
      return false;
    }
    var s = r.json();
    return s.getLong("chunks") == n && s.getLong("indexed") == n && s.getLong("pending") == 0 && s.getLong("behind") == 0;
  }

  private static List<String> ids(Http.Resp r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json().getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  private static String post(Http api, String token, String ledger, int i) {
    String amount = String.format(Locale.ROOT, "%.2f", 100 + (i % 17) * 13.5);
    var lines = new JsonArray().add(new JsonObject().put("account", "5000").put("debit", amount).put("currency", "EUR"))
        .add(new JsonObject().put("account", "1000").put("credit", amount).put("currency", "EUR"));
    var r = api.post("/api/v1/ledgers/" + ledger + "/entries", new JsonObject().put("bookingDate", "2025-03-" + (10 + i % 15))
        .put("description", "Supplies crashword" + i).put("counterparty", "Supplier " + (i % 5)).put("lines", lines), token);
    assertThat(r.status()).as("posting " + i + ": " + r).isEqualTo(201);
    return r.json().getString("id");
  }
}

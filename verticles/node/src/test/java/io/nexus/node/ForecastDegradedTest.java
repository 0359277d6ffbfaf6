package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.config.NodeConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Predictive service's call to the Financial Examiner sits behind its own breaker: while
 * Financial fails, forecasts fail as problems (no stack trace, no hang), the breaker opens, and
 * forecasts come back once Financial does.
 */
class ForecastDegradedTest {
  private static NexusNode node;
  private static Http http;
  private static String admin;
  private static Path faults;

  @BeforeAll
  static void start() throws Exception {
    faults = Files.createTempFile("nexus-forecast-faults", ".json");
    JsonObject cfg = TestNode.config();
    NodeConfig.put(cfg, "node.testFaults", faults.toString());
    node = TestNode.start(cfg);
    http = new Http(TestNode.port(cfg));
    admin = http.login(TestNode.adminEmail(cfg), TestNode.ADMIN_PASSWORD);
  }

  @AfterAll
  static void stop() throws Exception {
    TestNode.stop(node);
    Files.deleteIfExists(faults);
  }

  @Test
  @DisplayName("Financial failing: forecasts are 5xx problems, Predictive's breaker for Financial opens; Financial back: forecasts back")
  void breakerInFrontOfFinancial() throws Exception {
    String ledger = http.post("/api/v1/ledgers", new JsonObject().put("name", "Degraded " + UUID.randomUUID()).put("currency", "EUR"),
        admin).json().getString("id");
    for (String[] a : new String[][] {{"1000", "Bank", "asset"}, {"4000", "Sales", "revenue"}}) {
      assertThat(http.post("/api/v1/ledgers/" + ledger + "/accounts", new JsonObject().put("code", a[0]).put("name", a[1])
          .put("type", a[2]), admin).status()).isEqualTo(201);
    }
    for (int i = 0; i < 24; i++) {
      String amount = String.format(java.util.Locale.ROOT, "%.2f", 100 + 10 * Math.sin(i) + i);
      var lines = new JsonArray().add(new JsonObject().put("account", "1000").put("debit", amount).put("currency", "EUR"))
          .add(new JsonObject().put("account", "4000").put("credit", amount).put("currency", "EUR"));
      assertThat(http.post("/api/v1/ledgers/" + ledger + "/entries", new JsonObject().put("bookingDate",
          String.format("%d-%02d-10", 2023 + i / 12, i % 12 + 1)).put("description", "sales").put("lines", lines), admin).status())
          .isEqualTo(201);
    }
    String path = "/api/v1/ledgers/" + ledger + "/forecasts?account=4000&horizon=3&method=snaive";
    assertThat(http.get(path, admin).status()).isEqualTo(200);

    Files.writeString(faults, "{\"financial\": {\"failPercent\": 100}}");
    Thread.sleep(600); // the node reads its fault file every 200 ms
    for (int i = 0; i < 8; i++) {
      var r = http.get(path, admin);
      assertThat(r.status()).as(r.toString()).isBetween(500, 599);
      assertThat(r.header("content-type")).startsWith("application/problem+json");
      assertThat(r.body()).doesNotContain("Exception").doesNotContain("at io.");
    }
    assertThat(breakerState(http.get("/metrics", null).body())).as("Predictive's breaker for Financial").isEqualTo(2.0);

    Files.writeString(faults, "{}");
    Awaitility.await("forecasts back").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
        .until(() -> http.get(path, admin).status() == 200);
    assertThat(breakerState(http.get("/metrics", null).body())).as("closed again").isEqualTo(0.0);
  }

  /** {@code nexus_breaker_state{name="financial",service="predictive"}}: the Predictive service's breaker (Vision has its own). */
  private static double breakerState(String metrics) {
    return metrics.lines().filter(l -> l.startsWith("nexus_breaker_state{") && l.contains("name=\"financial\"") && l.contains("service=\"predictive\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
  }
}

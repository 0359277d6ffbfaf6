package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.financial.demo.SyntheticCsv;
import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.kernel.testing.TestServers;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A 1,000,000-row CSV streamed into a node that runs with -Xmx512m, with progress on the bridge. */
class ImportMillionIT {
  private static final long ROWS = 1_000_000;
  private static final String PASSWORD = "admin-password-for-tests";

  @Test
  @DisplayName("1,000,000 rows import into a -Xmx512m node; progress events arrive while it runs; the books balance")
  void millionRows() throws Exception {
    String cluster = "imp-" + UUID.randomUUID().toString().substring(0, 8);
    int http = EmbeddedServers.freePort();
    var env = Map.of("NEXUS_PG_URL", TestServers.freshDatabase(), "NEXUS_REDIS_URL", TestServers.redisUrl(),
        "NEXUS_CLUSTER_NAME", cluster, "NEXUS_CLUSTER_PORT", String.valueOf(EmbeddedServers.freePort()),
        "NEXUS_HTTP_PORT", String.valueOf(http), "NEXUS_ADMIN_EMAIL", cluster + "@nexus.test",
        "NEXUS_ADMIN_PASSWORD", PASSWORD, "NEXUS_DATA_DIR", "target/it-data-import");
    try (NodeProcess n = NodeProcess.start("import", env)) {
      n.awaitReady();
      var api = new Http(http);
      String token = api.login(cluster + "@nexus.test", PASSWORD);
      String org = api.get("/api/v1/me", token).json().getString("org");
      String ledger = api.post("/api/v1/ledgers", new JsonObject().put("name", "Million").put("currency", "EUR"), token)
          .json().getString("id");
      for (String[] a : new String[][] {{"1000", "Bank", "asset"}, {"4000", "Sales", "revenue"}, {"6000", "Rent", "expense"}}) {
        assertThat(api.post("/api/v1/ledgers/" + ledger + "/accounts", new JsonObject().put("code", a[0]).put("name", a[1])
            .put("type", a[2]), token).status()).isEqualTo(201);
      }
      String id = api.post("/api/v1/ledgers/" + ledger + "/imports", new JsonObject().put("format", "csv"), token)
          .json().getString("id");
      long size = SyntheticCsv.size(ROWS);
      try (var socket = new BridgeTest.Socket(http)) {
        socket.register("ui.org." + org + ".imports." + id, token);
        // the bridge closes sockets that stay silent past its ping timeout
        var pinger = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        pinger.scheduleAtFixedRate(() -> socket.send(new JsonObject().put("type", "ping")), 2, 2,
            java.util.concurrent.TimeUnit.SECONDS);
        Thread.sleep(300);
        long start = System.nanoTime();
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/api/v1/ledgers/" + ledger + "/imports/"
                + id + "/file"))
            .header("Authorization", "Bearer " + token).header("Content-Type", "text/csv")
            .timeout(Duration.ofMinutes(10))
            .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> new SyntheticCsv(ROWS)),
                size))
            .build();
        var response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        var report = new JsonObject(response.body());
        System.out.printf("imported %d rows (%d MB) in %.1f s: %.0f rows/s%n", ROWS, size >> 20, seconds, ROWS / seconds);
        assertThat(report.getString("status")).isEqualTo("completed");
        assertThat(report.getLong("rowsDone")).isEqualTo(ROWS);
        assertThat(report.getLong("entriesImported")).isEqualTo(ROWS / 2);
        assertThat(report.getLong("bytesDone")).isEqualTo(size);

        var progress = new ArrayList<JsonObject>();
        JsonObject f;
        while ((f = socket.next("rec")) != null) {
          progress.add(f.getJsonObject("body"));
          if (!"receiving".equals(f.getJsonObject("body").getString("status"))) {
            break;
          }
        }
        assertThat(progress).as("progress events").hasSizeGreaterThan(1);
        assertThat(progress.get(0).getLong("rowsDone")).isBetween(1L, ROWS - 1);
        assertThat(progress.get(progress.size() - 1).getString("status")).isEqualTo("completed");
        for (int i = 1; i < progress.size(); i++) {
          assertThat(progress.get(i).getLong("rowsDone")).isGreaterThanOrEqualTo(progress.get(i - 1).getLong("rowsDone"));
        }
        pinger.shutdownNow();
      }
      var tb = api.get("/api/v1/ledgers/" + ledger + "/trial-balance?asOf=2025-12-31", token).json();
      assertThat(tb.getBoolean("balanced")).isTrue();
      assertThat(n.process.isAlive()).as("the node survived the import").isTrue();
      assertThat(java.nio.file.Files.readString(n.log)).doesNotContain("OutOfMemoryError");
    }
  }
}

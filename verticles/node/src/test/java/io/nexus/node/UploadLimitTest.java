package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.financial.demo.SyntheticCsv;
import io.nexus.kernel.config.NodeConfig;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The streamed upload's size limit (1 MiB here), announced or not. */
class UploadLimitTest {
  private static JsonObject cfg;
  private static NexusNode node;
  private static Http http;
  private static String admin;

  @BeforeAll
  static void start() {
    cfg = TestNode.config();
    NodeConfig.put(cfg, "gateway.uploadLimitMb", 1);
    node = TestNode.start(cfg);
    http = new Http(TestNode.port(cfg));
    admin = http.login(TestNode.adminEmail(cfg), TestNode.ADMIN_PASSWORD);
  }

  @AfterAll
  static void stop() {
    TestNode.stop(node);
  }

  @Test
  @DisplayName("a file over the limit is refused with 413: at once when Content-Length says so, mid-stream otherwise; nothing is imported")
  void overTheLimit() {
    String ledger = http.post("/api/v1/ledgers", new JsonObject().put("name", "Limit").put("currency", "EUR"), admin).json()
        .getString("id");
    for (String[] a : new String[][] {{"1000", "Bank", "asset"}, {"4000", "Sales", "revenue"}, {"6000", "Rent", "expense"}}) {
      http.post("/api/v1/ledgers/" + ledger + "/accounts", new JsonObject().put("code", a[0]).put("name", a[1])
          .put("type", a[2]), admin);
    }
    String id = http.post("/api/v1/ledgers/" + ledger + "/imports", new JsonObject().put("format", "csv"), admin).json()
        .getString("id");
    String path = "/api/v1/ledgers/" + ledger + "/imports/" + id + "/file";
    var announced = http.send(http.request(path, admin).header("Content-Type", "text/csv")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[2 * 1024 * 1024])));
    assertThat(announced.status()).isEqualTo(413);
    assertThat(announced.json().getString("detail")).contains("limit");
    // the import was not touched and still takes a file; now one streamed without a length, too large
    var streamed = http.send(http.request(path, admin).header("Content-Type", "text/csv")
        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new SyntheticCsv(40_000))));
    assertThat(streamed.status()).as(streamed.toString()).isEqualTo(413);
    JsonObject after = org.awaitility.Awaitility.await("the refused upload's import ends")
        .atMost(java.time.Duration.ofSeconds(5)).pollInterval(java.time.Duration.ofMillis(100))
        .until(() -> http.get("/api/v1/ledgers/" + ledger + "/imports/" + id, admin).json(),
            v -> !"receiving".equals(v.getString("status")));
    assertThat(after.getString("status")).isEqualTo("failed");
    assertThat(after.getLong("entriesImported")).isZero();
    assertThat(http.get("/api/v1/ledgers/" + ledger + "/entries", admin).json().getJsonArray("entries")).isEmpty();
  }
}

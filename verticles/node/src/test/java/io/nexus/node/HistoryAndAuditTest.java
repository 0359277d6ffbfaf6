package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.db.PgConfig;
import io.vertx.core.json.JsonObject;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Versions, optimistic concurrency, history, revert and the audit chain, on a real node. */
class HistoryAndAuditTest extends NodeSpec {
  private static final long WAIT_MS = 15_000;

  private static String newUser(String name) {
    var r = http.post("/api/v1/users", new JsonObject().put("email", name + "-" + UUID.randomUUID().toString().substring(0, 6)
        + "@nexus.test").put("password", "a-good-long-password").put("name", name).put("role", "analyst"), admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.header("ETag")).isEqualTo("\"1\"");
    return r.json().getString("id");
  }

  @Test
  @DisplayName("an update needs If-Match: without it 428, with a stale one 412 with the current state, with the right one a new ETag")
  void optimisticConcurrency() {
    String id = newUser("Olive");
    String path = "/api/v1/users/" + id;
    assertThat(http.json("PATCH", path, new JsonObject().put("name", "No Match"), admin).status()).isEqualTo(428);
    var first = http.json("PATCH", path, new JsonObject().put("name", "Olive Two"), admin, "If-Match", "\"1\"");
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.header("ETag")).isEqualTo("\"2\"");
    var stale = http.json("PATCH", path, new JsonObject().put("name", "Lost Update"), admin, "If-Match", "\"1\"");
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.json().getJsonObject("current").getString("name")).isEqualTo("Olive Two");
    assertThat(stale.json().getJsonObject("current").getLong("version")).isEqualTo(2L);
    assertThat(stale.header("ETag")).isEqualTo("\"2\"");
    assertThat(http.get(path, admin).json().getString("name")).isEqualTo("Olive Two");
    assertThat(http.json("PATCH", path, new JsonObject().put("name", "Bad Tag"), admin, "If-Match", "yesterday").status())
        .isEqualTo(400);
  }

  @Test
  @DisplayName("asOf shows a past state by version or time; revert appends compensating events and never rewrites history")
  void historyAndRevert() throws Exception {
    String id = newUser("Rita");
    String path = "/api/v1/users/" + id;
    Instant beforeChanges = Instant.now();
    Thread.sleep(20);
    assertThat(http.json("PATCH", path, new JsonObject().put("name", "Rita Renamed"), admin, "If-Match", "\"1\"").status())
        .isEqualTo(200);
    assertThat(http.json("PUT", path + "/role", new JsonObject().put("role", "examiner"), admin, "If-Match", "\"2\"").status())
        .isEqualTo(200);

    assertThat(http.get(path + "?asOf=1", admin).json().getString("name")).isEqualTo("Rita");
    var v2 = http.get(path + "?asOf=2", admin).json();
    assertThat(v2.getString("name")).isEqualTo("Rita Renamed");
    assertThat(v2.getString("role")).isEqualTo("analyst");
    assertThat(http.get(path + "?asOf=" + beforeChanges, admin).json().getString("name")).isEqualTo("Rita");
    assertThat(http.get(path + "?asOf=not-a-time", admin).status()).isEqualTo(400);
    assertThat(http.get(path + "?asOf=99", admin).json().getLong("version")).isEqualTo(3L);

    var reverted = http.json("POST", path + "/revert", new JsonObject().put("version", 1), admin, "If-Match", "\"3\"");
    assertThat(reverted.status()).as(reverted.toString()).isEqualTo(200);
    assertThat(reverted.json().getString("name")).isEqualTo("Rita");
    assertThat(reverted.json().getString("role")).isEqualTo("analyst");
    assertThat(reverted.json().getLong("version")).as("two compensating events").isEqualTo(5L);
    // the past is still there
    assertThat(http.get(path + "?asOf=3", admin).json().getString("role")).isEqualTo("examiner");
  }

  @Test
  @DisplayName("every command lands in the hash-chained audit trail; the app cannot alter it; a row altered by a superuser is named by verify")
  void auditChain() throws Exception {
    String id = newUser("Audrey");
    String entity = "user-" + id;
    org.awaitility.Awaitility.await("audited").atMost(java.time.Duration.ofMillis(WAIT_MS))
        .until(() -> !http.get("/api/v1/audit?entity=" + entity, admin).json().getJsonArray("entries").isEmpty());
    JsonObject page = http.get("/api/v1/audit?entity=" + entity, admin).json();
    var entry = page.getJsonArray("entries").getJsonObject(0);
    assertThat(entry.getString("action")).isEqualTo("security.user-created");
    assertThat(entry.getString("actor")).isEqualTo(http.get("/api/v1/me", admin).json().getString("id"));
    assertThat(http.get("/api/v1/audit?actor=nobody", admin).json().getJsonArray("entries")).isEmpty();

    var ok = http.get("/api/v1/audit/verify", admin).json();
    assertThat(ok.getBoolean("valid")).as(ok.encode()).isTrue();
    assertThat(ok.getLong("checked")).isPositive();

    var pg = new PgConfig(cfg.getJsonObject("postgres").getString("url"), 1);
    long seq = entry.getLong("seq");
    try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); var st = c.createStatement()) {
      try {
        st.executeUpdate("UPDATE security.audit_log SET actor = 'someone-else' WHERE seq = " + seq);
        throw new AssertionError("the audit log accepted an UPDATE");
      } catch (SQLException expected) {
        assertThat(expected.getMessage()).contains("append-only");
      }
      // a superuser can switch triggers off for its session: the chain still tells
      st.execute("SET session_replication_role = replica");
      st.executeUpdate("UPDATE security.audit_log SET data = '{\"name\":\"Forged\"}' WHERE seq = " + seq);
    }
    var broken = http.get("/api/v1/audit/verify", admin).json();
    assertThat(broken.getBoolean("valid")).isFalse();
    assertThat(broken.getLong("brokenAt")).isEqualTo(seq);
    assertThat(broken.getString("detail")).contains("row " + seq);
  }
}

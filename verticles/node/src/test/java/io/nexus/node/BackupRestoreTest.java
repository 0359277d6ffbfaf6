package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.config.NodeConfig;
import io.nexus.kernel.testing.TestServers;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BackupRestoreTest {
  private static final long WAIT_MS = 15_000;

  @Test
  @DisplayName("backup, restore into an empty database, start a node on it: the same users, history and audit chain")
  void backupRestore() throws Exception {
    JsonObject cfgA = TestNode.config();
    NexusNode a = TestNode.start(cfgA);
    JsonObject users;
    JsonObject audit;
    JsonObject history;
    String userPath;
    try {
      var http = new Http(TestNode.port(cfgA));
      String admin = http.login(TestNode.adminEmail(cfgA), TestNode.ADMIN_PASSWORD);
      var u = http.post("/api/v1/users", new JsonObject().put("email", "kept@nexus.test").put("password", "a-good-long-password")
          .put("name", "Kept").put("role", "analyst"), admin).json();
      userPath = "/api/v1/users/" + u.getString("id");
      assertThat(http.json("PATCH", userPath, new JsonObject().put("name", "Kept Twice"), admin, "If-Match", "\"1\"").status())
          .isEqualTo(200);
      org.awaitility.Awaitility.await("audit caught up").atMost(java.time.Duration.ofMillis(WAIT_MS)).until(() ->
          http.get("/api/v1/audit?entity=user-" + u.getString("id"), admin).json().getJsonArray("entries").size() >= 2);
      users = http.get("/api/v1/users", admin).json();
      audit = http.get("/api/v1/audit?limit=1000", admin).json();
      history = http.get(userPath + "?asOf=1", admin).json();
    } finally {
      TestNode.stop(a);
    }

    Path dump = Files.createTempFile("nexus-backup", ".dump");
    run("scripts/backup.sh", cfgA.getJsonObject("postgres").getString("url"), dump.toString());
    // the dump as SQL text: private signing keys are in it only as ciphertext
    var sql = new ProcessBuilder("pg_restore", "-f", "-", dump.toString()).redirectErrorStream(true).start();
    String text = new String(sql.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(sql.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(text).contains("signing_keys").doesNotContain("\"d\":\"").doesNotContain("\"crv\":\"P-256\"");
    String restoredDb = TestServers.freshDatabase();
    run("scripts/restore.sh", restoredDb, dump.toString());

    JsonObject cfgB = TestNode.config();
    NodeConfig.put(cfgB, "postgres.url", restoredDb);
    NodeConfig.put(cfgB, "security.admin.email", TestNode.adminEmail(cfgA));
    NexusNode b = TestNode.start(cfgB);
    try {
      var http = new Http(TestNode.port(cfgB));
      String admin = http.login(TestNode.adminEmail(cfgA), TestNode.ADMIN_PASSWORD);
      assertThat(http.get("/api/v1/users", admin).json()).isEqualTo(users);
      assertThat(http.get(userPath + "?asOf=1", admin).json()).isEqualTo(history);
      // the login above is audited on top: the rows that were there are there unchanged
      var after = http.get("/api/v1/audit?limit=1000", admin).json().getJsonArray("entries");
      var before = audit.getJsonArray("entries");
      assertThat(after.getList()).containsAll(before.getList());
      var verify = http.get("/api/v1/audit/verify", admin).json();
      assertThat(verify.getBoolean("valid")).as(verify.encode()).isTrue();
    } finally {
      TestNode.stop(b);
      Files.deleteIfExists(dump);
    }
  }

  private static void run(String script, String pgUrl, String file) throws Exception {
    var pb = new ProcessBuilder("bash", Path.of("../..", script).toString(), file).redirectErrorStream(true);
    pb.environment().put("NEXUS_PG_URL", pgUrl);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(script + ": " + out).isZero();
  }
}

package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.kernel.testing.TestServers;
import io.vertx.core.json.JsonObject;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two nodes as processes under a write load; the one holding the relay is SIGKILLed. Nothing
 * acknowledged is lost, every durable subscriber ends with every event once, and the relay moves.
 */
class RelayFailoverIT {
  private static final String PASSWORD = "admin-password-for-tests";
  private static final int USERS = 4;
  private static final long LOAD_BEFORE_KILL_MS = 2500;
  private static final long LOAD_AFTER_KILL_MS = 4000;
  private static final long TAKEOVER_MS = 10_000;
  private static final long CATCH_UP_MS = 30_000;

  @Test
  @DisplayName("SIGKILL of the relay's node under load: every acknowledged write is in the log, subscribers apply every event once, the relay moves within 10 s")
  void killTheRelay() throws Exception {
    String cluster = "relay-" + UUID.randomUUID().toString().substring(0, 8);
    int hzA = EmbeddedServers.freePort();
    int hzB = EmbeddedServers.freePort();
    int httpA = EmbeddedServers.freePort();
    int httpB = EmbeddedServers.freePort();
    String db = TestServers.freshDatabase();
    Map<String, String> common = NodeProcess.clusterEnv(cluster, db, PASSWORD, hzA, hzB);
    try (NodeProcess a = NodeProcess.start("relay-A", NodeProcess.with(common, "NEXUS_CLUSTER_PORT", hzA, "NEXUS_HTTP_PORT", httpA,
            "NEXUS_DATA_DIR", "target/relay-a"))) {
      a.awaitReady();
      try (NodeProcess b = NodeProcess.start("relay-B", NodeProcess.with(common, "NEXUS_CLUSTER_PORT", hzB, "NEXUS_HTTP_PORT", httpB,
          "NEXUS_DATA_DIR", "target/relay-b"))) {
        b.awaitReady();
        var apiA = new Http(httpA);
        var apiB = new Http(httpB);
        // A started first: it holds the relay; B will survive and take the load
        waitUntil("A is the relay", () -> relayLeader(apiA), TAKEOVER_MS);
        assertThat(relayLeader(apiB)).isFalse();
        String token = apiB.login(cluster + "@nexus.test", PASSWORD);
        var ids = new ArrayList<String>();
        for (int i = 0; i < USERS; i++) {
          ids.add(apiB.post("/api/v1/users", new JsonObject().put("email", "load" + i + "-" + cluster + "@nexus.test")
              .put("password", "a-good-long-password").put("name", "L0").put("role", "viewer"), token).json().getString("id"));
        }
        Set<String> acknowledged = new HashSet<>();
        Map<String, Long> version = new HashMap<>();
        ids.forEach(id -> version.put(id, 1L));
        long start = System.currentTimeMillis();
        long killedAt = 0;
        long movedAt = 0;
        int n = 0;
        while (System.currentTimeMillis() - start < LOAD_BEFORE_KILL_MS + LOAD_AFTER_KILL_MS) {
          if (killedAt == 0 && System.currentTimeMillis() - start > LOAD_BEFORE_KILL_MS) {
            a.kill();
            killedAt = System.currentTimeMillis();
          }
          if (killedAt > 0 && movedAt == 0 && n % 5 == 0 && relayLeader(apiB)) {
            movedAt = System.currentTimeMillis();
          }
          String id = ids.get(n++ % USERS);
          var r = apiB.json("PATCH", "/api/v1/users/" + id, new JsonObject().put("name", "L" + n), token,
              "If-Match", "\"" + version.get(id) + "\"");
          if (r.status() == 200) {
            long v = r.json().getLong("version");
            version.put(id, v);
            acknowledged.add("user-" + id + "#" + v);
          } else if (r.status() == 412) {
            version.put(id, r.json().getJsonObject("current").getLong("version"));
          }
        }
        long killed = killedAt;
        waitUntil("B took the relay over", () -> relayLeader(apiB), TAKEOVER_MS);
        long takeoverMs = (movedAt > 0 ? movedAt : System.currentTimeMillis()) - killed;
        System.out.println("relay moved after " + takeoverMs + " ms; acknowledged writes: " + acknowledged.size());
        assertThat(takeoverMs).isLessThan(TAKEOVER_MS + 1000);
        assertThat(acknowledged).hasSizeGreaterThan(20);

        var pg = new PgConfig(db, 1);
        try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); var st = c.createStatement()) {
          Set<String> inLog = new HashSet<>();
          var rs = st.executeQuery("SELECT stream_id, version FROM eventlog.events WHERE stream_id LIKE 'user-%'");
          while (rs.next()) {
            inLog.add(rs.getString(1) + "#" + rs.getLong(2));
          }
          assertThat(inLog).as("every acknowledged write is in the log").containsAll(acknowledged);

          long deadline = System.currentTimeMillis() + CATCH_UP_MS;
          long events;
          long audited;
          do {
            Thread.sleep(200);
            events = count(st, "SELECT count(*) FROM eventlog.events");
            audited = count(st, "SELECT count(*) FROM security.audit_log");
          } while (audited < events && System.currentTimeMillis() < deadline);
          assertThat(audited).as("the audit trail has every event").isEqualTo(events);
          assertThat(count(st, "SELECT count(DISTINCT position) FROM security.audit_log")).as("once each").isEqualTo(events);
          for (String id : ids) {
            long changes = count(st, "SELECT count(*) FROM eventlog.events WHERE stream_id = 'user-" + id + "'");
            long applied;
            deadline = System.currentTimeMillis() + CATCH_UP_MS;
            do {
              applied = count(st, "SELECT coalesce((SELECT changes FROM security.user_activity WHERE user_id = '" + id + "'), 0)");
              Thread.sleep(100);
            } while (applied < changes && System.currentTimeMillis() < deadline);
            assertThat(applied).as("user-activity applied each change of " + id + " once").isEqualTo(changes);
          }
        }
      }
    }
  }

  private static long count(java.sql.Statement st, String sql) throws Exception {
    try (var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static boolean relayLeader(Http api) {
    try {
      return api.get("/metrics", null).body().lines().anyMatch(l -> l.startsWith("nexus_relay_leader") && l.endsWith(" 1.0"));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static void waitUntil(String what, java.util.function.BooleanSupplier c, long ms) throws InterruptedException {
    long deadline = System.currentTimeMillis() + ms;
    while (!c.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("not within " + ms + " ms: " + what);
      }
      Thread.sleep(100);
    }
  }

}

package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.kernel.testing.TestServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two nodes as two JVM processes in one cluster: the gateway on A, the only Security instance
 * on B. B dies by SIGKILL in the middle of a request.
 */
class TwoNodesIT {
  private static final long REQUEST_TIMEOUT_MS = 3000;
  private static final long DISCOVERY_DEADLINE_MS = 10_000;
  private static final String PASSWORD = "admin-password-for-tests";

  @Test
  @DisplayName("a request entering A is served by B; when B is SIGKILLed A answers 503 within the timeout, "
      + "B's records vanish within 10 s, and requests succeed again once Security runs elsewhere")
  void killTheOnlyInstance() throws Exception {
    String cluster = "it-" + UUID.randomUUID().toString().substring(0, 8);
    int portA = EmbeddedServers.freePort();
    int portB = EmbeddedServers.freePort();
    int portC = EmbeddedServers.freePort();
    int http = EmbeddedServers.freePort();
    String members = "127.0.0.1:" + portA + ",127.0.0.1:" + portB + ",127.0.0.1:" + portC;
    // B runs with the fault switch: once the set-up is done, its Security service answers late,
    // so that a request is in flight when B dies
    Path faults = Files.createTempFile("nexus-it-faults", ".json");
    Map<String, String> common = new HashMap<>(Map.of(
        "NEXUS_PG_URL", TestServers.freshDatabase(),
        "NEXUS_REDIS_URL", TestServers.redisUrl(),
        "NEXUS_CLUSTER_NAME", cluster,
        "NEXUS_CLUSTER_MEMBERS", members,
        "NEXUS_ADMIN_EMAIL", cluster + "@nexus.test",
        "NEXUS_ADMIN_PASSWORD", PASSWORD,
        "NEXUS_REQUEST_TIMEOUT_MS", String.valueOf(REQUEST_TIMEOUT_MS)));

    try (NodeProcess b = NodeProcess.start("B", NodeProcess.with(common, "NEXUS_SERVICES", "security", "NEXUS_CLUSTER_PORT", portB,
            "NEXUS_DATA_DIR", "target/it-data-b", "NEXUS_TEST_FAULTS", faults.toString()));
         NodeProcess a = NodeProcess.start("A", NodeProcess.with(common, "NEXUS_SERVICES", "gateway", "NEXUS_CLUSTER_PORT", portA,
             "NEXUS_HTTP_PORT", http, "NEXUS_DATA_DIR", "target/it-data-a"))) {
      b.awaitReady();
      a.awaitReady();
      var api = new Http(http);
      var login = api.post("/api/v1/auth/login", new JsonObject().put("email", cluster + "@nexus.test").put("password", PASSWORD),
          null);
      assertThat(login.status()).as(login.toString()).isEqualTo(200);
      String token = login.json().getString("accessToken");

      // served by the only instance, on B
      JsonArray security = securityInstances(api, token);
      assertThat(security).hasSize(1);
      assertThat(security.getJsonObject(0).getString("node")).isEqualTo(b.nodeId());
      assertThat(api.get("/api/v1/me", token).status()).isEqualTo(200);

      // a login is in flight on B when B is killed: B's Security now answers after 60 s
      Files.writeString(faults, "{\"security\": {\"delayMs\": 60000}}");
      Thread.sleep(600); // the node reads its fault file every 200 ms
      var inFlight = CompletableFuture.supplyAsync(() -> {
        long start = System.nanoTime();
        var r = api.post("/api/v1/auth/login", new JsonObject().put("email", cluster + "@nexus.test").put("password", PASSWORD), null);
        return Map.entry(r, (System.nanoTime() - start) / 1_000_000);
      });
      Thread.sleep(300);
      b.kill();
      long killedAt = System.nanoTime();
      var result = inFlight.get();
      assertThat(result.getKey().status()).as(result.getKey().toString()).isEqualTo(503);
      assertThat(result.getKey().header("Content-Type")).isEqualTo("application/problem+json");
      assertThat(result.getValue()).as("ms until the in-flight request ended").isLessThan(REQUEST_TIMEOUT_MS + 1500);

      // B's records disappear within 10 s
      long goneMs = -1;
      while ((System.nanoTime() - killedAt) / 1_000_000 < DISCOVERY_DEADLINE_MS + 5_000) {
        if (securityInstances(api, token).isEmpty()) {
          goneMs = (System.nanoTime() - killedAt) / 1_000_000;
          break;
        }
        Thread.sleep(200);
      }
      System.out.println("B's discovery records removed after " + goneMs + " ms");
      assertThat(goneMs).as("ms until B's records were removed").isBetween(0L, DISCOVERY_DEADLINE_MS);
      long t0 = System.nanoTime();
      var unavailable = api.get("/api/v1/me", token);
      assertThat(unavailable.status()).isEqualTo(503);
      assertThat(unavailable.header("Retry-After")).isNotNull();
      assertThat((System.nanoTime() - t0) / 1_000_000).as("503 at once with no live instance").isLessThan(1000);

      // an instance elsewhere: requests succeed again, the same token still verifies
      try (NodeProcess c = NodeProcess.start("C", NodeProcess.with(common, "NEXUS_SERVICES", "security", "NEXUS_CLUSTER_PORT", portC,
          "NEXUS_DATA_DIR", "target/it-data-c"))) {
        c.awaitReady();
        long deadline = System.nanoTime() + 10_000_000_000L;
        int status = 0;
        while (System.nanoTime() < deadline && status != 200) {
          status = api.get("/api/v1/me", token).status();
          Thread.sleep(200);
        }
        assertThat(status).isEqualTo(200);
        assertThat(securityInstances(api, token).getJsonObject(0).getString("node")).isEqualTo(c.nodeId());
      }
    } finally {
      Files.deleteIfExists(faults);
    }
  }

  private static JsonArray securityInstances(Http api, String token) {
    var services = api.get("/api/v1/services", token).json().getJsonArray("services");
    for (int i = 0; i < services.size(); i++) {
      if (services.getJsonObject(i).getString("name").equals("security")) {
        return services.getJsonObject(i).getJsonArray("instances");
      }
    }
    return new JsonArray();
  }

}

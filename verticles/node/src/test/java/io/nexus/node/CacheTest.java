package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.config.NodeConfig;
import io.nexus.kernel.embedded.EmbeddedServers;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Cache-aside in Redis for reads, with Redis taken away and given back mid-test. */
class CacheTest {
  private static final long WAIT_MS = 15_000;

  @Test
  @DisplayName("reads are cached; with Redis stopped they keep working and the breaker opens; when it returns no stale entry is served and caching resumes")
  void redisGoesAndComes() throws Exception {
    int port = EmbeddedServers.freePort();
    Path dir = Path.of("target", "cache-redis-" + UUID.randomUUID());
    var redis = EmbeddedServers.redis(dir, port);
    JsonObject cfg = TestNode.config();
    NodeConfig.put(cfg, "redis.url", "redis://127.0.0.1:" + port);
    NexusNode node = TestNode.start(cfg);
    try (var jedis = new Jedis("127.0.0.1", port)) {
      var http = new Http(TestNode.port(cfg));
      String admin = http.login(TestNode.adminEmail(cfg), TestNode.ADMIN_PASSWORD);
      String id = http.post("/api/v1/users", new JsonObject().put("email", "cached@nexus.test")
          .put("password", "a-good-long-password").put("name", "Before").put("role", "viewer"), admin).json().getString("id");
      String path = "/api/v1/users/" + id;
      String key = "nexus:cache:security:user:" + id;

      assertThat(http.get(path, admin).json().getString("name")).isEqualTo("Before");
      waitUntil("cached", () -> jedis.get(key) != null);
      assertThat(new JsonObject(jedis.get(key)).getString("name")).isEqualTo("Before");
      assertThat(http.get(path, admin).json().getString("name")).isEqualTo("Before");

      redis.close();
      for (int i = 0; i < 5; i++) {
        assertThat(http.get(path, admin).status()).as("reads keep working without Redis").isEqualTo(200);
      }
      var renamed = http.json("PATCH", path, new JsonObject().put("name", "After"), admin, "If-Match", "\"1\"");
      assertThat(renamed.status()).isEqualTo(200);
      assertThat(http.get(path, admin).json().getString("name")).isEqualTo("After");
      assertThat(http.get("/metrics", null).body()).contains("nexus_breaker_state{name=\"security-redis\",service=\"security\"} 2.0");

      // Redis comes back with its data (append-only file): the stale "Before" entry is there
      redis = EmbeddedServers.redis(dir, port);
      try (var back = new Jedis("127.0.0.1", port)) {
        assertThat(new JsonObject(back.get(key)).getString("name")).as("the stale entry survived in Redis").isEqualTo("Before");
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
          assertThat(http.get(path, admin).json().getString("name")).as("never a stale read").isEqualTo("After");
          String cached = back.get(key);
          if (cached != null && new JsonObject(cached).getString("name").equals("After")) {
            break;
          }
          Thread.sleep(200);
        }
        assertThat(new JsonObject(back.get(key)).getString("name")).as("caching resumed").isEqualTo("After");
      }
    } finally {
      TestNode.stop(node);
      redis.close();
    }
  }

  private static void waitUntil(String what, java.util.function.BooleanSupplier c) {
    org.awaitility.Awaitility.await(what).atMost(java.time.Duration.ofMillis(WAIT_MS))
        .pollInterval(java.time.Duration.ofMillis(50)).until(c::getAsBoolean);
  }
}

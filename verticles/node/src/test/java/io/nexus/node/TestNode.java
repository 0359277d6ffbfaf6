package io.nexus.node;

import io.nexus.kernel.config.NodeConfig;
import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.kernel.testing.TestServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Starts real nodes in this JVM for tests: free ports, a cluster of their own, a fresh database. */
final class TestNode {
  static final String ADMIN_PASSWORD = "admin-password-for-tests";
  /** The test nodes' shared cluster secrets (made once): nodes of one test cluster need the same. */
  static final Path SECRETS = Path.of("target", "test-secrets").toAbsolutePath();

  private TestNode() {}

  /** A configuration for a node alone in its own cluster, on a fresh database. */
  static JsonObject config() {
    String id = UUID.randomUUID().toString().substring(0, 8);
    int clusterPort = EmbeddedServers.freePort();
    JsonObject cfg = NodeConfig.load(Map.of());
    NodeConfig.put(cfg, "node.dataDir", Path.of("target", "data-" + id).toString());
    NodeConfig.put(cfg, "node.shutdownTimeoutMs", 15000);
    NodeConfig.put(cfg, "http.port", EmbeddedServers.freePort());
    NodeConfig.put(cfg, "http.host", "127.0.0.1");
    NodeConfig.put(cfg, "cluster.name", "test-" + id);
    NodeConfig.put(cfg, "cluster.port", clusterPort);
    NodeConfig.put(cfg, "cluster.members", new JsonArray().add("127.0.0.1:" + clusterPort));
    NodeConfig.put(cfg, "cluster.secretsDir", SECRETS.toString());
    NodeConfig.put(cfg, "postgres.url", TestServers.freshDatabase());
    NodeConfig.put(cfg, "redis.url", TestServers.redisUrl());
    NodeConfig.put(cfg, "security.admin.email", "admin-" + id + "@nexus.test");
    NodeConfig.put(cfg, "security.admin.password", ADMIN_PASSWORD);
    // every test client is 127.0.0.1: per-address throttling is tested on its own
    NodeConfig.put(cfg, "security.login.maxFailuresPerIp", 100000);
    NodeConfig.put(cfg, "gateway.failedAuthPerMinute", 1000000);
    // tests stand for clients at other addresses with X-Forwarded-For from loopback
    NodeConfig.put(cfg, "gateway.trustedProxies", new JsonArray().add("127.0.0.1"));
    return cfg;
  }

  static NexusNode start(JsonObject cfg) {
    try {
      return NexusNode.start(cfg).await(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test node did not start", e);
    }
  }

  static void stop(NexusNode node) {
    if (node != null) {
      try {
        node.stop().await(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("test node did not stop", e);
      }
    }
  }

  static String adminEmail(JsonObject cfg) {
    return cfg.getJsonObject("security").getJsonObject("admin").getString("email");
  }

  static int port(JsonObject cfg) {
    return cfg.getJsonObject("http").getInteger("port");
  }
}

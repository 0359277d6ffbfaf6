package io.nexus.node;

import io.nexus.gateway.GatewayVerticle;
import io.nexus.kernel.config.Conf;
import io.nexus.kernel.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;

/**
 * What a node is told: which services to run, where its data lives, how it joins the cluster,
 * and where PostgreSQL and Redis are (empty: start embedded ones).
 */
record NodeSettings(List<String> services, Path dataDir, int shutdownTimeoutMs, String clusterName, String clusterHost,
    int clusterPort, List<String> members, int busPort, String clusterConfigFile, String pgUrl, int pgEmbeddedPort,
    String redisUrl, int redisEmbeddedPort, String testFaults, Path secretsDir) {

  private static final int MAX_PORT = 65535;

  static NodeSettings from(JsonObject config) {
    Conf root = Conf.of(config);
    Conf node = root.section("node");
    Conf cluster = root.section("cluster");
    Conf pg = root.section("postgres");
    Conf redis = root.section("redis");
    List<String> services = node.strings("services");
    for (String s : services) {
      if (!ServiceCatalog.NAMES.contains(s)) {
        throw new ConfigException(node.key("services"), "unknown service '" + s + "'; known: " + ServiceCatalog.NAMES);
      }
    }
    List<String> members = cluster.strings("members");
    for (String m : members) {
      if (!m.matches("[^:\\s]+:\\d{1,5}")) {
        throw new ConfigException(cluster.key("members"), "each member must be host:port, got '" + m + "'");
      }
    }
    if (members.isEmpty()) {
      throw new ConfigException(cluster.key("members"), "must list at least this node's own host:port");
    }
    return new NodeSettings(services.isEmpty() ? ServiceCatalog.NAMES : services, Path.of(node.string("dataDir")),
        node.integer("shutdownTimeoutMs", 1000, 600_000, 20_000), cluster.string("name"), cluster.string("host"),
        cluster.integer("port", 1, MAX_PORT), members, cluster.integer("busPort", 0, MAX_PORT, 0),
        cluster.string("configFile", ""), pg.string("url", ""), pg.integer("embeddedPort", 0, MAX_PORT, 0),
        redis.string("url", ""), redis.integer("embeddedPort", 0, MAX_PORT, 0),
        node.string("testFaults", ""), secretsDir(cluster.string("secretsDir", ""), Path.of(node.string("dataDir"))));
  }

  /** Where the cluster's secrets are: the configured directory, or {@code <dataDir>/secrets}. */
  private static Path secretsDir(String configured, Path dataDir) {
    return configured.isBlank() ? dataDir.resolve("secrets") : Path.of(configured);
  }

  boolean runsGateway() {
    return services.contains(GatewayVerticle.SERVICE);
  }
}

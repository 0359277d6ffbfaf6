package io.nexus.node;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import io.nexus.kernel.config.ConfigException;
import io.nexus.kernel.config.NodeConfig;
import io.nexus.kernel.discovery.Discovery;
import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.kernel.events.EventLogVerticle;
import io.nexus.kernel.bus.PrincipalSeal;
import io.nexus.kernel.secrets.ClusterSecrets;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One NEXUS node: joins the Hazelcast cluster, starts embedded PostgreSQL and Redis when none
 * are configured, deploys the services it is told to run, and shuts all of it down in reverse
 * order on SIGTERM.
 */
public final class NexusNode {
  private static final Logger LOG = LoggerFactory.getLogger(NexusNode.class);
  private static final String CLUSTER_XML = "cluster.xml";

  private final NodeSettings settings;
  private final JsonObject config;
  private final Deque<AutoCloseable> embedded = new ArrayDeque<>();
  private final Deque<String> deployments = new ArrayDeque<>();
  private Vertx vertx;
  private ClusterWatch watch;
  private Discovery discovery;
  private int httpPort = -1;

  private NexusNode(JsonObject config) {
    this.config = config;
    this.settings = NodeSettings.from(config);
  }

  /** Starts a node from a configuration tree (see {@link NodeConfig}). */
  public static Future<NexusNode> start(JsonObject config) {
    NexusNode node;
    try {
      node = new NexusNode(config.copy());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return node.boot();
  }

  public static void main(String[] args) {
    long started = System.nanoTime();
    JsonObject config;
    try {
      var env = new HashMap<>(System.getenv());
      boolean embeddedOnly = parseArgs(args, env);
      config = NodeConfig.load(env);
      if (embeddedOnly) {
        runEmbeddedOnly(config);
        return;
      }
    } catch (ConfigException e) {
      System.err.println("nexus: " + e.getMessage());
      System.exit(2);
      return;
    }
    NexusNode node;
    try {
      node = start(config).await(10, TimeUnit.MINUTES);
    } catch (Exception e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof ConfigException ce) {
          // a setting is wrong: say which, without a stack trace
          System.err.println("nexus: " + ce.getMessage());
          System.exit(2);
          return;
        }
      }
      System.err.println("nexus: the node did not start: " + e.getMessage());
      LOG.error("node failed to start", e);
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> node.stop().toCompletionStage().toCompletableFuture()
        .orTimeout(node.settings.shutdownTimeoutMs(), TimeUnit.MILLISECONDS).exceptionally(err -> {
          System.err.println("nexus: shutdown did not finish cleanly: " + err);
          return null;
        }).join(), "nexus-shutdown"));
    long ms = (System.nanoTime() - started) / 1_000_000;
    String where = node.httpPort > 0 ? " at http://127.0.0.1:" + node.httpPort : "";
    System.out.println("NEXUS node ready" + where + " [services: " + String.join(",", node.settings.services())
        + ", node: " + node.nodeId() + ", startMs: " + ms + "]");
  }

  /** Reads {@code --config F}, {@code --services a,b}, {@code --port N}, {@code --embedded-only}. */
  private static boolean parseArgs(String[] args, java.util.Map<String, String> env) {
    boolean embeddedOnly = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--config" -> env.put("NEXUS_CONFIG", value(args, ++i, a));
        case "--services" -> env.put("NEXUS_SERVICES", value(args, ++i, a));
        case "--port" -> env.put("NEXUS_HTTP_PORT", value(args, ++i, a));
        case "--embedded-only" -> embeddedOnly = true;
        default -> throw new ConfigException("arguments", "unknown argument '" + a
            + "'; use --config FILE, --services a,b, --port N or --embedded-only");
      }
    }
    return embeddedOnly;
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new ConfigException("arguments", flag + " needs a value");
    }
    return args[i];
  }

  /** Starts only the embedded PostgreSQL and Redis, for several nodes on one machine to share. */
  private static void runEmbeddedOnly(JsonObject config) {
    var s = NodeSettings.from(config);
    var pg = EmbeddedServers.postgres(s.dataDir().resolve("pg"), s.pgEmbeddedPort());
    var redis = EmbeddedServers.redis(s.dataDir().resolve("redis"), s.redisEmbeddedPort());
    writeUrl(s.dataDir(), pg.url());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      redis.close();
      pg.close();
    }, "nexus-embedded-shutdown"));
    // the URL (with its password) is in <dataDir>/pg.url (0600), not on the console or in a log
    System.out.println("NEXUS_PG_URL=" + io.nexus.kernel.db.PgConfig.redact(pg.url()) + " (in " + s.dataDir().resolve("pg.url")
        + ")");
    System.out.println("NEXUS_REDIS_URL=" + redis.url());
    System.out.println("embedded servers ready");
    try {
      // the servers are child processes: keep this JVM (and its shutdown hook) alive until SIGTERM
      new java.util.concurrent.CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Future<NexusNode> boot() {
    try {
      // the data directory holds databases, secrets and logs: its owner's alone
      ClusterSecrets.privateDir(settings.dataDir());
      startEmbedded();
    } catch (IOException e) {
      return Future.failedFuture(new ConfigException("node.dataDir", "cannot make " + settings.dataDir() + ": "
          + e.getMessage()));
    } catch (RuntimeException e) {
      closeEmbedded();
      return Future.failedFuture(e);
    }
    ClusterSecrets secrets;
    try {
      secrets = ClusterSecrets.open(settings.secretsDir());
      // services open the same directory for their keys (Security: audit chain, key encryption)
      config.getJsonObject("cluster").put("secretsDir", secrets.dir().toString());
    } catch (RuntimeException e) {
      closeEmbedded();
      return Future.failedFuture(e);
    }
    var cm = new HazelcastClusterManager(hazelcastConfig());
    var metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    var options = new VertxOptions()
        .setMetricsOptions(metrics)
        .setEventBusOptions(eventBusOptions(secrets));
    return Vertx.builder().with(options).withClusterManager(cm).withMetrics(new MicrometerMetricsFactory()).buildClustered()
        .compose(v -> {
          vertx = v;
          PrincipalSeal.install(vertx, secrets.key(ClusterSecrets.Purpose.BUS_PRINCIPAL));
          config.getJsonObject("node").put("id", cm.getNodeId());
          io.nexus.kernel.discovery.Membership.install(vertx, new io.nexus.kernel.discovery.Membership() {
            @Override
            public boolean clustered() {
              return true;
            }

            @Override
            public boolean active() {
              return cm.isActive();
            }

            @Override
            public String nodeId() {
              return cm.getNodeId();
            }

            @Override
            public int members() {
              return cm.getNodes().size();
            }
          });
          if (!settings.testFaults().isBlank()) {
            io.nexus.kernel.bus.Faults.install(vertx, Path.of(settings.testFaults()));
          }
          discovery = new Discovery(vertx);
          watch = new ClusterWatch(vertx, cm, discovery);
          return watch.start();
        })
        .compose(v -> deployAll())
        .map(this)
        .onSuccess(n -> LOG.info("node ready [node: {}, services: {}]", nodeId(), settings.services()))
        .recover(err -> stop().transform(x -> Future.failedFuture(err)));
  }

  /**
   * Node-to-node event bus traffic over TLS with client certificates: a node accepts a
   * connection only from a peer holding the cluster's certificate, and connects only to one.
   */
  private EventBusOptions eventBusOptions(ClusterSecrets secrets) {
    var store = new PfxOptions().setPath(secrets.keyStore().toString()).setPassword(secrets.keyStorePassword());
    return new EventBusOptions().setHost(settings.clusterHost()).setPort(settings.busPort())
        .setSsl(true).setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(store).setTrustOptions(store.copy());
  }

  private Future<Void> deployAll() {
    // the event log first: its schema must exist before a service appends, and every node
    // runs a relay candidate so that the log keeps flowing when any node dies
    Future<Void> chain = vertx.deployVerticle(new EventLogVerticle(), new DeploymentOptions().setConfig(config))
        .map(id -> {
          deployments.push(id);
          return (Void) null;
        });
    for (String name : ServiceCatalog.ordered(settings.services())) {
      chain = chain.compose(v -> vertx.deployVerticle(ServiceCatalog.factory(name).get(),
              new DeploymentOptions().setConfig(config))
          .map(id -> {
            deployments.push(id);
            if (name.equals(io.nexus.gateway.GatewayVerticle.SERVICE)) {
              httpPort = config.getJsonObject("http").getInteger("port");
            }
            return (Void) null;
          })
          .recover(err -> Future.failedFuture(new IllegalStateException("service " + name + " did not start: "
              + err.getMessage(), err))));
    }
    return chain;
  }

  /**
   * Stops the node: services in reverse order (the gateway first stops accepting and lets
   * in-flight requests finish), then leaves the cluster, then stops embedded servers.
   */
  public Future<Void> stop() {
    if (vertx == null) {
      closeEmbedded();
      return Future.succeededFuture();
    }
    Vertx v = vertx;
    vertx = null;
    Future<Void> chain = Future.succeededFuture();
    while (!deployments.isEmpty()) {
      String id = deployments.pop();
      chain = chain.compose(x -> v.undeploy(id).otherwise(err -> {
        LOG.warn("a service did not stop cleanly [deployment: {}]", id, err);
        return null;
      }));
    }
    return chain
        .compose(x -> {
          if (watch != null) {
            watch.stop();
          }
          if (discovery != null) {
            discovery.close();
          }
          return v.close();
        })
        .onComplete(x -> {
          closeEmbedded();
          LOG.info("node stopped");
        });
  }

  /** This node's cluster id. */
  public String nodeId() {
    return config.getJsonObject("node").getString("id");
  }

  /** The effective configuration (with embedded server URLs filled in). */
  public JsonObject config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  private void startEmbedded() {
    JsonObject pg = config.getJsonObject("postgres");
    if (settings.pgUrl().isBlank()) {
      var server = EmbeddedServers.postgres(settings.dataDir().resolve("pg"), settings.pgEmbeddedPort());
      embedded.push(server);
      pg.put("url", server.url());
      writeUrl(settings.dataDir(), server.url());
    }
    JsonObject redis = config.getJsonObject("redis");
    if (settings.redisUrl().isBlank()) {
      var server = EmbeddedServers.redis(settings.dataDir().resolve("redis"), settings.redisEmbeddedPort());
      embedded.push(server);
      redis.put("url", server.url());
    }
  }

  /** Tells scripts (backup, restore) where the embedded database listens: {@code <dataDir>/pg.url}. */
  private static void writeUrl(Path dataDir, String url) {
    try {
      java.nio.file.Files.writeString(dataDir.resolve("pg.url"), url + "\n");
      ClusterSecrets.privateFile(dataDir.resolve("pg.url"));
    } catch (IOException e) {
      LOG.warn("could not write {}: {}", dataDir.resolve("pg.url"), e.getMessage());
    }
  }

  private void closeEmbedded() {
    while (!embedded.isEmpty()) {
      try {
        embedded.pop().close();
      } catch (Exception e) {
        LOG.warn("an embedded server did not stop cleanly", e);
      }
    }
  }

  private Config hazelcastConfig() {
    Config hz;
    String file = settings.clusterConfigFile();
    try (InputStream in = file.isBlank() ? NexusNode.class.getClassLoader().getResourceAsStream(CLUSTER_XML)
        : new FileInputStream(Path.of(file).toFile())) {
      if (in == null) {
        throw new ConfigException("cluster.configFile", CLUSTER_XML + " is not on the classpath");
      }
      hz = new XmlConfigBuilder(in).build();
    } catch (IOException e) {
      throw new ConfigException("cluster.configFile", "cannot read " + file + ": " + e.getMessage());
    }
    hz.setClusterName(settings.clusterName());
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    var network = hz.getNetworkConfig();
    network.setPort(settings.clusterPort()).setPortAutoIncrement(false);
    network.setPublicAddress(settings.clusterHost() + ":" + settings.clusterPort());
    // bind to the configured address only (not every interface): loopback clusters stay on loopback
    hz.setProperty("hazelcast.local.localAddress", settings.clusterHost());
    hz.setProperty("hazelcast.socket.bind.any", "false");
    if (settings.clusterHost().matches("[0-9.]+")) {
      network.getInterfaces().setEnabled(true).setInterfaces(List.of(settings.clusterHost()));
    }
    var join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(List.copyOf(settings.members()));
    return hz;
  }
}

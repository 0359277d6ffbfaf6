package io.nexus.bench;

import io.nexus.kernel.config.NodeConfig;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.node.NexusNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What every scenario needs: PostgreSQL and Redis (NEXUS_PG_URL / NEXUS_REDIS_URL, else
 * embedded servers for the run), fresh databases, and a node with every service on them.
 */
final class BenchEnv implements AutoCloseable {
  static final String ADMIN_EMAIL = "bench@nexus.bench";
  static final String ADMIN_PASSWORD = "bench-admin-password";

  final Path out;
  final String pgBase;
  final String redisUrl;
  private final EmbeddedServers.Postgres embeddedPg;
  private final EmbeddedServers.Redis embeddedRedis;
  /** Databases made on the server for this run, dropped at the end when the server is not the run's own. */
  private final java.util.List<String> databases = new java.util.concurrent.CopyOnWriteArrayList<>();

  private BenchEnv(Path out, String pgBase, String redisUrl, EmbeddedServers.Postgres pg, EmbeddedServers.Redis redis) {
    this.out = out;
    this.pgBase = pgBase;
    this.redisUrl = redisUrl;
    this.embeddedPg = pg;
    this.embeddedRedis = redis;
  }

  /** The report directory (first argument, else a new one under data/bench) and the servers. */
  static BenchEnv open(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0]
        : "data/bench/" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now()));
    java.nio.file.Files.createDirectories(out);
    String base = System.getenv("NEXUS_PG_URL");
    EmbeddedServers.Postgres pg = null;
    if (base == null || base.isBlank()) {
      pg = EmbeddedServers.postgres(out.resolve("pg"), 0);
      base = pg.adminUrl();
    }
    String redisUrl = System.getenv("NEXUS_REDIS_URL");
    EmbeddedServers.Redis redis = null;
    if (redisUrl == null || redisUrl.isBlank()) {
      redis = EmbeddedServers.redis(out.resolve("redis"), 0);
      redisUrl = redis.url();
    }
    return new BenchEnv(out, base, redisUrl, pg, redis);
  }

  /** A new, empty database on the server; its URL. */
  String freshDatabase() throws Exception {
    var cfg = new PgConfig(pgBase, 1);
    String name = "nexus_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (var c = DriverManager.getConnection(cfg.jdbcUrl(), cfg.user(), cfg.password()); var st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    }
    databases.add(name);
    URI u = URI.create(pgBase);
    return u.getScheme() + "://" + (u.getRawUserInfo() == null ? "" : u.getRawUserInfo() + "@") + u.getHost() + ":"
        + (u.getPort() < 0 ? 5432 : u.getPort()) + "/" + name;
  }

  static String serverVersion(PgConfig pg) throws Exception {
    try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
         var rs = c.createStatement().executeQuery("SHOW server_version")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** A node with every service on {@code db}, listening on a free loopback port; rate limits out of the way. */
  NexusNode startNode(String db, int httpPort, Map<String, Object> extra) throws Exception {
    JsonObject cfg = NodeConfig.load(Map.of());
    int hzPort = EmbeddedServers.freePort();
    NodeConfig.put(cfg, "node.dataDir", out.resolve("node-" + httpPort).toString());
    NodeConfig.put(cfg, "http.port", httpPort);
    NodeConfig.put(cfg, "http.host", "127.0.0.1");
    NodeConfig.put(cfg, "cluster.name", "bench-" + UUID.randomUUID());
    NodeConfig.put(cfg, "cluster.port", hzPort);
    NodeConfig.put(cfg, "cluster.members", new JsonArray().add("127.0.0.1:" + hzPort));
    NodeConfig.put(cfg, "postgres.url", db);
    NodeConfig.put(cfg, "redis.url", redisUrl);
    NodeConfig.put(cfg, "security.admin.email", ADMIN_EMAIL);
    NodeConfig.put(cfg, "security.admin.password", ADMIN_PASSWORD);
    NodeConfig.put(cfg, "gateway.rateLimit.perPrincipalPerSecond", 10_000_000);
    extra.forEach((k, v) -> NodeConfig.put(cfg, k, v));
    return NexusNode.start(cfg).await(180, TimeUnit.SECONDS);
  }

  /** The bootstrap admin's access token. */
  static String login(HttpClient http, String base) throws Exception {
    return new JsonObject(http.send(HttpRequest.newBuilder(URI.create(base + "/auth/login"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            new JsonObject().put("email", ADMIN_EMAIL).put("password", ADMIN_PASSWORD).encode())).build(),
        HttpResponse.BodyHandlers.ofString()).body()).getString("accessToken");
  }

  /** POSTs JSON as the bearer of {@code token}; the JSON answer, or an exception naming the status. */
  static JsonObject post(HttpClient http, String url, String token, JsonObject body) throws Exception {
    var r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(url + " → " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body());
  }

  @Override
  public void close() {
    if (embeddedPg == null) {
      // a server the run does not own (NEXUS_PG_URL): leave it as it was
      var cfg = new PgConfig(pgBase, 1);
      for (String name : databases) {
        try (var c = DriverManager.getConnection(cfg.jdbcUrl(), cfg.user(), cfg.password()); var st = c.createStatement()) {
          st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (java.sql.SQLException e) {
          System.err.println("bench: could not drop database " + name + ": " + e.getMessage());
        }
      }
    }
    if (embeddedRedis != null) {
      embeddedRedis.close();
    }
    if (embeddedPg != null) {
      embeddedPg.close();
    }
  }
}

package io.nexus.kernel.testing;

import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.embedded.EmbeddedServers;
import java.net.URI;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Real servers for tests: the PostgreSQL and Redis named by {@code NEXUS_PG_URL} and
 * {@code NEXUS_REDIS_URL}, or embedded ones started once per JVM. Each test gets a database of
 * its own, dropped when the JVM exits.
 */
public final class TestServers {
  private static String pgBase;
  private static String redis;
  private static final List<String> CREATED = new ArrayList<>();

  private TestServers() {}

  /** The base PostgreSQL URL (the server's maintenance database). */
  public static synchronized String postgresBase() {
    if (pgBase == null) {
      String env = System.getenv("NEXUS_PG_URL");
      if (env != null && !env.isBlank()) {
        pgBase = env;
      } else {
        var pg = EmbeddedServers.postgres(Path.of("target", "embedded-pg-" + ProcessHandle.current().pid()), 0);
        Runtime.getRuntime().addShutdownHook(new Thread(pg::close));
        pgBase = pg.adminUrl();
      }
      Runtime.getRuntime().addShutdownHook(new Thread(TestServers::dropCreated));
    }
    return pgBase;
  }

  /** A new empty database on the test server, as a {@code postgresql://} URL. */
  public static String freshDatabase() {
    String base = postgresBase();
    String name = "nexus_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    var cfg = new PgConfig(base, 1);
    try (var c = DriverManager.getConnection(cfg.jdbcUrl(), cfg.user(), cfg.password());
         var st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database on " + PgConfig.redact(base), e);
    }
    synchronized (CREATED) {
      CREATED.add(name);
    }
    URI u = URI.create(base);
    return u.getScheme() + "://" + (u.getRawUserInfo() == null ? "" : u.getRawUserInfo() + "@") + u.getHost()
        + ":" + (u.getPort() < 0 ? 5432 : u.getPort()) + "/" + name;
  }

  /** The Redis URL for tests. */
  public static synchronized String redisUrl() {
    if (redis == null) {
      String env = System.getenv("NEXUS_REDIS_URL");
      if (env != null && !env.isBlank()) {
        redis = env;
      } else {
        var r = EmbeddedServers.redis(Path.of("target", "embedded-redis-" + ProcessHandle.current().pid()), 0);
        Runtime.getRuntime().addShutdownHook(new Thread(r::close));
        redis = r.url();
      }
    }
    return redis;
  }

  private static void dropCreated() {
    var cfg = new PgConfig(pgBase, 1);
    try (var c = DriverManager.getConnection(cfg.jdbcUrl(), cfg.user(), cfg.password());
         var st = c.createStatement()) {
      synchronized (CREATED) {
        for (String db : CREATED) {
          st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
      }
    } catch (SQLException e) {
      System.err.println("could not drop test databases: " + e.getMessage());
    }
  }
}

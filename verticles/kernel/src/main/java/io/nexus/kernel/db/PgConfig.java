package io.nexus.kernel.db;

import io.nexus.kernel.config.Conf;
import io.nexus.kernel.config.ConfigException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where PostgreSQL is and how many connections a service may hold.
 *
 * @param url {@code postgresql://user:pass@host:port/db}
 * @param poolSize connections per service pool
 */
public record PgConfig(String url, int poolSize) {
  private static final int MAX_POOL = 200;

  public PgConfig {
    if (url == null || url.isBlank()) {
      throw new ConfigException("postgres.url", "is required (the node fills it when it starts an embedded server)");
    }
    try {
      URI u = URI.create(url);
      if (!"postgresql".equals(u.getScheme()) && !"postgres".equals(u.getScheme())) {
        throw new ConfigException("postgres.url", "must start with postgresql://, got '" + redact(url) + "'");
      }
      if (u.getHost() == null) {
        throw new ConfigException("postgres.url", "has no host: '" + redact(url) + "'");
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException("postgres.url", "is not a URL: '" + redact(url) + "'");
    }
  }

  /** Reads the {@code postgres} section. */
  public static PgConfig from(JsonObject config) {
    Conf c = Conf.of(config).section("postgres");
    return new PgConfig(c.string("url", ""), c.integer("poolSize", 1, MAX_POOL, 8));
  }

  /** Connect options for the reactive client. */
  public PgConnectOptions connectOptions() {
    return PgConnectOptions.fromUri(url);
  }

  /** The JDBC URL for Flyway, credentials left out. */
  public String jdbcUrl() {
    URI u = URI.create(url);
    int port = u.getPort() < 0 ? 5432 : u.getPort();
    String db = u.getPath() == null || u.getPath().length() <= 1 ? "postgres" : u.getPath().substring(1);
    return "jdbc:postgresql://" + u.getHost() + ":" + port + "/" + db;
  }

  /** The user in the URL, or the OS user as libpq would take it. */
  public String user() {
    String info = URI.create(url).getRawUserInfo();
    if (info == null || info.isEmpty()) {
      return System.getProperty("user.name");
    }
    return URLDecoder.decode(info.split(":", 2)[0], StandardCharsets.UTF_8);
  }

  /** The password in the URL, or null. */
  public String password() {
    String info = URI.create(url).getRawUserInfo();
    if (info == null || !info.contains(":")) {
      return null;
    }
    return URLDecoder.decode(info.split(":", 2)[1], StandardCharsets.UTF_8);
  }

  /** The URL with its password masked, for logs and messages. */
  public static String redact(String url) {
    return url == null ? null : url.replaceAll("://([^:/@]+):[^@]*@", "://$1:***@");
  }
}

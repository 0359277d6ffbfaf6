package io.nexus.kernel.db;

import io.nexus.kernel.config.Conf;
import io.nexus.kernel.config.ConfigException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Where PostgreSQL is and how many connections a service may hold.
 *
 * @param url {@code postgresql://user:pass@host:port/db}
 * @param poolSize connections per service pool
 * @param idleInTransactionMs how long the server lets a session sit idle inside a transaction before
 *     it ends the session and rolls back: a node cut off mid-transaction (its TCP connection neither
 *     closed nor answering) would otherwise hold its row locks until TCP gives up, hours later, and
 *     every command on those rows elsewhere would wait behind it
 */
public record PgConfig(String url, int poolSize, int idleInTransactionMs) {
  private static final int MAX_POOL = 200;
  /** Default of {@code postgres.idleInTransactionMs}: a command's statements follow each other in milliseconds. */
  public static final int IDLE_IN_TRANSACTION_MS = 3_000;
  /** Server-side TCP keepalive for the sessions: a vanished client is noticed in about 20 s, not 2 h. */
  private static final Map<String, String> KEEPALIVE = Map.of("tcp_keepalives_idle", "10", "tcp_keepalives_interval",
      "5", "tcp_keepalives_count", "2");

  /** A pool of {@code poolSize} with the default idle-in-transaction limit. */
  public PgConfig(String url, int poolSize) {
    this(url, poolSize, IDLE_IN_TRANSACTION_MS);
  }

  /** The same server and limits with another pool size. */
  public PgConfig withPoolSize(int size) {
    return new PgConfig(url, size, idleInTransactionMs);
  }

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
    return new PgConfig(c.string("url", ""), c.integer("poolSize", 1, MAX_POOL, 8),
        c.integer("idleInTransactionMs", 100, 3_600_000, IDLE_IN_TRANSACTION_MS));
  }

  /**
   * Session settings every service connection starts with: the idle-in-transaction limit and the
   * keepalives. A transaction that waits on purpose (a snapshot held while findings are raised, an
   * import receiving its upload) sets its own limit with {@code SET LOCAL}/{@code SET}.
   */
  public Map<String, String> sessionSettings() {
    var m = new java.util.HashMap<>(KEEPALIVE);
    m.put("idle_in_transaction_session_timeout", Integer.toString(idleInTransactionMs));
    return m;
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

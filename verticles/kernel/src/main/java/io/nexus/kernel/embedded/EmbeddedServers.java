package io.nexus.kernel.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * Real PostgreSQL and Redis servers started from binaries shipped in Maven artifacts, for a
 * node that was given no external ones. Data lives under the data directory and survives
 * restarts.
 */
public final class EmbeddedServers {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServers.class);
  private static final Duration PG_STARTUP_WAIT = Duration.ofSeconds(60);

  private EmbeddedServers() {}

  /**
   * A running embedded PostgreSQL.
   *
   * @param url where NEXUS connects: role {@value #APP_ROLE} (not a superuser, owner of database
   *     {@value #APP_DATABASE} and so of every schema the services make), with its password
   * @param adminUrl the superuser's, with its password: for tests and benchmarks that create databases
   */
  public record Postgres(EmbeddedPostgres server, String url, String adminUrl) implements AutoCloseable {
    @Override
    public void close() {
      try {
        server.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** A running embedded Redis. */
  public record Redis(RedisServer server, String url) implements AutoCloseable {
    @Override
    public void close() {
      try {
        server.stop();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * Starts PostgreSQL with its data in {@code dataDir} (created and initialised on first use,
   * kept afterwards) on {@code port} (0 = any free port). It listens on loopback only and asks
   * every connection for a password (SCRAM): the superuser's and the application role's are
   * made on first start and kept in {@code <dataDir>.passwords} (0600) beside the data.
   */
  public static Postgres postgres(Path dataDir, int port) {
    try {
      Files.createDirectories(dataDir.getParent());
      Path passwords = dataDir.resolveSibling(dataDir.getFileName() + ".passwords");
      String[] pw = passwords(passwords);
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir.toFile())
          .setCleanDataDirectory(false)
          .setPort(port == 0 ? freePort() : port)
          // the library turns synchronous_commit off for speed: a crash would then lose acknowledged commits
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setServerConfig("password_encryption", "scram-sha-256")
          // its start-up check signs in as the superuser: with the password once it is set (trust ignores it before)
          .setConnectConfig("password", pw[0])
          .setPGStartupWait(PG_STARTUP_WAIT)
          .start();
      boolean legacy = secure(pg, dataDir, pw[0], pw[1]);
      String host = "127.0.0.1:" + pg.getPort();
      String adminUrl = "postgresql://postgres:" + pw[0] + "@" + host + "/postgres";
      String url = legacy ? adminUrl : "postgresql://" + APP_ROLE + ":" + pw[1] + "@" + host + "/" + APP_DATABASE;
      if (legacy) {
        LOG.warn("the embedded PostgreSQL in {} holds NEXUS data from an earlier version in database 'postgres', owned by "
            + "the superuser: NEXUS keeps using it as the superuser. To move to the '{}' role: scripts/backup.sh, stop, "
            + "delete {}, start, scripts/restore.sh", dataDir, APP_ROLE, dataDir);
      }
      LOG.info("embedded PostgreSQL started [port: {}, data: {}, role: {}]", pg.getPort(), dataDir, APP_ROLE);
      return new Postgres(pg, url, adminUrl);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start in " + dataDir, e);
    }
  }

  static final String APP_ROLE = "nexus";
  static final String APP_DATABASE = "nexus";
  private static final int PASSWORD_BYTES = 24;

  /** The superuser's and the application role's passwords, made on first use. */
  private static String[] passwords(Path file) throws IOException {
    if (!Files.exists(file)) {
      var random = new java.security.SecureRandom();
      String[] made = new String[2];
      for (int i = 0; i < 2; i++) {
        byte[] b = new byte[PASSWORD_BYTES];
        random.nextBytes(b);
        made[i] = java.util.HexFormat.of().formatHex(b);
      }
      Path tmp = Files.createTempFile(file.getParent(), "pg", ".tmp");
      io.nexus.kernel.secrets.ClusterSecrets.privateFile(tmp);
      Files.writeString(tmp, made[0] + "\n" + made[1] + "\n");
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    io.nexus.kernel.secrets.ClusterSecrets.privateFile(file);
    var lines = Files.readAllLines(file);
    return new String[] {lines.get(0).trim(), lines.get(1).trim()};
  }

  /**
   * Makes sure the superuser has its password, the application role and its database exist, and
   * every connection must give a password; reloads the server's configuration when it changed.
   *
   * @return true when the data of an earlier version sits in database {@code postgres} (kept there)
   */
  private static boolean secure(EmbeddedPostgres pg, Path dataDir, String superPw, String appPw) throws IOException {
    try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres", "postgres",
        superPw); var st = c.createStatement()) {
      st.execute("ALTER ROLE postgres PASSWORD '" + superPw + "'");
      var rs = st.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + APP_ROLE + "'");
      if (!rs.next()) {
        st.execute("CREATE ROLE " + APP_ROLE + " LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD '" + appPw + "'");
      } else {
        st.execute("ALTER ROLE " + APP_ROLE + " PASSWORD '" + appPw + "'");
      }
      rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + APP_DATABASE + "'");
      boolean fresh = !rs.next();
      rs = st.executeQuery("SELECT 1 FROM pg_namespace WHERE nspname = 'eventlog'");
      boolean legacy = fresh && rs.next();
      if (fresh) {
        st.execute("CREATE DATABASE " + APP_DATABASE + " OWNER " + APP_ROLE);
      }
      Path hba = dataDir.resolve("pg_hba.conf");
      String wanted = "# NEXUS: passwords for everyone, loopback only\n"
          + "local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n";
      if (!wanted.equals(Files.readString(hba))) {
        Files.writeString(hba, wanted);
        st.execute("SELECT pg_reload_conf()");
      }
      return legacy || !fresh && hasSchemaInPostgres(st) && !hasSchemaIn(pg, APP_DATABASE, superPw);
    } catch (java.sql.SQLException e) {
      throw new IOException("cannot secure the embedded PostgreSQL: " + e.getMessage(), e);
    }
  }

  private static boolean hasSchemaInPostgres(java.sql.Statement st) throws java.sql.SQLException {
    return st.executeQuery("SELECT 1 FROM pg_namespace WHERE nspname = 'eventlog'").next();
  }

  private static boolean hasSchemaIn(EmbeddedPostgres pg, String db, String superPw) throws java.sql.SQLException {
    try (var c = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + db, "postgres",
        superPw); var st = c.createStatement()) {
      return st.executeQuery("SELECT 1 FROM pg_namespace WHERE nspname = 'eventlog'").next();
    }
  }

  /** Starts Redis with append-only persistence in {@code dataDir} on {@code port} (0 = any free port). */
  public static Redis redis(Path dataDir, int port) {
    try {
      io.nexus.kernel.secrets.ClusterSecrets.privateDir(dataDir);
      int p = port == 0 ? freePort() : port;
      RedisServer server = RedisServer.newRedisServer()
          .port(p)
          .setting("bind 127.0.0.1")
          .setting("dir " + dataDir.toAbsolutePath())
          .setting("appendonly yes")
          .setting("protected-mode yes")
          .build();
      server.start();
      LOG.info("embedded Redis started [port: {}, data: {}]", p, dataDir);
      return new Redis(server, "redis://127.0.0.1:" + p);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded Redis did not start in " + dataDir, e);
    }
  }

  /** A TCP port free on loopback right now. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

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

  /** A running embedded PostgreSQL. */
  public record Postgres(EmbeddedPostgres server, String url) implements AutoCloseable {
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
   * kept afterwards) on {@code port} (0 = any free port).
   */
  public static Postgres postgres(Path dataDir, int port) {
    try {
      Files.createDirectories(dataDir.getParent());
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir.toFile())
          .setCleanDataDirectory(false)
          .setPort(port == 0 ? freePort() : port)
          // the library turns synchronous_commit off for speed: a crash would then lose acknowledged commits
          .setServerConfig("synchronous_commit", "on")
          .setPGStartupWait(PG_STARTUP_WAIT)
          .start();
      String url = "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres";
      LOG.info("embedded PostgreSQL started [port: {}, data: {}]", pg.getPort(), dataDir);
      return new Postgres(pg, url);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded PostgreSQL did not start in " + dataDir, e);
    }
  }

  /** Starts Redis with append-only persistence in {@code dataDir} on {@code port} (0 = any free port). */
  public static Redis redis(Path dataDir, int port) {
    try {
      Files.createDirectories(dataDir);
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

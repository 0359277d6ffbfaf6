package io.nexus.kernel.db;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.HashMap;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's PostgreSQL: its own schema, migrated with Flyway at start, and a reactive pool
 * whose {@code search_path} is that schema.
 */
public final class Database {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final Vertx vertx;
  private final PgConfig config;
  private final String schema;
  private final Pool pool;

  private Database(Vertx vertx, PgConfig config, String schema, Pool pool) {
    this.vertx = vertx;
    this.config = config;
    this.schema = schema;
    this.pool = pool;
  }

  /** A pool on the service's schema. Nothing connects until first use. */
  public static Database connect(Vertx vertx, PgConfig config, String schema) {
    var properties = new HashMap<>(config.sessionSettings());
    properties.putAll(Map.of("search_path", schema + ",public", "application_name", "nexus-" + schema));
    var connect = config.connectOptions().setProperties(properties);
    Pool pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.poolSize()).setName("nexus-" + schema).setShared(false))
        .connectingTo(connect)
        .using(vertx)
        .build();
    return new Database(vertx, config, schema, pool);
  }

  /**
   * Applies the migrations under {@code classpath:db/<schema>} to the schema. Flyway is
   * blocking, so it runs on a worker thread; several nodes starting at once serialise on
   * Flyway's own lock.
   */
  public Future<Void> migrate() {
    return migrate(vertx, config, schema);
  }

  /** Applies {@code classpath:db/<schema>} to a schema of the database {@code config} names. */
  public static Future<Void> migrate(Vertx vertx, PgConfig config, String schema) {
    return vertx.executeBlocking(() -> {
      var result = Flyway.configure()
          .dataSource(config.jdbcUrl(), config.user(), config.password())
          .schemas(schema)
          .defaultSchema(schema)
          .createSchemas(true)
          .locations("classpath:db/" + schema)
          .table("flyway_history")
          .load()
          .migrate();
      LOG.info("schema migrated [schema: {}, applied: {}, version: {}]", schema, result.migrationsExecuted,
          result.targetSchemaVersion);
      return null;
    }, false);
  }

  /** The reactive pool. */
  public Pool pool() {
    return pool;
  }

  /** The schema this database works in. */
  public String schema() {
    return schema;
  }

  /** Closes the pool. */
  public Future<Void> close() {
    return pool.close();
  }
}

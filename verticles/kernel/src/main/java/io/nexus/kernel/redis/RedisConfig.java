package io.nexus.kernel.redis;

import io.nexus.kernel.config.Conf;
import io.nexus.kernel.config.ConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;

/**
 * Where Redis is.
 *
 * @param url {@code redis://host:port}
 * @param poolSize connections per client
 */
public record RedisConfig(String url, int poolSize) {
  private static final int MAX_POOL = 128;

  public RedisConfig {
    if (url == null || !(url.startsWith("redis://") || url.startsWith("rediss://"))) {
      throw new ConfigException("redis.url", "must start with redis:// (the node fills it when it starts an embedded server), got '"
          + url + "'");
    }
  }

  /** Reads the {@code redis} section. */
  public static RedisConfig from(JsonObject config) {
    Conf c = Conf.of(config).section("redis");
    return new RedisConfig(c.string("url", ""), c.integer("poolSize", 1, MAX_POOL, 8));
  }

  /** A pooled client; it reconnects by itself when Redis comes back. */
  public RedisAPI connect(Vertx vertx) {
    return RedisAPI.api(Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(url)
        .setMaxPoolSize(poolSize)
        .setMaxPoolWaiting(poolSize * 64)));
  }
}

package io.nexus.kernel.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cache-aside in Redis for read models, behind a circuit breaker: a read tries Redis, else loads
 * from PostgreSQL and fills the cache. Writers invalidate after commit, and every node
 * invalidates again on the relayed event. When Redis is down reads go straight to PostgreSQL
 * (the breaker shows it), and invalidations that could not be made are remembered and made
 * before this node uses the cache again, so no stale entry is served after Redis returns.
 */
public final class ReadCache {
  private static final Logger LOG = LoggerFactory.getLogger(ReadCache.class);
  private static final long REDIS_TIMEOUT_MS = 250;

  private final RedisAPI redis;
  private final CircuitBreaker breaker;
  private final String prefix;
  private final int ttlSeconds;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private Counter hits;
  private Counter misses;

  /**
   * @param namespace keys are {@code nexus:cache:<namespace>:<key>}
   * @param ttlSeconds how long an entry lives at most (bounds staleness if an invalidation was lost)
   */
  public ReadCache(RedisAPI redis, CircuitBreaker breaker, String namespace, int ttlSeconds, MeterRegistry registry) {
    this.redis = redis;
    this.breaker = breaker;
    this.prefix = "nexus:cache:" + namespace + ":";
    this.ttlSeconds = ttlSeconds;
    if (registry != null) {
      hits = Counter.builder("nexus_cache_hits_total").tag("cache", namespace)
          .description("reads of this read-model cache answered from Redis").register(registry);
      misses = Counter.builder("nexus_cache_misses_total").tag("cache", namespace)
          .description("reads of this read-model cache that went to PostgreSQL").register(registry);
    }
  }

  /** The value for {@code key}: from Redis when there, else from {@code load} (and then cached). */
  public <T> Future<T> get(String key, Function<JsonObject, T> decode, Function<T, JsonObject> encode,
      Supplier<Future<T>> load) {
    return usable().compose(ok -> {
      if (!ok) {
        return load.get();
      }
      return this.<Response>guarded(() -> redis.get(prefix + key))
          .compose(hit -> {
            if (hit != null) {
              count(hits);
              return Future.succeededFuture(decode.apply(new JsonObject(hit.toString())));
            }
            count(misses);
            return load.get().onSuccess(v -> guarded(() -> redis.set(List.of(prefix + key, encode.apply(v).encode(),
                "EX", String.valueOf(ttlSeconds)))));
          }, err -> load.get());
    });
  }

  /** Drops an entry; when Redis cannot be reached, remembers to drop it before the cache is used again. */
  public Future<Void> invalidate(String key) {
    return guarded(() -> redis.del(List.of(prefix + key))).<Void>mapEmpty().recover(err -> {
      pending.add(key);
      return Future.succeededFuture();
    });
  }

  /** True when the cache may be used: Redis reachable and every remembered invalidation made. */
  private Future<Boolean> usable() {
    if (pending.isEmpty()) {
      return Future.succeededFuture(true);
    }
    var keys = List.copyOf(pending);
    return guarded(() -> redis.del(keys.stream().map(k -> prefix + k).toList()))
        .map(v -> {
          keys.forEach(pending::remove);
          LOG.info("made invalidations that waited for Redis [keys: {}]", keys.size());
          return true;
        })
        .otherwise(false);
  }

  private <T> Future<T> guarded(Supplier<Future<T>> call) {
    return breaker.execute(() -> call.get().timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS));
  }

  private static void count(Counter c) {
    if (c != null) {
      c.increment();
    }
  }
}

package io.nexus.gateway;

import io.nexus.contracts.ErrorCode;
import io.nexus.kernel.bus.BusFailure;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide request limits in Redis: a fixed one-second window per caller (per principal when
 * authenticated, per client address otherwise), shared by every gateway. Past the limit: 429
 * with {@code Retry-After: 1}. When Redis is unreachable requests pass: limits protect the
 * platform, and losing Redis must not take the API down with it.
 */
final class RateLimiter {
  private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
  private static final String PREFIX = "nexus:rl:";
  private static final long REDIS_TIMEOUT_MS = 200;
  private static final String WINDOW_TTL_SECONDS = "2";

  private final RedisAPI redis;
  private final int perPrincipalPerSecond;
  private final int perAddressPerSecond;

  RateLimiter(RedisAPI redis, int perPrincipalPerSecond, int perAddressPerSecond) {
    this.redis = redis;
    this.perPrincipalPerSecond = perPrincipalPerSecond;
    this.perAddressPerSecond = perAddressPerSecond;
  }

  /** Counts a request of an authenticated caller. */
  Future<Void> principal(String subject) {
    return count("p:" + subject, perPrincipalPerSecond);
  }

  /** Counts a request of an anonymous caller by address. */
  Future<Void> address(String address) {
    return count("a:" + address, perAddressPerSecond);
  }

  private Future<Void> count(String who, int limit) {
    String key = PREFIX + who + ":" + (System.currentTimeMillis() / 1000);
    return redis.incr(key)
        .compose(n -> n.toLong() == 1 ? redis.expire(List.of(key, WINDOW_TTL_SECONDS)).map(n) : Future.succeededFuture(n))
        .timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .transform(ar -> {
          if (ar.failed()) {
            LOG.debug("rate limit not checked: Redis unreachable [caller: {}]", who);
            return Future.succeededFuture();
          }
          if (ar.result().toLong() > limit) {
            return Future.failedFuture(new BusFailure(ErrorCode.TOO_MANY_REQUESTS,
                "more than " + limit + " requests per second", 1L));
          }
          return Future.succeededFuture();
        });
  }
}

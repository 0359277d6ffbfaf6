package io.nexus.security;

import io.nexus.contracts.ErrorCode;
import io.nexus.kernel.bus.BusFailure;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Counts failed logins per account and per client address in Redis, shared by every instance.
 * Past a limit within the window the login is refused with 429 and {@code Retry-After}. When
 * Redis cannot be reached the login is refused too (503): throttling fails closed.
 */
final class LoginThrottle {
  private static final String PREFIX = "nexus:login:";
  private static final long REDIS_TIMEOUT_MS = 1000;
  private static final long UNAVAILABLE_RETRY_SECONDS = 5;

  private final RedisAPI redis;
  private final int maxPerAccount;
  private final int maxPerIp;
  private final int windowSeconds;

  LoginThrottle(RedisAPI redis, int maxPerAccount, int maxPerIp, int windowSeconds) {
    this.redis = redis;
    this.maxPerAccount = maxPerAccount;
    this.maxPerIp = maxPerIp;
    this.windowSeconds = windowSeconds;
  }

  /** Fails with 429 when the account or the address has used up its attempts. */
  Future<Void> check(String email, String ip) {
    String acct = accountKey(email);
    String addr = ipKey(ip);
    return guarded(redis.mget(List.of(acct, addr)))
        .compose(counts -> {
          long a = number(counts.get(0));
          long i = number(counts.get(1));
          if (a >= maxPerAccount) {
            return refuse(acct);
          }
          if (i >= maxPerIp) {
            return refuse(addr);
          }
          return Future.succeededFuture();
        });
  }

  /** Counts a failed attempt against the account and the address. */
  Future<Void> failed(String email, String ip) {
    return Future.all(bump(accountKey(email)), bump(ipKey(ip))).mapEmpty();
  }

  /** Clears the account's count after a successful login. */
  Future<Void> succeeded(String email) {
    return guarded(redis.del(List.of(accountKey(email)))).mapEmpty();
  }

  private Future<Void> bump(String key) {
    return guarded(redis.incr(key))
        .compose(n -> n.toLong() == 1 ? guarded(redis.expire(List.of(key, String.valueOf(windowSeconds)))) : Future.succeededFuture())
        .mapEmpty();
  }

  private Future<Void> refuse(String key) {
    return guarded(redis.ttl(key)).compose(ttl -> {
      long seconds = ttl == null || ttl.toLong() < 1 ? windowSeconds : ttl.toLong();
      return Future.failedFuture(new BusFailure(ErrorCode.TOO_MANY_REQUESTS,
          "too many failed logins; try again later", seconds));
    });
  }

  /** Bounds a Redis call in time, and turns its failure into 503 (fail closed). */
  private <T> Future<T> guarded(Future<T> call) {
    return call.timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .recover(err -> Future.failedFuture(BusFailure.unavailable(
            "login is unavailable while the throttling store is unreachable", UNAVAILABLE_RETRY_SECONDS)));
  }

  private static long number(Response r) {
    return r == null ? 0 : r.toLong();
  }

  private static String accountKey(String email) {
    return PREFIX + "acct:" + email.trim().toLowerCase(Locale.ROOT);
  }

  private static String ipKey(String ip) {
    return PREFIX + "ip:" + (ip == null ? "unknown" : ip);
  }
}

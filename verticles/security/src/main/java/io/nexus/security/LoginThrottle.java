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
 * Counts login attempts per account and per client address in Redis, shared by every instance,
 * reserving each attempt before the password is hashed. Past a limit within the window the
 * login is refused with 429 and {@code Retry-After}; a successful login clears the account's
 * count. When Redis cannot be reached the login is refused too (503): throttling fails closed.
 */
final class LoginThrottle {
  private static final String PREFIX = "nexus:login:";
  private static final long REDIS_TIMEOUT_MS = 1000;
  private static final long UNAVAILABLE_RETRY_SECONDS = 5;
  private static final long BASE_DEVICE_DELAY_MS = 250;
  private static final long MAX_DEVICE_DELAY_MS = 2000;
  /** How long an address stays a known device of an account after its last successful login. */
  private static final long KNOWN_DEVICE_SECONDS = 30L * 86_400;

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

  /**
   * Reserves one attempt before the password is checked, so that no burst gets more checks than
   * the limit: the account's and the address's counters go up first, and a login past either
   * limit is refused (429) without hashing. While the account is locked, an address that logged
   * into it successfully before (a known device) is not locked out with everyone else: it gets an
   * allowance of its own for that account, slowed by {@link #delayMs} per failure.
   *
   * @return the delay to wait before checking (0 for any address but a known device of a locked account)
   */
  Future<Long> reserve(String email, String ip) {
    String acct = accountKey(email);
    String addr = ip == null ? null : ipKey(ip);
    Future<Long> a = count(acct);
    Future<Long> i = addr == null ? Future.succeededFuture(0L) : count(addr);
    return Future.all(a, i).compose(v -> {
      if (i.result() > maxPerIp) {
        return refuse(addr);
      }
      if (a.result() <= maxPerAccount) {
        return Future.succeededFuture(0L);
      }
      if (ip == null) {
        return refuse(acct);
      }
      return guarded(redis.sismember(knownKey(email), ip)).compose(known -> {
        if (known == null || !known.toBoolean()) {
          return refuse(acct);
        }
        String device = acct + ":device:" + ip;
        return count(device).compose(n -> n <= maxPerAccount ? Future.succeededFuture(delayMs(n)) : refuse(device));
      });
    });
  }

  /** A known device's n-th attempt on a locked account waits 250 ms × 2^(n-1), at most 2 s (within the gateway's timeout). */
  static long delayMs(long n) {
    return Math.min(MAX_DEVICE_DELAY_MS, BASE_DEVICE_DELAY_MS << Math.min(n - 1, 8));
  }

  /** A successful login: the account's failures are forgiven and the address becomes a known device of it. */
  Future<Void> succeeded(String email, String ip) {
    Future<Void> cleared = guarded(redis.del(List.of(accountKey(email), accountKey(email) + ":device:" + ip))).mapEmpty();
    if (ip == null) {
      return cleared;
    }
    String known = knownKey(email);
    // a successful attempt is not held against the address either
    return cleared.compose(v -> guarded(redis.decr(ipKey(ip))))
        .compose(v -> guarded(redis.sadd(List.of(known, ip))))
        .compose(v -> guarded(redis.expire(List.of(known, String.valueOf(KNOWN_DEVICE_SECONDS))))).mapEmpty();
  }

  private Future<Long> count(String key) {
    return guarded(redis.incr(key)).compose(n -> n.toLong() == 1
        ? guarded(redis.expire(List.of(key, String.valueOf(windowSeconds)))).map(n.toLong())
        : Future.succeededFuture(n.toLong()));
  }

  private <T> Future<T> refuse(String key) {
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

  private static String knownKey(String email) {
    return PREFIX + "known:" + email.trim().toLowerCase(Locale.ROOT);
  }

  private static String ipKey(String ip) {
    return PREFIX + "ip:" + (ip == null ? "unknown" : ip);
  }
}

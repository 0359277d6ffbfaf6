package io.nexus.gateway;

import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.Principal;
import io.nexus.kernel.bus.BusFailure;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code Idempotency-Key} for POST, PUT and PATCH, kept in Redis per caller: the first request
 * with a key runs and its response is kept; a repeat with the same method, path and body gets
 * that response again (with {@code Idempotent-Replayed: true}) without running; a repeat with a
 * different request gets 422; a repeat while the first is still running gets 409, and so does a
 * repeat of a request whose answer carried a secret (that answer is never stored). Server
 * failures (5xx) are not kept, so the client may retry them. Without Redis the key cannot be
 * honoured, and such requests are refused with 503 rather than risk running twice.
 */
final class Idempotency {
  static final String HEADER = "Idempotency-Key";
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
  private static final Set<HttpMethod> METHODS = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH);
  private static final String PREFIX = "nexus:idem:";
  private static final long REDIS_TIMEOUT_MS = 1000;
  private final RedisAPI redis;
  private final int ttlSeconds;
  private final int pendingTtlSeconds;

  /**
   * @param pendingTtlSeconds how long a key stays marked in progress: a little more than the
   *     longest a request can take (two tries at the slowest service timeout), so that a key
   *     marked by a gateway that died frees itself soon (a late copy of a write the services
   *     guard themselves, see {@code Call.idempotencyKey})
   */
  Idempotency(RedisAPI redis, int ttlSeconds, int pendingTtlSeconds) {
    this.redis = redis;
    this.ttlSeconds = ttlSeconds;
    this.pendingTtlSeconds = pendingTtlSeconds;
  }

  /** True when the request carries a key and its method takes one. */
  boolean applies(RoutingContext rc) {
    return rc.request().getHeader(HEADER) != null && METHODS.contains(rc.request().method());
  }

  /** The request's key scoped to its caller, as services see it ({@code <who>:<key>}); null without one. */
  String scopedKey(RoutingContext rc, Principal caller) {
    if (!applies(rc)) {
      return null;
    }
    return who(rc, caller) + ":" + rc.request().getHeader(HEADER).trim();
  }

  private static String who(RoutingContext rc, Principal caller) {
    return caller != null ? caller.subject() : "anon:" + (rc.request().remoteAddress() == null ? "?"
        : rc.request().remoteAddress().hostAddress());
  }

  /** Runs {@code operation} at most once per caller and key; see the class comment. */
  Future<Outcome> around(RoutingContext rc, Principal caller, Supplier<Future<Outcome>> operation) {
    String key = rc.request().getHeader(HEADER).trim();
    if (!KEY.matcher(key).matches()) {
      return Future.failedFuture(BusFailure.badRequest(HEADER + " must be 1 to 200 of A-Z a-z 0-9 . _ : -"));
    }
    String redisKey = PREFIX + who(rc, caller) + ":" + key;
    String fingerprint = fingerprint(rc);
    String pending = new JsonObject().put("state", "pending").put("fp", fingerprint).encode();
    return guarded(redis.set(List.of(redisKey, pending, "NX", "EX", String.valueOf(pendingTtlSeconds))))
        .compose(set -> {
          if (set != null) {
            return operation.get().compose(outcome -> keep(redisKey, fingerprint, outcome).map(outcome));
          }
          return guarded(redis.get(redisKey)).compose(stored -> replay(stored, fingerprint));
        });
  }

  private Future<Outcome> replay(Response stored, String fingerprint) {
    if (stored == null) {
      return Future.failedFuture(new BusFailure(ErrorCode.CONFLICT, "a request with this " + HEADER
          + " just finished failing; retry", 1L));
    }
    JsonObject s = new JsonObject(stored.toString());
    if (!fingerprint.equals(s.getString("fp"))) {
      return Future.failedFuture(new BusFailure(ErrorCode.UNPROCESSABLE, HEADER
          + " was already used for a different request (method, path or body)"));
    }
    if ("pending".equals(s.getString("state"))) {
      return Future.failedFuture(new BusFailure(ErrorCode.CONFLICT, "a request with this " + HEADER
          + " is still in progress", 1L));
    }
    if ("done-secret".equals(s.getString("state"))) {
      return Future.failedFuture(new BusFailure(ErrorCode.CONFLICT, "this request was already carried out with this "
          + HEADER + "; its answer carried a secret (a token or an API key), which is shown once and never kept, so it "
          + "cannot be replayed: list what it created, or send a new request with a new key"));
    }
    Outcome first = Outcome.fromJson(s.getJsonObject("outcome"));
    first.headers().put("Idempotent-Replayed", "true");
    return Future.succeededFuture(first);
  }

  /** Keeps a final outcome; forgets the key after a server failure so that a retry runs again. */
  private Future<Void> keep(String redisKey, String fingerprint, Outcome outcome) {
    if (outcome.status() >= 500) {
      return guarded(redis.del(List.of(redisKey))).<Void>mapEmpty().otherwiseEmpty();
    }
    // an answer that hands out a secret is never stored: only that the request was done
    String done = outcome.secret() && outcome.status() < 300
        ? new JsonObject().put("state", "done-secret").put("fp", fingerprint).encode()
        : new JsonObject().put("state", "done").put("fp", fingerprint).put("outcome", outcome.toJson()).encode();
    return guarded(redis.set(List.of(redisKey, done, "EX", String.valueOf(ttlSeconds)))).<Void>mapEmpty().otherwiseEmpty();
  }

  private static String fingerprint(RoutingContext rc) {
    try {
      var md = MessageDigest.getInstance("SHA-256");
      md.update(rc.request().method().name().getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(rc.request().path().getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      if (rc.body() != null && rc.body().buffer() != null) {
        md.update(rc.body().buffer().getBytes());
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> Future<T> guarded(Future<T> call) {
    return call.timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS).recover(err -> Future.failedFuture(
        BusFailure.unavailable(HEADER + " cannot be honoured while the idempotency store is unreachable", 5)));
  }
}

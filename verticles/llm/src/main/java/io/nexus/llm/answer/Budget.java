package io.nexus.llm.answer;

import io.nexus.contracts.ErrorCode;
import io.nexus.kernel.bus.BusFailure;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per organisation, in Redis so every instance shares them: the model tokens used today (UTC)
 * against the organisation's {@code llmTokensPerDay}, and questions per minute against
 * {@code asksPerMinute}. Past either: 429 with {@code Retry-After} (to midnight, to the next
 * minute). When Redis cannot say, questions are still answered, but without the model: its cost
 * is what the budget guards.
 */
public final class Budget {
  private static final Logger LOG = LoggerFactory.getLogger(Budget.class);
  private static final String PREFIX = "nexus:llm:";
  private static final long REDIS_TIMEOUT_MS = 300;
  private static final String DAY_TTL_SECONDS = String.valueOf(Duration.ofDays(2).toSeconds());
  private static final String MINUTE_TTL_SECONDS = "120";

  /** What the budget allows this question: the model, or only the extractive answer (the budget is unknown). */
  public enum Admission { MODEL, EXTRACTIVE_ONLY }

  private final RedisAPI redis;
  private final int asksPerMinute;
  private final Clock clock;

  public Budget(RedisAPI redis, int asksPerMinute, Clock clock) {
    this.redis = redis;
    this.asksPerMinute = asksPerMinute;
    this.clock = clock;
  }

  private String tokensKey(UUID org) {
    return PREFIX + "tokens:" + org + ":" + LocalDate.now(clock.withZone(ZoneOffset.UTC));
  }

  /** Admits a question of {@code org} whose daily budget is {@code tokensPerDay}, or fails with 429. */
  public Future<Admission> admit(UUID org, long tokensPerDay) {
    long minute = clock.millis() / 60_000;
    String asks = PREFIX + "asks:" + org + ":" + minute;
    return redis.incr(asks)
        .compose(n -> n.toLong() == 1 ? redis.expire(List.of(asks, MINUTE_TTL_SECONDS)).map(n) : Future.succeededFuture(n))
        .compose(n -> redis.get(tokensKey(org)).map(used -> new long[] {n.toLong(), used == null ? 0 : used.toLong()}))
        .timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .transform(ar -> {
          if (ar.failed()) {
            LOG.warn("the assistant's budget is not known (Redis unreachable): answering without the model [org: {}]", org);
            return Future.succeededFuture(Admission.EXTRACTIVE_ONLY);
          }
          long[] r = ar.result();
          if (r[0] > asksPerMinute) {
            long wait = 60 - (clock.millis() / 1000) % 60;
            return Future.failedFuture(new BusFailure(ErrorCode.TOO_MANY_REQUESTS, "more than " + asksPerMinute
                + " questions a minute for the organisation", Math.max(1, wait)));
          }
          if (r[1] >= tokensPerDay) {
            return Future.failedFuture(new BusFailure(ErrorCode.TOO_MANY_REQUESTS, "the organisation's assistant budget of "
                + tokensPerDay + " tokens a day is used up; it renews at midnight UTC", secondsToMidnight()));
          }
          return Future.succeededFuture(Admission.MODEL);
        });
  }

  /** Counts tokens a generation used. */
  public Future<Void> charge(UUID org, int tokens) {
    if (tokens <= 0) {
      return Future.succeededFuture();
    }
    String key = tokensKey(org);
    return redis.incrby(key, String.valueOf(tokens))
        .compose(n -> redis.expire(List.of(key, DAY_TTL_SECONDS)))
        .timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .<Void>mapEmpty()
        .recover(err -> {
          LOG.warn("tokens not counted (Redis unreachable) [org: {}, tokens: {}]", org, tokens);
          return Future.succeededFuture();
        });
  }

  /** Tokens the organisation used today, or -1 when Redis cannot say. */
  public Future<Long> usedToday(UUID org) {
    return redis.get(tokensKey(org)).map((Response r) -> r == null ? 0L : r.toLong())
        .timeout(REDIS_TIMEOUT_MS, TimeUnit.MILLISECONDS).recover(err -> Future.succeededFuture(-1L));
  }

  long secondsToMidnight() {
    ZonedDateTime now = ZonedDateTime.now(clock.withZone(ZoneOffset.UTC));
    return Math.max(1, Duration.between(now, now.toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC)).toSeconds());
  }
}

package io.nexus.gateway;

/**
 * A token bucket in memory, refilled continuously: a caller may spend {@code burst} at once and
 * {@code perSecond} on average. It also remembers when its owner was last logged about, so that
 * a flood of refusals costs one log line a second.
 */
final class TokenBucket {
  private static final long LOG_INTERVAL_MS = 1000;

  private final double perSecond;
  private final double burst;
  private double tokens;
  private long lastNanos = System.nanoTime();
  private long lastLogMs;
  private long refusedSinceLog;

  TokenBucket(double perSecond, double burst) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.tokens = burst;
  }

  /** Takes a token; false when there is none. */
  synchronized boolean take() {
    refill();
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** True when a token is there now (nothing is taken). */
  synchronized boolean available() {
    refill();
    return tokens >= 1;
  }

  /** Seconds until the next token. */
  synchronized long secondsToNext() {
    refill();
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perSecond);
  }

  private void refill() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - lastNanos) / 1e9 * perSecond);
    lastNanos = now;
  }

  /** Counts a refusal; the number refused since the last log line when one is due now, else -1. */
  synchronized long refusedDueForLog(long nowMs) {
    refusedSinceLog++;
    if (nowMs - lastLogMs < LOG_INTERVAL_MS) {
      return -1;
    }
    lastLogMs = nowMs;
    long n = refusedSinceLog;
    refusedSinceLog = 0;
    return n;
  }
}

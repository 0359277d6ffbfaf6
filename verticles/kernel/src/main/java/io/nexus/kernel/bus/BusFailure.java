package io.nexus.kernel.bus;

import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.Failure;
import io.vertx.core.json.JsonObject;

/**
 * A failure with a status a caller can act on: thrown or failed by service logic, sent as a
 * {@code ReplyException}, and rebuilt on the requesting side.
 */
public final class BusFailure extends RuntimeException {
  private final ErrorCode code;
  private final Long retryAfterSeconds;
  private final boolean timedOut;
  private final JsonObject current;
  private final boolean undelivered;

  public BusFailure(ErrorCode code, String detail) {
    this(code, detail, null);
  }

  public BusFailure(ErrorCode code, String detail, Long retryAfterSeconds) {
    this(code, detail, retryAfterSeconds, false, null);
  }

  private BusFailure(ErrorCode code, String detail, Long retryAfterSeconds, boolean timedOut, JsonObject current) {
    this(code, detail, retryAfterSeconds, timedOut, current, false);
  }

  private BusFailure(ErrorCode code, String detail, Long retryAfterSeconds, boolean timedOut, JsonObject current,
      boolean undelivered) {
    super(detail, null, false, false);
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
    this.timedOut = timedOut;
    this.current = current;
    this.undelivered = undelivered;
  }

  /** 503: nobody listens at the address, so the request was never delivered (any request may be retried). */
  public static BusFailure undelivered(String detail) {
    return new BusFailure(ErrorCode.UNAVAILABLE, detail, 1L, false, null, true);
  }

  /** True when the request never reached a handler. */
  public boolean isUndelivered() {
    return undelivered;
  }

  /** 412: the caller's version is stale; {@code current} is the entity as it is now. */
  public static BusFailure stale(String detail, JsonObject current) {
    return new BusFailure(ErrorCode.PRECONDITION_FAILED, detail, null, false, current);
  }

  /**
   * 409 that says nothing about the caller's request: a race between transactions that a new
   * transaction resolves. Services retry these themselves ({@code EventStore.retrying}).
   */
  public static BusFailure transientConflict(String detail) {
    return new BusFailure(ErrorCode.CONFLICT, detail, 1L, true, null);
  }

  /** Rebuilds a failure from its wire form. */
  public static BusFailure of(Failure f) {
    return new BusFailure(ErrorCode.of(f.status()), f.detail(), f.retryAfterSeconds(), false,
        f.current() == null ? null : new JsonObject(f.current()));
  }

  /** For 412: the entity as it is now, or null. */
  public JsonObject current() {
    return current;
  }

  /** No instance answered in time (503): the request may or may not have taken effect. */
  public static BusFailure timedOut(String detail) {
    return new BusFailure(ErrorCode.UNAVAILABLE, detail, 1L, true, null);
  }

  /** True when no answer came in time; an idempotent request may be retried on another instance. */
  public boolean isTimeout() {
    return timedOut && code == ErrorCode.UNAVAILABLE;
  }

  /** True for a race that retrying in a new transaction resolves. */
  public boolean isTransientConflict() {
    return timedOut && code == ErrorCode.CONFLICT;
  }

  public ErrorCode code() {
    return code;
  }

  public Long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** The wire form. */
  public Failure toFailure() {
    return new Failure(code.status(), getMessage(), retryAfterSeconds, current == null ? null : current.getMap());
  }

  public static BusFailure badRequest(String detail) {
    return new BusFailure(ErrorCode.BAD_REQUEST, detail);
  }

  public static BusFailure unauthorized(String detail) {
    return new BusFailure(ErrorCode.UNAUTHORIZED, detail);
  }

  public static BusFailure forbidden(String detail) {
    return new BusFailure(ErrorCode.FORBIDDEN, detail);
  }

  public static BusFailure notFound(String detail) {
    return new BusFailure(ErrorCode.NOT_FOUND, detail);
  }

  public static BusFailure conflict(String detail) {
    return new BusFailure(ErrorCode.CONFLICT, detail);
  }

  public static BusFailure unavailable(String detail, long retryAfterSeconds) {
    return new BusFailure(ErrorCode.UNAVAILABLE, detail, retryAfterSeconds);
  }

  @Override
  public String toString() {
    return "BusFailure[" + code.status() + "] " + getMessage();
  }
}

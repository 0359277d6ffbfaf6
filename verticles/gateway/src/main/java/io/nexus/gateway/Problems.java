package io.nexus.gateway;

import io.nexus.contracts.ErrorCode;
import io.nexus.kernel.bus.BusFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;

/** Writes RFC 9457 problem details. Never a stack trace. */
final class Problems {
  static final String CONTENT_TYPE = "application/problem+json";
  private static final String TYPE_BASE = "https://nexus.io/problems/";

  private Problems() {}

  static void send(RoutingContext rc, BusFailure f) {
    send(rc, f.code(), f.getMessage(), f.retryAfterSeconds(), f.current());
  }

  static void send(RoutingContext rc, ErrorCode code, String detail) {
    send(rc, code, detail, null);
  }

  static void send(RoutingContext rc, ErrorCode code, String detail, Long retryAfterSeconds) {
    send(rc, code, detail, retryAfterSeconds, null);
  }

  /** A problem; for 412, {@code current} is the entity as it is now (and its version goes in ETag). */
  static void send(RoutingContext rc, ErrorCode code, String detail, Long retryAfterSeconds, JsonObject current) {
    of(rc, code, detail, retryAfterSeconds, current).write(rc);
  }

  static Outcome of(RoutingContext rc, BusFailure f) {
    return of(rc, f.code(), f.getMessage(), f.retryAfterSeconds(), f.current());
  }

  /** The problem as an outcome, not yet written. */
  static Outcome of(RoutingContext rc, ErrorCode code, String detail, Long retryAfterSeconds, JsonObject current) {
    var headers = new LinkedHashMap<String, String>();
    var body = new JsonObject()
        .put("type", TYPE_BASE + code.name().toLowerCase().replace('_', '-'))
        .put("title", code.title())
        .put("status", code.status())
        .put("detail", detail)
        .put("instance", rc.request().path());
    String corr = rc.get(ApiRoutes.CORRELATION_KEY);
    if (corr != null) {
      body.put("correlationId", corr);
    }
    if (current != null) {
      body.put("current", current);
      if (current.getValue("version") instanceof Number v) {
        headers.put("ETag", "\"" + v.longValue() + "\"");
      }
    }
    if (retryAfterSeconds != null) {
      headers.put("Retry-After", String.valueOf(retryAfterSeconds));
    }
    if (code == ErrorCode.UNAUTHORIZED) {
      headers.put("WWW-Authenticate", "Bearer realm=\"nexus\"");
    }
    headers.put("Content-Type", CONTENT_TYPE);
    return new Outcome(code.status(), headers, body.encode());
  }
}

package io.nexus.gateway;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A response before it is written: status, headers and body. Routes compute one, the
 * idempotency store keeps it, and {@link #write} sends it.
 *
 * @param body null for no body
 * @param secret true when the body hands the caller a secret: it is written once and never kept
 */
record Outcome(int status, Map<String, String> headers, String body, boolean secret) {

  Outcome(int status, Map<String, String> headers, String body) {
    this(status, headers, body, false);
  }

  /** The JSON form kept for replays. */
  JsonObject toJson() {
    return new JsonObject().put("status", status).put("headers", new JsonObject(new LinkedHashMap<>(headers)))
        .put("body", body);
  }

  static Outcome fromJson(JsonObject json) {
    var headers = new LinkedHashMap<String, String>();
    json.getJsonObject("headers").forEach(e -> headers.put(e.getKey(), String.valueOf(e.getValue())));
    return new Outcome(json.getInteger("status"), headers, json.getString("body"));
  }

  /** Sends it, unless a response was already started (then the connection is reset). */
  void write(RoutingContext rc) {
    var resp = rc.response();
    if (resp.headWritten()) {
      resp.reset();
      return;
    }
    headers.forEach(resp::putHeader);
    resp.setStatusCode(status);
    if (body == null) {
      resp.end();
    } else {
      resp.end(body);
    }
  }
}

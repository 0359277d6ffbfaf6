package io.nexus.gateway;

import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.Principal;
import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.financial.Financial.BeginUpload;
import io.nexus.contracts.financial.Financial.UploadTarget;
import io.nexus.kernel.bus.Bus;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;

/**
 * Streams an uploaded import file to the Financial instance that claimed the import, one
 * acknowledged chunk at a time: the HTTP request is paused while a chunk is in flight, so a
 * file of any size passes through in a few hundred kilobytes of memory. The response is the
 * import's final report: 200 when it was imported, 422 (with the per-line errors) when not.
 */
final class Uploads {
  private static final long CHUNK_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(2);
  private static final long END_TIMEOUT_MS = TimeUnit.MINUTES.toMillis(30);

  private final Vertx vertx;
  private final Bus bus;
  private final long limitBytes;
  private final long beginTimeoutMs;

  Uploads(Vertx vertx, Bus bus, long limitBytes, long beginTimeoutMs) {
    this.vertx = vertx;
    this.bus = bus;
    this.limitBytes = limitBytes;
    this.beginTimeoutMs = beginTimeoutMs;
  }

  /** Serves {@code PUT /api/v1/ledgers/{ledgerId}/imports/{importId}/file} for an authenticated caller. */
  void handle(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    String type = req.getHeader("Content-Type");
    if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/")) {
      Problems.send(rc, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the file itself as the request body, not a multipart form");
      return;
    }
    Long total = null;
    String length = req.getHeader("Content-Length");
    if (length != null) {
      try {
        total = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        Problems.send(rc, ErrorCode.BAD_REQUEST, "Content-Length is not a number");
        return;
      }
      if (total > limitBytes) {
        Problems.send(rc, ErrorCode.PAYLOAD_TOO_LARGE, "the file has " + total + " bytes; the limit is " + limitBytes);
        return;
      }
    }
    Principal p = rc.get(ApiRoutes.PRINCIPAL_KEY);
    Call call = Call.edge(rc.get(ApiRoutes.CORRELATION_KEY), req.getHeader("traceparent"), p);
    bus.request(Financial.BEGIN_UPLOAD, new BeginUpload(rc.pathParam("ledgerId"), rc.pathParam("importId"), total), call,
            beginTimeoutMs)
        .onSuccess(target -> new Pump(rc, target).start())
        .onFailure(err -> ApiRoutes.fail(rc, err));
  }

  /** One upload in flight. */
  private final class Pump {
    private final RoutingContext rc;
    private final HttpServerRequest req;
    private final UploadTarget target;
    private Buffer pending = Buffer.buffer();
    private long seq;
    private long received;
    private boolean inFlight;
    private boolean ended;
    private boolean over;

    Pump(RoutingContext rc, UploadTarget target) {
      this.rc = rc;
      this.req = rc.request();
      this.target = target;
    }

    void start() {
      req.handler(this::data);
      req.endHandler(v -> {
        ended = true;
        if (!inFlight) {
          drain();
        }
      });
      req.exceptionHandler(err -> abort("the client connection failed"));
      rc.response().closeHandler(v -> {
        if (!over) {
          abort("the client went away");
        }
      });
      req.resume();
    }

    private void data(Buffer b) {
      if (over) {
        return;
      }
      received += b.length();
      if (received > limitBytes) {
        abort("the file is larger than " + limitBytes + " bytes");
        Problems.send(rc, ErrorCode.PAYLOAD_TOO_LARGE, "the file is larger than the limit of " + limitBytes + " bytes");
        return;
      }
      pending.appendBuffer(b);
      if (pending.length() >= target.chunkBytes() && !inFlight) {
        req.pause();
        send(false);
      }
    }

    /** Sends what is buffered (a full chunk, or the rest at the end), then the end marker. */
    private void drain() {
      if (pending.length() > 0) {
        send(false);
      } else {
        send(true);
      }
    }

    private void send(boolean end) {
      Buffer chunk = end ? Buffer.buffer() : pending.getBuffer(0, Math.min(pending.length(), target.chunkBytes()));
      if (!end) {
        pending = pending.getBuffer(chunk.length(), pending.length());
      }
      inFlight = true;
      var options = new DeliveryOptions().setSendTimeout(end ? END_TIMEOUT_MS : CHUNK_TIMEOUT_MS)
          .addHeader("seq", String.valueOf(seq++));
      if (end) {
        options.addHeader("end", "true");
      }
      vertx.eventBus().<Object>request(target.address(), chunk, options)
          .onSuccess(this::acknowledged)
          .onFailure(this::failed);
    }

    private void acknowledged(Message<Object> reply) {
      inFlight = false;
      if (over) {
        return;
      }
      if (reply.headers().contains("final")) {
        over = true;
        JsonObject view = (JsonObject) reply.body();
        boolean ok = io.nexus.contracts.financial.Financial.ImportStatus.COMPLETED.wire().equals(view.getString("status"));
        rc.response().setStatusCode(ok ? 200 : 422).putHeader("Content-Type", "application/json").end(view.encode());
        return;
      }
      if (pending.length() >= target.chunkBytes()) {
        send(false);
      } else if (ended) {
        drain();
      } else {
        req.resume();
      }
    }

    private void failed(Throwable err) {
      inFlight = false;
      if (over) {
        return;
      }
      over = true;
      if (err instanceof ReplyException re && re.failureCode() == 400) {
        Problems.send(rc, ErrorCode.BAD_REQUEST, re.getMessage());
      } else {
        ApiRoutes.fail(rc, BusFailure.unavailable("the import's service instance stopped answering; the import failed and "
            + "nothing was imported", 5));
      }
    }

    private void abort(String why) {
      if (over) {
        return;
      }
      over = true;
      vertx.eventBus().request(target.address(), Buffer.buffer(), new DeliveryOptions().addHeader("abort", why)
          .setSendTimeout(CHUNK_TIMEOUT_MS));
    }
  }
}

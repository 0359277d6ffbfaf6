package io.nexus.kernel.bus;

import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault switch for fault drills and tests. It exists only on a node started with a fault
 * file ({@code NEXUS_TEST_FAULTS}); the node reads that file every {@value #POLL_MS} ms, and
 * the services of this node named in it answer late or fail:
 *
 * <pre>{"security": {"delayMs": 10000}, "financial": {"failPercent": 100}}</pre>
 *
 * A missing or empty file means no faults. Nothing on the network can turn it on.
 */
public final class Faults {
  private static final Logger LOG = LoggerFactory.getLogger(Faults.class);
  private static final long POLL_MS = 200;
  private static final Map<Vertx, Faults> INSTALLED = new WeakHashMap<>();
  private static final Faults NONE = new Faults();

  /** What one service on this node suffers. */
  record Fault(long delayMs, int failPercent) {}

  private volatile Map<String, Fault> faults = Map.of();
  private String lastText = "";

  private Faults() {}

  /** Watches {@code file} for this Vert.x instance's services. */
  public static void install(Vertx vertx, Path file) {
    var f = new Faults();
    synchronized (INSTALLED) {
      INSTALLED.put(vertx, f);
    }
    LOG.warn("fault switch enabled: services on this node obey {} (a test setting)", file);
    vertx.setPeriodic(POLL_MS, id -> vertx.fileSystem().readFile(file.toString())
        .onSuccess(buf -> f.update(buf.toString()))
        .onFailure(err -> f.update("")));
  }

  /** The switch of this Vert.x instance; one that never fires when none was installed. */
  static Faults of(Vertx vertx) {
    synchronized (INSTALLED) {
      return INSTALLED.getOrDefault(vertx, NONE);
    }
  }

  /** The fault for a service now, or null. */
  Fault forService(String service) {
    return faults.isEmpty() ? null : faults.get(service);
  }

  /**
   * The handler as this switch lets it run: unchanged on a node without a fault file (nothing is
   * checked per message there), else failing or answering late while the file says so.
   */
  io.vertx.core.Handler<io.vertx.core.eventbus.Message<Object>> decorate(String service, io.vertx.core.Vertx vertx,
      io.vertx.core.Handler<io.vertx.core.eventbus.Message<Object>> handler) {
    if (this == NONE) {
      return handler;
    }
    return msg -> {
      Fault fault = forService(service);
      if (fault == null) {
        handler.handle(msg);
      } else if (fails(fault)) {
        msg.fail(io.nexus.contracts.ErrorCode.UNAVAILABLE.status(), io.nexus.contracts.Codec.toJson(
            io.nexus.contracts.Failure.of(io.nexus.contracts.ErrorCode.UNAVAILABLE, "fault injected")).encode());
      } else if (fault.delayMs() > 0) {
        vertx.setTimer(fault.delayMs(), t -> handler.handle(msg));
      } else {
        handler.handle(msg);
      }
    };
  }

  /** Whether this call should fail, by the fault's percentage. */
  static boolean fails(Fault f) {
    return f.failPercent() > 0 && ThreadLocalRandom.current().nextInt(100) < f.failPercent();
  }

  private void update(String text) {
    if (text.equals(lastText)) {
      return;
    }
    lastText = text;
    if (text.isBlank()) {
      faults = Map.of();
      LOG.warn("faults cleared");
      return;
    }
    try {
      var json = new JsonObject(text);
      var next = new java.util.HashMap<String, Fault>();
      for (String service : json.fieldNames()) {
        JsonObject f = json.getJsonObject(service);
        next.put(service, new Fault(Math.max(0, f.getLong("delayMs", 0L)),
            Math.max(0, Math.min(100, f.getInteger("failPercent", 0)))));
      }
      faults = Map.copyOf(next);
      LOG.warn("faults now {}", faults);
    } catch (DecodeException | ClassCastException e) {
      LOG.warn("fault file ignored: {}", e.getMessage());
    }
  }
}

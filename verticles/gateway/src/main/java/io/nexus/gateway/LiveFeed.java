package io.nexus.gateway;

import io.nexus.contracts.Codec;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.system.SystemFeed;
import io.nexus.contracts.system.SystemFeed.FeedEvent;
import io.nexus.contracts.system.SystemFeed.FeedPage;
import io.nexus.contracts.system.SystemFeed.FeedReplay;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.events.LogPosition;
import io.nexus.kernel.events.RecordedEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * Committed events for browsers. A durable subscription (one active in the cluster, so each
 * event is published once) publishes every event with an organisation on
 * {@code ui.org.<org>.events}; the bridge drops, per socket, what the caller's role may not see.
 * A browser that was away asks {@code ui.feed.replay} for what it missed after its last cursor,
 * read from the log with the same rules, then continues live and drops cursors it has seen.
 */
final class LiveFeed {
  /** The durable subscription that publishes the feed. */
  static final String SUBSCRIPTION = "gateway.live-feed";
  private static final int DEFAULT_MAX = 500;
  private static final int SCAN_PAGE = 1000;
  private static final int MAX_PAGES_PER_REPLAY = 20;

  private final Vertx vertx;
  private final EventStore store;

  LiveFeed(Vertx vertx, EventStore store) {
    this.vertx = vertx;
    this.store = store;
  }

  /**
   * The least role that may see events of a type: its {@link io.nexus.contracts.EventType}'s. A
   * type the contracts do not know (written by a newer version) is for admins only.
   */
  static Role leastRole(String type) {
    return io.nexus.contracts.Contracts.eventType(type).map(io.nexus.contracts.EventType::leastRole).orElse(Role.ADMIN);
  }

  /** The organisation an event belongs to: its author's. */
  static String orgOf(RecordedEvent e) {
    JsonObject p = e.metadata().getJsonObject("principal");
    return p == null ? e.data().getString("org") : p.getString("org");
  }

  static FeedEvent view(RecordedEvent e) {
    JsonObject p = e.metadata().getJsonObject("principal");
    return new FeedEvent(cursor(e.logPosition()), e.position(), e.type(), e.streamId(), e.version(), e.data().getMap(),
        p == null ? null : p.getString("subject"), e.recordedAt().toString());
  }

  /** The subscription's handler: publish to the event's organisation. */
  Future<Void> publish(RecordedEvent e, SqlConnection tx) {
    String org = orgOf(e);
    if (org != null) {
      vertx.eventBus().publish(SystemFeed.orgEvents(org), Codec.toJson(view(e)));
    }
    return Future.succeededFuture();
  }

  /** What the caller's organisation had after {@code after}, as the caller's role may see it. */
  Future<FeedPage> replay(FeedReplay req, Call call) {
    Principal p = call.requirePrincipal();
    int max = req.max() == null ? DEFAULT_MAX : req.max();
    if ("head".equals(req.after())) {
      return store.head().map(at -> new FeedPage(List.of(), cursor(at), false));
    }
    LogPosition from = req.after() == null ? LogPosition.START : parse(req.after());
    return scan(p, from, max, new ArrayList<>(), 0);
  }

  private Future<FeedPage> scan(Principal p, LogPosition from, int max, List<FeedEvent> out, int pages) {
    return store.readAll(from, SCAN_PAGE).compose(events -> {
      LogPosition at = from;
      for (RecordedEvent e : events) {
        if (out.size() >= max) {
          return Future.succeededFuture(new FeedPage(out, cursor(at), true));
        }
        at = e.logPosition();
        if (p.org().equals(orgOf(e)) && p.may(leastRole(e.type()))) {
          out.add(view(e));
        }
      }
      boolean more = events.size() == SCAN_PAGE;
      if (more && pages + 1 < MAX_PAGES_PER_REPLAY && out.size() < max) {
        return scan(p, at, max, out, pages + 1);
      }
      return Future.succeededFuture(new FeedPage(out, cursor(at), more));
    });
  }

  static String cursor(LogPosition at) {
    return Long.toUnsignedString(at.txId()) + ":" + at.position();
  }

  static LogPosition parse(String cursor) {
    String[] parts = cursor.split(":");
    try {
      return new LogPosition(Long.parseUnsignedLong(parts[0]), Long.parseLong(parts[1]));
    } catch (RuntimeException e) {
      throw BusFailure.badRequest("after: not a cursor: " + cursor);
    }
  }
}

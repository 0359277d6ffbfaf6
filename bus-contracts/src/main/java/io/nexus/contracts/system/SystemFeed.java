package io.nexus.contracts.system;

import io.nexus.contracts.Empty;
import io.nexus.contracts.Endpoint;
import io.nexus.contracts.Example;
import io.nexus.contracts.Format;
import io.nexus.contracts.Nullable;
import io.nexus.contracts.OneOf;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.Topic;
import io.nexus.contracts.Wire;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * The mesh's own surface: the public {@code ui.system} feed of nodes and service instances,
 * and the bridge's diagnostics.
 */
public final class SystemFeed {
  private SystemFeed() {}

  /** Node joined/left, service instance up/down. Public: a browser may read it unauthenticated. */
  public static final Topic<SystemEvent> SYSTEM = new Topic<>("ui.system", SystemEvent.class);

  /**
   * Replies with the principal the mesh sees for the caller: the bridge replaces whatever
   * principal header a browser sent with the one from its verified token.
   */
  public static final Endpoint<Empty, Principal> WHOAMI =
      Endpoint.query("ui.whoami", Empty.class, Principal.class, Role.VIEWER);

  /**
   * The caller's organisation's events after a cursor, read from the log: what a browser missed
   * while disconnected. Pages through with {@code next} while {@code more}.
   */
  public static final Endpoint<FeedReplay, FeedPage> FEED_REPLAY =
      Endpoint.query("ui.feed.replay", FeedReplay.class, FeedPage.class, Role.VIEWER);

  /** Live events of an organisation are published on {@code ui.org.<org>.events} as {@link FeedEvent}s. */
  public static String orgEvents(String org) {
    return "ui.org." + org + ".events";
  }

  public static final List<Endpoint<?, ?>> ENDPOINTS = List.of(WHOAMI, FEED_REPLAY);
  public static final List<Topic<?>> TOPICS = List.of(SYSTEM);

  /** Kinds of {@link SystemEvent}. */
  public enum SystemEventType implements Wire {
    NODE_JOINED, NODE_LEFT, SERVICE_UP, SERVICE_DOWN,
    /**
     * A gateway's circuit breaker for an instance of {@code service} opened, half-opened or closed;
     * {@code node} is that gateway's node. The states themselves are in {@code GET /services}
     * (signed in), so this public feed says only that something changed.
     */
    BREAKER_CHANGED;

    @Override
    public String toString() {
      return wire();
    }
  }

  /**
   * @param type what happened
   * @param node the cluster node id (for breaker-changed: the gateway's)
   * @param service the service name for service and breaker events, else null
   * @param at ISO-8601 instant
   */
  public record SystemEvent(
      SystemEventType type,
      @Size(min = 1) String node,
      @Nullable String service,
      @Format("date-time") String at) {}

  /**
   * One committed event as a browser sees it.
   *
   * @param cursor where a reader stands after it ({@code <txId>:<position>}); resume after it
   * @param position its global position (unique)
   * @param actor who caused it, or null for the system
   */
  public record FeedEvent(
      @Pattern(regexp = "^[0-9]{1,20}:[0-9]{1,19}$") @Example("812:42") String cursor,
      @Min(1) long position,
      String type,
      String streamId,
      @Min(1) long version,
      java.util.Map<String, Object> data,
      @Nullable String actor,
      String at) {}

  /**
   * @param after the last cursor seen, null from the beginning, or {@code head}: no events, and
   *     {@code next} is where the log ends now (where a new reader starts)
   * @param max at most this many events (default 500)
   */
  public record FeedReplay(
      @Nullable @Pattern(regexp = "^([0-9]{1,20}:[0-9]{1,19}|head)$") @Example("812:42") String after,
      @Nullable @Min(1) @Max(2000) Integer max) {}

  /** @param next the cursor to continue from; @param more true when the log holds more after {@code next} */
  public record FeedPage(List<FeedEvent> events, @Nullable String next, boolean more) {}
}

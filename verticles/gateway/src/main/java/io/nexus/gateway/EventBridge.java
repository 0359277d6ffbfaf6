package io.nexus.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.nexus.contracts.Contracts;
import io.nexus.contracts.Headers;
import io.nexus.contracts.Principal;
import io.nexus.contracts.system.SystemFeed;
import io.nexus.kernel.bus.Call;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser's window on the bus, deny by default: only {@code ui.*} addresses; the public
 * {@code ui.system} feed may be read anonymously; anything else needs a token in the frame's
 * {@code authorization} header, and a user may only listen on their own organisation's
 * ({@code ui.org.<org>...}) and their own ({@code ui.user.<id>...}) addresses. Browsers SEND
 * only to the request addresses the contracts open to them ({@link Contracts#browserRequests()})
 * and never PUBLISH: what arrives on {@code ui.org.*}, {@code ui.user.*} and {@code ui.system}
 * comes from services. Headers a browser sends never reach services: the bridge replaces them
 * with the verified principal, sealed. Frames are rate limited per socket and per user; refused
 * frames are counted by reason ({@code nexus_bridge_refused_frames_total}) and logged at most
 * once a second per socket.
 *
 * <p>A socket holds what its latest token granted. It receives on its private addresses only
 * while that token is valid and its session has not ended: a socket whose session ended (logout,
 * refresh-token reuse) or whose token ran out is closed at the next message for it. A client
 * with a fresh token renews the grant with any authenticated frame (the dashboard asks
 * {@code ui.whoami} after each refresh); a token of another user or organisation on the same
 * socket is refused.
 */
final class EventBridge {
  private static final Logger LOG = LoggerFactory.getLogger(EventBridge.class);
  static final String UI_PATTERN = "ui\\.[a-z0-9.-]+";
  private static final long REPLY_TIMEOUT_MS = 10_000;
  private static final int MAX_HANDLERS_PER_SOCKET = 100;
  private static final int MAX_TRACKED_USERS = 100_000;

  /** Frames a socket may send per second, and in a burst. */
  static final int SOCKET_FRAMES_PER_SECOND = 20;
  static final int SOCKET_FRAME_BURST = 40;
  /** Frames one user may send per second over all their sockets on this gateway, and in a burst. */
  static final int USER_FRAMES_PER_SECOND = 50;
  static final int USER_FRAME_BURST = 100;
  private static final Set<String> BROWSER_REQUESTS = Contracts.browserRequests();

  private final Authenticator auth;
  /** Who each socket authenticated as, and until when, for filtering what it receives. */
  private final Map<SockJSSocket, Authenticator.Grant> sockets = new ConcurrentHashMap<>();
  private final Map<SockJSSocket, TokenBucket> socketBudgets = new ConcurrentHashMap<>();
  private final Map<String, TokenBucket> userBudgets = new ConcurrentHashMap<>();
  private final MeterRegistry meters;
  private final io.nexus.kernel.bus.PrincipalSeal seal;

  /** Why a frame was refused: the tag of {@code nexus_bridge_refused_frames_total}. */
  enum Refusal {
    PUBLISH, ADDRESS, AUTHENTICATION, RATE;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  EventBridge(Authenticator auth, io.nexus.kernel.bus.PrincipalSeal seal, MeterRegistry meters) {
    this.auth = auth;
    this.seal = seal;
    this.meters = meters;
  }

  SockJSBridgeOptions options() {
    return new SockJSBridgeOptions()
        .addInboundPermitted(new PermittedOptions().setAddressRegex(UI_PATTERN))
        .addOutboundPermitted(new PermittedOptions().setAddressRegex(UI_PATTERN))
        .setReplyTimeout(REPLY_TIMEOUT_MS)
        .setMaxHandlersPerSocket(MAX_HANDLERS_PER_SOCKET);
  }

  void handle(BridgeEvent event) {
    BridgeEventType type = event.type();
    if ((type == BridgeEventType.REGISTER || type == BridgeEventType.SEND || type == BridgeEventType.PUBLISH)
        && !socketBudgets.computeIfAbsent(event.socket(), s -> new TokenBucket(SOCKET_FRAMES_PER_SECOND, SOCKET_FRAME_BURST)).take()) {
      refuse(event, Refusal.RATE, "more than " + SOCKET_FRAMES_PER_SECOND + " frames per second on this socket");
      return;
    }
    switch (type) {
      case REGISTER -> register(event);
      case SEND -> send(event);
      case PUBLISH -> refuse(event, Refusal.PUBLISH, "browsers may not publish");
      case RECEIVE -> receive(event);
      case SOCKET_CLOSED -> {
        sockets.remove(event.socket());
        socketBudgets.remove(event.socket());
        event.complete(true);
      }
      default -> event.complete(true);
    }
  }

  private void register(BridgeEvent event) {
    String address = event.getRawMessage().getString("address", "");
    if (SystemFeed.SYSTEM.address().equals(address)) {
      event.complete(true);
      return;
    }
    grant(event).onComplete(ar -> {
      if (ar.failed()) {
        refuse(event, Refusal.AUTHENTICATION, "register " + address + " without a valid token");
      } else if (!userTokenBucket(ar.result().principal()).take()) {
        refuse(event, Refusal.RATE, "more than " + USER_FRAMES_PER_SECOND + " frames per second for this user");
      } else if (!owns(ar.result().principal(), address) || !hold(event.socket(), ar.result())) {
        refuse(event, Refusal.ADDRESS, "register " + address + ", not the caller's");
      } else {
        event.complete(true);
      }
    });
  }

  /** Keeps the later of the socket's grants; false for a grant of someone else than the socket's. */
  private boolean hold(SockJSSocket socket, Authenticator.Grant grant) {
    Authenticator.Grant held = sockets.merge(socket, grant, (old, now) -> !same(old.principal(), now.principal()) ? old
        : now.expiresAtEpochSecond() >= old.expiresAtEpochSecond() ? now : old);
    return same(held.principal(), grant.principal());
  }

  private static boolean same(Principal a, Principal b) {
    return a.subject().equals(b.subject()) && a.org().equals(b.org());
  }

  /** Outbound: the feed only shows a socket what its role may see; principals never leave the bus. */
  private void receive(BridgeEvent event) {
    JsonObject raw = event.getRawMessage();
    if (raw == null) {
      event.complete(true);
      return;
    }
    if (raw.getValue("headers") instanceof JsonObject h) {
      h.remove(Headers.PRINCIPAL);
    }
    String address = raw.getString("address", "");
    if (isScoped(address)) {
      Authenticator.Grant grant = sockets.get(event.socket());
      if (grant == null || !grant.valid(System.currentTimeMillis() / 1000) || auth.knownEnded(grant.principal())) {
        event.complete(false);
        LOG.info("bridge closed a socket whose session ended or token expired [subject: {}]",
            grant == null ? null : grant.principal().subject());
        sockets.remove(event.socket());
        event.socket().close();
        return;
      }
      if (address.endsWith(".events") && raw.getValue("body") instanceof JsonObject body
          && !grant.principal().may(LiveFeed.leastRole(body.getString("type", "")))) {
        event.complete(false);
        return;
      }
    }
    event.setRawMessage(raw);
    event.complete(true);
  }

  /** Browsers send only to the request addresses meant for them, with a token; the principal is sealed in here. */
  private void send(BridgeEvent event) {
    JsonObject raw = event.getRawMessage();
    String address = raw.getString("address", "");
    if (!BROWSER_REQUESTS.contains(address)) {
      refuse(event, Refusal.ADDRESS, "send to " + address + ", which is not a browser request address");
      return;
    }
    grant(event).onComplete(ar -> {
      if (ar.failed()) {
        refuse(event, Refusal.AUTHENTICATION, "send to " + address + " without a valid token");
        return;
      }
      if (!userTokenBucket(ar.result().principal()).take()) {
        refuse(event, Refusal.RATE, "more than " + USER_FRAMES_PER_SECOND + " frames per second for this user");
        return;
      }
      if (!hold(event.socket(), ar.result())) {
        refuse(event, Refusal.AUTHENTICATION, "a token of another user on this socket");
        return;
      }
      // whatever the browser put in the headers is dropped; the verified principal goes in
      var delivery = Call.edge(null, null, ar.result().principal()).toDelivery(new DeliveryOptions(), seal);
      var headers = new JsonObject();
      delivery.getHeaders().forEach(e -> headers.put(e.getKey(), e.getValue()));
      event.setRawMessage(raw.put("headers", headers));
      event.complete(true);
    });
  }

  private TokenBucket userTokenBucket(Principal p) {
    if (userBudgets.size() > MAX_TRACKED_USERS) {
      userBudgets.clear();
    }
    return userBudgets.computeIfAbsent(p.org() + "/" + p.subject(), k -> new TokenBucket(USER_FRAMES_PER_SECOND, USER_FRAME_BURST));
  }

  /** Refuses a frame: counted by reason, logged at most once a second per socket (with how many since). */
  private void refuse(BridgeEvent event, Refusal why, String what) {
    event.complete(false);
    if (meters != null) {
      io.micrometer.core.instrument.Counter.builder("nexus_bridge_refused_frames").tag("reason", why.tag())
          .description("browser frames the bridge refused, by reason").register(meters).increment();
    }
    TokenBucket b = socketBudgets.computeIfAbsent(event.socket(), s -> new TokenBucket(SOCKET_FRAMES_PER_SECOND, SOCKET_FRAME_BURST));
    long n = b.refusedDueForLog(System.currentTimeMillis());
    if (n > 0) {
      LOG.info("bridge refused a frame [reason: {}, what: {}, refusedOnSocketSinceLastLine: {}]", why.tag(), what, n);
    }
  }

  private Future<Authenticator.Grant> grant(BridgeEvent event) {
    JsonObject headers = event.getRawMessage().getJsonObject("headers");
    String authorization = headers == null ? null : headers.getString("authorization", headers.getString("Authorization"));
    if (authorization == null) {
      return Future.failedFuture("no token");
    }
    return auth.grant(authorization);
  }

  private static boolean isScoped(String address) {
    return address.startsWith("ui.org.") || address.startsWith("ui.user.");
  }

  /** True for the caller's own organisation's and own user's addresses (and the feed). */
  static boolean owns(Principal p, String address) {
    return within(address, "ui.org." + p.org()) || within(address, "ui.user." + p.subject());
  }

  private static boolean within(String address, String prefix) {
    return address.equals(prefix) || address.startsWith(prefix + ".");
  }
}

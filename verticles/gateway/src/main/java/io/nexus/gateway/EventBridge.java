package io.nexus.gateway;

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
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser's window on the bus, deny by default: only {@code ui.*} addresses; the public
 * {@code ui.system} feed may be read anonymously; anything else needs a token in the frame's
 * {@code authorization} header, and a user may only listen on their own organisation's
 * ({@code ui.org.<org>...}) and their own ({@code ui.user.<id>...}) addresses. Headers a
 * browser sends never reach services: the bridge replaces them with the verified principal.
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

  private final Authenticator auth;
  /** Who each socket authenticated as, and until when, for filtering what it receives. */
  private final Map<SockJSSocket, Authenticator.Grant> sockets = new ConcurrentHashMap<>();

  EventBridge(Authenticator auth) {
    this.auth = auth;
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
    switch (type) {
      case REGISTER -> register(event);
      case SEND, PUBLISH -> send(event);
      case RECEIVE -> receive(event);
      case SOCKET_CLOSED -> {
        sockets.remove(event.socket());
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
      boolean ok = ar.succeeded() && owns(ar.result().principal(), address) && hold(event.socket(), ar.result());
      if (!ok) {
        LOG.info("bridge refused register [address: {}, authenticated: {}]", address, ar.succeeded());
      }
      event.complete(ok);
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

  private void send(BridgeEvent event) {
    JsonObject raw = event.getRawMessage();
    String address = raw.getString("address", "");
    grant(event).onComplete(ar -> {
      if (ar.failed() || (isScoped(address) && !owns(ar.result().principal(), address)) || !hold(event.socket(), ar.result())) {
        LOG.info("bridge refused send [address: {}, authenticated: {}]", address, ar.succeeded());
        event.complete(false);
        return;
      }
      // whatever the browser put in the headers is dropped; the verified principal goes in
      var delivery = Call.edge(null, null, ar.result().principal()).toDelivery(new DeliveryOptions());
      var headers = new JsonObject();
      delivery.getHeaders().forEach(e -> headers.put(e.getKey(), e.getValue()));
      event.setRawMessage(raw.put("headers", headers));
      event.complete(true);
    });
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

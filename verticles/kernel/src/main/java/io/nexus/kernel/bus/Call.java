package io.nexus.kernel.bus;

import io.nexus.contracts.Headers;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.UUID;

/**
 * What travels with a message besides its body: who asked, which operation it belongs to, what
 * caused it, and the trace it is part of.
 *
 * @param messageId this message's id
 * @param correlationId the operation's id, the same on every hop
 * @param causationId the id of the message that caused this one, or null at the edge
 * @param traceparent W3C trace context, or null
 * @param principal the verified caller, or null when anonymous
 * @param idempotencyKey the client's idempotency key scoped to the caller, or null (not passed on by {@link #next()})
 */
public record Call(String messageId, String correlationId, String causationId, String traceparent,
    Principal principal, String idempotencyKey) {

  /** A fresh call at an edge (HTTP request, socket frame, timer) for a caller. */
  public static Call edge(String correlationId, String traceparent, Principal principal) {
    String id = UUID.randomUUID().toString();
    return new Call(id, correlationId == null ? id : correlationId, null, traceparent, principal, null);
  }

  /** A call made by the system itself, with no caller. */
  public static Call system() {
    return edge(null, null, null);
  }

  /** The call a handler makes while handling this one: same correlation and caller, caused by this. */
  public Call next() {
    return new Call(UUID.randomUUID().toString(), correlationId, messageId, traceparent, principal, null);
  }

  /** The same call on behalf of another principal (used by edges that verified one). */
  public Call as(Principal who) {
    return new Call(messageId, correlationId, causationId, traceparent, who, idempotencyKey);
  }

  /** The same call carrying the client's idempotency key (scoped to the caller). */
  public Call withIdempotencyKey(String key) {
    return new Call(messageId, correlationId, causationId, traceparent, principal, key);
  }

  /** The verified caller; 401 when there is none. */
  public Principal requirePrincipal() {
    if (principal == null) {
      throw BusFailure.unauthorized("authentication required");
    }
    return principal;
  }

  /** The verified caller with at least {@code role}; 401 or 403 otherwise. */
  public Principal require(Role role) {
    Principal p = requirePrincipal();
    if (!p.may(role)) {
      throw BusFailure.forbidden("requires role " + role.wire() + " or higher; caller is " + p.role());
    }
    return p;
  }

  /** Writes these facts as message headers, the principal sealed by {@code seal}. */
  public DeliveryOptions toDelivery(DeliveryOptions options, PrincipalSeal seal) {
    options.addHeader(Headers.MESSAGE_ID, messageId);
    options.addHeader(Headers.CORRELATION_ID, correlationId);
    if (causationId != null) {
      options.addHeader(Headers.CAUSATION_ID, causationId);
    }
    if (traceparent != null) {
      options.addHeader(Headers.TRACEPARENT, traceparent);
    }
    if (principal != null) {
      options.addHeader(Headers.PRINCIPAL, seal.seal(principal));
    }
    if (idempotencyKey != null) {
      options.addHeader(Headers.IDEMPOTENCY_KEY, idempotencyKey);
    }
    return options;
  }

  /**
   * Reads the facts from received headers.
   *
   * @throws BusFailure 401 when a principal is there but {@code seal} does not open it
   */
  public static Call fromHeaders(MultiMap headers, PrincipalSeal seal) {
    String id = headers.get(Headers.MESSAGE_ID);
    if (id == null) {
      id = UUID.randomUUID().toString();
    }
    String corr = headers.get(Headers.CORRELATION_ID);
    return new Call(id, corr == null ? id : corr, headers.get(Headers.CAUSATION_ID),
        headers.get(Headers.TRACEPARENT), seal.open(headers.get(Headers.PRINCIPAL)), headers.get(Headers.IDEMPOTENCY_KEY));
  }
}

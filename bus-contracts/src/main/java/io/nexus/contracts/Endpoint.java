package io.nexus.contracts;

import java.util.Objects;

/**
 * A request/reply address on the event bus, with the types it carries.
 *
 * <p>The request and reply travel as JSON objects; each type's JSON Schema is generated from
 * its record ({@link Schemas}) and checked where the message enters the mesh and where it is
 * consumed.
 *
 * @param address the bus address, {@code nexus.<service>.<action>}
 * @param request the request record type
 * @param reply the reply record type
 * @param idempotent true when repeating the request has no further effect, so a caller may
 *     retry it once on another instance after a timeout
 * @param leastRole the least role a caller must have: the bus refuses anyone below it (401
 *     without a principal, 403 below the role) before the handler runs, and the gateway's HTTP
 *     route and the served OpenAPI document take it from here; null for an open endpoint that
 *     anyone may call (login, token keys)
 * @param <Q> request type
 * @param <R> reply type
 */
public record Endpoint<Q, R>(String address, Class<Q> request, Class<R> reply, boolean idempotent, Role leastRole) {
  public Endpoint {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(reply, "reply");
    if (!address.matches("nexus\\.[a-z]+\\.[a-z][a-z-]*") && !address.matches("ui\\.[a-z][a-z.-]*")) {
      throw new IllegalArgumentException("endpoint address must be nexus.<service>.<action> or ui.*: " + address);
    }
  }

  /** An endpoint whose request changes state (never retried automatically), for callers with at least {@code role}. */
  public static <Q, R> Endpoint<Q, R> command(String address, Class<Q> request, Class<R> reply, Role role) {
    return new Endpoint<>(address, request, reply, false, java.util.Objects.requireNonNull(role, "role"));
  }

  /** An endpoint that only reads (safe to retry once on another instance), for callers with at least {@code role}. */
  public static <Q, R> Endpoint<Q, R> query(String address, Class<Q> request, Class<R> reply, Role role) {
    return new Endpoint<>(address, request, reply, true, java.util.Objects.requireNonNull(role, "role"));
  }

  /** A command anyone may send, signed in or not (login, refresh). */
  public static <Q, R> Endpoint<Q, R> openCommand(String address, Class<Q> request, Class<R> reply) {
    return new Endpoint<>(address, request, reply, false, null);
  }

  /** A query anyone may send, signed in or not (the token keys). */
  public static <Q, R> Endpoint<Q, R> openQuery(String address, Class<Q> request, Class<R> reply) {
    return new Endpoint<>(address, request, reply, true, null);
  }

  /** True when anyone may call it. */
  public boolean open() {
    return leastRole == null;
  }

  /** The service segment of the address ({@code security} in {@code nexus.security.login}). */
  public String service() {
    return address.split("\\.")[1];
  }
}

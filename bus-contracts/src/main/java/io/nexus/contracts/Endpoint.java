package io.nexus.contracts;

import java.util.Objects;

/**
 * A request/reply address on the event bus, with the types it carries.
 *
 * <p>The request and reply travel as JSON objects; each type has a JSON Schema at
 * {@code schemas/<SimpleName>.json} on the classpath, checked where the message enters the
 * mesh and where it is consumed.
 *
 * @param address the bus address, {@code nexus.<service>.<action>}
 * @param request the request record type
 * @param reply the reply record type
 * @param idempotent true when repeating the request has no further effect, so a caller may
 *     retry it once on another instance after a timeout
 * @param <Q> request type
 * @param <R> reply type
 */
public record Endpoint<Q, R>(String address, Class<Q> request, Class<R> reply, boolean idempotent) {
  public Endpoint {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(reply, "reply");
    if (!address.matches("nexus\\.[a-z]+\\.[a-z][a-z-]*") && !address.matches("ui\\.[a-z][a-z.-]*")) {
      throw new IllegalArgumentException("endpoint address must be nexus.<service>.<action> or ui.*: " + address);
    }
  }

  /** An endpoint whose request changes state: never retried automatically. */
  public static <Q, R> Endpoint<Q, R> command(String address, Class<Q> request, Class<R> reply) {
    return new Endpoint<>(address, request, reply, false);
  }

  /** An endpoint that only reads: safe to retry once on another instance. */
  public static <Q, R> Endpoint<Q, R> query(String address, Class<Q> request, Class<R> reply) {
    return new Endpoint<>(address, request, reply, true);
  }

  /** The service segment of the address ({@code security} in {@code nexus.security.login}). */
  public String service() {
    return address.split("\\.")[1];
  }
}

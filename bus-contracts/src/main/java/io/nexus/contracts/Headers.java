package io.nexus.contracts;

/**
 * Header names every bus message carries. The gateway and the bridge set {@link #PRINCIPAL}
 * from a verified token and drop any value a client sent.
 */
public final class Headers {
  /** Identifies one user-level operation across every hop. */
  public static final String CORRELATION_ID = "x-correlation-id";
  /** The id of the message that caused this one. */
  public static final String CAUSATION_ID = "x-causation-id";
  /** W3C trace context. */
  public static final String TRACEPARENT = "traceparent";
  /** The verified caller, as the JSON of {@link Principal}. */
  public static final String PRINCIPAL = "x-principal";
  /**
   * The client's {@code Idempotency-Key}, scoped to the caller ({@code <subject>:<key>}), set by
   * the gateway: a service that writes may use it to apply the command at most once even when a
   * late copy of the request arrives after the client retried elsewhere.
   */
  public static final String IDEMPOTENCY_KEY = "x-idempotency-key";
  /** This message's own id, used as the causation id of what it causes. */
  public static final String MESSAGE_ID = "x-message-id";

  private Headers() {}
}

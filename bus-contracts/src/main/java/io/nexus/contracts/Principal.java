package io.nexus.contracts;

import jakarta.validation.constraints.Size;
import java.util.Objects;

/**
 * The verified caller of a message, set by the gateway or the bridge from a token and carried
 * in the {@link Headers#PRINCIPAL} header. Services trust only this header, and only because
 * the edges strip any client-sent value.
 *
 * @param subject user id, or {@code apikey:<id>} for a machine client
 * @param org the organisation the caller acts in
 * @param role the caller's role in that organisation
 * @param session the login session id, or null for API keys
 */
public record Principal(
      @Size(min = 1, max = 100) String subject,
      @Fields.Id String org,
      Role role,
      @Nullable @Size(max = 64) String session) {
  public Principal {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(org, "org");
    Objects.requireNonNull(role, "role");
  }

  /** True when the caller's role may do what {@code required} may do. */
  public boolean may(Role required) {
    return role.atLeast(required);
  }

  /** True for a human user (not an API key, not a service). */
  public boolean human() {
    return !subject.startsWith(API_KEY) && !fromService();
  }

  private static final String API_KEY = "apikey:";
  private static final String SERVICE = "service:";

  /**
   * A service acting in an organisation on its own account (raising findings from risk scores):
   * subject {@code service:<name>}. Only code inside the mesh makes one — the edges replace
   * whatever principal a client sends — so an endpoint may take it as proof the caller is a
   * service ({@link #fromService()}).
   */
  public static Principal service(String name, String org, Role role) {
    return new Principal(SERVICE + name, org, role, null);
  }

  /** True when a service, not a user or an API key, is the caller. */
  public boolean fromService() {
    return subject.startsWith(SERVICE);
  }
}

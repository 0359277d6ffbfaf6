package io.nexus.security;

import io.nexus.contracts.security.Security.UserView;
import io.nexus.kernel.events.NewEvent;
import io.nexus.kernel.events.RecordedEvent;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * The events of a user's stream and how they fold into the user as of any version. Passwords
 * are never in events: only that one changed.
 */
final class UserEvents {
  static final String CREATED = "security.user-created";
  static final String UPDATED = "security.user-updated";
  static final String ROLE_CHANGED = "security.role-changed";
  static final String DISABLED = "security.user-disabled";

  private UserEvents() {}

  static String stream(String userId) {
    return "user-" + userId;
  }

  static NewEvent created(UserView u) {
    return new NewEvent(CREATED, new JsonObject().put("id", u.id()).put("org", u.org()).put("email", u.email())
        .put("name", u.name()).put("role", u.role()).put("createdAt", u.createdAt()));
  }

  static NewEvent updated(String name, boolean passwordChanged, Long revertedTo) {
    var data = new JsonObject().put("passwordChanged", passwordChanged);
    if (name != null) {
      data.put("name", name);
    }
    if (revertedTo != null) {
      data.put("revertedTo", revertedTo);
    }
    return new NewEvent(UPDATED, data);
  }

  static NewEvent roleChanged(String role, String previous, Long revertedTo) {
    var data = new JsonObject().put("role", role).put("previousRole", previous);
    if (revertedTo != null) {
      data.put("revertedTo", revertedTo);
    }
    return new NewEvent(ROLE_CHANGED, data);
  }

  static NewEvent disabled() {
    return new NewEvent(DISABLED, new JsonObject().put("disabled", true));
  }

  /**
   * The user after the stream's events up to {@code version}, or at or before {@code at}
   * (either may be null); null when the stream has no such event.
   */
  static UserView fold(List<RecordedEvent> events, Long version, Instant at) {
    UserView u = null;
    for (RecordedEvent e : events) {
      if ((version != null && e.version() > version) || (at != null && e.recordedAt().isAfter(at))) {
        break;
      }
      JsonObject d = e.data();
      u = switch (e.type()) {
        case CREATED -> new UserView(d.getString("id"), d.getString("org"), d.getString("email"), d.getString("name"),
            d.getString("role"), d.getString("createdAt"), e.version());
        case UPDATED -> new UserView(u.id(), u.org(), u.email(), d.getString("name", u.name()), u.role(), u.createdAt(),
            e.version(), u.disabledAt());
        case ROLE_CHANGED -> new UserView(u.id(), u.org(), u.email(), u.name(), d.getString("role"), u.createdAt(),
            e.version(), u.disabledAt());
        case DISABLED -> new UserView(u.id(), u.org(), u.email(), u.name(), u.role(), u.createdAt(), e.version(),
            e.recordedAt().toString());
        default -> u;
      };
    }
    return u;
  }
}

package io.nexus.security;

import io.nexus.contracts.Role;
import io.nexus.contracts.security.Security;
import io.nexus.contracts.security.Security.DisabledFlag;
import io.nexus.contracts.security.Security.RoleChanged;
import io.nexus.contracts.security.Security.UserCreated;
import io.nexus.contracts.security.Security.UserUpdated;
import io.nexus.contracts.security.Security.UserView;
import io.nexus.kernel.events.NewEvent;
import io.nexus.kernel.events.RecordedEvent;
import java.time.Instant;
import java.util.List;

/**
 * The events of a user's stream and how they fold into the user as of any version. Passwords
 * are never in events: only that one changed.
 */
final class UserEvents {
  private UserEvents() {}

  static String stream(String userId) {
    return Security.USER_CREATED.stream(userId);
  }

  static NewEvent created(UserView u) {
    return NewEvent.of(Security.USER_CREATED, new UserCreated(u.id(), u.org(), u.email(), u.name(), u.role(), u.createdAt()));
  }

  static NewEvent updated(String name, boolean passwordChanged, Long revertedTo) {
    return NewEvent.of(Security.USER_UPDATED, new UserUpdated(name, passwordChanged, revertedTo));
  }

  static NewEvent roleChanged(Role role, Role previous, Long revertedTo) {
    return NewEvent.of(Security.ROLE_CHANGED, new RoleChanged(role, previous, revertedTo));
  }

  static NewEvent disabled() {
    return NewEvent.of(Security.USER_DISABLED, new DisabledFlag(true));
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
      if (e.is(Security.USER_CREATED)) {
        UserCreated c = e.payload(Security.USER_CREATED);
        u = new UserView(c.id(), c.org(), c.email(), c.name(), c.role(), c.createdAt(), e.version());
      } else if (e.is(Security.USER_UPDATED)) {
        UserUpdated c = e.payload(Security.USER_UPDATED);
        u = new UserView(u.id(), u.org(), u.email(), c.name() == null ? u.name() : c.name(), u.role(), u.createdAt(),
            e.version(), u.disabledAt());
      } else if (e.is(Security.ROLE_CHANGED)) {
        u = new UserView(u.id(), u.org(), u.email(), u.name(), e.payload(Security.ROLE_CHANGED).role(), u.createdAt(),
            e.version(), u.disabledAt());
      } else if (e.is(Security.USER_DISABLED)) {
        u = new UserView(u.id(), u.org(), u.email(), u.name(), u.role(), u.createdAt(), e.version(),
            e.recordedAt().toString());
      }
    }
    return u;
  }
}

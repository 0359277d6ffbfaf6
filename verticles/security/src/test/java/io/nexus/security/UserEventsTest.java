package io.nexus.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.Role;
import io.nexus.contracts.security.Security;
import io.nexus.contracts.security.Security.UserView;
import io.nexus.kernel.events.NewEvent;
import io.nexus.kernel.events.RecordedEvent;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A user's stream folds into the user as of any version or instant. */
class UserEventsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final UserView ADA = new UserView("u1", "o1", "ada@example.org", "Ada", io.nexus.contracts.Role.VIEWER, T0.toString(), 1);

  private static List<RecordedEvent> stream(NewEvent... events) {
    var out = new ArrayList<RecordedEvent>();
    for (int i = 0; i < events.length; i++) {
      out.add(new RecordedEvent(100 + i, 7, UserEvents.stream("u1"), i + 1, events[i].type(), events[i].data(),
          new JsonObject(), T0.plusSeconds(60L * i)));
    }
    return out;
  }

  @Test
  @DisplayName("created, renamed, role changed, disabled: each version and each instant folds to what the user was then")
  void foldsByVersionAndInstant() {
    var events = stream(UserEvents.created(ADA), UserEvents.updated("Ada Lovelace", false, null),
        UserEvents.updated(null, true, null), UserEvents.roleChanged(Role.ANALYST, Role.VIEWER, null), UserEvents.disabled());
    UserView now = UserEvents.fold(events, null, null);
    assertThat(now.name()).isEqualTo("Ada Lovelace");
    assertThat(now.role()).isEqualTo(Role.ANALYST);
    assertThat(now.version()).isEqualTo(5);
    assertThat(now.disabledAt()).isEqualTo(T0.plusSeconds(240).toString());
    assertThat(UserEvents.fold(events, 1L, null)).isEqualTo(ADA);
    // a password change keeps the name
    assertThat(UserEvents.fold(events, 3L, null).name()).isEqualTo("Ada Lovelace");
    assertThat(UserEvents.fold(events, null, T0.plusSeconds(150)).role()).isEqualTo(Role.VIEWER);
    assertThat(UserEvents.fold(events, null, T0.minusSeconds(1))).as("before it existed").isNull();
  }

  @Test
  @DisplayName("a user's events carry no password and leave out what did not change, as the log always held them")
  void eventsKeepTheirShape() {
    NewEvent renamed = UserEvents.updated("Ada Lovelace", false, null);
    assertThat(renamed.type()).isEqualTo(Security.USER_UPDATED.name());
    assertThat(renamed.data()).isEqualTo(new JsonObject().put("name", "Ada Lovelace").put("passwordChanged", false));
    assertThat(UserEvents.updated(null, true, null).data()).isEqualTo(new JsonObject().put("passwordChanged", true));
    assertThat(UserEvents.roleChanged(Role.VIEWER, Role.ANALYST, 2L).data())
        .isEqualTo(new JsonObject().put("role", "viewer").put("previousRole", "analyst").put("revertedTo", 2L));
    assertThat(UserEvents.created(ADA).data().fieldNames())
        .containsExactlyInAnyOrder("id", "org", "email", "name", "role", "createdAt");
    assertThat(UserEvents.disabled().data()).isEqualTo(new JsonObject().put("disabled", true));
  }
}

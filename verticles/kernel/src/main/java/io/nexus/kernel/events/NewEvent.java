package io.nexus.kernel.events;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * An event to append.
 *
 * @param type the event type, e.g. {@code EntryPosted}
 * @param data its facts
 */
public record NewEvent(String type, JsonObject data) {
  public NewEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    if (type.isBlank() || type.length() > 200) {
      throw new IllegalArgumentException("event type must be 1 to 200 characters");
    }
  }
}

package io.nexus.contracts;

import java.util.Objects;

/**
 * A publish/subscribe address on the event bus and the event type it carries.
 *
 * @param address {@code nexus.<service>.events.<event>} or {@code ui.*} for browser feeds
 * @param event the event record type; its JSON Schema is generated from it ({@link Schemas})
 * @param <E> event type
 */
public record Topic<E>(String address, Class<E> event) {
  public Topic {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(event, "event");
    if (!address.matches("nexus\\.[a-z]+\\.events\\.[a-z][a-z-]*") && !address.matches("ui\\.[a-z][a-z.-]*")) {
      throw new IllegalArgumentException("topic address must be nexus.<service>.events.<event> or ui.*: " + address);
    }
  }
}

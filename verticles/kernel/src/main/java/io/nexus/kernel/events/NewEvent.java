package io.nexus.kernel.events;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An event to append.
 *
 * @param type {@code <service>.<event>}, e.g. {@code financial.entry-posted}; the relay
 *     publishes it on {@code nexus.<service>.events.<event>}
 * @param data its facts
 */
public record NewEvent(String type, JsonObject data) {
  private static final Pattern TYPE = Pattern.compile("[a-z]+\\.[a-z][a-z0-9-]{0,100}");

  public NewEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
    if (!TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException("event type must be <service>.<event> in lower case, got '" + type + "'");
    }
  }

  /** An event of a type the contracts define, its data encoded from its record. */
  public static <E> NewEvent of(io.nexus.contracts.EventType<E> type, E data) {
    return new NewEvent(type.name(), type.encode(data));
  }

  /** The bus address events of a type are published on. */
  public static String topicOf(String type) {
    int dot = type.indexOf('.');
    return "nexus." + type.substring(0, dot) + ".events." + type.substring(dot + 1);
  }
}

package io.nexus.contracts;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A kind of event the log holds: its name, the record its data is, the stream it is appended
 * to, and the least role that may see it on the live feed. Services append event records and
 * read them back typed ({@link #encode}, {@link #decode}); the log keeps the JSON and the name,
 * so a log written before an event had a record replays unchanged. The outbox relay publishes
 * each committed event on {@link #topic()} as a {@link RelayedEvent}.
 *
 * @param name {@code <service>.<event>}, e.g. {@code financial.entry-posted}
 * @param payload the record its data is
 * @param streamKind its streams are {@code <streamKind>-<entity id>} ({@code user-<id>}), or
 *     the one stream {@code <streamKind>} for a kind without entities
 * @param leastRole the least role that may see it on the live feed of its organisation
 * @param <E> the payload type
 */
public record EventType<E>(String name, Class<E> payload, String streamKind, Role leastRole) {
  private static final Pattern NAME = Pattern.compile("[a-z]+\\.[a-z][a-z0-9-]{0,100}");
  private static final Pattern KIND = Pattern.compile("[a-z][a-z-]{0,50}");

  public EventType {
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(leastRole, "leastRole");
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("event name must be <service>.<event> in lower case, got '" + name + "'");
    }
    if (streamKind == null || !KIND.matcher(streamKind).matches()) {
      throw new IllegalArgumentException("stream kind must be lower case words joined by '-', got '" + streamKind + "'");
    }
    if (!payload.isRecord()) {
      throw new IllegalArgumentException("the payload of " + name + " must be a record");
    }
  }

  /** The service segment of the name ({@code financial} in {@code financial.entry-posted}). */
  public String service() {
    return name.substring(0, name.indexOf('.'));
  }

  /** The address the relay publishes it on: {@code nexus.<service>.events.<event>}. */
  public String topic() {
    return "nexus." + service() + ".events." + name.substring(name.indexOf('.') + 1);
  }

  /** The relayed form, for subscribers of {@link #topic()}. */
  public Topic<RelayedEvent> relayed() {
    return new Topic<>(topic(), RelayedEvent.class);
  }

  /** The stream of one entity: {@code <streamKind>-<id>}. */
  public String stream(Object id) {
    return streamKind + "-" + Objects.requireNonNull(id, "id");
  }

  /** The one stream of a kind without entities ({@code signing-keys}). */
  public String stream() {
    return streamKind;
  }

  /** The entity id of one of its streams; throws when the stream is not of its kind. */
  public String idOf(String streamId) {
    if (streamId == null || !streamId.startsWith(streamKind + "-") || streamId.length() == streamKind.length() + 1) {
      throw new IllegalArgumentException("stream '" + streamId + "' is not a " + streamKind + "-<id> stream of " + name);
    }
    return streamId.substring(streamKind.length() + 1);
  }

  /** The JSON the log holds for an event. */
  public JsonObject encode(E event) {
    if (!payload.isInstance(event)) {
      throw new IllegalArgumentException(name + " carries " + payload.getSimpleName() + ", not " + event);
    }
    return Codec.toJson(event);
  }

  /**
   * The record of an event's data as the log holds it.
   *
   * @throws IllegalArgumentException when the data does not fit the record
   */
  public E decode(JsonObject data) {
    return Codec.fromJson(data, payload);
  }
}

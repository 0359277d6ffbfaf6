package io.nexus.kernel.events;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * An event as the log holds it.
 *
 * @param position global position, unique
 * @param txId id of the transaction that wrote it
 * @param streamId the stream (entity) it belongs to
 * @param version its version within the stream, from 1 without gaps
 * @param type the event type
 * @param data the event's facts
 * @param metadata principal, correlation, causation and trace of the command that caused it
 * @param recordedAt when it was written
 */
public record RecordedEvent(long position, long txId, String streamId, long version, String type, JsonObject data,
    JsonObject metadata, Instant recordedAt) {

  /** True when this is an event of {@code type}. */
  public boolean is(io.nexus.contracts.EventType<?> type) {
    return type.name().equals(this.type);
  }

  /**
   * The data as {@code type}'s record.
   *
   * @throws IllegalArgumentException when this is another type's event, or its data does not fit
   */
  public <E> E payload(io.nexus.contracts.EventType<E> type) {
    if (!is(type)) {
      throw new IllegalArgumentException("event " + position + " is a " + this.type + ", not a " + type.name());
    }
    return type.decode(data);
  }

  /** The organisation of the principal whose command wrote it, or null (no principal, or one of no organisation). */
  public java.util.UUID org() {
    JsonObject p = metadata == null ? null : metadata.getJsonObject("principal");
    return p == null || p.getString("org") == null ? null : java.util.UUID.fromString(p.getString("org"));
  }

  /** Where a reader stands after this event. */
  public LogPosition logPosition() {
    return new LogPosition(txId, position);
  }
}

package io.nexus.contracts;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/** Records to JSON and back, the way they travel on the bus. */
public final class Codec {
  private Codec() {}

  /** The JSON form of a message record. */
  public static JsonObject toJson(Object message) {
    return JsonObject.mapFrom(message);
  }

  /**
   * Reads a message record from JSON that has already passed its schema.
   *
   * @throws IllegalArgumentException when the JSON does not fit the record
   */
  public static <T> T fromJson(JsonObject json, Class<T> type) {
    try {
      return json.mapTo(type);
    } catch (IllegalArgumentException | DecodeException e) {
      throw new IllegalArgumentException("body does not fit " + type.getSimpleName(), e);
    }
  }
}

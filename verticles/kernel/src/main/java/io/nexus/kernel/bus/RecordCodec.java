package io.nexus.kernel.bus;

import io.nexus.contracts.Codec;
import io.nexus.contracts.Contracts;
import io.nexus.contracts.Schemas;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Message records on the bus without a copy: delivered in this JVM, a request, reply or event
 * is the very (immutable) record the sender made; only a message that leaves the JVM becomes
 * JSON (its type's name, then its JSON), and is checked against its schema when it arrives on
 * the other node, where it enters this one. A name that is not a message type of the contracts
 * is never loaded.
 */
final class RecordCodec implements MessageCodec<Object, Object> {
  static final String NAME = "nexus-record";
  private static final Map<String, Class<?>> TYPES = Contracts.messageTypes().stream()
      .collect(Collectors.toUnmodifiableMap(Class::getName, Function.identity()));
  private static final Map<Vertx, Boolean> REGISTERED = new WeakHashMap<>();

  /** What arrived from another node and did not fit its schema: the handler refuses it with 400. */
  record Refused(String problem) {}

  /** Registers the codec on a Vert.x instance once. */
  static void register(Vertx vertx) {
    synchronized (REGISTERED) {
      if (REGISTERED.putIfAbsent(vertx, Boolean.TRUE) == null) {
        vertx.eventBus().registerCodec(new RecordCodec());
      }
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, Object record) {
    byte[] type = record.getClass().getName().getBytes(StandardCharsets.UTF_8);
    byte[] json = Codec.toJson(record).toBuffer().getBytes();
    buffer.appendInt(type.length).appendBytes(type).appendInt(json.length).appendBytes(json);
  }

  @Override
  public Object decodeFromWire(int pos, Buffer buffer) {
    int typeLength = buffer.getInt(pos);
    String name = buffer.getString(pos + 4, pos + 4 + typeLength, "UTF-8");
    int at = pos + 4 + typeLength;
    int jsonLength = buffer.getInt(at);
    Class<?> type = TYPES.get(name);
    if (type == null) {
      return new Refused("not a message type of the contracts: " + name);
    }
    JsonObject json;
    try {
      json = new JsonObject(buffer.getBuffer(at + 4, at + 4 + jsonLength));
    } catch (RuntimeException e) {
      return new Refused("body is not JSON");
    }
    Optional<String> violation = Schemas.violation(type, json);
    if (violation.isPresent()) {
      return new Refused(violation.get());
    }
    try {
      return Codec.fromJson(json, type);
    } catch (IllegalArgumentException e) {
      return new Refused(e.getMessage());
    }
  }

  /** In this JVM the record itself: records are immutable, so sender and receiver may share it. */
  @Override
  public Object transform(Object record) {
    return record;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}

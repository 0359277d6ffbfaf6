package io.nexus.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.RecordComponent;
import java.util.HashSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ContractsTest {

  @Test
  @DisplayName("every message type is a record with a JSON Schema")
  void everyMessageHasASchema() {
    for (Class<?> type : Contracts.messageTypes()) {
      assertThat(type.isRecord()).as(type.getName()).isTrue();
      JsonObject schema = Schemas.schemaOf(type);
      assertThat(schema.getString("title")).as(type.getName()).isEqualTo(type.getSimpleName());
      // the schema names exactly the record's components, so the two cannot drift apart
      var components = new HashSet<String>();
      for (RecordComponent c : type.getRecordComponents()) {
        components.add(c.getName());
      }
      assertThat(schema.getJsonObject("properties").fieldNames()).as(type.getName()).isEqualTo(components);
    }
  }

  @Test
  @DisplayName("every message round-trips through JSON and validates against its schema")
  void everyMessageRoundTrips() throws Exception {
    for (Class<?> type : Contracts.messageTypes()) {
      Object sample = Samples.of(type);
      JsonObject json = Codec.toJson(sample);
      assertThat(Schemas.violation(type, json)).as(type.getName() + " " + json).isEmpty();
      Object back = Codec.fromJson(json, type);
      assertThat(back).as(type.getName()).isEqualTo(sample);
    }
  }

  @Test
  @DisplayName("a message with an unknown field, a wrong type or a missing field is named as invalid")
  void invalidMessagesAreNamed() {
    var login = Codec.toJson(Samples.of(io.nexus.contracts.security.Security.LoginRequest.class));
    assertThat(Schemas.violation(io.nexus.contracts.security.Security.LoginRequest.class, login.copy().put("role", "admin")))
        .isPresent();
    assertThat(Schemas.violation(io.nexus.contracts.security.Security.LoginRequest.class, login.copy().put("email", 42)))
        .get().asString().contains("/email");
    var missing = login.copy();
    missing.remove("password");
    assertThat(Schemas.violation(io.nexus.contracts.security.Security.LoginRequest.class, missing)).isPresent();
  }

  @Test
  @DisplayName("addresses are unique and follow the naming rules")
  void addressesAreUnique() {
    var seen = new HashSet<String>();
    for (var e : Contracts.endpoints()) {
      assertThat(seen.add(e.address())).as(e.address()).isTrue();
    }
    for (var t : Contracts.topics()) {
      assertThat(seen.add(t.address())).as(t.address()).isTrue();
    }
  }

  /** Builds a valid sample of each message type from its schema. */
  static final class Samples {
    static Object of(Class<?> type) {
      JsonObject schema = Schemas.schemaOf(type);
      return Codec.fromJson(sampleObject(schema), type);
    }

    static JsonObject sampleObject(JsonObject schema) {
      var out = new JsonObject();
      JsonObject props = schema.getJsonObject("properties", new JsonObject());
      for (String name : props.fieldNames()) {
        out.put(name, sampleValue(name, props.getJsonObject(name)));
      }
      return out;
    }

    static Object sampleValue(String name, JsonObject s) {
      if (s.containsKey("examples")) {
        return s.getJsonArray("examples").getValue(0);
      }
      if (s.containsKey("const")) {
        return s.getValue("const");
      }
      if (s.containsKey("enum")) {
        return s.getJsonArray("enum").getValue(0);
      }
      if ("number".equals(s.getValue("type")) || (s.getValue("type") instanceof JsonArray a && "number".equals(a.getString(0)))) {
        return 0.5;
      }
      Object t = s.getValue("type");
      String type = t instanceof JsonArray a ? a.getString(0) : (String) t;
      return switch (type) {
        case "integer" -> Math.max(7L, s.getLong("minimum", 0L));
        case "boolean" -> true;
        case "array" -> {
          var items = new JsonArray();
          for (int i = 0; i < Math.max(1, s.getInteger("minItems", 1)); i++) {
            JsonObject itemSchema = s.getJsonObject("items");
            items.add("object".equals(itemSchema.getValue("type")) ? sampleObject(itemSchema) : sampleValue(name, itemSchema));
          }
          yield items;
        }
        case "object" -> sampleObject(s);
        case "null" -> null;
        default -> switch (String.valueOf(s.getString("format"))) {
          case "email" -> "ada@example.org";
          case "date-time" -> "2026-01-02T03:04:05Z";
          default -> "x".repeat(Math.max(1, s.getInteger("minLength", 1)));
        };
      };
    }
  }
}

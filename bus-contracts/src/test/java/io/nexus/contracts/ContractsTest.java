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
  @DisplayName("every message type is a record; its schema has its components, requires every one not @Nullable, allows no other")
  void everyMessageHasASchema() {
    for (Class<?> type : Contracts.messageTypes()) {
      assertThat(type.isRecord()).as(type.getName()).isTrue();
      JsonObject schema = Schemas.schemaOf(type);
      assertThat(schema.getString("title")).as(type.getName()).isEqualTo(type.getSimpleName());
      assertThat(schema.getString("$id")).isEqualTo(Schemas.BASE_URI + Contracts.schemaFile(type));
      assertThat(schema.getBoolean("additionalProperties")).as(type.getName()).isFalse();
      var components = new java.util.ArrayList<String>();
      var required = new java.util.ArrayList<String>();
      for (RecordComponent c : type.getRecordComponents()) {
        components.add(c.getName());
        if (c.getType().isPrimitive() || !c.isAnnotationPresent(Nullable.class)) {
          required.add(c.getName());
        }
      }
      // in the components' order, as Jackson writes them
      assertThat(new java.util.ArrayList<>(schema.getJsonObject("properties", new JsonObject()).fieldNames()))
          .as(type.getName()).isEqualTo(components);
      assertThat(schema.getJsonArray("required", new JsonArray()).getList()).as(type.getName()).isEqualTo(required);
    }
  }

  @Test
  @DisplayName("constraints on the record components, direct or composed, reach the schema and refuse what breaks them")
  void constraintsReachTheSchema() {
    var create = Codec.toJson(new io.nexus.contracts.security.Security.CreateUser("ada@example.org", "long-enough-password",
        "Ada", Role.VIEWER));
    var cls = io.nexus.contracts.security.Security.CreateUser.class;
    assertThat(Schemas.violation(cls, create)).isEmpty();
    assertThat(Schemas.violation(cls, create.copy().put("password", "short"))).get().asString().contains("/password");
    assertThat(Schemas.violation(cls, create.copy().put("role", "owner"))).get().asString().contains("/role");
    assertThat(Schemas.violation(cls, create.copy().put("email", "a@" + "b".repeat(260)))).get().asString()
        .contains("/email");
    var entry = io.nexus.contracts.financial.Financial.PostEntry.class;
    var line = new JsonObject().put("account", "1000").put("debit", "10.00").put("credit", null).put("currency", "EUR");
    var post = new JsonObject().put("ledgerId", "l1").put("bookingDate", "2026-03-31").put("description", "rent")
        .put("lines", new JsonArray().add(line).add(line.copy().put("debit", null).put("credit", "10.00")));
    // counterparty and documentNumber are @Nullable: absent is fine
    assertThat(Schemas.violation(entry, post)).isEmpty();
    assertThat(Schemas.violation(entry, post.copy().put("bookingDate", "31.03.2026"))).get().asString()
        .contains("/bookingDate");
    assertThat(Schemas.violation(entry, post.copy().put("lines", new JsonArray().add(line)))).get().asString()
        .contains("/lines");
    assertThat(Schemas.violation(entry, post.copy().put("lines", new JsonArray().add(line.copy().put("currency", "eur"))
        .add(line)))).get().asString().contains("/lines/0/currency");
    var noDescription = post.copy();
    noDescription.remove("description");
    assertThat(Schemas.violation(entry, noDescription)).isPresent();
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

  @Test
  @DisplayName("event names and topics are unique, and no live topic shares an address with a relayed event")
  void eventTypesAreUnique() {
    var names = new HashSet<String>();
    var addresses = new HashSet<String>();
    for (var t : Contracts.topics()) {
      addresses.add(t.address());
    }
    for (var e : Contracts.eventTypes()) {
      assertThat(names.add(e.name())).as(e.name()).isTrue();
      assertThat(addresses.add(e.topic())).as(e.topic() + " is also a live topic").isTrue();
      assertThat(Contracts.eventType(e.name())).contains(e);
      assertThat(Contracts.messageTypes()).contains(e.payload());
    }
    assertThat(Contracts.eventType("security.no-such-event")).isEmpty();
  }

  @Test
  @DisplayName("an event's data keeps its JSON shape: absent optional fields stay absent where the log leaves them out")
  void eventDataKeepsItsShape() {
    var revoked = io.nexus.contracts.security.Security.API_KEY_REVOKED;
    var byAdmin = new JsonObject().put("id", "k1");
    assertThat(revoked.encode(revoked.decode(byAdmin))).isEqualTo(byAdmin);
    var byDisable = new JsonObject().put("id", "k1").put("because", "creator disabled");
    assertThat(revoked.encode(revoked.decode(byDisable))).isEqualTo(byDisable);
    var failed = io.nexus.contracts.financial.Financial.IMPORT_FAILED;
    var broke = new JsonObject().put("importId", "i").put("ledgerId", "l").put("org", "o").put("status", "failed")
        .put("format", "csv").put("mode", "valid-rows").put("rows", 0L).put("entries", 0L).put("errors", 1L)
        .putNull("sha256");
    assertThat(failed.encode(failed.decode(broke))).isEqualTo(broke);
    assertThat(io.nexus.contracts.security.Security.USER_CREATED.idOf("user-42")).isEqualTo("42");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.nexus.contracts.security.Security.USER_CREATED.idOf("ledger-42"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a user-<id> stream");
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
      if (s.containsKey("anyOf")) {
        // a nullable enum or object: a sample of its non-null branch
        for (Object branch : s.getJsonArray("anyOf")) {
          if (!"null".equals(((JsonObject) branch).getValue("type"))) {
            return sampleValue(name, (JsonObject) branch);
          }
        }
      }
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
        case "integer" -> Math.min(Math.max(7L, s.getLong("minimum", 0L)), s.getLong("maximum", Long.MAX_VALUE));
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

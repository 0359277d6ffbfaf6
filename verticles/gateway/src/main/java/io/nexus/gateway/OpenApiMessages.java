package io.nexus.gateway;

import io.nexus.contracts.Contracts;
import io.nexus.contracts.Done;
import io.nexus.contracts.Endpoint;
import io.nexus.contracts.Schemas;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;

/**
 * Fills the message schemas into the OpenAPI document: {@code openapi.yaml} keeps the HTTP
 * surface (paths, parameters, statuses) and {@code $ref}s the messages, whose schemas are
 * generated from the contract records ({@link Schemas}). The document the gateway validates
 * with and serves gets:
 *
 * <ul>
 *   <li>{@code components/schemas/<Service>.<Message>} for every message of the contracts;
 *   <li>per operation, the request body: the endpoint's request schema without the fields the
 *       path, the query, {@code If-Match} ({@code x-nexus-if-match}) and the caller's address
 *       ({@code x-nexus-client-ip}) fill, with any keyword written next to the {@code $ref};
 *   <li>a path or query parameter written without a {@code schema} gets the schema of the
 *       request field of its name.
 * </ul>
 *
 * <p>It refuses a document whose request body or success reply names another message than its
 * endpoint's, a parameter that names no field of the request, or an operation that does not
 * name its reply: an endpoint and its operation cannot disagree.
 */
final class OpenApiMessages {
  private static final String SCHEMAS = "#/components/schemas/";
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

  private OpenApiMessages() {}

  /** The component name of a message type: its name across the mesh ({@code Security.UserView}, {@code Done}). */
  static String nameOf(Class<?> type) {
    return Contracts.messageName(type);
  }

  static JsonObject resolve(JsonObject document) {
    JsonObject doc = document.copy();
    JsonObject components = child(doc, "components");
    JsonObject schemas = child(components, "schemas");
    for (Class<?> type : Contracts.messageTypes()) {
      JsonObject schema = Schemas.schemaOf(type);
      schema.remove("$schema");
      schema.remove("$id");
      schemas.put(nameOf(type), schema);
    }
    JsonObject paths = doc.getJsonObject("paths", new JsonObject());
    for (String p : paths.fieldNames()) {
      JsonObject path = paths.getJsonObject(p);
      JsonArray common = (JsonArray) path.remove("parameters");
      for (String method : path.fieldNames()) {
        if (METHODS.contains(method) && path.getValue(method) instanceof JsonObject op) {
          operation(p, method, op, common == null ? new JsonArray() : common, components);
        }
      }
    }
    // every parameter is now written out in its operations; a shared one without a schema of its own
    // (it takes its field's, per operation) is not a complete parameter object: drop it
    JsonObject shared = components.getJsonObject("parameters");
    if (shared != null) {
      for (String name : new java.util.ArrayList<>(shared.fieldNames())) {
        if (!shared.getJsonObject(name).containsKey("schema")) {
          shared.remove(name);
        }
      }
    }
    return doc;
  }

  private static void operation(String path, String method, JsonObject op, JsonArray shared, JsonObject components) {
    String id = op.getString("operationId", method + " " + path);
    var endpoint = ApiRoutes.endpointOf(id, op.getMap());
    // the path's parameters move into each operation, each with its schema
    var parameters = new JsonArray();
    var own = op.getJsonArray("parameters", new JsonArray());
    for (Object o : shared) {
      JsonObject param = resolveParameter((JsonObject) o, components);
      boolean overridden = own.stream().map(x -> resolveParameter((JsonObject) x, components)).anyMatch(x ->
          x.getString("name").equals(param.getString("name")) && x.getString("in").equals(param.getString("in")));
      if (!overridden) {
        parameters.add(param);
      }
    }
    for (Object o : own) {
      parameters.add(resolveParameter((JsonObject) o, components));
    }
    if (endpoint.isEmpty()) {
      for (Object o : parameters) {
        if (!((JsonObject) o).containsKey("schema")) {
          throw new IllegalStateException("operation " + id + ": parameter " + ((JsonObject) o).getString("name")
              + " has no schema and no endpoint to take it from");
        }
      }
      if (!parameters.isEmpty()) {
        op.put("parameters", parameters);
      }
      return;
    }
    Endpoint<?, ?> ep = endpoint.get();
    JsonObject request = Schemas.schemaOf(ep.request());
    JsonObject fields = request.getJsonObject("properties", new JsonObject());
    Set<String> filled = new HashSet<>();
    for (Object o : parameters) {
      JsonObject param = (JsonObject) o;
      String name = param.getString("name");
      String in = param.getString("in");
      if ("path".equals(in) || "query".equals(in)) {
        filled.add(name);
        if (!param.containsKey("schema")) {
          JsonObject field = fields.getJsonObject(name);
          if (field == null) {
            throw new IllegalStateException("operation " + id + ": parameter " + name + " names no field of "
                + nameOf(ep.request()));
          }
          param.put("schema", nonNull(field));
        }
      }
    }
    if (!parameters.isEmpty()) {
      op.put("parameters", parameters);
    }
    if (op.getValue("x-nexus-if-match") instanceof String field) {
      filled.add(field);
    }
    if (Boolean.TRUE.equals(op.getValue("x-nexus-client-ip"))) {
      filled.add("clientIp");
    }
    JsonObject body = jsonSchema(op.getJsonObject("requestBody"));
    if (body != null) {
      String ref = body.getString("$ref");
      if (!(SCHEMAS + nameOf(ep.request())).equals(ref)) {
        throw new IllegalStateException("operation " + id + ": the request body must be {$ref: " + SCHEMAS
            + nameOf(ep.request()) + "} (the request of " + ep.address() + "), not " + body.encode());
      }
      JsonObject derived = request.copy();
      JsonObject props = derived.getJsonObject("properties", new JsonObject());
      JsonArray required = derived.getJsonArray("required", new JsonArray());
      for (String f : filled) {
        props.remove(f);
        required.remove(f);
      }
      if (required.isEmpty()) {
        derived.remove("required");
      }
      body.remove("$ref");
      derived.mergeIn(body);
      op.getJsonObject("requestBody").getJsonObject("content").getJsonObject("application/json").put("schema", derived);
    }
    String status = String.valueOf(op.getValue("x-nexus-status", 200));
    JsonObject success = op.getJsonObject("responses", new JsonObject()).getJsonObject(status);
    JsonObject reply = jsonSchema(success);
    if (reply == null) {
      if (ep.reply() != Done.class && !op.containsKey("x-nexus-stream")) {
        throw new IllegalStateException("operation " + id + ": its " + status + " response must name the reply, {$ref: "
            + SCHEMAS + nameOf(ep.reply()) + "}");
      }
    } else if (!(SCHEMAS + nameOf(ep.reply())).equals(reply.getString("$ref"))) {
      throw new IllegalStateException("operation " + id + ": its " + status + " response must be {$ref: " + SCHEMAS
          + nameOf(ep.reply()) + "} (the reply of " + ep.address() + "), not " + reply.encode());
    }
  }

  private static JsonObject resolveParameter(JsonObject param, JsonObject components) {
    String ref = param.getString("$ref");
    if (ref == null) {
      return param.copy();
    }
    String name = ref.substring(ref.lastIndexOf('/') + 1);
    JsonObject target = components.getJsonObject("parameters", new JsonObject()).getJsonObject(name);
    if (target == null) {
      throw new IllegalStateException("no parameter " + ref);
    }
    return target.copy();
  }

  /** A field's schema as a parameter takes it: a missing parameter is absent, never null. */
  private static JsonObject nonNull(JsonObject field) {
    JsonObject s = field.copy();
    if (s.getValue("anyOf") instanceof JsonArray branches) {
      // a nullable enum or object: {anyOf: [{type: null}, {...}]} is the non-null branch
      s.remove("anyOf");
      for (Object b : branches) {
        if (!"null".equals(((JsonObject) b).getValue("type"))) {
          s.mergeIn((JsonObject) b);
        }
      }
    }
    if (s.getValue("type") instanceof JsonArray types) {
      var rest = new JsonArray(types.stream().filter(t -> !"null".equals(t)).toList());
      s.put("type", rest.size() == 1 ? rest.getValue(0) : rest);
    }
    if (s.getValue("enum") instanceof JsonArray values) {
      s.put("enum", new JsonArray(values.stream().filter(java.util.Objects::nonNull).toList()));
    }
    s.remove("title");
    return s;
  }

  private static JsonObject jsonSchema(JsonObject holder) {
    if (holder == null) {
      return null;
    }
    JsonObject content = holder.getJsonObject("content");
    JsonObject json = content == null ? null : content.getJsonObject("application/json");
    return json == null ? null : json.getJsonObject("schema");
  }

  private static JsonObject child(JsonObject parent, String key) {
    JsonObject c = parent.getJsonObject(key);
    if (c == null) {
      c = new JsonObject();
      parent.put(key, c);
    }
    return c;
  }
}

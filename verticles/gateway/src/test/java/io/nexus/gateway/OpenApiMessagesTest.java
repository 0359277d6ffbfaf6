package io.nexus.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexus.contracts.Contracts;
import io.nexus.contracts.Endpoint;
import io.nexus.contracts.Schemas;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** openapi.yaml names the messages; the records give their schemas; the two cannot disagree. */
class OpenApiMessagesTest {

  static JsonObject source() throws IOException {
    try (var in = OpenApiMessagesTest.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      return Yaml.toJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  static JsonObject op(JsonObject doc, String path, String method) {
    return doc.getJsonObject("paths").getJsonObject(path).getJsonObject(method);
  }

  @Test
  @DisplayName("every message is a component; a body is its endpoint's request without the fields path, query, If-Match and address fill")
  void bodiesComeFromTheRecords() throws IOException {
    JsonObject doc = OpenApiMessages.resolve(source());
    JsonObject schemas = doc.getJsonObject("components").getJsonObject("schemas");
    for (Class<?> type : Contracts.messageTypes()) {
      assertThat(schemas.getJsonObject(OpenApiMessages.nameOf(type))).as(type.getName()).isNotNull();
    }
    int bodies = 0;
    JsonObject paths = doc.getJsonObject("paths");
    for (String p : paths.fieldNames()) {
      assertThat(paths.getJsonObject(p).containsKey("parameters")).as(p + ": moved into its operations").isFalse();
      for (String method : paths.getJsonObject(p).fieldNames()) {
        JsonObject op = paths.getJsonObject(p).getJsonObject(method);
        var endpoint = ApiRoutes.endpointOf(op.getString("operationId"), op.getMap());
        for (Object param : op.getJsonArray("parameters", new JsonArray())) {
          assertThat(((JsonObject) param).getJsonObject("schema")).as(p + " " + param).isNotNull();
        }
        if (endpoint.isEmpty() || op.getJsonObject("requestBody") == null || op.containsKey("x-nexus-stream")) {
          continue;
        }
        Endpoint<?, ?> ep = endpoint.get();
        JsonObject body = op.getJsonObject("requestBody").getJsonObject("content").getJsonObject("application/json")
            .getJsonObject("schema");
        JsonObject request = Schemas.schemaOf(ep.request()).getJsonObject("properties");
        assertThat(body.containsKey("$ref")).isFalse();
        assertThat(body.getBoolean("additionalProperties")).as(p).isFalse();
        for (String field : body.getJsonObject("properties").fieldNames()) {
          // by type and constraint: the very schema of the record's field
          assertThat(body.getJsonObject("properties").getJsonObject(field)).as(p + " " + field)
              .isEqualTo(request.getJsonObject(field));
        }
        for (Object param : op.getJsonArray("parameters", new JsonArray())) {
          assertThat(body.getJsonObject("properties").containsKey(((JsonObject) param).getString("name")))
              .as(p + ": a parameter's field is not also in the body").isFalse();
        }
        bodies++;
      }
    }
    assertThat(bodies).isGreaterThan(15);
    // the path's id and the If-Match version are not in the body of an update
    JsonObject update = op(doc, "/users/{id}", "patch").getJsonObject("requestBody").getJsonObject("content")
        .getJsonObject("application/json").getJsonObject("schema");
    assertThat(update.getJsonObject("properties").fieldNames()).containsExactly("name", "password", "currentPassword");
    assertThat(update.getInteger("minProperties")).as("a keyword next to the $ref stays").isEqualTo(1);
    JsonObject login = op(doc, "/auth/login", "post").getJsonObject("requestBody").getJsonObject("content")
        .getJsonObject("application/json").getJsonObject("schema");
    assertThat(login.getJsonObject("properties").fieldNames()).containsExactly("email", "password");
    assertThat(login.getJsonArray("required").getList()).containsExactly("email", "password");
  }

  @Test
  @DisplayName("the resolved document is a valid OpenAPI 3.1 contract for the router")
  void resolvedIsAValidContract() throws Exception {
    JsonObject doc = ApiRoutes.withoutSecurity(OpenApiMessages.resolve(source()));
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      var contract = io.vertx.openapi.contract.OpenAPIContract.from(vertx, doc).await();
      assertThat(contract.operation("createUser")).isNotNull();
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @DisplayName("a query parameter without a schema gets its request field's, without null")
  void parametersComeFromTheRecords() throws IOException {
    JsonObject doc = OpenApiMessages.resolve(source());
    var params = op(doc, "/ledgers/{ledgerId}/findings", "get").getJsonArray("parameters");
    JsonObject severity = params.stream().map(JsonObject.class::cast).filter(x -> "severity".equals(x.getString("name")))
        .findFirst().orElseThrow();
    assertThat(severity.getJsonObject("schema").getJsonArray("enum").getList()).containsExactly("low", "medium", "high");
    assertThat(severity.getJsonObject("schema").getString("type")).isEqualTo("string");
  }

  static void refused(Consumer<JsonObject> change, String message) throws IOException {
    JsonObject doc = source();
    change.accept(doc);
    assertThatThrownBy(() -> OpenApiMessages.resolve(doc)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(message);
  }

  @Test
  @DisplayName("a body, a reply or a parameter that disagrees with the endpoint is refused at load")
  void disagreementsAreRefused() throws IOException {
    refused(doc -> op(doc, "/users", "post").getJsonObject("requestBody").getJsonObject("content")
        .getJsonObject("application/json").put("schema", new JsonObject().put("$ref", "#/components/schemas/Security.CreateOrg")),
        "the request body must be {$ref: #/components/schemas/Security.CreateUser}");
    refused(doc -> op(doc, "/users", "post").getJsonObject("requestBody").getJsonObject("content")
        .getJsonObject("application/json").put("schema", new JsonObject().put("type", "object")),
        "the request body must be");
    refused(doc -> op(doc, "/me", "get").getJsonObject("responses").getJsonObject("200").getJsonObject("content")
        .getJsonObject("application/json").put("schema", new JsonObject().put("$ref", "#/components/schemas/Security.UserList")),
        "its 200 response must be {$ref: #/components/schemas/Security.UserView}");
    refused(doc -> op(doc, "/me", "get").getJsonObject("responses").put("200", new JsonObject().put("description", "x")),
        "its 200 response must name the reply");
    refused(doc -> op(doc, "/ledgers/{ledgerId}/findings", "get").getJsonArray("parameters")
        .add(new JsonObject().put("name", "colour").put("in", "query")), "parameter colour names no field of Financial.FindingSearch");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/me", "/users", "/ledgers"})
  @DisplayName("the message components are the generated schemas themselves")
  void componentsAreTheGeneratedSchemas(String path) throws IOException {
    JsonObject doc = OpenApiMessages.resolve(source());
    JsonObject op = op(doc, path, "get");
    String ref = op.getJsonObject("responses").getJsonObject("200").getJsonObject("content").getJsonObject("application/json")
        .getJsonObject("schema").getString("$ref");
    var endpoint = ApiRoutes.endpointOf(op.getString("operationId"), op.getMap()).orElseThrow();
    JsonObject expected = Schemas.schemaOf(endpoint.reply());
    expected.remove("$schema");
    expected.remove("$id");
    assertThat(doc.getJsonObject("components").getJsonObject("schemas").getJsonObject(ref.substring(ref.lastIndexOf('/') + 1)))
        .isEqualTo(expected);
  }
}

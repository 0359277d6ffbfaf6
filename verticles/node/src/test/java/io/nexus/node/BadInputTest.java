package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Bad input on every route of the OpenAPI document: each gets a 4xx problem naming the
 * problem, and the node stays healthy.
 */
class BadInputTest extends NodeSpec {
  private static final int TEN_MB = 10 * 1024 * 1024;
  private static final int NESTING = 10_000;


  /** An operation of the document: method, concrete path, and its body schema if it takes one. */
  record Op(String method, String path, JsonObject bodySchema, boolean streamed) {}

  /** The operations of the served document: its request bodies are the schemas generated from the records. */
  private List<Op> operations() throws Exception {
    var served = http.get("/api/v1/openapi.yaml", null);
    assertThat(served.status()).isEqualTo(200);
    var doc = new JsonObject(new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .readValue(served.body(), java.util.Map.class));
    var ops = new ArrayList<Op>();
    JsonObject paths = doc.getJsonObject("paths");
    for (String p : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(p);
      for (String method : item.fieldNames()) {
        if (!(item.getValue(method) instanceof JsonObject op) || method.equals("parameters")) {
          continue;
        }
        JsonObject json = op.getJsonObject("requestBody") == null ? null
            : op.getJsonObject("requestBody").getJsonObject("content").getJsonObject("application/json");
        JsonObject schema = json == null ? null : json.getJsonObject("schema");
        ops.add(new Op(method.toUpperCase(), "/api/v1" + p.replace("{id}", "00000000-0000-0000-0000-000000000000").replaceAll("\\{[^}]+}", "1"), schema,
            op.containsKey("x-nexus-stream")));
      }
    }
    assertThat(ops).hasSizeGreaterThan(10);
    return ops;
  }

  private static void assertProblem(Http.Resp r, String what, int... allowed) {
    assertThat(r.status()).as(what + " → " + r).isBetween(400, 499);
    if (allowed.length > 0) {
      assertThat(allowed).as(what + " → " + r).contains(r.status());
    }
    assertThat(r.header("Content-Type")).as(what).isEqualTo("application/problem+json");
    JsonObject body = r.json();
    assertThat(body.getInteger("status")).isEqualTo(r.status());
    assertThat(body.getString("detail")).as(what).isNotBlank();
  }

  @Test
  @DisplayName("malformed JSON, wrong types, missing fields, unknown fields, wrong media type → 400/415 on every route with a body")
  void malformedBodies() throws Exception {
    for (Op op : operations()) {
      if (op.bodySchema() == null) {
        continue;
      }
      String what = op.method() + " " + op.path();
      assertProblem(http.method(op.method(), op.path(), "application/json", "{\"a\":".getBytes(StandardCharsets.UTF_8), admin),
          what + " malformed", 400);
      assertProblem(http.method(op.method(), op.path(), "application/json", "[1,2]".getBytes(StandardCharsets.UTF_8), admin),
          what + " array", 400);
      assertProblem(http.method(op.method(), op.path(), "application/json",
          new JsonObject().put("unexpected", true).encode().getBytes(StandardCharsets.UTF_8), admin), what + " unknown field", 400);
      JsonArray required = op.bodySchema().getJsonArray("required", new JsonArray());
      if (!required.isEmpty()) {
        assertProblem(http.method(op.method(), op.path(), "application/json", "{}".getBytes(StandardCharsets.UTF_8), admin),
            what + " missing fields", 400);
      }
      JsonObject wrongTypes = new JsonObject();
      for (String f : op.bodySchema().getJsonObject("properties").fieldNames()) {
        wrongTypes.put(f, new JsonObject().put("nested", new JsonArray().add(1)));
      }
      assertProblem(http.method(op.method(), op.path(), "application/json", wrongTypes.encode().getBytes(StandardCharsets.UTF_8), admin),
          what + " wrong types", 400);
      assertProblem(http.method(op.method(), op.path(), "text/plain", "hello".getBytes(StandardCharsets.UTF_8), admin),
          what + " text/plain", 400, 415);
    }
  }

  @Test
  @DisplayName("a 10 MB body → 413 and deeply nested JSON → 400 on every route, and the node stays ready")
  void hugeAndDeepBodies() throws Exception {
    byte[] huge = new byte[TEN_MB];
    java.util.Arrays.fill(huge, (byte) 'a');
    byte[] deep = ("[".repeat(NESTING) + "]".repeat(NESTING)).getBytes(StandardCharsets.UTF_8);
    byte[] deepObject = ("{\"a\":".repeat(NESTING) + "1" + "}".repeat(NESTING)).getBytes(StandardCharsets.UTF_8);
    for (Op op : operations()) {
      String what = op.method() + " " + op.path();
      if (op.method().equals("GET")) {
        continue;
      }
      // a streamed upload takes files of any size up to its own limit: the import one has no import to go
      // to here, the document one takes only multipart
      assertProblem(http.method(op.method(), op.path(), "application/json", huge, admin), what + " 10MB",
          op.streamed() ? new int[] {404, 415} : new int[] {413});
      if (op.bodySchema() != null) {
        assertProblem(http.method(op.method(), op.path(), "application/json", deep, admin), what + " deep array", 400);
        assertProblem(http.method(op.method(), op.path(), "application/json", deepObject, admin), what + " deep object", 400);
      }
    }
    var ready = http.get("/health/ready", null);
    assertThat(ready.status()).as(ready.toString()).isEqualTo(200);
    var checks = ready.json().getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("id")).toList();
    assertThat(checks).contains("cluster", "postgres", "redis", "service-security");
    // the node's cluster view, installed by the node (not read from Vert.x internals)
    var cluster = ready.json().getJsonArray("checks").stream().map(c -> (JsonObject) c)
        .filter(c -> "cluster".equals(c.getString("id"))).findFirst().orElseThrow();
    assertThat(cluster.getJsonObject("data").getInteger("members")).as(cluster.encode()).isEqualTo(1);
    assertThat(cluster.getJsonObject("data").getString("node")).isNotBlank();
    assertThat(http.get("/api/v1/me", admin).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("unknown routes and methods → 404/405 problems; an unauthenticated call to a secured route → 401 with WWW-Authenticate")
  void unknownRoutes() {
    assertProblem(http.get("/api/v1/nope", admin), "unknown route", 404);
    assertProblem(http.method("DELETE", "/api/v1/me", null, null, admin), "wrong method", 404, 405);
    var anon = http.get("/api/v1/users", null);
    assertProblem(anon, "anonymous", 401);
    assertThat(anon.header("WWW-Authenticate")).startsWith("Bearer");
  }

  @Test
  @DisplayName("responses carry security headers and a correlation id, and no CORS header unless configured")
  void securityHeaders() {
    var r = http.send(http.request("/api/v1/me", admin).header("Origin", "https://evil.example").GET());
    assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(r.header("X-Correlation-Id")).isNotBlank();
    assertThat(r.header("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  @DisplayName("the OpenAPI document is served, and /metrics is Prometheus text with HTTP, bus, JVM and breaker series")
  void documentAndMetrics() throws Exception {
    var doc = http.get("/api/v1/openapi.yaml", null);
    assertThat(doc.status()).isEqualTo(200);
    // the source document, with each operation's least role and security added from the endpoint constants
    var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    var served = new io.vertx.core.json.JsonObject(yaml.readValue(doc.body(), java.util.Map.class));
    var source = new io.vertx.core.json.JsonObject(yaml.readValue(Files.readString(
        Path.of("../gateway/src/main/resources/openapi.yaml")), java.util.Map.class));
    var paths = served.getJsonObject("paths");
    for (String p : paths.fieldNames()) {
      for (String method : paths.getJsonObject(p).fieldNames()) {
        if (paths.getJsonObject(p).getValue(method) instanceof io.vertx.core.json.JsonObject op) {
          op.remove("x-nexus-role");
          op.remove("security");
        }
      }
    }
    // the served paths and operations are the source's; what differs is what the gateway adds: the message
    // schemas from the records, each body resolved from its $ref, each parameter with its schema
    assertThat(paths.fieldNames()).isEqualTo(source.getJsonObject("paths").fieldNames());
    for (String p : paths.fieldNames()) {
      for (String method : paths.getJsonObject(p).fieldNames()) {
        var op = paths.getJsonObject(p).getJsonObject(method);
        var src = source.getJsonObject("paths").getJsonObject(p).getJsonObject(method);
        assertThat(op.getString("operationId")).isEqualTo(src.getString("operationId"));
        assertThat(op.getJsonObject("responses").fieldNames()).as(p + " " + method)
            .isEqualTo(src.getJsonObject("responses").fieldNames());
      }
    }
    var schemas = served.getJsonObject("components").getJsonObject("schemas");
    assertThat(schemas.getJsonObject("Security.UserView")).isNotNull();
    assertThat(schemas.getJsonObject("Financial.PostEntry").getJsonObject("properties").getJsonObject("lines")
        .getInteger("minItems")).isEqualTo(2);
    // and its interactive form: public, Swagger UI from the jar
    var docs = http.get("/api/v1/docs", null);
    assertThat(docs.status()).isEqualTo(200);
    assertThat(docs.header("Content-Type")).startsWith("text/html");
    var bundle = java.util.regex.Pattern.compile("src=\"(/webjars/swagger-ui/[^\"]+/swagger-ui-bundle.js)\"").matcher(docs.body());
    assertThat(bundle.find()).as(docs.body()).isTrue();
    assertThat(http.get(bundle.group(1), null).status()).isEqualTo(200);
    assertThat(http.get("/api-docs.js", null).body()).contains("/api/v1/openapi.yaml");
    http.get("/api/v1/services", admin);
    var m = http.get("/metrics", null);
    assertThat(m.status()).isEqualTo(200);
    assertThat(m.header("Content-Type")).startsWith("text/plain");
    assertThat(m.body()).contains("vertx_http_server_requests_total", "vertx_eventbus_", "jvm_memory_used_bytes",
        "nexus_breaker_state");
    for (String line : m.body().split("\n")) {
      if (line.startsWith("# HELP nexus_")) {
        assertThat(line.split(" ", 4)).as("NEXUS's own metrics say what they are: " + line).hasSize(4);
        assertThat(line.split(" ", 4)[3]).as(line).isNotBlank();
      }
      if (!line.isBlank() && !line.startsWith("#")) {
        assertThat(line).as("exposition line").matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? [-+0-9.eEaINnf]+( \\d+)?");
      }
    }
  }
}

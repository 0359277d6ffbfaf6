package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.Contracts;
import io.nexus.contracts.Endpoint;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The served OpenAPI document says what the endpoint constants say, and the gateway does what it says. */
class ContractConformanceTest extends NodeSpec {

  @Test
  @DisplayName("every operation of the served document carries its endpoint constant's least role, or security [] when open")
  void servedRolesComeFromTheConstants() throws Exception {
    var r = http.get("/api/v1/openapi.yaml", null);
    assertThat(r.status()).isEqualTo(200);
    var doc = new JsonObject(new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
        .readValue(r.body(), java.util.Map.class));
    var seen = new HashSet<String>();
    JsonObject paths = doc.getJsonObject("paths");
    for (String p : paths.fieldNames()) {
      assertThat(paths.getValue(p)).as("path " + p + " in the served document").isInstanceOf(JsonObject.class);
      for (String method : paths.getJsonObject(p).fieldNames()) {
        if (!(paths.getJsonObject(p).getValue(method) instanceof JsonObject op) || !op.containsKey("operationId")) {
          continue;
        }
        String address = op.getString("x-nexus-endpoint", op.getString("x-nexus-stream"));
        if (address == null) {
          assertThat(op.getString("x-nexus-role")).as(op.getString("operationId") + " (local)").isNotNull();
          continue;
        }
        Endpoint<?, ?> ep = Contracts.endpoint(address).orElseThrow();
        seen.add(address);
        if (ep.open()) {
          assertThat(op.getJsonArray("security")).as(address).isEmpty();
          assertThat(op.containsKey("x-nexus-role")).as(address).isFalse();
        } else {
          assertThat(op.getString("x-nexus-role")).as(address).isEqualTo(ep.leastRole().wire());
          assertThat(op.containsKey("security")).as(address).isFalse();
        }
      }
    }
    assertThat(seen).as("operations served").hasSizeGreaterThan(40);
  }

  @Test
  @DisplayName("the gateway enforces the constant's role: an admin-only endpoint refuses a viewer, a viewer endpoint serves one")
  void gatewayEnforcesTheConstant() {
    String email = "conf-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
    http.post("/api/v1/users", new JsonObject().put("email", email).put("password", "a-good-long-password").put("name", "V")
        .put("role", "viewer"), admin);
    String viewer = http.login(email, "a-good-long-password");
    assertThat(io.nexus.contracts.security.Security.LIST_USERS.leastRole()).isEqualTo(io.nexus.contracts.Role.ADMIN);
    var refused = http.get("/api/v1/users", viewer);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.json().getString("detail")).contains("requires role admin");
    assertThat(io.nexus.contracts.financial.Financial.LIST_LEDGERS.leastRole()).isEqualTo(io.nexus.contracts.Role.VIEWER);
    assertThat(http.get("/api/v1/ledgers", viewer).status()).isEqualTo(200);
    assertThat(http.get("/api/v1/ledgers", null).status()).as("no token").isEqualTo(401);
    assertThat(io.nexus.contracts.security.Security.LOGIN.open()).isTrue();
  }
}

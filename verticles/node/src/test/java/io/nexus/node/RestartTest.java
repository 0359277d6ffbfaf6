package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RestartTest {

  @Test
  @DisplayName("a user created before the node stops is still there, and can log in, after it starts again")
  void usersSurviveRestart() {
    JsonObject cfg = TestNode.config();
    NexusNode first = TestNode.start(cfg);
    String id;
    try {
      var http = new Http(TestNode.port(cfg));
      String admin = http.login(TestNode.adminEmail(cfg), TestNode.ADMIN_PASSWORD);
      var created = http.post("/api/v1/users", new JsonObject().put("email", "kept@nexus.test")
          .put("password", "a-good-long-password").put("name", "Kept").put("role", "analyst"), admin);
      assertThat(created.status()).isEqualTo(201);
      id = created.json().getString("id");
    } finally {
      TestNode.stop(first);
    }
    NexusNode second = TestNode.start(cfg);
    try {
      var http = new Http(TestNode.port(cfg));
      String token = http.login("kept@nexus.test", "a-good-long-password");
      var me = http.get("/api/v1/me", token);
      assertThat(me.json().getString("id")).isEqualTo(id);
      assertThat(me.json().getString("role")).isEqualTo("analyst");
    } finally {
      TestNode.stop(second);
    }
  }
}

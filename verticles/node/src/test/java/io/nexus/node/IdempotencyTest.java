package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IdempotencyTest extends NodeSpec {

  private static JsonObject user(String email) {
    return new JsonObject().put("email", email).put("password", "a-good-long-password").put("name", "Idem").put("role", "viewer");
  }

  private static int usersNamed(String email) {
    var users = http.get("/api/v1/users", admin).json().getJsonArray("users");
    int n = 0;
    for (int i = 0; i < users.size(); i++) {
      if (users.getJsonObject(i).getString("email").equals(email)) {
        n++;
      }
    }
    return n;
  }

  @Test
  @DisplayName("a repeat with the same Idempotency-Key and body returns the first response without running again")
  void replay() {
    String key = UUID.randomUUID().toString();
    String email = "idem-" + key.substring(0, 8) + "@nexus.test";
    var first = http.json("POST", "/api/v1/users", user(email), admin, "Idempotency-Key", key);
    assertThat(first.status()).isEqualTo(201);
    var again = http.json("POST", "/api/v1/users", user(email), admin, "Idempotency-Key", key);
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.json().getString("id")).isEqualTo(first.json().getString("id"));
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.header("ETag")).isEqualTo(first.header("ETag"));
    assertThat(usersNamed(email)).isEqualTo(1);
    // without a key the same request runs, and the duplicate email is refused
    assertThat(http.json("POST", "/api/v1/users", user(email), admin).status()).isEqualTo(409);
  }

  @Test
  @DisplayName("the same Idempotency-Key with a different body is refused with 422 and runs nothing")
  void mismatch() {
    String key = UUID.randomUUID().toString();
    String a = "idem-a-" + key.substring(0, 8) + "@nexus.test";
    String b = "idem-b-" + key.substring(0, 8) + "@nexus.test";
    assertThat(http.json("POST", "/api/v1/users", user(a), admin, "Idempotency-Key", key).status()).isEqualTo(201);
    var other = http.json("POST", "/api/v1/users", user(b), admin, "Idempotency-Key", key);
    assertThat(other.status()).isEqualTo(422);
    assertThat(other.json().getString("detail")).contains("Idempotency-Key");
    assertThat(usersNamed(b)).isZero();
  }

  @Test
  @DisplayName("keys are per caller: another caller's identical key runs its own request; a malformed key is 400")
  void perCaller() {
    String key = UUID.randomUUID().toString();
    String email = "idem-c-" + key.substring(0, 8) + "@nexus.test";
    assertThat(http.json("POST", "/api/v1/users", user(email), admin, "Idempotency-Key", key).status()).isEqualTo(201);
    String viewer = http.login(email, "a-good-long-password");
    var selfUpdate = http.json("POST", "/api/v1/auth/logout", null, viewer, "Idempotency-Key", key);
    assertThat(selfUpdate.status()).isEqualTo(204);
    assertThat(http.json("POST", "/api/v1/users", user("x@nexus.test"), admin, "Idempotency-Key", "has spaces").status())
        .isEqualTo(400);
  }
}

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

  @Test
  @DisplayName("a late copy of an entry post with the same key (its first try timed out, the client retried, then the copy ran) "
      + "answers with the entry already posted and posts nothing twice")
  void lateCopyOfAnEntryPost() throws Exception {
    var ledger = http.post("/api/v1/ledgers", new JsonObject().put("name", "Idem " + UUID.randomUUID()).put("currency", "EUR"),
        admin).json().getString("id");
    for (String[] a : new String[][] {{"1000", "Bank", "asset"}, {"4000", "Sales", "revenue"}}) {
      assertThat(http.post("/api/v1/ledgers/" + ledger + "/accounts", new JsonObject().put("code", a[0]).put("name", a[1])
          .put("type", a[2]), admin).status()).isEqualTo(201);
    }
    var body = new JsonObject().put("bookingDate", "2026-11-29").put("description", "late copy").put("documentNumber", "LC-1")
        .put("lines", new io.vertx.core.json.JsonArray()
            .add(new JsonObject().put("account", "1000").put("debit", "5.00").put("currency", "EUR"))
            .add(new JsonObject().put("account", "4000").put("credit", "5.00").put("currency", "EUR")));
    String key = UUID.randomUUID().toString();
    var first = http.json("POST", "/api/v1/ledgers/" + ledger + "/entries", body, admin, "Idempotency-Key", key);
    assertThat(first.status()).as(first.toString()).isEqualTo(201);

    // the copy the gateway gave up on, arriving at Financial as the gateway sent it
    var me = http.get("/api/v1/me", admin).json();
    var principal = new io.nexus.contracts.Principal(me.getString("id"), me.getString("org"), io.nexus.contracts.Role.parse(me.getString("role")), "s");
    var req = io.nexus.contracts.Codec.fromJson(body.copy().put("ledgerId", ledger),
        io.nexus.contracts.financial.Financial.PostEntry.class);
    var call = io.nexus.kernel.bus.Call.edge(null, null, principal).withIdempotencyKey(me.getString("id") + ":" + key);
    var bus = io.nexus.kernel.bus.Bus.on(node.vertx(), 5000);
    var copy = bus.request(io.nexus.contracts.financial.Financial.POST_ENTRY, req, call)
        .toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(copy.id()).isEqualTo(first.json().getString("id"));
    var found = http.get("/api/v1/ledgers/" + ledger + "/entries?text=late", admin).json().getJsonArray("entries");
    assertThat(found).hasSize(1);

    // without the key it is a new entry
    var other = bus.request(io.nexus.contracts.financial.Financial.POST_ENTRY, req, io.nexus.kernel.bus.Call.edge(null, null,
        principal)).toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(other.id()).isNotEqualTo(copy.id());
  }

  @Test
  @DisplayName("the same Idempotency-Key reused for another entry after the gateway forgot the key posts that entry, "
      + "never answers with the old one")
  void keyReusedAfterExpiry() throws Exception {
    var ledger = http.post("/api/v1/ledgers", new JsonObject().put("name", "Reuse " + UUID.randomUUID()).put("currency", "EUR"),
        admin).json().getString("id");
    for (String[] a : new String[][] {{"1000", "Bank", "asset"}, {"4000", "Sales", "revenue"}}) {
      http.post("/api/v1/ledgers/" + ledger + "/accounts", new JsonObject().put("code", a[0]).put("name", a[1]).put("type", a[2]),
          admin);
    }
    java.util.function.Function<String, JsonObject> entry = amount -> new JsonObject().put("bookingDate", "2026-11-29")
        .put("description", "reuse " + amount).put("lines", new io.vertx.core.json.JsonArray()
            .add(new JsonObject().put("account", "1000").put("debit", amount).put("currency", "EUR"))
            .add(new JsonObject().put("account", "4000").put("credit", amount).put("currency", "EUR")));
    String key = UUID.randomUUID().toString();
    var first = http.json("POST", "/api/v1/ledgers/" + ledger + "/entries", entry.apply("5.00"), admin, "Idempotency-Key", key);
    assertThat(first.status()).isEqualTo(201);
    // the gateway's record of the key expires (24 h); here it is removed
    var redis = io.vertx.core.Vertx.vertx();
    try {
      var api = io.vertx.redis.client.RedisAPI.api(io.vertx.redis.client.Redis.createClient(redis,
          cfg.getJsonObject("redis").getString("url")));
      String me = http.get("/api/v1/me", admin).json().getString("id");
      assertThat(api.del(java.util.List.of("nexus:idem:" + me + ":" + key)).await(5, java.util.concurrent.TimeUnit.SECONDS)
          .toInteger()).isEqualTo(1);
    } finally {
      redis.close().await(5, java.util.concurrent.TimeUnit.SECONDS);
    }
    var second = http.json("POST", "/api/v1/ledgers/" + ledger + "/entries", entry.apply("7.00"), admin, "Idempotency-Key", key);
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.json().getString("id")).isNotEqualTo(first.json().getString("id"));
    assertThat(second.json().getString("description")).isEqualTo("reuse 7.00");
  }
}

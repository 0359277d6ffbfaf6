package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.system.SystemFeed;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The organisation's live feed over the bridge, with resume after a disconnect. */
class LiveFeedTest extends NodeSpec {
  private static final int MISSED = 100;

  private static String org() {
    return http.get("/api/v1/me", admin).json().getString("org");
  }

  private static String newUser(String role) {
    String email = role + "-" + UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
    var r = http.post("/api/v1/users", new JsonObject().put("email", email).put("password", "a-good-long-password")
        .put("name", "N").put("role", role), admin);
    assertThat(r.status()).isEqualTo(201);
    return email;
  }

  private static BridgeTest.Socket feed(String token) throws InterruptedException {
    var s = new BridgeTest.Socket(TestNode.port(cfg));
    s.register(SystemFeed.orgEvents(org()), token);
    BridgeTest.awaitListening(s, SystemFeed.orgEvents(org()), node.vertx());
    return s;
  }

  @Test
  @DisplayName("a committed event reaches the organisation's feed within a second; a viewer's socket does not get admin-only events")
  void liveAndFiltered() throws Exception {
    String viewer = http.login(newUser("viewer"), "a-good-long-password");
    try (var adminSocket = feed(admin); var viewerSocket = feed(viewer)) {
      long start = System.nanoTime();
      newUser("analyst");
      JsonObject rec = adminSocket.next("rec");
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertThat(rec).isNotNull();
      assertThat(rec.getJsonObject("body").getString("type")).isEqualTo("security.user-created");
      assertThat(rec.getJsonObject("body").getString("cursor")).matches("\\d+:\\d+");
      System.out.println("user created -> feed: " + ms + " ms (including the Argon2 hash)");
      assertThat(ms).isLessThan(3000);
      Thread.sleep(500);
      assertThat(viewerSocket.frames.stream().filter(f -> "rec".equals(f.getString("type"))).toList())
          .as("security events are for admins").isEmpty();
    }
  }

  @Test
  @DisplayName("a client that reconnects with its cursor gets exactly the missed events in order from the log, then live ones")
  void resumeWithoutGapOrDuplicate() throws Exception {
    var created = http.post("/api/v1/users", new JsonObject().put("email", "resume-" + UUID.randomUUID().toString()
        .substring(0, 8) + "@nexus.test").put("password", "a-good-long-password").put("name", "R0").put("role", "viewer"), admin);
    String path = "/api/v1/users/" + created.json().getString("id");
    String cursor;
    try (var first = feed(admin)) {
      assertThat(http.json("PATCH", path, new JsonObject().put("name", "R1"), admin, "If-Match", "\"1\"").status()).isEqualTo(200);
      JsonObject rec;
      do {
        rec = first.next("rec");
        assertThat(rec).isNotNull();
      } while (!"security.user-updated".equals(rec.getJsonObject("body").getString("type")));
      cursor = rec.getJsonObject("body").getString("cursor");
    }
    // away: 100 changes happen
    for (int v = 2; v < 2 + MISSED; v++) {
      var r = http.json("PATCH", path, new JsonObject().put("name", "R" + v), admin, "If-Match", "\"" + v + "\"");
      assertThat(r.status()).isEqualTo(200);
    }
    try (var again = feed(admin)) {
      // live first (buffered by the socket), then the replay from the cursor, merged by cursor
      var seen = new LinkedHashMap<Long, JsonObject>();
      String after = cursor;
      boolean more = true;
      int n = 0;
      while (more) {
        again.send(new JsonObject().put("type", "send").put("address", SystemFeed.FEED_REPLAY.address())
            .put("body", new JsonObject().put("after", after).put("max", 40)).put("replyAddress", "replay-" + n++)
            .put("headers", new JsonObject().put("authorization", "Bearer " + admin)));
        JsonObject page = nextReply(again);
        for (Object o : page.getJsonArray("events")) {
          JsonObject e = (JsonObject) o;
          assertThat(seen.put(e.getLong("position"), e)).as("no duplicate in the replay").isNull();
        }
        after = page.getString("next");
        more = page.getBoolean("more");
      }
      List<Long> versions = new ArrayList<>();
      seen.values().stream().filter(e -> e.getString("type").equals("security.user-updated"))
          .forEach(e -> versions.add(e.getLong("version")));
      var expected = new ArrayList<Long>();
      for (long v = 3; v < 3 + MISSED; v++) {
        expected.add(v);
      }
      assertThat(versions).as("exactly the missed changes, in order").isEqualTo(expected);

      assertThat(http.json("PATCH", path, new JsonObject().put("name", "Live"), admin, "If-Match", "\"" + (2 + MISSED) + "\"")
          .status()).isEqualTo(200);
      JsonObject live = null;
      long deadline = System.currentTimeMillis() + 5000;
      while (System.currentTimeMillis() < deadline) {
        JsonObject f = again.next("rec");
        if (f != null && f.getJsonObject("body").getString("type") != null
            && f.getJsonObject("body").getLong("version", 0L) == 3 + MISSED) {
          live = f.getJsonObject("body");
          break;
        }
      }
      assertThat(live).as("the next change arrives live").isNotNull();
      assertThat(seen).doesNotContainKey(live.getLong("position"));
    }
  }

  /** The next reply frame (its address starts with replay-), skipping live events. */
  private static JsonObject nextReply(BridgeTest.Socket s) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      JsonObject f = s.frames.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
      if (f != null && "rec".equals(f.getString("type")) && f.getString("address", "").startsWith("replay-")) {
        return f.getJsonObject("body");
      }
      if (f != null && "err".equals(f.getString("type"))) {
        throw new AssertionError("replay refused: " + f);
      }
    }
    throw new AssertionError("no replay reply");
  }
}

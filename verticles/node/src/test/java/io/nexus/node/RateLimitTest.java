package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.config.NodeConfig;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RateLimitTest {
  private static final int LIMIT = 5;
  private static final int REQUESTS = 30;

  @Test
  @DisplayName("a caller past the per-second limit gets 429 with Retry-After; the limit is per caller")
  void perPrincipalLimit() {
    JsonObject cfg = TestNode.config();
    NodeConfig.put(cfg, "gateway.rateLimit.perPrincipalPerSecond", LIMIT);
    NexusNode node = TestNode.start(cfg);
    try {
      var http = new Http(TestNode.port(cfg));
      String admin = http.login(TestNode.adminEmail(cfg), TestNode.ADMIN_PASSWORD);
      int ok = 0;
      Http.Resp limited = null;
      for (int i = 0; i < REQUESTS; i++) {
        var r = http.get("/api/v1/me", admin);
        if (r.status() == 200) {
          ok++;
        } else {
          assertThat(r.status()).isEqualTo(429);
          limited = r;
        }
      }
      assertThat(limited).as("at least one request was limited").isNotNull();
      assertThat(limited.header("Retry-After")).isEqualTo("1");
      assertThat(limited.header("Content-Type")).isEqualTo("application/problem+json");
      // the requests span at most a few one-second windows
      long seconds = 1 + REQUESTS / LIMIT;
      assertThat(ok).isLessThanOrEqualTo((int) (LIMIT * seconds));
    } finally {
      TestNode.stop(node);
    }
  }

  @Test
  @DisplayName("400 forged tokens from one address: past the failed-authentication allowance they are refused unchecked (429), "
      + "while a token this gateway verified before still works")
  void forgedTokensFromOneAddressThrottled() throws Exception {
    JsonObject cfg = TestNode.config();
    NodeConfig.put(cfg, "gateway.failedAuthPerMinute", 30);
    NexusNode node = TestNode.start(cfg);
    try {
      var http = new Http(TestNode.port(cfg));
      String admin = http.login(TestNode.adminEmail(cfg), TestNode.ADMIN_PASSWORD);
      assertThat(http.get("/api/v1/me", admin).status()).isEqualTo(200);
      String[] parts = admin.split("\\.");
      int unauthorized = 0;
      int throttled = 0;
      for (int i = 0; i < 400; i++) {
        // the real header and claims with a signature of someone else's
        String forged = parts[0] + "." + parts[1] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
            .encodeToString(("forged-" + i + "-" + "x".repeat(40)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        int status = http.get("/api/v1/me", forged).status();
        if (status == 401) {
          unauthorized++;
        } else if (status == 429) {
          throttled++;
        }
      }
      System.out.printf("forged tokens: 400 sent, %d checked (401), %d refused unchecked (429)%n", unauthorized, throttled);
      assertThat(unauthorized + throttled).isEqualTo(400);
      assertThat(unauthorized).as("checked before the address was throttled").isLessThanOrEqualTo(35);
      assertThat(http.get("/api/v1/me", admin).status()).as("an already verified token from the same address").isEqualTo(200);
      assertThat(http.get("/api/v1/me", "nxk_" + "y".repeat(43)).status()).as("unverified credentials stay refused").isEqualTo(429);
    } finally {
      TestNode.stop(node);
    }
  }
}

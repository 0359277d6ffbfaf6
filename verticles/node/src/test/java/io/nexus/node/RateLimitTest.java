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
}

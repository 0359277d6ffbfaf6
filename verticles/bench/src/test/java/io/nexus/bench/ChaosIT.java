package io.nexus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The short form of every fault drill ({@code scripts/chaos/run.sh --short}), in docs/reliability.md's
 * test command: three node processes under load, each fault, PASS or FAIL per drill. The
 * partition drill needs root (network namespaces); elsewhere it reports SKIP.
 */
class ChaosIT {

  @Test
  @DisplayName("kill, pause, postgres, redis, slow and partition drills pass in their short form")
  void shortDrills() throws Exception {
    Path out = Path.of("target", "chaos", Instant.now().toString().replace(':', '-'));
    JsonObject report = Chaos.run(out, System.getProperty("nexus.node.jar"), Chaos.Form.SHORT, Chaos.DRILLS);
    System.out.println(java.nio.file.Files.readString(out.resolve("chaos.md")));
    for (Object o : report.getJsonArray("drills")) {
      JsonObject drill = (JsonObject) o;
      assertThat(drill.getString("result")).as(drill.encodePrettily()).isIn("PASS", "SKIP");
    }
    assertThat(report.getJsonArray("drills")).hasSize(Chaos.DRILLS.size());
  }
}

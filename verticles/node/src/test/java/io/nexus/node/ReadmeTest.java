package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.Contracts;
import io.nexus.kernel.config.NodeConfig;
import io.nexus.kernel.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The README's settings table and address catalogue say what the code does. */
class ReadmeTest {
  private static String readme() throws Exception {
    return Files.readString(Path.of("../../README.md"));
  }

  @Test
  @DisplayName("every environment setting is in the README's table with its key, and every key exists in default.yaml")
  void settingsTable() throws Exception {
    String readme = readme();
    var defaults = NodeConfig.defaults();
    for (Setting s : Setting.ALL) {
      assertThat(readme).contains("| `" + s.env() + "` | `" + s.key() + "` |");
      if (!s.key().equals("-")) {
        Object at = defaults;
        for (String part : s.key().split("\\.")) {
          at = ((io.vertx.core.json.JsonObject) at).getValue(part);
        }
        assertThat(at).as(s.key() + " in config/default.yaml").isNotNull();
      }
    }
  }

  @Test
  @DisplayName("every bus address is in the README's address catalogue")
  void addressCatalogue() throws Exception {
    String readme = readme();
    for (var e : Contracts.endpoints()) {
      assertThat(readme).contains("| `" + e.address() + "` |");
    }
    for (var t : Contracts.topics()) {
      assertThat(readme).contains("| `" + t.address() + "` |");
    }
  }
}

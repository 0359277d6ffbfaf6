package io.nexus.kernel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexus.kernel.db.PgConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {

  @Test
  @DisplayName("defaults, then the node file, then NEXUS_* variables: the last one wins")
  void layering(@TempDir Path dir) throws Exception {
    Path node = dir.resolve("node.yaml");
    Files.writeString(node, "http:\n  port: 9000\ngateway:\n  requestTimeoutMs: 1500\n");
    var cfg = NodeConfig.load(Map.of("NEXUS_CONFIG", node.toString(), "NEXUS_HTTP_PORT", "9100",
        "NEXUS_SERVICES", "security, gateway"));
    assertThat(cfg.getJsonObject("http").getInteger("port")).isEqualTo(9100);
    assertThat(cfg.getJsonObject("gateway").getInteger("requestTimeoutMs")).isEqualTo(1500);
    assertThat(cfg.getJsonObject("gateway").getInteger("bodyLimitBytes")).isEqualTo(1048576);
    assertThat(Conf.of(cfg).section("node").strings("services")).containsExactly("security", "gateway");
  }

  @Test
  @DisplayName("a malformed value stops the node with a message naming the key")
  void badValuesNameTheKey() {
    assertThatThrownBy(() -> NodeConfig.load(Map.of("NEXUS_HTTP_PORT", "eighty")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("NEXUS_HTTP_PORT");
    var cfg = NodeConfig.load(Map.of());
    cfg.getJsonObject("http").put("port", 70000);
    assertThatThrownBy(() -> Conf.of(cfg).section("http").integer("port", 1, 65535))
        .hasMessageContaining("'http.port'").hasMessageContaining("65535");
    cfg.getJsonObject("postgres").put("url", "mysql://x");
    assertThatThrownBy(() -> PgConfig.from(cfg)).hasMessageContaining("postgres.url");
  }

  @Test
  @DisplayName("a PostgreSQL URL gives the JDBC URL and credentials, and its password never shows in messages")
  void pgUrl() {
    var pg = new PgConfig("postgresql://nexus:s3cret@db.local:6543/books", 4);
    assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://db.local:6543/books");
    assertThat(pg.user()).isEqualTo("nexus");
    assertThat(pg.password()).isEqualTo("s3cret");
    assertThat(PgConfig.redact(pg.url())).doesNotContain("s3cret");
  }

  @Test
  @DisplayName("a node file that is not YAML is named in the error")
  void badYaml(@TempDir Path dir) throws Exception {
    Path node = dir.resolve("bad.yaml");
    Files.writeString(node, "http: [unclosed\n");
    assertThatThrownBy(() -> NodeConfig.load(Map.of("NEXUS_CONFIG", node.toString())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("bad.yaml");
  }
}

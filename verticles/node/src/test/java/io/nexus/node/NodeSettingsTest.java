package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexus.kernel.config.ConfigException;
import io.nexus.kernel.config.NodeConfig;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NodeSettingsTest {

  @Test
  @DisplayName("by default a node runs every service, the gateway last")
  void defaultsRunEverything() {
    var s = NodeSettings.from(NodeConfig.load(Map.of()));
    assertThat(ServiceCatalog.ordered(s.services())).containsExactly("security", "financial", "predictive", "vision", "llm", "gateway");
    assertThat(s.runsGateway()).isTrue();
  }

  @Test
  @DisplayName("an unknown service or a member without a port stops the node with the key named")
  void badSettingsNameTheKey() {
    assertThatThrownBy(() -> NodeSettings.from(NodeConfig.load(Map.of("NEXUS_SERVICES", "security,ledgr"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("node.services").hasMessageContaining("ledgr");
    assertThatThrownBy(() -> NodeSettings.from(NodeConfig.load(Map.of("NEXUS_CLUSTER_MEMBERS", "10.0.0.1"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.members");
  }

  @Test
  @DisplayName("a node that fails on a bad service setting stops with the key named, and leaves nothing running")
  void badServiceSettingFailsTheStart() {
    var cfg = TestNode.config();
    NodeConfig.put(cfg, "security.keyRetentionSeconds", 60);
    NodeConfig.put(cfg, "security.accessTokenTtlSeconds", 600);
    assertThatThrownBy(() -> TestNode.start(cfg))
        .hasRootCauseInstanceOf(ConfigException.class)
        .rootCause().hasMessageContaining("security.keyRetentionSeconds");
  }
}

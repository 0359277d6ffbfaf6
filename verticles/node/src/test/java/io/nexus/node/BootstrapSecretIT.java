package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.kernel.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A node started as an operator starts it, output to a log file, no admin password given. */
class BootstrapSecretIT {

  @Test
  @DisplayName("the generated bootstrap password is in a 0600 file, works, and is in no log; no private key is in the log")
  void oneTimePasswordNeverLogged() throws Exception {
    String cluster = "otp-" + UUID.randomUUID().toString().substring(0, 8);
    int hz = EmbeddedServers.freePort();
    int httpPort = EmbeddedServers.freePort();
    Path data = Path.of("target", "it-" + cluster).toAbsolutePath();
    Path secrets = data.resolve("secrets");
    String email = cluster + "@nexus.test";
    try (NodeProcess n = NodeProcess.start("otp", Map.of("NEXUS_PG_URL", TestServers.freshDatabase(),
        "NEXUS_REDIS_URL", TestServers.redisUrl(), "NEXUS_CLUSTER_NAME", cluster, "NEXUS_CLUSTER_PORT", String.valueOf(hz),
        "NEXUS_CLUSTER_MEMBERS", "127.0.0.1:" + hz, "NEXUS_HTTP_PORT", String.valueOf(httpPort),
        "NEXUS_DATA_DIR", data.toString(), "NEXUS_CLUSTER_SECRETS", secrets.toString(), "NEXUS_ADMIN_EMAIL", email))) {
      n.awaitReady();
      Path otp = secrets.resolve("bootstrap-admin.txt");
      assertThat(Files.getPosixFilePermissions(otp)).containsOnly(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
      assertThat(Files.getPosixFilePermissions(data)).containsOnly(PosixFilePermission.OWNER_READ,
          PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
      String password = Files.readAllLines(otp).stream().filter(l -> l.startsWith("password: ")).findFirst().orElseThrow()
          .substring("password: ".length());
      assertThat(new Http(httpPort).login(email, password)).isNotBlank();
      String log = Files.readString(n.log);
      assertThat(log).contains("bootstrap-admin.txt").doesNotContain(password);
      assertThat(log).doesNotContain("\"d\":").doesNotContain(Files.readString(secrets.resolve("cluster.secret")).trim());
    }
  }
}

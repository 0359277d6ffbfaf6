package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.config.NodeConfig;
import io.nexus.vision.demo.Receipts;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser: runs {@code e2e/dashboard.test.mjs} (headless Debian Chromium
 * driven by playwright-core) against a node started here. {@code scripts/test.sh} installs
 * Chromium and the e2e packages when they are missing. Screenshots: target/screenshots.
 *
 * <p>Access tokens here live {@value #TOKEN_TTL_SECONDS} s, so every page refreshes its tokens
 * every few seconds throughout, and one test lets a token run out in a sleeping page.
 */
class DashboardIT {
  private static final Path E2E = Path.of("..", "..", "e2e");
  private static final int TOKEN_TTL_SECONDS = 30;
  private static JsonObject cfg;
  private static NexusNode node;

  @BeforeAll
  static void startNode() {
    cfg = TestNode.config();
    NodeConfig.put(cfg, "security.accessTokenTtlSeconds", TOKEN_TTL_SECONDS);
    node = TestNode.start(cfg);
  }

  @AfterAll
  static void stopNode() {
    TestNode.stop(node);
  }

  /** An invoice rendered for the Documents view, a re-compressed copy of it, and the facts it prints. */
  private static Path fixtures() throws java.io.IOException {
    Path dir = Files.createDirectories(Path.of("target", "e2e-fixtures"));
    var rnd = new java.util.Random(21);
    Receipts.Receipt r;
    do {
      r = Receipts.random(rnd, Receipts.Layout.INVOICE);
    } while (r.german() || r.epc());
    var image = Receipts.render(r);
    Files.write(dir.resolve("invoice.png"), DocumentFiles.png(image));
    Files.write(dir.resolve("copy.jpg"), DocumentFiles.jpeg(image, 0.6f));
    Files.writeString(dir.resolve("invoice.json"), new JsonObject().put("vendor", r.vendor()).put("date", r.date().toString())
        .put("total", r.total().toPlainString()).put("invoiceNumber", r.invoiceNumber()).encode());
    return dir;
  }

  @Test
  @DisplayName("dashboard: live feed within 1 s, gap-free resume after going offline, services map, import, conflicts, "
      + "ledgers, documents, admin, sessions past their token's lifetime (Chromium)")
  void dashboardInChromium() throws Exception {
    String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
    assertThat(new File(chromium)).as("Chromium (apt-get install chromium, or run scripts/test.sh)").exists();
    assertThat(E2E.resolve("node_modules/playwright-core")).as("e2e packages (npm ci in e2e/, or run scripts/test.sh)")
        .exists();
    Path log = Path.of("target", "e2e.log");
    var pb = new ProcessBuilder(List.of("node", "--test", "--test-reporter=spec", "dashboard.test.mjs"))
        .directory(E2E.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("NEXUS_URL", "http://127.0.0.1:" + TestNode.port(cfg));
    pb.environment().put("NEXUS_EMAIL", TestNode.adminEmail(cfg));
    pb.environment().put("NEXUS_PASSWORD", TestNode.ADMIN_PASSWORD);
    pb.environment().put("NEXUS_SHOTS", Path.of("target", "screenshots").toAbsolutePath().toString());
    pb.environment().put("CHROMIUM", chromium);
    pb.environment().put("NEXUS_TOKEN_TTL_SECONDS", String.valueOf(TOKEN_TTL_SECONDS));
    // for the services-map test, which starts a second node in this node's cluster and stops it again
    pb.environment().put("NEXUS_NODE_JAR", Path.of(System.getProperty("nexus.node.jar", "target/nexus-node.jar"))
        .toAbsolutePath().toString());
    pb.environment().put("NEXUS_TEST_CLUSTER_NAME", cfg.getJsonObject("cluster").getString("name"));
    pb.environment().put("NEXUS_TEST_CLUSTER_MEMBER", "127.0.0.1:" + cfg.getJsonObject("cluster").getInteger("port"));
    pb.environment().put("NEXUS_TEST_CLUSTER_SECRETS", cfg.getJsonObject("cluster").getString("secretsDir"));
    pb.environment().put("NEXUS_TEST_PG_URL", cfg.getJsonObject("postgres").getString("url"));
    pb.environment().put("NEXUS_TEST_REDIS_URL", cfg.getJsonObject("redis").getString("url"));
    pb.environment().put("NEXUS_FIXTURES", fixtures().toAbsolutePath().toString());
    Process p = pb.start();
    boolean done = p.waitFor(5, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    String out = Files.readString(log);
    System.out.println(out);
    assertThat(done).as("browser tests finished in 5 minutes").isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}

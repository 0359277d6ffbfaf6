package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.kernel.testing.TestServers;
import io.vertx.core.json.JsonObject;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The bad files again, against a node in its own process with a 512 MB heap ({@code java
 * -Xmx512m -jar nexus-node.jar}, every service): each is refused with its 4xx problem and nothing
 * stored, a 10,000-page PDF and a 48-megapixel scan are analysed within the limits, and the node
 * comes out of it ready, without an OutOfMemoryError in its log.
 */
class VisionMemoryIT {
  private static final String PASSWORD = "admin-password-for-tests";

  @Test
  @DisplayName("a -Xmx512m node survives every bad file (each a 4xx, nothing stored), a 10,000-page PDF and a 48 MP scan")
  void aSmallHeapSurvivesTheBadFiles() throws Exception {
    String cluster = "vision-" + UUID.randomUUID().toString().substring(0, 8);
    int hz = EmbeddedServers.freePort();
    int port = EmbeddedServers.freePort();
    Map<String, String> env = NodeProcess.with(NodeProcess.clusterEnv(cluster, TestServers.freshDatabase(), PASSWORD, hz),
        "NEXUS_CLUSTER_PORT", hz, "NEXUS_HTTP_PORT", port, "NEXUS_DATA_DIR", "target/vision-memory");
    try (NodeProcess node = NodeProcess.start("vision-memory", env)) {
      node.awaitReady();
      var http = new Http(port);
      String token = http.login(cluster + "@nexus.test", PASSWORD);
      byte[] png = DocumentFiles.png(new BufferedImage(400, 300, BufferedImage.TYPE_BYTE_GRAY));
      Object[][] bad = {
          {"empty.png", new byte[0], 400},
          {"cut.png", java.util.Arrays.copyOf(png, png.length / 2), 422},
          {"bomb.png", DocumentFiles.pngClaiming(50_000, 50_000), 413},
          {"invoice.png", DocumentFiles.zip(), 415},
          {"big.png", new byte[100 * 1024 * 1024], 413}};
      for (Object[] b : bad) {
        var r = http.upload("/api/v1/documents", (String) b[0], (byte[]) b[1], token);
        assertThat(r.status()).as(b[0] + ": " + r).isEqualTo(b[2]);
        assertThat(r.header("content-type")).startsWith("application/problem+json");
      }
      byte[] big = new byte[100 * 1024 * 1024];
      var streamed = http.send(http.request("/api/v1/documents", token).header("Content-Type", "multipart/form-data; boundary=b")
          .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.SequenceInputStream(
              new java.io.ByteArrayInputStream(("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\n"
                  + "Content-Type: image/png\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)),
              new java.io.ByteArrayInputStream(big)))));
      assertThat(streamed.status()).as(streamed.toString()).isEqualTo(413);
      assertThat(http.get("/api/v1/documents", token).json().getJsonArray("documents")).as("nothing stored").isEmpty();

      // within the limits, but large: each is analysed, no more of it decoded than the limits allow
      var longPdf = http.upload("/api/v1/documents", "long.pdf", DocumentFiles.pdf(10_000, "Page one of a very long document"), token);
      assertThat(longPdf.status()).as(longPdf.toString()).isEqualTo(202);
      var scan = new BufferedImage(8000, 6000, BufferedImage.TYPE_BYTE_GRAY);
      var g = scan.createGraphics();
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, 8000, 6000);
      g.setColor(Color.BLACK);
      g.setFont(new java.awt.Font("DejaVu Sans", java.awt.Font.PLAIN, 120));
      g.drawString("Total due 1,234.56 EUR", 600, 1200);
      g.dispose();
      var bigScan = http.upload("/api/v1/documents", "scan.png", DocumentFiles.png(scan), token);
      assertThat(bigScan.status()).as(bigScan.toString()).isEqualTo(202);
      for (String id : new String[] {longPdf.json().getString("id"), bigScan.json().getString("id")}) {
        JsonObject d = Awaitility.await("document " + id).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
            .until(() -> http.get("/api/v1/documents/" + id, token).json(), j -> "analysed".equals(j.getString("status"))
                || "failed".equals(j.getString("status")));
        assertThat(d.getString("status")).as(d.encode().substring(0, Math.min(600, d.encode().length()))).isEqualTo("analysed");
      }
      JsonObject pdf = http.get("/api/v1/documents/" + longPdf.json().getString("id"), token).json();
      assertThat(pdf.getInteger("pageCount")).isEqualTo(10_000);
      assertThat(pdf.getInteger("pages")).isEqualTo(10);
      assertThat(http.get("/health/ready", null).status()).isEqualTo(200);
      assertThat(node.process.isAlive()).isTrue();
      assertThat(Files.readString(node.log)).doesNotContain("OutOfMemoryError");
    }
  }
}

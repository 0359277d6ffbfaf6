package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.kernel.config.NodeConfig;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The gateway's listener with TLS, and its operations endpoints behind a token. */
class GatewayOpsTest {
  private static final String OPS_TOKEN = "ops-token-for-tests-0123456789";

  @Test
  @DisplayName("with a certificate the gateway speaks HTTPS with HSTS; /metrics and /health/ready details need the ops token")
  void httpsAndOpsToken() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "tls-" + System.nanoTime()));
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    var p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(),
        "-out", cert.toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();

    JsonObject cfg = TestNode.config();
    NodeConfig.put(cfg, "http.tlsCert", cert.toString());
    NodeConfig.put(cfg, "http.tlsKey", key.toString());
    NodeConfig.put(cfg, "gateway.opsToken", OPS_TOKEN);
    NexusNode node = TestNode.start(cfg);
    try {
      var trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      try (var in = Files.newInputStream(cert)) {
        trust.setCertificateEntry("nexus", CertificateFactory.getInstance("X.509").generateCertificate(in));
      }
      var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      var ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      var client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
      String base = "https://127.0.0.1:" + TestNode.port(cfg);

      var live = client.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(live.headers().firstValue("Strict-Transport-Security")).get().asString().contains("max-age=");

      var metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.statusCode()).isEqualTo(401);
      var wrong = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).header("Authorization", "Bearer nope").build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(wrong.statusCode()).isEqualTo(401);
      var withToken = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
          .header("Authorization", "Bearer " + OPS_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(withToken.statusCode()).isEqualTo(200);
      assertThat(withToken.body()).contains("nexus_breaker_state");

      var ready = client.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(new JsonObject(ready.body()).fieldNames()).containsExactly("status");
      var details = client.send(HttpRequest.newBuilder(URI.create(base + "/health/ready"))
          .header("Authorization", "Bearer " + OPS_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(details.body()).contains("postgres").contains("service-security");

      // plain HTTP on the TLS port gets no API
      var plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      boolean servedInClear;
      try {
        servedInClear = plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + TestNode.port(cfg) + "/health/live"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
      } catch (java.io.IOException refused) {
        servedInClear = false;
      }
      assertThat(servedInClear).isFalse();
    } finally {
      TestNode.stop(node);
    }
  }
}

package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import io.nexus.contracts.Headers;
import io.nexus.contracts.Principal;
import io.nexus.contracts.security.Security;
import io.nexus.kernel.bus.PrincipalSeal;
import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.kernel.secrets.ClusterSecrets;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The bus trusts no one: a process that joins the node's Hazelcast cluster (its open-source
 * edition lets anyone who reaches the port join) and sends {@code nexus.security.create-user}
 * with a principal it made up is refused, with or without the cluster's certificate.
 */
class BusTrustTest extends NodeSpec {
  private static final long SEND_TIMEOUT_MS = 3000;
  private static Principal adminPrincipal;

  @BeforeAll
  static void who() {
    var me = http.get("/api/v1/me", admin).json();
    adminPrincipal = new Principal(me.getString("id"), me.getString("org"), io.nexus.contracts.Role.ADMIN, UUID.randomUUID().toString());
  }

  /** A clustered Vert.x that joins the test node's Hazelcast cluster, with or without the cluster's TLS identity. */
  private static Vertx rogue(boolean withCertificate) throws Exception {
    var hz = new Config();
    hz.setClusterName(cfg.getJsonObject("cluster").getString("name"));
    int port = EmbeddedServers.freePort();
    hz.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    hz.setProperty("hazelcast.local.localAddress", "127.0.0.1");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    var join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(List.of("127.0.0.1:" + cfg.getJsonObject("cluster").getInteger("port"),
        "127.0.0.1:" + port));
    var bus = new EventBusOptions().setHost("127.0.0.1").setPort(0);
    if (withCertificate) {
      var secrets = ClusterSecrets.open(TestNode.SECRETS);
      var store = new PfxOptions().setPath(secrets.keyStore().toString()).setPassword(secrets.keyStorePassword());
      bus.setSsl(true).setClientAuth(ClientAuth.REQUIRED).setKeyCertOptions(store).setTrustOptions(store.copy());
    }
    return Vertx.builder().with(new VertxOptions().setEventBusOptions(bus)).withClusterManager(new HazelcastClusterManager(hz))
        .buildClustered().await(60, TimeUnit.SECONDS);
  }

  private static JsonObject newUser() {
    return new JsonObject().put("email", "rogue-" + UUID.randomUUID().toString().substring(0, 8) + "@nexus.test")
        .put("password", "a-good-long-password").put("name", "Rogue").put("role", "admin");
  }

  private static Throwable send(Vertx from, String principalHeader, JsonObject body) {
    var opts = new DeliveryOptions().setSendTimeout(SEND_TIMEOUT_MS).addHeader(Headers.PRINCIPAL, principalHeader);
    try {
      from.eventBus().request(Security.CREATE_USER.address(), body, opts).await(SEND_TIMEOUT_MS * 2, TimeUnit.MILLISECONDS);
      return null;
    } catch (Exception e) {
      return e;
    }
  }

  private static boolean exists(String email) {
    return http.get("/api/v1/users", admin).json().getJsonArray("users").stream()
        .anyMatch(u -> email.equals(((JsonObject) u).getString("email")));
  }

  private static int status(Throwable t) {
    return t instanceof ReplyException re ? re.failureCode() : -1;
  }

  @Test
  @DisplayName("a process with the cluster certificate but not the cluster secret: unsigned and self-signed principals are refused (401)")
  void forgedPrincipalRefused() throws Exception {
    Vertx rogue = rogue(true);
    try {
      var plain = newUser();
      Throwable unsigned = send(rogue, JsonObject.mapFrom(adminPrincipal).encode(), plain);
      assertThat(status(unsigned)).as(String.valueOf(unsigned)).isEqualTo(401);
      assertThat(exists(plain.getString("email"))).isFalse();

      var sealed = newUser();
      Throwable selfSigned = send(rogue, PrincipalSeal.of(rogue).seal(adminPrincipal), sealed);
      assertThat(status(selfSigned)).as(String.valueOf(selfSigned)).isEqualTo(401);
      assertThat(exists(sealed.getString("email"))).isFalse();
    } finally {
      rogue.close().await(30, TimeUnit.SECONDS);
    }
    assertThat(http.get("/metrics", null).body()).containsPattern("nexus_bus_refused_principals_total\\S* [1-9]");
  }

  @Test
  @DisplayName("on a legitimate node, a sealed principal whose payload was changed (viewer made admin) is refused")
  void tamperedPrincipalRefused() {
    var viewer = new Principal(adminPrincipal.subject(), adminPrincipal.org(), io.nexus.contracts.Role.VIEWER, adminPrincipal.session());
    String seal = PrincipalSeal.of(node.vertx()).seal(viewer);
    String[] parts = seal.split("\\.");
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("\"viewer\"", "\"admin\"");
    String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8))
        + "." + parts[2];
    var body = newUser();
    assertThat(status(send(node.vertx(), tampered, body))).isEqualTo(401);
    assertThat(exists(body.getString("email"))).isFalse();
    // the control case: the untouched viewer seal is believed, and a viewer may not create users
    assertThat(status(send(node.vertx(), seal, newUser()))).isEqualTo(403);
  }

  @Test
  @DisplayName("a process without the cluster certificate cannot deliver anything to the node's services")
  void noCertificateNoDelivery() throws Exception {
    Vertx rogue = rogue(false);
    try {
      var body = newUser();
      Throwable t = send(rogue, JsonObject.mapFrom(adminPrincipal).encode(), body);
      assertThat(t).as("no reply over a connection the node refuses").isNotNull();
      assertThat(status(t)).isNotEqualTo(201);
      assertThat(exists(body.getString("email"))).isFalse();
    } finally {
      rogue.close().await(30, TimeUnit.SECONDS);
    }
  }
}

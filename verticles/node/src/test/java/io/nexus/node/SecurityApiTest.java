package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.nexus.kernel.db.PgConfig;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Security service through the gateway, on one real node with real PostgreSQL and Redis. */
class SecurityApiTest extends NodeSpec {

  private static String unique(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
  }

  /** Creates a user in the admin's org and returns its id. */
  private static String createUser(String adminToken, String email, String role) {
    var r = http.post("/api/v1/users", new JsonObject().put("email", email).put("password", "a-good-long-password")
        .put("name", "Test " + role).put("role", role), adminToken);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json().getString("id");
  }

  @Test
  @DisplayName("the bootstrap admin logs in, creates a user, and that user logs in and sees themself")
  void adminCreatesUserWhoLogsIn() {
    String email = unique("ada");
    String id = createUser(admin, email, "examiner");
    String token = http.login(email, "a-good-long-password");
    var me = http.get("/api/v1/me", token);
    assertThat(me.status()).isEqualTo(200);
    assertThat(me.json().getString("id")).isEqualTo(id);
    assertThat(me.json().getString("role")).isEqualTo("examiner");
    assertThat(me.json().fieldNames()).doesNotContain("password", "passwordHash");
  }

  @Test
  @DisplayName("refresh gives a new pair; a used refresh token presented again ends the session")
  void refreshRotatesAndReuseEndsTheSession() {
    var login = http.post("/api/v1/auth/login", new JsonObject().put("email", TestNode.adminEmail(cfg))
        .put("password", TestNode.ADMIN_PASSWORD), null).json();
    var refreshed = http.post("/api/v1/auth/refresh", new JsonObject().put("refreshToken", login.getString("refreshToken")), null);
    assertThat(refreshed.status()).isEqualTo(200);
    String newAccess = refreshed.json().getString("accessToken");
    assertThat(http.get("/api/v1/me", newAccess).status()).isEqualTo(200);

    var reuse = http.post("/api/v1/auth/refresh", new JsonObject().put("refreshToken", login.getString("refreshToken")), null);
    assertThat(reuse.status()).isEqualTo(401);
    assertThat(http.get("/api/v1/me", newAccess).status()).as("session ended by reuse").isEqualTo(401);
    var next = http.post("/api/v1/auth/refresh", new JsonObject().put("refreshToken", refreshed.json().getString("refreshToken")), null);
    assertThat(next.status()).isEqualTo(401);
  }

  @Test
  @DisplayName("after logout the access token and the refresh token are refused with 401")
  void logoutEndsTokens() {
    String email = unique("bob");
    createUser(admin, email, "viewer");
    var pair = http.post("/api/v1/auth/login", new JsonObject().put("email", email).put("password", "a-good-long-password"), null).json();
    String token = pair.getString("accessToken");
    assertThat(http.get("/api/v1/me", token).status()).isEqualTo(200);
    assertThat(http.post("/api/v1/auth/logout", null, token).status()).isEqualTo(204);
    var after = http.get("/api/v1/me", token);
    assertThat(after.status()).isEqualTo(401);
    assertThat(after.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(http.post("/api/v1/auth/refresh", new JsonObject().put("refreshToken", pair.getString("refreshToken")), null).status())
        .isEqualTo(401);
  }

  @Test
  @DisplayName("failed logins past the limit are refused with 429 and Retry-After, even with the right password")
  void throttling() {
    String email = unique("carol");
    createUser(admin, email, "viewer");
    int limit = cfg.getJsonObject("security").getJsonObject("login").getInteger("maxFailuresPerAccount");
    for (int i = 0; i < limit; i++) {
      var r = http.post("/api/v1/auth/login", new JsonObject().put("email", email).put("password", "wrong-" + i), null);
      assertThat(r.status()).isEqualTo(401);
    }
    var blocked = http.post("/api/v1/auth/login", new JsonObject().put("email", email).put("password", "a-good-long-password"), null);
    assertThat(blocked.status()).isEqualTo(429);
    assertThat(Long.parseLong(blocked.header("Retry-After"))).isPositive();
  }

  @Test
  @DisplayName("an unknown user and a wrong password get the same answer")
  void unknownUserLooksLikeWrongPassword() {
    var unknown = http.post("/api/v1/auth/login", new JsonObject().put("email", unique("nobody")).put("password", "whatever-it-is"), null);
    var wrong = http.post("/api/v1/auth/login", new JsonObject().put("email", TestNode.adminEmail(cfg)).put("password", "not-the-password"), null);
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(unknown.json().getString("detail")).isEqualTo(wrong.json().getString("detail"));
  }

  @Test
  @DisplayName("tokens with alg none, HS256 keyed with the public key, expired, wrong issuer or audience, or an unknown kid are refused with 401")
  void forgedTokens() throws Exception {
    var me = http.get("/api/v1/me", admin).json();
    ECKey real = signingKey();
    JWTClaimsSet good = claims(me, "nexus", "nexus-api", Instant.now().plusSeconds(300));

    // the real key signs a well-formed token: the control case
    assertThat(http.get("/api/v1/me", sign(real, good)).status()).isEqualTo(200);

    String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + real.getKeyID() + "\"}");
    String none = header + "." + b64(good.toString()) + ".";
    assertThat(http.get("/api/v1/me", none).status()).isEqualTo(401);

    var hs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(real.getKeyID()).build(), good);
    byte[] publicKeyAsSecret = real.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
    hs.sign(new MACSigner(publicKeyAsSecret));
    assertThat(http.get("/api/v1/me", hs.serialize()).status()).isEqualTo(401);

    var expired = claims(me, "nexus", "nexus-api", Instant.now().minusSeconds(120));
    assertThat(http.get("/api/v1/me", sign(real, expired)).status()).isEqualTo(401);
    assertThat(http.get("/api/v1/me", sign(real, claims(me, "evil", "nexus-api", Instant.now().plusSeconds(300)))).status())
        .isEqualTo(401);
    assertThat(http.get("/api/v1/me", sign(real, claims(me, "nexus", "other-api", Instant.now().plusSeconds(300)))).status())
        .isEqualTo(401);

    ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString()).generate();
    assertThat(http.get("/api/v1/me", sign(stranger, good)).status()).isEqualTo(401);
    assertThat(http.get("/api/v1/me", "not.a.token").status()).isEqualTo(401);
    assertThat(http.get("/api/v1/me", null).status()).isEqualTo(401);
  }

  @Test
  @DisplayName("a user of org A reading org B's user gets 404; B's admin reads it")
  void orgIsolation() {
    String bAdminEmail = unique("b-admin");
    var org = http.post("/api/v1/orgs", new JsonObject().put("name", "Org B " + UUID.randomUUID()).put("adminEmail", bAdminEmail)
        .put("adminName", "B Admin").put("adminPassword", "b-admin-password-1"), admin);
    assertThat(org.status()).as(org.toString()).isEqualTo(201);
    String bAdmin = http.login(bAdminEmail, "b-admin-password-1");
    String bUser = createUser(bAdmin, unique("b-user"), "analyst");

    assertThat(http.get("/api/v1/users/" + bUser, bAdmin).status()).isEqualTo(200);
    assertThat(http.get("/api/v1/users/" + bUser, admin).status()).isEqualTo(404);
    assertThat(http.post("/api/v1/orgs", new JsonObject().put("name", "Org C").put("adminEmail", unique("c"))
        .put("adminName", "C").put("adminPassword", "c-admin-password-1"), bAdmin).status())
        .as("only the operator organisation creates organisations").isEqualTo(403);
  }

  @Test
  @DisplayName("a viewer calling an admin route gets 403")
  void viewerIsForbiddenAdminRoutes() {
    String email = unique("vera");
    createUser(admin, email, "viewer");
    String viewer = http.login(email, "a-good-long-password");
    var r = http.post("/api/v1/users", new JsonObject().put("email", unique("x")).put("password", "a-good-long-password")
        .put("name", "X").put("role", "admin"), viewer);
    assertThat(r.status()).isEqualTo(403);
    assertThat(http.get("/api/v1/users", viewer).status()).isEqualTo(403);
  }

  @Test
  @DisplayName("a user cannot give themself a role: role in a self-update is refused with 400 and nothing changes")
  void massAssignmentOfRole() {
    String email = unique("mallory");
    String id = createUser(admin, email, "viewer");
    String token = http.login(email, "a-good-long-password");
    var r = http.method("PATCH", "/api/v1/users/" + id, "application/json",
        new JsonObject().put("name", "M").put("role", "admin").encode().getBytes(StandardCharsets.UTF_8), token);
    assertThat(r.status()).isEqualTo(400);
    assertThat(http.get("/api/v1/me", token).json().getString("role")).isEqualTo("viewer");
    String etag = http.get("/api/v1/me", token).header("ETag");
    var rename = http.json("PATCH", "/api/v1/users/" + id, new JsonObject().put("name", "Mallory"), token, "If-Match", etag);
    assertThat(rename.status()).isEqualTo(200);
    assertThat(rename.json().getString("name")).isEqualTo("Mallory");
  }

  @Test
  @DisplayName("a client-sent principal header is ignored: the caller is who the token says")
  void forgedPrincipalHeaderIgnored() {
    String email = unique("pat");
    String id = createUser(admin, email, "viewer");
    String token = http.login(email, "a-good-long-password");
    var forged = new JsonObject().put("subject", "someone-else").put("org", "other").put("role", "admin").encode();
    var r = http.send(http.request("/api/v1/me", token).header("x-principal", forged).GET());
    assertThat(r.json().getString("id")).isEqualTo(id);
    assertThat(r.json().getString("role")).isEqualTo("viewer");
  }

  @Test
  @DisplayName("an API key acts with its role until it is revoked")
  void apiKeys() {
    var created = http.post("/api/v1/api-keys", new JsonObject().put("name", "ci").put("role", "admin"), admin);
    assertThat(created.status()).isEqualTo(201);
    String key = created.json().getString("key");
    assertThat(http.get("/api/v1/users", key).status()).isEqualTo(200);
    var listed = http.get("/api/v1/api-keys", admin);
    assertThat(listed.body()).doesNotContain(key);
    assertThat(http.method("DELETE", "/api/v1/api-keys/" + created.json().getString("id"), null, null, admin).status())
        .isEqualTo(204);
    assertThat(http.get("/api/v1/users", key).status()).isEqualTo(401);
  }

  @Test
  @DisplayName("key rotation logs nobody out: old tokens still verify, new tokens use the new key")
  void keyRotation() throws Exception {
    String before = http.login(TestNode.adminEmail(cfg), TestNode.ADMIN_PASSWORD);
    var rotated = http.post("/api/v1/admin/keys/rotate", null, admin);
    assertThat(rotated.status()).isEqualTo(200);
    String kid = rotated.json().getString("kid");
    String after = http.login(TestNode.adminEmail(cfg), TestNode.ADMIN_PASSWORD);
    assertThat(SignedJWT.parse(after).getHeader().getKeyID()).isEqualTo(kid);
    assertThat(http.get("/api/v1/me", before).status()).isEqualTo(200);
    assertThat(http.get("/api/v1/me", after).status()).isEqualTo(200);
    var jwks = http.get("/.well-known/jwks.json", null).json();
    assertThat(jwks.getJsonArray("keys").size()).isGreaterThanOrEqualTo(2);
    assertThat(jwks.encode()).doesNotContain("\"d\"");
  }

  // ---- helpers ----

  private static JWTClaimsSet claims(JsonObject me, String iss, String aud, Instant exp) {
    return new JWTClaimsSet.Builder().issuer(iss).audience(aud).subject(me.getString("id"))
        .claim("org", me.getString("org")).claim("role", "admin").claim("sid", UUID.randomUUID().toString())
        .jwtID(UUID.randomUUID().toString()).issueTime(Date.from(exp.minusSeconds(300)))
        .expirationTime(Date.from(exp)).build();
  }

  private static String sign(ECKey key, JWTClaimsSet claims) throws Exception {
    var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
    jwt.sign(new ECDSASigner(key));
    return jwt.serialize();
  }

  /**
   * The live signing key, read the way only someone with database access and the cluster's
   * secrets could: the database alone holds it encrypted.
   */
  private static ECKey signingKey() throws Exception {
    var pg = new PgConfig(cfg.getJsonObject("postgres").getString("url"), 1);
    try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
         var rs = c.createStatement().executeQuery(
             "SELECT kid, private_jwk FROM security.signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1")) {
      rs.next();
      byte[] stored = Base64.getDecoder().decode(rs.getString(2));
      var kek = new javax.crypto.spec.SecretKeySpec(io.nexus.kernel.secrets.ClusterSecrets.open(TestNode.SECRETS)
          .key(io.nexus.kernel.secrets.ClusterSecrets.Purpose.KEY_ENCRYPTION), "AES");
      var cipher = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(javax.crypto.Cipher.DECRYPT_MODE, kek, new javax.crypto.spec.GCMParameterSpec(128, stored, 0, 12));
      cipher.updateAAD(rs.getString(1).getBytes(StandardCharsets.UTF_8));
      return ECKey.parse(new String(cipher.doFinal(stored, 12, stored.length - 12), StandardCharsets.UTF_8));
    }
  }

  @Test
  @DisplayName("private signing keys are not in the database in clear")
  void signingKeysEncryptedAtRest() throws Exception {
    var pg = new PgConfig(cfg.getJsonObject("postgres").getString("url"), 1);
    try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
         var rs = c.createStatement().executeQuery("SELECT private_jwk, encrypted FROM security.signing_keys")) {
      int n = 0;
      while (rs.next()) {
        n++;
        assertThat(rs.getBoolean(2)).isTrue();
        assertThat(rs.getString(1)).doesNotContain("\"d\"").doesNotContain("P-256");
      }
      assertThat(n).isPositive();
    }
    // and the decrypted key is the one that verifies tokens: a token it signs is accepted
    var me = http.get("/api/v1/me", admin).json();
    assertThat(http.get("/api/v1/me", sign(signingKey(), claims(me, "nexus", "nexus-api", Instant.now().plusSeconds(300))))
        .status()).isEqualTo(200);
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}

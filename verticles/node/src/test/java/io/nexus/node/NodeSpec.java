package io.nexus.node;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Specifications written against one real node (every service, a database of its own, real
 * Redis) started for the class, with the bootstrap admin signed in.
 */
abstract class NodeSpec {
  static JsonObject cfg;
  static NexusNode node;
  static Http http;
  static String admin;

  /**
   * Starts the node; a test class that declares {@code static void configure(JsonObject cfg)} gets
   * to change the configuration first (a model server's address, say).
   */
  @BeforeAll
  static void startNode(org.junit.jupiter.api.TestInfo info) throws ReflectiveOperationException {
    cfg = TestNode.config();
    var testClass = info.getTestClass().orElseThrow();
    try {
      var configure = testClass.getDeclaredMethod("configure", JsonObject.class);
      configure.setAccessible(true);
      configure.invoke(null, cfg);
    } catch (NoSuchMethodException none) {
      // the defaults
    }
    node = TestNode.start(cfg);
    http = new Http(TestNode.port(cfg));
    admin = http.login(TestNode.adminEmail(cfg), TestNode.ADMIN_PASSWORD);
  }

  /** A customer organisation created by the operator admin, with its own admin signed in: {@code {org, token}}. */
  static JsonObject tenant() {
    String email = "tenant-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
    var org = http.post("/api/v1/orgs", new JsonObject().put("name", "Tenant " + java.util.UUID.randomUUID())
        .put("adminEmail", email).put("adminName", "T").put("adminPassword", TENANT_PASSWORD), admin);
    if (org.status() != 201) {
      throw new IllegalStateException("tenant not created: " + org);
    }
    return new JsonObject().put("org", org.json().getString("id")).put("token", http.login(email, TENANT_PASSWORD));
  }

  private static final String TENANT_PASSWORD = "a-good-long-password";

  /** A new user of the admin's organisation with {@code role}, signed in: their token. */
  static String signedIn(String role) {
    String email = role + "-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
    var r = http.post("/api/v1/users", new JsonObject().put("email", email).put("password", TENANT_PASSWORD)
        .put("name", role).put("role", role), admin);
    if (r.status() != 201) {
      throw new IllegalStateException("user not created: " + r);
    }
    return http.login(email, TENANT_PASSWORD);
  }

  /** The first column of the first row of a query on the node's database. */
  static long count(String sql) {
    try (var c = LogFixture.jdbc(cfg); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void stopNode() {
    TestNode.stop(node);
  }
}

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

  @BeforeAll
  static void startNode() {
    cfg = TestNode.config();
    node = TestNode.start(cfg);
    http = new Http(TestNode.port(cfg));
    admin = http.login(TestNode.adminEmail(cfg), TestNode.ADMIN_PASSWORD);
  }

  @AfterAll
  static void stopNode() {
    TestNode.stop(node);
  }
}

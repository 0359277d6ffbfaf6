package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nexus.kernel.config.NodeConfig;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.events.EventStore;
import io.nexus.kernel.secrets.ClusterSecrets;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A log and audit chain written by an earlier version of the code ({@link LogFixture}) replayed
 * by this one: loaded into a fresh database before the node starts, the audit subscription and
 * the user-activity read model rebuild from it to the very rows the earlier code made, and the
 * chain verifies.
 */
class OldLogReplayTest {

  @Test
  @DisplayName("every event of the old log is of a type the contracts define, decodes into its record and encodes back to the same JSON")
  void oldEventsFitTheirRecords() throws Exception {
    var types = new java.util.TreeSet<String>();
    for (JsonObject e : LogFixture.read(LogFixture.EVENTS)) {
      String name = e.getString("type");
      var type = io.nexus.contracts.Contracts.eventType(name);
      assertThat(type).as(name).isPresent();
      JsonObject data = e.getJsonObject("data");
      assertThat(roundTrip(type.get(), data)).as(name + " " + data.encode()).isEqualTo(data);
      // and the stream is one of the type's
      String stream = e.getString("stream_id");
      if (!stream.equals(type.get().stream())) {
        assertThat(type.get().stream(type.get().idOf(stream))).isEqualTo(stream);
      }
      types.add(name);
    }
    // the fixture has one of each type but the import that broke off (not reachable through the API)
    // and the types added after it was written
    var defined = io.nexus.contracts.Contracts.eventTypes().stream().map(io.nexus.contracts.EventType::name)
        .collect(Collectors.toCollection(java.util.TreeSet::new));
    defined.remove(io.nexus.contracts.financial.Financial.IMPORT_FAILED.name());
    defined.remove(io.nexus.contracts.financial.Financial.RULE_SETTINGS_CHANGED.name());
    io.nexus.contracts.predictive.Predictive.EVENTS.forEach(t -> defined.remove(t.name()));
    io.nexus.contracts.vision.Vision.EVENTS.forEach(t -> defined.remove(t.name()));
    io.nexus.contracts.llm.Llm.EVENTS.forEach(t -> defined.remove(t.name()));
    assertThat(types).isEqualTo(defined);
  }

  private static <E> JsonObject roundTrip(io.nexus.contracts.EventType<E> type, JsonObject data) {
    return type.encode(type.decode(data));
  }

  @Test
  @DisplayName("an old log rebuilds the same audit chain (hash for hash) and user-activity rows, and the chain verifies")
  void oldLogReplays() throws Exception {
    List<JsonObject> events = LogFixture.read(LogFixture.EVENTS);
    List<JsonObject> audit = LogFixture.read(LogFixture.AUDIT);
    List<JsonObject> activity = LogFixture.read(LogFixture.ACTIVITY);
    assertThat(events).hasSizeGreaterThan(40);
    // the fixture's own test-only secret keys the chain: the same key must give the same hashes
    Path secrets = Files.createTempDirectory("replay-secrets");
    ClusterSecrets.privateDir(secrets);
    Files.copy(LogFixture.DIR.resolve(LogFixture.SECRET), secrets.resolve(LogFixture.SECRET));
    ClusterSecrets.privateFile(secrets.resolve(LogFixture.SECRET));
    JsonObject cfg = TestNode.config();
    NodeConfig.put(cfg, "cluster.secretsDir", secrets.toString());

    Vertx vertx = Vertx.vertx();
    try {
      EventStore.migrate(vertx, PgConfig.from(cfg)).await();
    } finally {
      vertx.close().await();
    }
    try (Connection c = LogFixture.jdbc(cfg)) {
      c.setAutoCommit(false);
      // one transaction, positions kept: the log's order is the fixture's
      try (var st = c.prepareStatement("INSERT INTO eventlog.events (position, stream_id, version, type, data, metadata, "
          + "recorded_at) OVERRIDING SYSTEM VALUE VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::timestamptz)")) {
        for (JsonObject e : events) {
          st.setLong(1, e.getLong("position"));
          st.setString(2, e.getString("stream_id"));
          st.setLong(3, e.getLong("version"));
          st.setString(4, e.getString("type"));
          st.setString(5, Json.encode(e.getValue("data")));
          st.setString(6, Json.encode(e.getValue("metadata")));
          st.setString(7, e.getString("recorded_at"));
          st.addBatch();
        }
        st.executeBatch();
      }
      try (var st = c.createStatement()) {
        st.execute("SELECT setval(pg_get_serial_sequence('eventlog.events', 'position'), (SELECT max(position) FROM "
            + "eventlog.events))");
      }
      c.commit();
    }

    NexusNode node = TestNode.start(cfg);
    try {
      try (Connection c = LogFixture.jdbc(cfg)) {
        await().atMost(Duration.ofSeconds(60)).until(() -> LogFixture.rows(c, "SELECT count(*) AS n FROM security.audit_log")
            .get(0).getLong("n") >= audit.size());
        var rebuilt = LogFixture.rows(c, "SELECT " + LogFixture.AUDIT_COLUMNS + " FROM security.audit_log WHERE seq <= "
            + audit.size() + " ORDER BY seq");
        assertThat(rebuilt).containsExactlyElementsOf(audit);

        Set<String> users = activity.stream().map(a -> a.getString("user_id")).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(LogFixture.rows(c,
            "SELECT user_id, logins, last_login_at, changes, last_change_at FROM security.user_activity ORDER BY user_id")
            .stream().filter(r -> users.contains(r.getString("user_id"))).toList()).containsExactlyElementsOf(activity));
      }
      var http = new Http(TestNode.port(cfg));
      String admin = http.login(TestNode.adminEmail(cfg), TestNode.ADMIN_PASSWORD);
      var verified = http.get("/api/v1/audit/verify", admin).json();
      assertThat(verified.getBoolean("valid")).as(verified.encode()).isTrue();
      assertThat(verified.getLong("checked")).isGreaterThanOrEqualTo(audit.size());
    } finally {
      TestNode.stop(node);
    }
  }
}

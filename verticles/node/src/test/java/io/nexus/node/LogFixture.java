package io.nexus.node;

import io.nexus.kernel.config.NodeConfig;
import io.nexus.kernel.db.PgConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A log written by an earlier version of the code, kept as a test fixture: every event type the
 * services write, the audit chain and the user-activity read model built from them, and the
 * test-only cluster secret that keyed the chain. {@code OldLogReplayTest} loads it into a fresh
 * node of the current code and checks that the same chain and read model come out.
 *
 * <p>Written once with {@code main} (a fresh node runs a scenario through the API, then its
 * tables are dumped); re-run it only to add what a new version writes, never to paper over a
 * replay that no longer matches.
 */
final class LogFixture {
  static final Path DIR = Path.of("src", "test", "resources", "old-log");
  static final String EVENTS = "events.jsonl";
  static final String AUDIT = "audit.jsonl";
  static final String ACTIVITY = "user-activity.jsonl";
  /** A secret for this fixture only: it keys the fixture's audit chain, nothing else. */
  static final String SECRET = "cluster.secret";

  private LogFixture() {}

  static List<JsonObject> read(String file) throws IOException {
    var out = new ArrayList<JsonObject>();
    for (String line : Files.readAllLines(DIR.resolve(file), StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(new JsonObject(line));
      }
    }
    return out;
  }

  static Connection jdbc(JsonObject cfg) throws SQLException {
    PgConfig pg = PgConfig.from(cfg);
    return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
  }

  static final String EVENT_COLUMNS = "position, tx_id::text AS tx_id, stream_id, version, type, data::text AS data, "
      + "metadata::text AS metadata, recorded_at";
  static final String AUDIT_COLUMNS = "seq, position, at, actor, org, entity, action, data::text AS data, prev_hash, hash, "
      + "keyed, org_prev_hash";

  /** Rows of a query as JSON objects (jsonb columns read as text and parsed). */
  static List<JsonObject> rows(Connection c, String sql) throws SQLException {
    var out = new ArrayList<JsonObject>();
    try (var st = c.createStatement(); var rs = st.executeQuery(sql)) {
      var meta = rs.getMetaData();
      while (rs.next()) {
        var row = new JsonObject();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          String name = meta.getColumnLabel(i);
          Object v = rs.getObject(i);
          if (v instanceof java.sql.Timestamp t) {
            v = t.toInstant().toString();
          } else if (v instanceof java.time.OffsetDateTime t) {
            v = t.toInstant().toString();
          } else if (("data".equals(name) || "metadata".equals(name)) && v instanceof String s) {
            // as stored: an object, or (metadata appended by the reactive client) a JSON string holding one
            v = io.vertx.core.json.Json.decodeValue(s);
          }
          row.put(name, v);
        }
        out.add(new JsonObject(row.encode())); // as JSON holds it: uuids as text, numbers as JSON reads them
      }
    }
    return out;
  }

  public static void main(String[] args) throws Exception {
    Files.createDirectories(DIR);
    Path secrets = Files.createTempDirectory("fixture-secrets");
    JsonObject cfg = TestNode.config();
    NodeConfig.put(cfg, "cluster.secretsDir", secrets.toString());
    NexusNode node = TestNode.start(cfg);
    try {
      new Scenario(new Http(TestNode.port(cfg)), TestNode.adminEmail(cfg)).run();
      Thread.sleep(5_000); // the audit and user-activity subscriptions catch up
      try (Connection c = jdbc(cfg)) {
        write(EVENTS, rows(c, "SELECT " + EVENT_COLUMNS + " FROM eventlog.events ORDER BY position"));
        write(AUDIT, rows(c, "SELECT " + AUDIT_COLUMNS + " FROM security.audit_log ORDER BY seq"));
        write(ACTIVITY, rows(c, "SELECT user_id, logins, last_login_at, changes, last_change_at FROM security.user_activity "
            + "ORDER BY user_id"));
      }
      Files.copy(secrets.resolve(SECRET), DIR.resolve(SECRET), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } finally {
      TestNode.stop(node);
    }
    System.out.println("wrote the fixture under " + DIR.toAbsolutePath());
  }

  private static void write(String file, List<JsonObject> rows) throws IOException {
    var sb = new StringBuilder();
    for (JsonObject r : rows) {
      sb.append(r.encode()).append('\n');
    }
    Files.writeString(DIR.resolve(file), sb.toString(), StandardCharsets.UTF_8);
  }

  /** One of each thing the services record, through the API as a client would do it. */
  private record Scenario(Http http, String adminEmail) {
    static final String PASSWORD = "fixture-password-1";

    JsonObject ok(Http.Resp r, int... statuses) {
      for (int s : statuses) {
        if (r.status() == s) {
          return r.body().isEmpty() ? new JsonObject() : r.json();
        }
      }
      throw new AssertionError(r.toString());
    }

    void run() throws Exception {
      String admin = http.login(adminEmail, TestNode.ADMIN_PASSWORD);
      // organisations and users
      ok(http.post("/api/v1/orgs", new JsonObject().put("name", "Fixture Tenant").put("adminEmail", "tenant-admin@fixture.test")
          .put("adminName", "Tenant Admin").put("adminPassword", PASSWORD), admin), 201);
      var user = ok(http.post("/api/v1/users", new JsonObject().put("email", "ana@fixture.test").put("password", PASSWORD)
          .put("name", "Ana").put("role", "viewer"), admin), 201);
      String id = user.getString("id");
      String path = "/api/v1/users/" + id;
      ok(http.json("PATCH", path, new JsonObject().put("name", "Ana Lyst"), admin, "If-Match", "\"1\""), 200);
      ok(http.json("PUT", path + "/role", new JsonObject().put("role", "analyst"), admin, "If-Match", "\"2\""), 200);
      ok(http.json("POST", path + "/revert", new JsonObject().put("version", 1), admin, "If-Match", "\"3\""), 200);
      String ana = http.login("ana@fixture.test", PASSWORD);
      ok(http.json("PATCH", path, new JsonObject().put("password", "fixture-password-2").put("currentPassword", PASSWORD), ana,
          "If-Match", "\"" + ok(http.get(path, admin), 200).getLong("version") + "\""), 200);
      String again = http.login("ana@fixture.test", "fixture-password-2");
      ok(http.post("/api/v1/auth/logout", null, again), 200, 204);
      http.login("ana@fixture.test", "fixture-password-2");
      ok(http.post(path + "/sessions/end", null, admin), 200);
      // API keys and signing keys
      var key = ok(http.post("/api/v1/api-keys", new JsonObject().put("name", "fixture-ci").put("role", "viewer"), admin), 201);
      ok(http.method("DELETE", "/api/v1/api-keys/" + key.getString("id"), null, null, admin), 200, 204);
      ok(http.post("/api/v1/api-keys", new JsonObject().put("name", "fixture-kept").put("role", "viewer"), admin), 201);
      ok(http.post("/api/v1/admin/keys/rotate", null, admin), 200);
      var bob = ok(http.post("/api/v1/users", new JsonObject().put("email", "bob@fixture.test").put("password", PASSWORD)
          .put("name", "Bob").put("role", "examiner"), admin), 201);
      ok(http.post("/api/v1/users/" + bob.getString("id") + "/disable", null, admin), 200);

      // books
      String l = ok(http.post("/api/v1/ledgers", new JsonObject().put("name", "Fixture Books").put("currency", "EUR"), admin), 201)
          .getString("id");
      for (String[] a : new String[][] {{"1000", "Bank", "asset"}, {"2000", "Payables", "liability"}, {"4000", "Sales",
          "revenue"}, {"6000", "Rent", "expense"}, {"1999", "Suspense", "asset"}}) {
        ok(http.post("/api/v1/ledgers/" + l + "/accounts", new JsonObject().put("code", a[0]).put("name", a[1])
            .put("type", a[2]), admin), 201);
      }
      String first = null;
      String[][] payments = {{"2025-03-03", "Kestrel", "4312.50", "INV-7"}, {"2025-03-05", "Kestrel", "4312.50", "INV-7"},
          {"2025-03-08", "Granite", "9900.00", null}, {"2025-04-07", "Granite", "5000.00", "INV-9"},
          {"2025-04-08", "Small", "12.00", null}};
      for (String[] p : payments) {
        var body = new JsonObject().put("bookingDate", p[0]).put("description", "Payment").put("counterparty", p[1])
            .put("lines", new JsonArray()
                .add(new JsonObject().put("account", "2000").put("debit", p[2]).put("currency", "EUR"))
                .add(new JsonObject().put("account", "1000").put("credit", p[2]).put("currency", "EUR")));
        if (p[3] != null) {
          body.put("documentNumber", p[3]);
        }
        String e = ok(http.post("/api/v1/ledgers/" + l + "/entries", body, admin), 201).getString("id");
        first = first == null ? e : first;
      }
      ok(http.post("/api/v1/ledgers/" + l + "/entries/" + first + "/reverse", new JsonObject().put("reason", "posted twice"),
          admin), 201);
      // imports: one completed, one rejected
      String header = "entry,date,account,debit,credit,currency,description,counterparty,document\n";
      String good = header + "A1,2025-05-02,6000,800.00,,EUR,May rent,Landlord,R-5\nA1,2025-05-02,1000,,800.00,EUR,May rent,"
          + "Landlord,R-5\n";
      String bad = header + "B1,2025-05-03,6000,10.00,,EUR,Broken,X,\nB1,2025-05-03,1000,,9.00,EUR,Broken,X,\n";
      for (String csv : List.of(good, bad)) {
        String imp = ok(http.post("/api/v1/ledgers/" + l + "/imports", new JsonObject().put("format", "csv")
            .put("mode", "all-or-nothing"), admin), 201).getString("id");
        ok(http.method("PUT", "/api/v1/ledgers/" + l + "/imports/" + imp + "/file", "text/csv",
            csv.getBytes(StandardCharsets.UTF_8), admin), 200, 422);
      }
      // an examination with its findings, one of them worked
      String exam = ok(http.post("/api/v1/ledgers/" + l + "/examinations", new JsonObject().put("from", "2025-01-01")
          .put("to", "2025-12-31"), admin), 202).getString("id");
      for (int i = 0; i < 300 && "running".equals(ok(http.get("/api/v1/ledgers/" + l + "/examinations/" + exam, admin), 200)
          .getString("status")); i++) {
        Thread.sleep(100);
      }
      var finding = ok(http.get("/api/v1/ledgers/" + l + "/findings", admin), 200).getJsonArray("findings").getJsonObject(0);
      String f = "/api/v1/ledgers/" + l + "/findings/" + finding.getString("id");
      ok(http.json("PATCH", f, new JsonObject().put("status", "escalated").put("assignee", id).put("tags",
          new JsonArray().add("q1")), admin, "If-Match", "\"1\""), 200);
      ok(http.json("POST", f + "/comments", new JsonObject().put("text", "Asked AP for the invoice."), admin, "If-Match",
          "\"2\""), 201);
      ok(http.json("PATCH", f, new JsonObject().put("status", "confirmed"), admin, "If-Match", "\"3\""), 200);
    }
  }
}

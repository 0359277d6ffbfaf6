package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Bulk import through the API: streamed upload, options, per-line errors, modes, progress, isolation. */
class ImportTest extends NodeSpec {

  static String ledger(String token) {
    var r = http.post("/api/v1/ledgers", new JsonObject().put("name", "Import " + UUID.randomUUID()).put("currency", "EUR"),
        token);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    String id = r.json().getString("id");
    for (String[] a : new String[][] {{"1000", "Bank", "asset"}, {"4000", "Sales", "revenue"}, {"6000", "Rent", "expense"}}) {
      assertThat(http.post("/api/v1/ledgers/" + id + "/accounts", new JsonObject().put("code", a[0]).put("name", a[1])
          .put("type", a[2]), token).status()).isEqualTo(201);
    }
    return id;
  }

  static String create(String token, String ledger, JsonObject options) {
    var r = http.post("/api/v1/ledgers/" + ledger + "/imports", options, token);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    assertThat(r.json().getString("status")).isEqualTo("created");
    return r.json().getString("id");
  }

  static Http.Resp upload(String token, String ledger, String importId, byte[] file) {
    return http.method("PUT", "/api/v1/ledgers/" + ledger + "/imports/" + importId + "/file", "text/csv", file, token);
  }

  private static Http.Resp importCsv(String ledger, String mode, String csv) {
    String id = create(admin, ledger, new JsonObject().put("format", "csv").put("mode", mode));
    return upload(admin, ledger, id, csv.getBytes(StandardCharsets.UTF_8));
  }

  private static long entryCount(String ledger) {
    var page = http.get("/api/v1/ledgers/" + ledger + "/entries?limit=500", admin).json();
    return page.getJsonArray("entries").size();
  }

  private static final String HEADER = "entry,date,account,debit,credit,currency,description,counterparty,document\n";

  @Test
  @DisplayName("a CSV with BOM, ';' delimiter, ',' decimals and mapped headers imports; progress and report are published")
  void csvWithOptions() throws Exception {
    String l = ledger(admin);
    String org = http.get("/api/v1/me", admin).json().getString("org");
    String id = create(admin, l, new JsonObject().put("format", "csv").put("delimiter", ";").put("decimalSeparator", ",")
        .put("mapping", new JsonArray().add(new JsonObject().put("column", "date").put("header", "Buchungsdatum"))
            .add(new JsonObject().put("column", "account").put("header", "Konto"))));
    String csv = "\uFEFFentry;Buchungsdatum;Konto;debit;credit;description;counterparty;document\r\n"
        + "A1;2026-01-05;1000;1250,50;;Invoice 17;\"ACME; Ltd\";INV-17\r\n"
        + "A1;2026-01-05;4000;;1250,50;;;\r\n"
        + "\r\n"
        + "A2;2026-01-06;6000;800;;\"Rent \"\"January\"\"\";Landlord;R-1\r\n"
        + "A2;2026-01-06;1000;;800,00;;;\r\n";
    try (var s = new BridgeTest.Socket(TestNode.port(cfg))) {
      s.register("ui.org." + org + ".imports." + id, admin);
      BridgeTest.awaitListening(s, "ui.org." + org + ".imports." + id, node.vertx());
      var r = upload(admin, l, id, csv.getBytes(StandardCharsets.UTF_8));
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      JsonObject report = r.json();
      assertThat(report.getString("status")).isEqualTo("completed");
      assertThat(report.getLong("rowsDone")).isEqualTo(4);
      assertThat(report.getLong("entriesImported")).isEqualTo(2);
      assertThat(report.getLong("errorCount")).isZero();
      assertThat(report.getString("sha256")).hasSize(64);
      JsonObject progress = s.next("rec");
      assertThat(progress).as("progress on the bridge").isNotNull();
      assertThat(progress.getJsonObject("body").getString("importId")).isEqualTo(id);
      assertThat(progress.getJsonObject("body").getString("status")).isEqualTo("completed");
    }
    var page = http.get("/api/v1/ledgers/" + l + "/entries?counterparty=" + java.net.URLEncoder.encode("ACME; Ltd",
        StandardCharsets.UTF_8), admin).json().getJsonArray("entries");
    assertThat(page).hasSize(1);
    assertThat(page.getJsonObject(0).getString("documentNumber")).isEqualTo("INV-17");
    assertThat(page.getJsonObject(0).getJsonArray("lines").getJsonObject(0).getString("debit")).isEqualTo("1250.50");
    var rent = http.get("/api/v1/ledgers/" + l + "/entries?counterparty=Landlord", admin).json().getJsonArray("entries");
    assertThat(rent.getJsonObject(0).getString("description")).isEqualTo("Rent \"January\"");
    var tb = http.get("/api/v1/ledgers/" + l + "/trial-balance?asOf=2026-12-31", admin).json();
    assertThat(tb.getBoolean("balanced")).isTrue();
    assertThat(tb.getJsonArray("lines").getJsonObject(0).getString("balance")).isEqualTo("450.50");
    assertThat(http.get("/api/v1/ledgers/" + l + "/imports/" + id, admin).json().getString("status")).isEqualTo("completed");
    // a file is uploaded once per import
    assertThat(upload(admin, l, id, csv.getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(409);
  }

  @Test
  @DisplayName("JSON Lines import with numbers and strings as amounts")
  void jsonLines() {
    String l = ledger(admin);
    String id = create(admin, l, new JsonObject().put("format", "jsonl"));
    String jsonl = "{\"entry\":1,\"date\":\"2026-02-01\",\"account\":\"1000\",\"debit\":99.9}\n"
        + "{\"entry\":1,\"date\":\"2026-02-01\",\"account\":\"4000\",\"credit\":\"99.90\",\"counterparty\":\"Bob\"}\n";
    var r = upload(admin, l, id, jsonl.getBytes(StandardCharsets.UTF_8));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.json().getLong("entriesImported")).isEqualTo(1);
    var bad = upload(admin, l, create(admin, l, new JsonObject().put("format", "jsonl")),
        "{\"entry\":1,\"date\":\"2026-02-01\",\"acount\":\"1000\"}\nnot json\n".getBytes(StandardCharsets.UTF_8));
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.json().getJsonArray("errors").getJsonObject(0).getString("message")).contains("unknown field 'acount'");
    assertThat(bad.json().getJsonArray("errors").getJsonObject(1).getLong("line")).isEqualTo(2);
  }

  @Test
  @DisplayName("bad files get per-line errors and, all-or-nothing, import nothing")
  void badFilesAllOrNothing() {
    String l = ledger(admin);
    String csv = HEADER
        + "E1,2026-01-01,1000,100.00,,EUR,good,,\n"           // 2
        + "E1,2026-01-01,4000,,100.00,EUR,good,,\n"           // 3
        + "E2,2026-01-02,1000,-5.00,,EUR,negative,,\n"        // 4
        + "E2,2026-01-02,4000,,5.00,EUR,,,\n"                 // 5
        + "E3,2026-01-03,1000,1.234,,EUR,too precise,,\n"     // 6
        + "E3,2026-01-03,4000,,1.234,EUR,,,\n"                // 7
        + "E4,2026-01-04,9999,10,,EUR,unknown account,,\n"    // 8
        + "E4,2026-01-04,4000,,10,EUR,,,\n"                   // 9
        + "E5,2026-01-05,1000,10,,EUR,unbalanced,,\n"         // 10
        + "E5,2026-01-05,4000,,9.99,EUR,,,\n"                 // 11
        + "E6,2026-13-05,1000,10,,EUR,bad date,,\n"           // 12
        + "E6,2026-13-05,4000,,10,EUR,,,\n"                   // 13
        + "E7,2026-01-07,1000,1.000.00,,EUR,malformed,,\n"    // 14
        + "E7,2026-01-07,4000,,10,XXX,,,\n"                   // 15
        + "E8,2026-01-08,1000,10,,EUR,one line,,\n";          // 16
    var r = importCsv(l, "all-or-nothing", csv);
    assertThat(r.status()).as(r.toString()).isEqualTo(422);
    JsonObject report = r.json();
    assertThat(report.getString("status")).isEqualTo("rejected");
    assertThat(report.getLong("entriesImported")).isZero();
    var errors = report.getJsonArray("errors");
    var byLine = new java.util.TreeMap<Long, String>();
    for (int i = 0; i < errors.size(); i++) {
      byLine.merge(errors.getJsonObject(i).getLong("line"), errors.getJsonObject(i).getString("message"), (a, b) -> a + " | " + b);
    }
    assertThat(byLine.get(4L)).contains("negative");
    assertThat(byLine.get(6L)).contains("EUR has 2 decimals");
    assertThat(byLine.get(8L)).contains("no account 9999");
    assertThat(byLine.get(10L)).contains("does not balance in EUR").contains("lines 10-11");
    assertThat(byLine.get(12L)).contains("expected an ISO date");
    assertThat(byLine.get(14L)).contains("not an amount");
    assertThat(byLine.get(15L)).contains("'XXX' is not an ISO 4217 currency");
    assertThat(byLine.get(16L)).contains("needs at least two");
    assertThat(byLine).doesNotContainKeys(2L, 3L);
    // the API says the same words for the same mistakes: one rule, written once (EntryRules)
    String api = http.post("/api/v1/ledgers/" + l + "/entries", new JsonObject().put("bookingDate", "2026-01-05").put("description", "unbalanced").put("lines",
        new io.vertx.core.json.JsonArray().add(new JsonObject().put("account", "1000").put("debit", "10").put("currency", "EUR"))
            .add(new JsonObject().put("account", "4000").put("credit", "9.99").put("currency", "EUR"))), admin)
        .json().getString("detail");
    assertThat(api).isEqualTo("the entry does not balance in EUR: debits exceed credits by 0.01");
    assertThat(byLine.get(10L)).endsWith("does not balance in EUR: debits exceed credits by 0.01");
    assertThat(entryCount(l)).as("nothing half-imported").isZero();

    // the same file, valid rows only: the one good entry goes in
    var partial = importCsv(l, "valid-rows", csv);
    assertThat(partial.status()).as(partial.toString()).isEqualTo(200);
    assertThat(partial.json().getLong("entriesImported")).isEqualTo(1);
    assertThat(partial.json().getLong("errorCount")).isEqualTo(report.getLong("errorCount"));
    assertThat(entryCount(l)).isEqualTo(1);
  }

  @Test
  @DisplayName("wrong delimiter, bad encoding, a 10 MB line and an empty file are named")
  void unreadableFiles() {
    String l = ledger(admin);
    var semicolons = importCsv(l, "all-or-nothing", HEADER.replace(',', ';') + "E1;2026-01-01;1000;1;;EUR;;;\n");
    assertThat(semicolons.status()).isEqualTo(422);
    assertThat(semicolons.json().getJsonArray("errors").getJsonObject(0).getString("message"))
        .contains("no column entry").contains("is the delimiter ';'?");

    byte[] latin1 = (HEADER + "E1,2026-01-01,1000,1,,EUR,Caf\u00e9,,\nE1,2026-01-01,4000,,1,EUR,,,\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    var encoding = upload(admin, l, create(admin, l, new JsonObject().put("format", "csv")), latin1);
    assertThat(encoding.status()).isEqualTo(422);
    assertThat(encoding.json().getJsonArray("errors").getJsonObject(0).getLong("line")).isEqualTo(2);
    assertThat(encoding.json().getJsonArray("errors").getJsonObject(0).getString("message")).contains("not valid UTF-8");

    var huge = new StringBuilder(HEADER).append("E1,2026-01-01,1000,1,,EUR,");
    huge.append("x".repeat(10 * 1024 * 1024)).append(",,\nE1,2026-01-01,4000,,1,EUR,,,\n");
    var longLine = importCsv(l, "all-or-nothing", huge.toString());
    assertThat(longLine.status()).isEqualTo(422);
    assertThat(longLine.json().getJsonArray("errors").getJsonObject(0).getString("message")).contains("longer than");
    assertThat(longLine.json().getJsonArray("errors").getJsonObject(0).getLong("line")).isEqualTo(2);

    var empty = importCsv(l, "all-or-nothing", "");
    assertThat(empty.status()).isEqualTo(422);
    assertThat(empty.json().getJsonArray("errors").getJsonObject(0).getString("message")).contains("empty");
    assertThat(entryCount(l)).isZero();
  }

  @Test
  @DisplayName("another org's ledger and import are 404; a viewer cannot import (403); bad options are 400")
  void isolationAndRoles() {
    String l = ledger(admin);
    String id = create(admin, l, new JsonObject().put("format", "csv"));
    String email = "imp-" + UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
    assertThat(http.post("/api/v1/orgs", new JsonObject().put("name", "Org " + email).put("adminEmail", email)
        .put("adminName", "B").put("adminPassword", "b-admin-password-1"), admin).status()).isEqualTo(201);
    String other = http.login(email, "b-admin-password-1");
    assertThat(http.get("/api/v1/ledgers/" + l + "/imports/" + id, other).status()).isEqualTo(404);
    assertThat(upload(other, l, id, (HEADER + "E1,2026-01-01,1000,1,,EUR,,,\n").getBytes(StandardCharsets.UTF_8)).status())
        .isEqualTo(404);
    assertThat(http.post("/api/v1/ledgers/" + l + "/imports", new JsonObject().put("format", "csv"), other).status())
        .isEqualTo(404);
    String viewerEmail = "imp-v-" + UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
    http.post("/api/v1/users", new JsonObject().put("email", viewerEmail).put("password", "a-good-long-password")
        .put("name", "V").put("role", "viewer"), admin);
    String viewer = http.login(viewerEmail, "a-good-long-password");
    assertThat(upload(viewer, l, id, HEADER.getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(403);
    var clash = http.post("/api/v1/ledgers/" + l + "/imports", new JsonObject().put("format", "csv").put("delimiter", ",")
        .put("decimalSeparator", ","), admin);
    assertThat(clash.status()).isEqualTo(400);
    assertThat(clash.json().getString("detail")).contains("both ','");
    var multipart = http.method("PUT", "/api/v1/ledgers/" + l + "/imports/" + id + "/file", "multipart/form-data; boundary=x",
        "--x--".getBytes(StandardCharsets.UTF_8), admin);
    assertThat(multipart.status()).isEqualTo(415);
    // the import is untouched by all of that and can still take its file
    assertThat(upload(admin, l, id, (HEADER + "E1,2026-01-01,1000,1,,EUR,,,\nE1,2026-01-01,4000,,1,EUR,,,\n")
        .getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(200);
  }
}

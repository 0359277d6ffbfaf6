package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Examinations as jobs through the API, and findings worked by people with If-Match. */
class ExaminationTest extends NodeSpec {

  private static JsonObject line(String account, String debit, String credit) {
    var l = new JsonObject().put("account", account).put("currency", "EUR");
    return debit != null ? l.put("debit", debit) : l.put("credit", credit);
  }

  private static void pay(String ledger, String date, String cp, String amount) {
    var r = http.post("/api/v1/ledgers/" + ledger + "/entries", new JsonObject().put("bookingDate", date)
        .put("description", "Payment").put("counterparty", cp)
        .put("lines", new JsonArray().add(line("2000", amount, null)).add(line("1000", null, amount))), admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  private static String ledger() {
    String l = ImportTest.ledger(admin);
    assertThat(http.post("/api/v1/ledgers/" + l + "/accounts", new JsonObject().put("code", "2000").put("name", "Payables")
        .put("type", "liability"), admin).status()).isEqualTo(201);
    return l;
  }

  @Test
  @DisplayName("the finding summary counts what the list holds, per rule and severity and per status; viewers read it, "
      + "another organisation gets 404, a bad status 400")
  void findingSummary() throws Exception {
    String l = ledger();
    for (String[] p : new String[][] {{"2025-06-02", "Osprey", "700.00"}, {"2025-06-04", "Osprey", "700.00"},
        {"2025-07-01", "Heron", "1300.00"}, {"2025-07-03", "Heron", "1300.00"}, {"2025-08-02", "Kite", "5000.00"}}) {
      pay(l, p[0], p[1], p[2]);
    }
    String exam = http.post("/api/v1/ledgers/" + l + "/examinations", new JsonObject().put("from", "2025-01-01")
        .put("to", "2025-12-31"), admin).json().getString("id");
    awaitEnd(l, exam);
    var all = http.get("/api/v1/ledgers/" + l + "/findings?limit=500", admin).json().getJsonArray("findings");
    assertThat(all).isNotEmpty();
    var expected = new java.util.TreeMap<String, Long>();
    all.forEach(f -> expected.merge(((JsonObject) f).getString("rule") + "/" + ((JsonObject) f).getString("severity"), 1L, Long::sum));

    var summary = http.get("/api/v1/ledgers/" + l + "/finding-summary", signedIn("viewer"));
    assertThat(summary.status()).as(summary.toString()).isEqualTo(200);
    assertThat(summary.json().getLong("total")).isEqualTo(all.size());
    var got = new java.util.TreeMap<String, Long>();
    summary.json().getJsonArray("counts").forEach(c -> got.put(((JsonObject) c).getString("rule") + "/"
        + ((JsonObject) c).getString("severity"), ((JsonObject) c).getLong("count")));
    assertThat(got).isEqualTo(expected);
    assertThat(http.get("/api/v1/ledgers/" + l + "/finding-summary?status=confirmed", admin).json().getLong("total")).isZero();
    assertThat(http.get("/api/v1/ledgers/" + l + "/finding-summary?status=open", admin).json().getLong("total"))
        .isEqualTo(all.size());

    var bad = http.get("/api/v1/ledgers/" + l + "/finding-summary?status=closed", admin);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("detail")).contains("status");
    assertThat(http.get("/api/v1/ledgers/" + l + "/finding-summary", null).status()).isEqualTo(401);
    var other = http.get("/api/v1/ledgers/" + l + "/finding-summary", tenant().getString("token"));
    assertThat(other.status()).isEqualTo(404);
    assertThat(other.body()).doesNotContain("duplicate-payment");
  }

  private static JsonObject awaitEnd(String ledger, String exam) {
    return org.awaitility.Awaitility.await("examination " + exam + " ends").atMost(java.time.Duration.ofSeconds(30))
        .pollInterval(java.time.Duration.ofMillis(100))
        .until(() -> http.get("/api/v1/ledgers/" + ledger + "/examinations/" + exam, admin).json(),
            v -> !"running".equals(v.getString("status")));
  }

  @Test
  @DisplayName("an examination runs as a job with progress; findings are deterministic: a rerun raises nothing twice")
  void examinationJob() throws Exception {
    // API postings are timed by when they are posted: put the org's clock at about noon, so that the
    // after-hours rule stays quiet whatever time of day the test runs
    int offset = 12 - java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).getHour();
    String zone = offset == 0 ? "Etc/GMT" : "Etc/GMT" + (offset > 0 ? "-" : "+") + Math.abs(offset);
    String previousZone = http.get("/api/v1/examination-settings", admin).json().getString("timezone");
    assertThat(http.json("PUT", "/api/v1/examination-settings", new JsonObject().put("timezone", zone), admin).status())
        .isEqualTo(200);
    try {
      examineAndRerun();
    } finally {
      http.json("PUT", "/api/v1/examination-settings", new JsonObject().put("timezone", previousZone), admin);
    }
  }

  private void examineAndRerun() throws Exception {
    String l = ledger();
    String org = http.get("/api/v1/me", admin).json().getString("org");
    pay(l, "2025-03-03", "Kestrel", "4312.50");
    pay(l, "2025-03-05", "Kestrel", "4312.50");
    pay(l, "2025-04-07", "Granite", "9900.00");
    pay(l, "2025-04-08", "Small", "12.00");
    var start = http.post("/api/v1/ledgers/" + l + "/examinations", new JsonObject().put("from", "2025-01-01")
        .put("to", "2025-12-31"), admin);
    assertThat(start.status()).as(start.toString()).isEqualTo(202);
    String exam = start.json().getString("id");
    assertThat(start.json().getString("status")).isEqualTo("running");
    assertThat(start.json().getInteger("rulesTotal")).isEqualTo(11);
    var end = awaitEnd(l, exam);
    assertThat(end.getString("status")).isEqualTo("completed");
    assertThat(end.getInteger("rulesDone")).isEqualTo(11);
    assertThat(end.getInteger("findingsNew")).isEqualTo(2);

    var page = http.get("/api/v1/ledgers/" + l + "/findings?examinationId=" + exam, admin).json().getJsonArray("findings");
    assertThat(page.stream().map(f -> ((JsonObject) f).getString("rule")).toList())
        .containsExactlyInAnyOrder("duplicate-payment", "below-threshold");
    // a page at a time: the cursor of the first page leads to the other finding, and no further
    var first = http.get("/api/v1/ledgers/" + l + "/findings?limit=1", admin).json();
    assertThat(first.getJsonArray("findings")).hasSize(1);
    var nextPage = http.get("/api/v1/ledgers/" + l + "/findings?limit=1&cursor=" + first.getString("next"), admin).json();
    assertThat(nextPage.getJsonArray("findings")).hasSize(1);
    assertThat(nextPage.getJsonArray("findings").getJsonObject(0).getString("id"))
        .isNotEqualTo(first.getJsonArray("findings").getJsonObject(0).getString("id"));
    assertThat(nextPage.getString("next")).isNull();
    // most severe first, a page at a time; a cursor of one order is refused by the other
    var severe = http.get("/api/v1/ledgers/" + l + "/findings?sort=severity&limit=1", admin).json();
    var severeNext = http.get("/api/v1/ledgers/" + l + "/findings?sort=severity&limit=1&cursor=" + severe.getString("next"),
        admin).json();
    JsonObject one = severe.getJsonArray("findings").getJsonObject(0);
    JsonObject two = severeNext.getJsonArray("findings").getJsonObject(0);
    System.out.printf("by severity: %s %s %.2f, then %s %s %.2f%n", one.getString("rule"), one.getString("severity"),
        one.getDouble("score"), two.getString("rule"), two.getString("severity"), two.getDouble("score"));
    var ranks = java.util.List.of("low", "medium", "high");
    assertThat(ranks.indexOf(one.getString("severity"))).isGreaterThanOrEqualTo(ranks.indexOf(two.getString("severity")));
    if (one.getString("severity").equals(two.getString("severity"))) {
      assertThat(one.getDouble("score")).isGreaterThanOrEqualTo(two.getDouble("score"));
    }
    assertThat(severeNext.getString("next")).isNull();
    var mixed = http.get("/api/v1/ledgers/" + l + "/findings?sort=severity&cursor=" + first.getString("next"), admin);
    assertThat(mixed.status()).isEqualTo(400);
    assertThat(mixed.json().getString("detail")).contains("cursor");
    assertThat(http.get("/api/v1/ledgers/" + l + "/findings?sort=oldest", admin).status()).isEqualTo(400);
    var dup = http.get("/api/v1/ledgers/" + l + "/findings?rule=duplicate-payment", admin).json().getJsonArray("findings")
        .getJsonObject(0);
    assertThat(dup.getJsonArray("entryIds")).hasSize(2);
    assertThat(dup.getString("explanation")).contains("Kestrel").contains("4312.50");
    assertThat(dup.getString("status")).isEqualTo("open");

    // again, with progress watched on the bridge: the same findings are found, none raised twice
    try (var s = new BridgeTest.Socket(TestNode.port(cfg))) {
      var again = http.post("/api/v1/ledgers/" + l + "/examinations", new JsonObject().put("from", "2025-01-01")
          .put("to", "2025-12-31").put("rules", new JsonArray().add("duplicate-payment").add("below-threshold")), admin).json();
      s.register("ui.org." + org + ".examinations." + again.getString("id"), admin);
      var second = awaitEnd(l, again.getString("id"));
      assertThat(second.getInteger("findingsNew")).isZero();
      assertThat(second.getInteger("findingsExisting")).isEqualTo(2);
    }
    assertThat(http.get("/api/v1/ledgers/" + l + "/findings", admin).json().getJsonArray("findings")).hasSize(2);
    // org isolation
    String email = "exam-" + UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
    assertThat(http.post("/api/v1/orgs", new JsonObject().put("name", "Org " + email).put("adminEmail", email)
        .put("adminName", "B").put("adminPassword", "b-admin-password-1"), admin).status()).isEqualTo(201);
    String other = http.login(email, "b-admin-password-1");
    assertThat(http.get("/api/v1/ledgers/" + l + "/findings/" + dup.getString("id"), other).status()).isEqualTo(404);
    assertThat(http.get("/api/v1/ledgers/" + l + "/examinations/" + exam, other).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("findings change with If-Match: 428 without, 412 with the current finding when stale; roles decide who may do what")
  void workingFindings() throws Exception {
    String l = ledger();
    pay(l, "2025-06-02", "Osprey", "700.00");
    pay(l, "2025-06-04", "Osprey", "700.00");
    String exam = http.post("/api/v1/ledgers/" + l + "/examinations", new JsonObject().put("from", "2025-01-01")
        .put("to", "2025-12-31").put("rules", new JsonArray().add("duplicate-payment")), admin).json().getString("id");
    awaitEnd(l, exam);
    var f = http.get("/api/v1/ledgers/" + l + "/findings", admin).json().getJsonArray("findings").getJsonObject(0);
    String path = "/api/v1/ledgers/" + l + "/findings/" + f.getString("id");
    var got = http.get(path, admin);
    assertThat(got.header("ETag")).isEqualTo("\"1\"");
    assertThat(got.json().getJsonArray("history").getJsonObject(0).getString("summary")).startsWith("raised");

    assertThat(http.json("PATCH", path, new JsonObject().put("status", "escalated"), admin).status()).isEqualTo(428);
    String analyst = signedIn("analyst");
    var escalated = http.json("PATCH", path, new JsonObject().put("status", "escalated").put("assignee", "ana")
        .put("tags", new JsonArray().add("q2").add("vendor")), analyst, "If-Match", "\"1\"");
    assertThat(escalated.status()).as(escalated.toString()).isEqualTo(200);
    assertThat(escalated.header("ETag")).isEqualTo("\"2\"");
    // a second person who still saw version 1
    var stale = http.json("PATCH", path, new JsonObject().put("status", "dismissed"), admin, "If-Match", "\"1\"");
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.json().getJsonObject("current").getString("status")).isEqualTo("escalated");
    assertThat(stale.json().getJsonObject("current").getString("assignee")).isEqualTo("ana");
    // an analyst may not confirm; an examiner may
    assertThat(http.json("PATCH", path, new JsonObject().put("status", "confirmed"), analyst, "If-Match", "\"2\"").status())
        .isEqualTo(403);
    var comment = http.json("POST", path + "/comments", new JsonObject().put("text", "Same invoice paid twice; asked AP."),
        analyst, "If-Match", "\"2\"");
    assertThat(comment.status()).as(comment.toString()).isEqualTo(201);
    var confirmed = http.json("PATCH", path, new JsonObject().put("status", "confirmed"), admin, "If-Match", "\"3\"");
    assertThat(confirmed.status()).isEqualTo(200);
    var done = confirmed.json();
    assertThat(done.getString("status")).isEqualTo("confirmed");
    assertThat(done.getJsonArray("tags")).containsExactly("q2", "vendor");
    assertThat(done.getJsonArray("comments").getJsonObject(0).getString("text")).isEqualTo("Same invoice paid twice; asked AP.");
    assertThat(done.getJsonArray("history").stream().map(h -> ((JsonObject) h).getString("summary")).toList())
        .anyMatch(s -> s.contains("status open → escalated")).anyMatch(s -> s.startsWith("commented"))
        .anyMatch(s -> s.contains("status escalated → confirmed"));
    // every change is in the audit chain, in order, by the people who made it
    JsonArray audit = org.awaitility.Awaitility.await("four audited changes").atMost(java.time.Duration.ofSeconds(10))
        .pollInterval(java.time.Duration.ofMillis(100))
        .until(() -> http.get("/api/v1/audit?entity=finding-" + f.getString("id"), admin).json().getJsonArray("entries"),
            a -> a.size() >= 4);
    assertThat(audit.stream().map(e -> ((JsonObject) e).getString("action")).toList()).containsExactly(
        "financial.finding-changed", "financial.finding-commented", "financial.finding-changed", "financial.finding-raised");
    String viewer = signedIn("viewer");
    assertThat(http.json("PATCH", path, new JsonObject().put("status", "open"), viewer, "If-Match", "\"4\"").status())
        .isEqualTo(403);
    // the examiner's decision stands against analysts: no reopening, no re-tagging; comments still go
    var reopen = http.json("PATCH", path, new JsonObject().put("status", "open"), analyst, "If-Match", "\"4\"");
    assertThat(reopen.status()).isEqualTo(403);
    assertThat(reopen.json().getString("detail")).contains("only an examiner");
    assertThat(http.json("PATCH", path, new JsonObject().put("tags", new JsonArray().add("x")), analyst, "If-Match", "\"4\"")
        .status()).isEqualTo(403);
    assertThat(http.get("/api/v1/ledgers/" + l + "/findings?status=confirmed&assignee=ana", viewer).json()
        .getJsonArray("findings")).hasSize(1);
  }

  @Test
  @DisplayName("thresholds are per organisation; a running examination can be cancelled between rules")
  void settingsAndCancel() throws Exception {
    var defaults = http.get("/api/v1/examination-settings", admin).json();
    assertThat(defaults.getString("approvalThreshold")).isEqualTo("10000");
    var changed = http.json("PUT", "/api/v1/examination-settings", new JsonObject().put("approvalThreshold", "5000.00")
        .put("holidays", new JsonArray().add("2025-12-25")), admin);
    assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
    assertThat(changed.json().getString("approvalThreshold")).isEqualTo("5000.00");
    assertThat(changed.json().getInteger("duplicateWindowDays")).isEqualTo(7);
    // the change is in the log, so in the audit trail: who set which thresholds, at which version
    String orgId = http.get("/api/v1/me", admin).json().getString("org");
    String stream = io.nexus.contracts.financial.Financial.RULE_SETTINGS_CHANGED.stream(orgId);
    org.awaitility.Awaitility.await("audited").atMost(java.time.Duration.ofSeconds(10))
        .until(() -> http.get("/api/v1/audit?entity=" + stream, admin).json().getJsonArray("entries").stream()
            .map(JsonObject.class::cast).anyMatch(e -> "5000.00".equals(e.getJsonObject("data").getString("approvalThreshold"))));
    var audited = http.get("/api/v1/audit?entity=" + stream, admin).json().getJsonArray("entries").stream()
        .map(JsonObject.class::cast).filter(e -> "5000.00".equals(e.getJsonObject("data").getString("approvalThreshold")))
        .findFirst().orElseThrow();
    assertThat(audited.getString("action")).isEqualTo("financial.rule-settings-changed");
    assertThat(audited.getString("actor")).isEqualTo(http.get("/api/v1/me", admin).json().getString("id"));
    assertThat(audited.getJsonObject("data").getLong("version")).isEqualTo(changed.json().getLong("version"));
    // a viewer may read the thresholds but not change them, and a refused change writes nothing
    String viewer = signedIn("viewer");
    assertThat(http.get("/api/v1/examination-settings", viewer).status()).isEqualTo(200);
    var refused = http.json("PUT", "/api/v1/examination-settings", new JsonObject().put("approvalThreshold", "1.00"), viewer);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(http.get("/api/v1/examination-settings", admin).json().getString("approvalThreshold")).isEqualTo("5000.00");
    var bad = http.json("PUT", "/api/v1/examination-settings", new JsonObject().put("businessHoursStart", "20:00"), admin);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("detail")).contains("businessHoursStart");
    http.json("PUT", "/api/v1/examination-settings", new JsonObject().put("approvalThreshold", "10000"), admin);

    // enough entries that the rules take a moment
    String l = ledger();
    String id = ImportTest.create(admin, l, new JsonObject().put("format", "csv"));
    var imported = ImportTest.upload(admin, l, id, new io.nexus.financial.demo.SyntheticCsv(60_000).readAllBytes());
    assertThat(imported.status()).as(imported.toString()).isEqualTo(200);
    String exam = http.post("/api/v1/ledgers/" + l + "/examinations", new JsonObject(), admin).json().getString("id");
    var cancel = http.post("/api/v1/ledgers/" + l + "/examinations/" + exam + "/cancel", new JsonObject(), admin);
    assertThat(cancel.status()).as(cancel.toString()).isEqualTo(200);
    var end = awaitEnd(l, exam);
    assertThat(end.getString("status")).isEqualTo("cancelled");
    assertThat(end.getInteger("rulesDone")).isLessThan(end.getInteger("rulesTotal"));
  }
}

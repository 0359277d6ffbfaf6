package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.financial.Financial.EntryView;
import io.nexus.contracts.predictive.Predictive.ModelKind;
import io.nexus.predictive.risk.FeatureHistory;
import io.nexus.predictive.risk.Payment;
import io.nexus.predictive.risk.RiskModel;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Risk scoring through a running node: entries posted through the API are read into risk by the
 * Predictive service's durable subscription; a model trained on them and promoted scores them
 * (the old ones in the background, new ones as they are posted), raises risk-score findings in
 * Financial, and is replaced and rolled back through the registry.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RiskTest extends NodeSpec {
  private static final String[] SUPPLIERS = {"Kestrel", "Granite", "Osprey", "Birch", "Lumen", "Harbor", "Cedar", "Quill"};
  private static final int ORDINARY = 400;
  private static String ledger;
  private static String examiner;
  private static String viewer;
  private static final List<String> planted = new ArrayList<>();
  private static String forest;
  private static String logistic;

  @BeforeAll
  static void books() {
    examiner = signedIn("examiner");
    viewer = signedIn("viewer");
    var r = http.post("/api/v1/ledgers", new JsonObject().put("name", "Risky " + UUID.randomUUID()).put("currency", "EUR"), admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    ledger = r.json().getString("id");
    for (String[] a : new String[][] {{"1000", "Bank", "asset"}, {"5000", "Supplies", "expense"}, {"5100", "Rent", "expense"},
        {"1900", "Suspense", "asset"}}) {
      assertThat(http.post("/api/v1/ledgers/" + ledger + "/accounts", new JsonObject().put("code", a[0]).put("name", a[1])
          .put("type", a[2]), admin).status()).isEqualTo(201);
    }
    // suppliers paid their usual amounts (each its own level) from the bank, on weekdays, with consecutive documents
    var random = new Random(7);
    LocalDate day = LocalDate.of(2025, 1, 6);
    for (int i = 0; i < ORDINARY; i++) {
      int s = random.nextInt(SUPPLIERS.length);
      double amount = (200 + 150 * s) * Math.exp(0.15 * random.nextGaussian());
      while (day.getDayOfWeek().getValue() > 5) {
        day = day.plusDays(1);
      }
      post(day, SUPPLIERS[s], "INV-" + (10_000 + i), amount, s == 0 && i % 40 == 0 ? "5100" : "5000", "1000");
      if (i % 4 == 3) {
        day = day.plusDays(1);
      }
    }
  }

  private static String post(LocalDate date, String counterparty, String document, double amount, String debit, String credit) {
    String value = String.format(Locale.ROOT, "%.2f", amount);
    var lines = new JsonArray().add(new JsonObject().put("account", debit).put("debit", value).put("currency", "EUR"))
        .add(new JsonObject().put("account", credit).put("credit", value).put("currency", "EUR"));
    var body = new JsonObject().put("bookingDate", date.toString()).put("description", "payment").put("lines", lines)
        .put("documentNumber", document);
    if (counterparty != null) {
      body.put("counterparty", counterparty);
    }
    var e = http.post("/api/v1/ledgers/" + ledger + "/entries", body, admin);
    assertThat(e.status()).as(e.toString()).isEqualTo(201);
    return e.json().getString("id");
  }

  private static JsonObject awaitModel(String id, String state) {
    return Awaitility.await("model " + id + " " + state).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> http.get("/api/v1/models/" + id, examiner).json(), m -> state.equals(m.getString("state")));
  }

  private static JsonObject awaitRisk(String entry, int version) {
    return Awaitility.await("entry " + entry + " scored by v" + version).atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> http.get("/api/v1/ledgers/" + ledger + "/entries/" + entry + "/risk", viewer),
            r -> r.status() == 200 && r.json().getInteger("modelVersion") == version).json();
  }

  @Test
  @Order(1)
  @DisplayName("before any model is active an entry has no score (404); a viewer cannot train (403); bad requests name the field")
  void noModelYet() {
    String first = http.get("/api/v1/ledgers/" + ledger + "/entries?limit=1", admin).json().getJsonArray("entries")
        .getJsonObject(0).getString("id");
    var none = http.get("/api/v1/ledgers/" + ledger + "/entries/" + first + "/risk", viewer);
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.json().getString("detail")).contains("no risk score");
    var refused = http.post("/api/v1/models", new JsonObject().put("ledgerId", ledger).put("kind", "isolation-forest"), viewer);
    assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
    assertThat(http.get("/api/v1/models", admin).json().getJsonArray("models")).isEmpty();

    var badKind = http.post("/api/v1/models", new JsonObject().put("ledgerId", ledger).put("kind", "neural-net"), examiner);
    assertThat(badKind.status()).isEqualTo(400);
    assertThat(badKind.json().getString("detail")).contains("kind");
    var badDate = http.post("/api/v1/models", new JsonObject().put("ledgerId", ledger).put("kind", "isolation-forest")
        .put("from", "2025-13-01"), examiner);
    assertThat(badDate.status()).isEqualTo(400);
    assertThat(badDate.json().getString("detail")).contains("from");
    var backwards = http.post("/api/v1/models", new JsonObject().put("ledgerId", ledger).put("kind", "isolation-forest")
        .put("from", "2025-06-01").put("to", "2025-01-01"), examiner);
    assertThat(backwards.status()).isEqualTo(400);
    var unknown = http.post("/api/v1/models", new JsonObject().put("ledgerId", UUID.randomUUID().toString())
        .put("kind", "isolation-forest"), examiner);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(http.get("/api/v1/ledgers/" + ledger + "/risks?entryIds=nonsense", viewer).status()).isEqualTo(400);
    assertThat(http.get("/api/v1/ledgers/" + ledger + "/entries/not-an-id/risk", viewer).status()).isEqualTo(404);
    assertThat(http.get("/api/v1/ledgers/" + ledger + "/entries/" + first + "/risk", null).status()).isEqualTo(401);
  }

  @Test
  @Order(2)
  @DisplayName("an isolation forest trains as a job on every entry read, is promoted, scores the old entries and each new one "
      + "within moments of its commit; planted entries raise risk-score findings")
  void trainPromoteScore() {
    // the subscription reads entries a moment after their commit: train once it has read them all
    Awaitility.await("every entry read").atMost(Duration.ofSeconds(30)).until(() -> http.get("/api/v1/ledgers/" + ledger
        + "/risk-status", viewer).json().getLong("entriesRead") == ORDINARY);
    var r = http.post("/api/v1/models", new JsonObject().put("ledgerId", ledger).put("kind", "isolation-forest"), examiner);
    assertThat(r.status()).as(r.toString()).isEqualTo(202);
    assertThat(r.json().getString("state")).isEqualTo("training");
    forest = r.json().getString("id");
    JsonObject m = awaitModel(forest, "trained");
    assertThat(m.getInteger("version")).isEqualTo(1);
    assertThat(m.getLong("rows")).isEqualTo(ORDINARY);
    assertThat(m.getDouble("threshold")).isBetween(0.3, 1.0);
    assertThat(m.getBoolean("active")).isFalse();
    assertThat(m.getJsonArray("parameters").encode()).contains("trees");

    // a viewer may not promote; another organisation does not see the model
    assertThat(http.post("/api/v1/models/" + forest + "/promote", new JsonObject(), viewer).status()).isEqualTo(403);
    JsonObject other = tenant();
    assertThat(http.get("/api/v1/models/" + forest, other.getString("token")).status()).isEqualTo(404);
    assertThat(http.post("/api/v1/models/" + forest + "/promote", new JsonObject(), other.getString("token")).status())
        .isEqualTo(404);
    assertThat(http.get("/api/v1/models", other.getString("token")).json().getJsonArray("models")).isEmpty();
    assertThat(http.post("/api/v1/models", new JsonObject().put("ledgerId", ledger).put("kind", "isolation-forest"),
        other.getString("token")).status()).isEqualTo(404);

    var promoted = http.post("/api/v1/models/" + forest + "/promote", new JsonObject(), examiner);
    assertThat(promoted.status()).as(promoted.toString()).isEqualTo(200);
    assertThat(promoted.json().getBoolean("active")).isTrue();

    // the entries read before are scored in the background
    var page = http.get("/api/v1/ledgers/" + ledger + "/entries?limit=5", viewer).json().getJsonArray("entries");
    String old = page.getJsonObject(0).getString("id");
    JsonObject risk = awaitRisk(old, 1);
    assertThat(risk.getString("modelId")).isEqualTo(forest);
    assertThat(risk.getDouble("score")).isBetween(0.0, 1.0);
    assertThat(risk.getDouble("threshold")).isEqualTo(m.getDouble("threshold"));
    var ids = new ArrayList<String>();
    page.forEach(o -> ids.add(((JsonObject) o).getString("id")));
    Awaitility.await("a page of scores").atMost(Duration.ofSeconds(30)).until(() -> http.get("/api/v1/ledgers/" + ledger
        + "/risks?entryIds=" + String.join(",", ids), viewer).json().getJsonArray("risks").size() == ids.size());
    // another organisation reads no score of this ledger
    assertThat(http.get("/api/v1/ledgers/" + ledger + "/entries/" + old + "/risk", other.getString("token")).status())
        .isEqualTo(404);
    assertThat(http.get("/api/v1/ledgers/" + ledger + "/risks?entryIds=" + old, other.getString("token")).json()
        .getJsonArray("risks")).isEmpty();

    // planted: 20x a supplier's norm on a Sunday, a new counterparty paid a large amount, an unusual account pair
    var latencies = new ArrayList<Long>();
    LocalDate sunday = LocalDate.of(2025, 6, 1);
    String[][] plants = {{"Kestrel", "5000", "1000", "4000"}, {"Nightjar Holdings", "5000", "1000", "25000"},
        {"Granite", "5000", "5100", "9000"}};
    for (int i = 0; i < plants.length; i++) {
      String id = post(sunday, plants[i][0], "X-" + (900 + i * 37), Double.parseDouble(plants[i][3]), plants[i][1], plants[i][2]);
      long posted = System.nanoTime();
      JsonObject s = awaitRisk(id, 1);
      latencies.add((System.nanoTime() - posted) / 1_000_000);
      planted.add(id);
      assertThat(s.getDouble("score")).as("planted " + Arrays.toString(plants[i]) + ": " + s).isGreaterThan(s.getDouble("threshold"));
      assertThat(s.getJsonArray("factors")).isNotEmpty();
    }
    // ordinary entries posted now are scored too
    for (int i = 0; i < 10; i++) {
      String id = post(LocalDate.of(2025, 6, 2 + i % 5), SUPPLIERS[i % SUPPLIERS.length], "INV-" + (20_000 + i),
          (200 + 150 * (i % SUPPLIERS.length)), "5000", "1000");
      long posted = System.nanoTime();
      awaitRisk(id, 1);
      latencies.add((System.nanoTime() - posted) / 1_000_000);
    }
    latencies.sort(Long::compare);
    System.out.printf(Locale.ROOT, "RISK commit-to-score (API response to score readable, polled every 20 ms): p50 %d ms, "
        + "max %d ms over %d entries%n", latencies.get(latencies.size() / 2), latencies.get(latencies.size() - 1), latencies.size());

    // the planted entries are risk-score findings in Financial, named by their entry
    JsonArray findings = Awaitility.await("risk-score findings").atMost(Duration.ofSeconds(30))
        .until(() -> http.get("/api/v1/ledgers/" + ledger + "/findings?rule=risk-score&limit=500", viewer).json()
            .getJsonArray("findings"), f -> planted.stream().allMatch(p -> f.encode().contains(p)));
    JsonObject one = findings.stream().map(o -> (JsonObject) o)
        .filter(f -> f.getJsonArray("entryIds").contains(planted.get(0))).findFirst().orElseThrow();
    assertThat(one.getString("examinationId")).isNull();
    assertThat(one.getString("explanation")).contains("Model v1");
    assertThat(one.getJsonArray("figures").encode()).contains("score").contains("model-version");
  }

  @Test
  @Order(3)
  @DisplayName("every entry read is scored exactly once per model, and a replay of the log with the same model gives the same scores")
  void exactlyOnceAndReplay() throws Exception {
    long entries = ORDINARY + 13;
    Awaitility.await("all scored").atMost(Duration.ofSeconds(60)).until(() -> count(
        "SELECT count(*) FROM predictive.scores WHERE ledger_id = '" + ledger + "'::uuid AND model_id = '" + forest + "'::uuid")
        == entries);
    assertThat(count("SELECT count(*) FROM predictive.payments WHERE ledger_id = '" + ledger + "'::uuid")).isEqualTo(entries);
    assertThat(count("SELECT count(*) FROM (SELECT entry_id FROM predictive.scores GROUP BY entry_id, model_id "
        + "HAVING count(*) > 1) d")).isZero();

    // the replay: this ledger's entry-posted events in log order, features from scratch, the stored model
    Map<String, Double> stored = new HashMap<>();
    RiskModel model;
    var history = new FeatureHistory();
    int replayed = 0;
    int same = 0;
    try (var c = LogFixture.jdbc(cfg); var st = c.createStatement()) {
      try (var rs = st.executeQuery("SELECT entry_id, score FROM predictive.scores WHERE model_id = '" + forest + "'::uuid")) {
        while (rs.next()) {
          stored.put(rs.getString(1), rs.getDouble(2));
        }
      }
      try (var rs = st.executeQuery("SELECT body FROM predictive.models WHERE id = '" + forest + "'::uuid")) {
        rs.next();
        model = RiskModel.fromBytes(ModelKind.ISOLATION_FOREST, rs.getBytes(1));
      }
      try (var rs = st.executeQuery("SELECT data FROM eventlog.events WHERE type = '" + Financial.ENTRY_POSTED.name() + "' "
          + "AND data->>'ledgerId' = '" + ledger + "' ORDER BY tx_id::text::bigint, position")) {
        while (rs.next()) {
          EntryView e = Financial.ENTRY_POSTED.decode(new JsonObject(rs.getString(1)));
          Payment p = Payment.of(e);
          double score = model.score(history.features(p)).score();
          history.add(p);
          replayed++;
          if (stored.get(e.id()) == score) {
            same++;
          }
        }
      }
    }
    System.out.printf(Locale.ROOT, "RISK replay: %d of %d entries scored identically from the log with model v1%n", same, replayed);
    assertThat(replayed).isEqualTo(entries);
    assertThat(same).isEqualTo(replayed);
  }

  @Test
  @Order(4)
  @DisplayName("a logistic model learns from confirmed and dismissed findings, is promoted, rolled back; rollback past the first is 409")
  void supervisedAndRollback() {
    // analysts decide: the planted entries' findings confirmed, every other risk-score finding dismissed
    JsonArray findings = http.get("/api/v1/ledgers/" + ledger + "/findings?rule=risk-score&limit=500", viewer).json()
        .getJsonArray("findings");
    int dismissed = 0;
    for (Object o : findings) {
      JsonObject f = (JsonObject) o;
      boolean risky = planted.contains(f.getJsonArray("entryIds").getString(0));
      dismissed += risky ? 0 : 1;
      var u = http.json("PATCH", "/api/v1/ledgers/" + ledger + "/findings/" + f.getString("id"),
          new JsonObject().put("status", risky ? "confirmed" : "dismissed"), examiner, "If-Match", "\"" + f.getLong("version") + "\"");
      assertThat(u.status()).as(u.toString()).isEqualTo(200);
    }
    // the forest's threshold leaves 1 % of its training entries above it: some ordinary ones, to dismiss
    assertThat(dismissed).as("ordinary entries the forest flagged").isPositive();
    var r = http.post("/api/v1/models", new JsonObject().put("ledgerId", ledger).put("kind", "logistic"), examiner);
    assertThat(r.status()).as(r.toString()).isEqualTo(202);
    logistic = r.json().getString("id");
    JsonObject m = awaitModel(logistic, "trained");
    assertThat(m.getInteger("version")).isEqualTo(2);
    assertThat(m.getLong("rows")).isEqualTo(findings.size());
    assertThat(m.getJsonArray("metrics").encode()).contains("confirmed").contains("dismissed");

    assertThat(http.post("/api/v1/models/" + logistic + "/promote", new JsonObject().put("threshold", 0.5), examiner).status())
        .isEqualTo(200);
    JsonObject v2 = awaitRisk(planted.get(1), 2);
    assertThat(v2.getString("modelId")).isEqualTo(logistic);
    var list = http.get("/api/v1/models", viewer).json().getJsonArray("models");
    assertThat(list.getJsonObject(0).getString("id")).isEqualTo(logistic);
    assertThat(list.getJsonObject(0).getBoolean("active")).isTrue();
    assertThat(list.getJsonObject(1).getBoolean("active")).isFalse();

    assertThat(http.post("/api/v1/models/rollback", new JsonObject(), viewer).status()).isEqualTo(403);
    var back = http.post("/api/v1/models/rollback", new JsonObject(), examiner);
    assertThat(back.status()).as(back.toString()).isEqualTo(200);
    assertThat(back.json().getString("id")).isEqualTo(forest);
    assertThat(awaitRisk(planted.get(1), 1).getString("modelId")).isEqualTo(forest);
    var again = http.post("/api/v1/models/rollback", new JsonObject(), examiner);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getString("detail")).contains("nothing to roll back to");

    // the registry's changes are in the audit trail, by who made them; the scores' batches by the service
    String audit = Awaitility.await("audited").atMost(Duration.ofSeconds(20)).until(() -> http.get("/api/v1/audit?entity=model-"
        + forest + "&limit=50", admin).body(), b -> b.contains("predictive.model-promoted") && b.contains("predictive.model-trained"));
    assertThat(audit).contains("predictive.model-promoted");
    assertThat(http.get("/api/v1/audit?entity=ledger-risk-" + ledger + "&limit=5", admin).body())
        .contains("predictive.entry-scored").contains("service:predictive");
        // a failed training is a model in state failed, with its reason: a logistic model with no decisions in the period
    var empty = http.post("/api/v1/models", new JsonObject().put("ledgerId", ledger).put("kind", "logistic")
        .put("from", "2024-01-01").put("to", "2024-12-31"), examiner);
    JsonObject failed = awaitModel(empty.json().getString("id"), "failed");
    assertThat(failed.getString("error")).contains("no entries");
    assertThat(http.post("/api/v1/models/" + failed.getString("id") + "/promote", new JsonObject(), examiner).status())
        .isEqualTo(409);
  }

  @Test
  @Order(5)
  @DisplayName("raise-findings takes only a service in the ledger's organisation, only rules no examination runs, only the ledger's entries")
  void raiseFindingsRefusesOthers() {
    String org = http.get("/api/v1/me", admin).json().getString("org");
    var bus = io.nexus.kernel.bus.Bus.on(node.vertx(), 5000);
    String entry = planted.get(0);
    var finding = new Financial.ExternalFinding(Financial.RuleId.RISK_SCORE, entry, Financial.Severity.HIGH, 0.9, "t", "e",
        List.of(entry), List.of(), null);
    java.util.function.BiFunction<io.nexus.contracts.Principal, Financial.RaiseFindings, Integer> send =
        (who, req) -> status(bus, Financial.RAISE_FINDINGS, req, who);
    var service = io.nexus.contracts.Principal.service("predictive", org, io.nexus.contracts.Role.EXAMINER);
    // a person, even an admin of the organisation, is refused
    var person = new io.nexus.contracts.Principal("someone", org, io.nexus.contracts.Role.ADMIN, null);
    assertThat(send.apply(person, new Financial.RaiseFindings(ledger, List.of(finding)))).isEqualTo(403);
    // a service in another organisation does not see the ledger
    var elsewhere = io.nexus.contracts.Principal.service("predictive", UUID.randomUUID().toString(),
        io.nexus.contracts.Role.EXAMINER);
    assertThat(send.apply(elsewhere, new Financial.RaiseFindings(ledger, List.of(finding)))).isEqualTo(404);
    // an examination's rule is the examination's to raise
    var forged = new Financial.ExternalFinding(Financial.RuleId.DUPLICATE_PAYMENT, entry, Financial.Severity.HIGH, 1, "t", "e",
        List.of(entry), List.of(), null);
    assertThat(send.apply(service, new Financial.RaiseFindings(ledger, List.of(forged)))).isEqualTo(400);
    // an entry of another ledger
    var stranger = new Financial.ExternalFinding(Financial.RuleId.RISK_SCORE, "k", Financial.Severity.LOW, 0.8, "t", "e",
        List.of(UUID.randomUUID().toString()), List.of(), null);
    assertThat(send.apply(service, new Financial.RaiseFindings(ledger, List.of(stranger)))).isEqualTo(422);
    // a finding with no evidence at all: neither an entry nor a document
    var empty = new Financial.ExternalFinding(Financial.RuleId.RISK_SCORE, "k", Financial.Severity.LOW, 0.8, "t", "e",
        List.of(), List.of(), null);
    assertThat(send.apply(service, new Financial.RaiseFindings(ledger, List.of(empty)))).isEqualTo(400);
    // import-entries answers only in the ledger's organisation, and only for the ledger's imports
    var pages = new Financial.ImportEntriesQuery(ledger, UUID.randomUUID().toString(), null, null);
    java.util.function.Function<io.nexus.contracts.Principal, Integer> page = who -> status(bus, Financial.IMPORT_ENTRIES, pages, who);
    assertThat(page.apply(elsewhere)).isEqualTo(404);
    assertThat(page.apply(service)).isEqualTo(404);
        // the same finding again raises nothing new
    int before = http.get("/api/v1/ledgers/" + ledger + "/findings?rule=risk-score&limit=500", viewer).json()
        .getJsonArray("findings").size();
    assertThat(send.apply(service, new Financial.RaiseFindings(ledger, List.of(finding)))).isEqualTo(200);
    assertThat(http.get("/api/v1/ledgers/" + ledger + "/findings?rule=risk-score&limit=500", viewer).json()
        .getJsonArray("findings")).hasSize(before);
  }

  @Test
  @Order(6)
  @DisplayName("an import's entries, which arrive without an entry-posted event each, are read and scored too; risk-status says when")
  void importedEntriesScored() {
    JsonObject before = http.get("/api/v1/ledgers/" + ledger + "/risk-status", viewer).json();
    assertThat(before.getInteger("activeModelVersion")).isEqualTo(1);
    var csv = new StringBuilder("entry,date,account,debit,credit,currency,description,counterparty,document\n");
    int n = 60;
    for (int i = 0; i < n; i++) {
      String amount = String.format(Locale.ROOT, "%.2f", 350 + 10.0 * (i % 7));
      String date = LocalDate.of(2025, 7, 1).plusDays(i / 3).toString();
      csv.append("I").append(i).append(',').append(date).append(",5000,").append(amount).append(",,EUR,imported,Granite,IMP-")
          .append(i).append('\n').append("I").append(i).append(',').append(date).append(",1000,,").append(amount)
          .append(",EUR,imported,Granite,IMP-").append(i).append('\n');
    }
    var created = http.post("/api/v1/ledgers/" + ledger + "/imports", new JsonObject().put("format", "csv"), admin);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    var done = http.method("PUT", "/api/v1/ledgers/" + ledger + "/imports/" + created.json().getString("id") + "/file",
        "text/csv", csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), admin);
    assertThat(done.status()).as(done.toString()).isEqualTo(200);
    assertThat(done.json().getLong("entriesImported")).isEqualTo(n);
    JsonObject after = Awaitility.await("the import read and scored").atMost(Duration.ofSeconds(60))
        .until(() -> http.get("/api/v1/ledgers/" + ledger + "/risk-status", viewer).json(),
            st -> st.getLong("importsPending") == 0 && st.getLong("entriesRead") == before.getLong("entriesRead") + n
                && st.getLong("scored").equals(st.getLong("entriesRead")));
    assertThat(after.getString("lastReadAt")).isNotNull();
    // another organisation reads nothing of this ledger's risk
    JsonObject other = tenant();
    assertThat(http.get("/api/v1/ledgers/" + ledger + "/risk-status", other.getString("token")).json().getLong("entriesRead"))
        .isZero();
    assertThat(http.get("/api/v1/ledgers/not-a-ledger/risk-status", viewer).status()).isIn(400, 404);
  }

  @Test
  @Order(7)
  @DisplayName("a one-class SVM trains through the registry too; promoted, it scores the planted entries above its threshold")
  void oneClassSvm() {
    var r = http.post("/api/v1/models", new JsonObject().put("ledgerId", ledger).put("kind", "one-class-svm"), examiner);
    assertThat(r.status()).as(r.toString()).isEqualTo(202);
    JsonObject m = awaitModel(r.json().getString("id"), "trained");
    assertThat(m.getString("kind")).isEqualTo("one-class-svm");
    assertThat(m.getJsonArray("parameters").encode()).contains("nu").contains("kernel-rbf-gamma");
    assertThat(http.post("/api/v1/models/" + m.getString("id") + "/promote", new JsonObject(), examiner).status()).isEqualTo(200);
    for (String p : planted) {
      JsonObject s = awaitRisk(p, m.getInteger("version"));
      assertThat(s.getDouble("score")).as("planted " + p + ": " + s).isGreaterThan(s.getDouble("threshold"));
    }
  }

  /** The status a request over the bus gets as {@code who}: 200, or its failure's. */
  private static <Q, R> int status(io.nexus.kernel.bus.Bus bus, io.nexus.contracts.Endpoint<Q, R> endpoint, Q request,
      io.nexus.contracts.Principal who) {
    try {
      bus.request(endpoint, request, io.nexus.kernel.bus.Call.edge(null, null, who)).await(10, java.util.concurrent.TimeUnit.SECONDS);
      return 200;
    } catch (io.nexus.kernel.bus.BusFailure f) {
      return f.code().status();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}

package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.vision.demo.Receipts;
import io.nexus.vision.demo.Receipts.Item;
import io.nexus.vision.demo.Receipts.Layout;
import io.nexus.vision.demo.Receipts.Receipt;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Reconciliation on a real node: invoices rendered, uploaded and read by the real Tesseract, a
 * ledger's entries posted through the API, with planted mismatches — a payment without a
 * document, a document without a payment, amounts off by 0.01 and by 100, an invoice naming
 * another bank account than its vendor's earlier ones, the same receipt submitted twice (a
 * re-compressed copy). Matches follow as documents and entries arrive; the job over the period
 * finds every planted case as a finding in Financial, with precision and recall printed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReconciliationTest extends NodeSpec {
  private static final Duration ANALYSED_WITHIN = Duration.ofSeconds(120);
  private static final List<String> RULES = List.of("document-without-entry", "entry-without-document", "amount-mismatch",
      "iban-mismatch", "duplicate-claim");
  private static String analyst;
  private static String examiner;
  private static String viewer;
  private static String ledger;
  /** The planted cases: rule → the finding's key (a document, an entry, or two documents). */
  private static final Set<String> truth = new HashSet<>();
  private static final Map<String, String> docs = new HashMap<>();
  private static final Map<String, String> entries = new HashMap<>();
  private static Receipt late;

  private static Receipt invoice(Receipt vendor, LocalDate date, String number, String... prices) {
    var items = new ArrayList<Item>();
    for (String p : prices) {
      items.add(new Item("Consulting hours", new BigDecimal(p)));
    }
    return new Receipt(vendor.vendor(), vendor.street(), vendor.city(), date, number, vendor.vatId(), vendor.iban(), List.copyOf(items),
        "EUR", false, Layout.INVOICE, "DejaVu Sans", false);
  }

  private static String upload(String name, byte[] bytes) {
    var up = http.upload("/api/v1/documents", name + ".png", bytes, analyst, "ledgerId", ledger);
    assertThat(up.status()).as(up.toString()).isEqualTo(202);
    docs.put(name, up.json().getString("id"));
    return up.json().getString("id");
  }

  private static String pay(String name, LocalDate date, String counterparty, String number, BigDecimal amount) {
    String value = amount.toPlainString();
    var lines = new JsonArray().add(new JsonObject().put("account", "5000").put("debit", value).put("currency", "EUR"))
        .add(new JsonObject().put("account", "1000").put("credit", value).put("currency", "EUR"));
    var body = new JsonObject().put("bookingDate", date.toString()).put("description", "payment").put("lines", lines)
        .put("counterparty", counterparty);
    if (number != null) {
      body.put("documentNumber", number);
    }
    var e = http.post("/api/v1/ledgers/" + ledger + "/entries", body, admin);
    assertThat(e.status()).as(e.toString()).isEqualTo(201);
    entries.put(name, e.json().getString("id"));
    return e.json().getString("id");
  }

  private static JsonObject analysed(String id) {
    return Awaitility.await("document " + id + " analysed").atMost(ANALYSED_WITHIN).pollInterval(Duration.ofMillis(250))
        .until(() -> http.get("/api/v1/documents/" + id, viewer).json(), d -> d.getString("status").equals("analysed")
            || d.getString("status").equals("failed"));
  }

  @BeforeAll
  static void books() {
    analyst = signedIn("analyst");
    examiner = signedIn("examiner");
    viewer = signedIn("viewer");
    var r = http.post("/api/v1/ledgers", new JsonObject().put("name", "Reconciled " + UUID.randomUUID()).put("currency", "EUR"), admin);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    ledger = r.json().getString("id");
    for (String[] a : new String[][] {{"1000", "Bank", "asset"}, {"5000", "Supplies", "expense"}}) {
      assertThat(http.post("/api/v1/ledgers/" + ledger + "/accounts", new JsonObject().put("code", a[0]).put("name", a[1])
          .put("type", a[2]), admin).status()).isEqualTo(201);
    }
    var rnd = new Random(14);
    Receipt nordwind = Receipts.random(rnd, Layout.INVOICE);
    Receipt acme = Receipts.random(rnd, Layout.INVOICE);
    while (acme.vendor().equals(nordwind.vendor())) {
      acme = Receipts.random(rnd, Layout.INVOICE);
    }
    Receipt third = Receipts.random(rnd, Layout.INVOICE);
    while (third.vendor().equals(nordwind.vendor()) || third.vendor().equals(acme.vendor())) {
      third = Receipts.random(rnd, Layout.INVOICE);
    }
    LocalDate d = LocalDate.of(2025, 3, 3);
    // the vendor's usual invoices, paid as billed
    Receipt first = invoice(nordwind, d, "INV-2025-00101", "812.50", "240.00");
    Receipt second = invoice(nordwind, d.plusDays(20), "INV-2025-00102", "1300.00", "18.40");
    // another bank account on the vendor's third invoice
    Receipt diverted = invoice(nordwind, d.plusDays(41), "INV-2025-00103", "2100.00", "64.10").withIban(Receipts.iban(rnd));
    // paid 0.01 too much, and 100 too little
    Receipt cent = invoice(acme, d.plusDays(5), "INV-2025-00311", "455.25", "99.99");
    Receipt hundred = invoice(acme, d.plusDays(33), "INV-2025-00312", "1720.00", "310.35");
    // a document nothing pays
    Receipt unpaid = invoice(third, d.plusDays(12), "INV-2025-00777", "640.00", "33.30");
    // a receipt paid once and submitted twice
    Receipt twice = invoice(third, d.plusDays(26), "INV-2025-00778", "385.00", "12.95");
    late = invoice(third, d.plusDays(50), "INV-2025-00779", "920.00", "7.70");

    // some payments are booked before their documents arrive, some after
    pay("first", first.date().plusDays(2), nordwind.vendor(), first.invoiceNumber(), first.total());
    pay("second", second.date().plusDays(3), nordwind.vendor() + " GmbH", second.invoiceNumber(), second.total());
    pay("cent", cent.date().plusDays(1), acme.vendor().toUpperCase(Locale.ROOT), cent.invoiceNumber(),
        cent.total().add(new BigDecimal("0.01")));
    upload("first", DocumentFiles.png(Receipts.render(first)));
    upload("second", DocumentFiles.png(Receipts.render(second)));
    upload("cent", DocumentFiles.png(Receipts.render(cent)));
    upload("hundred", DocumentFiles.png(Receipts.render(hundred)));
    upload("unpaid", DocumentFiles.png(Receipts.render(unpaid)));
    BufferedImage twiceImage = Receipts.render(twice);
    upload("twice", DocumentFiles.png(twiceImage));
    analysed(docs.get("first"));
    analysed(docs.get("second"));
    analysed(docs.get("twice"));
    upload("diverted", DocumentFiles.png(Receipts.render(diverted)));
    upload("twice-copy", DocumentFiles.jpeg(twiceImage, 0.6f));
    pay("hundred", hundred.date().plusDays(4), acme.vendor(), hundred.invoiceNumber(), hundred.total().subtract(new BigDecimal("100")));
    pay("diverted", diverted.date().plusDays(1), nordwind.vendor(), diverted.invoiceNumber(), diverted.total());
    pay("twice", twice.date().plusDays(2), third.vendor(), twice.invoiceNumber(), twice.total());
    // a payment above the threshold with no document, and a small one that needs none
    pay("no-document", d.plusDays(18), "Harbour Removals", "HR-4471", new BigDecimal("1480.00"));
    pay("petty", d.plusDays(19), "Corner Kiosk", null, new BigDecimal("12.80"));
    for (String name : List.of("cent", "hundred", "unpaid", "diverted", "twice-copy")) {
      analysed(docs.get(name));
    }
    truth.add("document-without-entry:" + docs.get("unpaid"));
    truth.add("entry-without-document:" + entries.get("no-document"));
    truth.add("amount-mismatch:" + docs.get("cent"));
    truth.add("amount-mismatch:" + docs.get("hundred"));
    truth.add("iban-mismatch:" + docs.get("diverted"));
    String a = docs.get("twice");
    String b = docs.get("twice-copy");
    truth.add("duplicate-claim:" + (a.compareTo(b) < 0 ? a + ":" + b : b + ":" + a));
  }

  private static JsonArray visionFindings() {
    var out = new JsonArray();
    for (String rule : RULES) {
      http.get("/api/v1/ledgers/" + ledger + "/findings?rule=" + rule + "&limit=500", viewer).json().getJsonArray("findings")
          .forEach(out::add);
    }
    return out;
  }

  /** A finding as rule:key, its key read back from its evidence (a document, an entry, or two documents). */
  private static String key(JsonObject f) {
    String rule = f.getString("rule");
    var documents = f.getJsonArray("documentIds", new JsonArray());
    if (rule.equals("entry-without-document")) {
      return rule + ":" + f.getJsonArray("entryIds").getString(0);
    }
    if (rule.equals("duplicate-claim")) {
      var ids = new ArrayList<String>();
      documents.forEach(o -> ids.add((String) o));
      ids.sort(null);
      return rule + ":" + String.join(":", ids);
    }
    return rule + ":" + documents.getString(0);
  }

  @Test
  @Order(1)
  @DisplayName("as documents and entries arrive they are matched (matches on the document, vision.match-found in the log); "
      + "an amount that differs is a finding before any job runs")
  void matchesFollowArrivals() {
    // the payment booked before its document, and the one booked after
    for (String name : List.of("first", "hundred")) {
      JsonObject doc = Awaitility.await("document " + name + " matched").atMost(Duration.ofSeconds(30))
          .until(() -> http.get("/api/v1/documents/" + docs.get(name), viewer).json(), j -> !j.getJsonArray("matches").isEmpty());
      JsonObject m = doc.getJsonArray("matches").getJsonObject(0);
      assertThat(m.getString("entryId")).isEqualTo(entries.get(name));
      assertThat(m.getDouble("score")).isBetween(0.5, 1.0);
    }
    JsonObject hundred = http.get("/api/v1/documents/" + docs.get("hundred"), viewer).json();
    assertThat(hundred.getJsonArray("matches").getJsonObject(0).getString("difference")).isEqualTo("100.00");
    assertThat(count("SELECT count(*) FROM eventlog.events WHERE type = 'vision.match-found' AND data ->> 'documentId' = '"
        + docs.get("first") + "'")).isEqualTo(1);
    Awaitility.await("amount-mismatch raised as they arrive").atMost(Duration.ofSeconds(30)).until(() -> {
      var keys = new HashSet<String>();
      visionFindings().forEach(o -> keys.add(key((JsonObject) o)));
      return keys.contains("amount-mismatch:" + docs.get("cent")) && keys.contains("amount-mismatch:" + docs.get("hundred"));
    });
    // nothing absent is claimed before a job has seen the whole period
    var early = visionFindings().stream().map(o -> ((JsonObject) o).getString("rule")).toList();
    assertThat(early).doesNotContain("document-without-entry", "entry-without-document");
  }

  @Test
  @Order(2)
  @DisplayName("a viewer or an analyst cannot start a reconciliation (403), another organisation's ledger is 404, "
      + "a backwards or malformed period is 400 and starts nothing")
  void refusals() {
    var body = new JsonObject().put("from", "2025-01-01").put("to", "2025-12-31");
    assertThat(http.post("/api/v1/ledgers/" + ledger + "/reconciliations", body, viewer).status()).isEqualTo(403);
    assertThat(http.post("/api/v1/ledgers/" + ledger + "/reconciliations", body, analyst).status()).isEqualTo(403);
    assertThat(http.post("/api/v1/ledgers/" + ledger + "/reconciliations", body, null).status()).isEqualTo(401);
    JsonObject other = tenant();
    var foreign = http.post("/api/v1/ledgers/" + ledger + "/reconciliations", body, other.getString("token"));
    assertThat(foreign.status()).as(foreign.toString()).isEqualTo(404);
    var backwards = http.post("/api/v1/ledgers/" + ledger + "/reconciliations", new JsonObject().put("from", "2025-06-01")
        .put("to", "2025-01-01"), examiner);
    assertThat(backwards.status()).isEqualTo(400);
    assertThat(backwards.json().getString("detail")).contains("to");
    var malformed = http.post("/api/v1/ledgers/" + ledger + "/reconciliations", new JsonObject().put("from", "2025-13-01")
        .put("to", "2025-12-31"), examiner);
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().getString("detail")).contains("from");
    var missing = http.post("/api/v1/ledgers/" + ledger + "/reconciliations", new JsonObject().put("from", "2025-01-01"), examiner);
    assertThat(missing.status()).isEqualTo(400);
    var tooLong = http.post("/api/v1/ledgers/" + ledger + "/reconciliations", new JsonObject().put("from", "2000-01-01")
        .put("to", "2025-12-31"), examiner);
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(count("SELECT count(*) FROM vision.reconciliations WHERE ledger_id = '" + ledger + "'")).isZero();
    assertThat(http.get("/api/v1/ledgers/" + ledger + "/reconciliations/" + UUID.randomUUID(), viewer).status()).isEqualTo(404);
  }

  @Test
  @Order(3)
  @DisplayName("the job over the period finds every planted case as a finding in Financial — precision and recall printed — "
      + "and another organisation cannot read it")
  void theJobFindsEveryPlantedCase() {
    var started = http.post("/api/v1/ledgers/" + ledger + "/reconciliations", new JsonObject().put("from", "2025-03-01")
        .put("to", "2025-04-30"), examiner);
    assertThat(started.status()).as(started.toString()).isEqualTo(202);
    assertThat(started.json().getString("status")).isEqualTo("running");
    String job = started.json().getString("id");
    JsonObject done = Awaitility.await("reconciliation " + job).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> http.get("/api/v1/ledgers/" + ledger + "/reconciliations/" + job, viewer).json(),
            j -> !j.getString("status").equals("running"));
    assertThat(done.getString("status")).as(done.encode()).isEqualTo("completed");
    assertThat(done.getInteger("documents")).isEqualTo(8);
    assertThat(done.getInteger("entries")).isEqualTo(entries.size());
    assertThat(done.getInteger("matched")).isEqualTo(6);
    assertThat(http.get("/api/v1/ledgers/" + ledger + "/reconciliations/" + job, tenant().getString("token")).status())
        .isEqualTo(404);

    JsonArray findings = Awaitility.await("every planted case a finding").atMost(Duration.ofSeconds(30))
        .until(ReconciliationTest::visionFindings, f -> {
          var keys = new HashSet<String>();
          f.forEach(o -> keys.add(key((JsonObject) o)));
          return keys.containsAll(truth);
        });
    var found = new HashSet<String>();
    findings.forEach(o -> found.add(key((JsonObject) o)));
    for (String rule : RULES) {
      long planted = truth.stream().filter(t -> t.startsWith(rule + ":")).count();
      long reported = found.stream().filter(t -> t.startsWith(rule + ":")).count();
      long right = found.stream().filter(t -> t.startsWith(rule + ":") && truth.contains(t)).count();
      System.out.printf(Locale.ROOT, "reconciliation (node, real OCR) %-22s planted %d found %d precision %.2f recall %.2f%n", rule,
          planted, reported, reported == 0 ? 1.0 : (double) right / reported, planted == 0 ? 1.0 : (double) right / planted);
    }
    long right = found.stream().filter(truth::contains).count();
    System.out.printf(Locale.ROOT, "reconciliation (node, real OCR) overall: precision %.2f recall %.2f%n",
        (double) right / found.size(), (double) right / truth.size());
    assertThat(found).as("findings (documents: %s, entries: %s)", docs, entries).containsExactlyInAnyOrderElementsOf(truth);
    JsonObject diverted = findings.stream().map(o -> (JsonObject) o).filter(f -> f.getString("rule").equals("iban-mismatch"))
        .findFirst().orElseThrow();
    assertThat(diverted.getString("severity")).isEqualTo("high");
    assertThat(diverted.getString("explanation")).contains("other documents");
    // another organisation sees none of it
    assertThat(http.get("/api/v1/ledgers/" + ledger + "/findings?rule=amount-mismatch", tenant().getString("token")).status())
        .isEqualTo(404);

    // a second run finds the same and raises nothing twice
    var again = http.post("/api/v1/ledgers/" + ledger + "/reconciliations", new JsonObject().put("from", "2025-03-01")
        .put("to", "2025-04-30"), examiner);
    assertThat(again.status()).isEqualTo(202);
    Awaitility.await("second reconciliation").atMost(Duration.ofSeconds(60)).until(() -> http.get("/api/v1/ledgers/" + ledger
        + "/reconciliations/" + again.json().getString("id"), viewer).json().getString("status"), "completed"::equals);
    Awaitility.await("outbox drained").atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM vision.finding_outbox "
        + "WHERE state = 'pending'") == 0);
    assertThat(visionFindings().size()).isEqualTo(findings.size());
  }

  @Test
  @Order(4)
  @DisplayName("a document arriving after its payment is matched at once, and the payment is no longer without a document")
  void aLateDocumentIsMatched() {
    String entry = pay("late", late.date().plusDays(1), late.vendor(), late.invoiceNumber(), late.total());
    String doc = upload("late", DocumentFiles.png(Receipts.render(late)));
    analysed(doc);
    JsonObject d = Awaitility.await("late document matched").atMost(Duration.ofSeconds(30))
        .until(() -> http.get("/api/v1/documents/" + doc, viewer).json(), j -> !j.getJsonArray("matches").isEmpty());
    assertThat(d.getJsonArray("matches").getJsonObject(0).getString("entryId")).isEqualTo(entry);
    assertThat(d.getJsonArray("matches").getJsonObject(0).getString("difference")).isNull();
  }
}

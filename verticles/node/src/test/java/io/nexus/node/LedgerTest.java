package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The Financial Examiner's ledger through the API: accounts, balanced entries, reversal, trial balance. */
class LedgerTest extends NodeSpec {

  private static String ledger(String token, String currency) {
    var r = http.post("/api/v1/ledgers", new JsonObject().put("name", "Books " + UUID.randomUUID()).put("currency", currency), token);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    String id = r.json().getString("id");
    account(token, id, "1000", "Bank", "asset");
    account(token, id, "4000", "Sales", "revenue");
    account(token, id, "6000", "Rent", "expense");
    return id;
  }

  private static void account(String token, String ledger, String code, String name, String type) {
    var r = http.post("/api/v1/ledgers/" + ledger + "/accounts", new JsonObject().put("code", code).put("name", name)
        .put("type", type), token);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  private static JsonObject line(String account, String debit, String credit, String currency) {
    var l = new JsonObject().put("account", account).put("currency", currency);
    if (debit != null) {
      l.put("debit", debit);
    }
    if (credit != null) {
      l.put("credit", credit);
    }
    return l;
  }

  private static Http.Resp post(String token, String ledger, String date, JsonObject... lines) {
    return http.post("/api/v1/ledgers/" + ledger + "/entries", new JsonObject().put("bookingDate", date)
        .put("description", "test entry").put("counterparty", "ACME").put("documentNumber", "INV-1")
        .put("lines", new JsonArray(java.util.List.of((Object[]) lines))), token);
  }

  @Test
  @DisplayName("a balanced entry is posted and read back in the currency's scale; the trial balance balances")
  void postAndTrialBalance() {
    String l = ledger(admin, "EUR");
    var sale = post(admin, l, "2026-03-01", line("1000", "1250.5", null, "EUR"), line("4000", null, "1250.50", "EUR"));
    assertThat(sale.status()).as(sale.toString()).isEqualTo(201);
    var rent = post(admin, l, "2026-03-05", line("6000", "800", null, "EUR"), line("1000", null, "800.00", "EUR"));
    assertThat(rent.status()).isEqualTo(201);
    var read = http.get("/api/v1/ledgers/" + l + "/entries/" + sale.json().getString("id"), admin).json();
    assertThat(read.getJsonArray("lines").getJsonObject(0).getString("debit")).isEqualTo("1250.50");

    var tb = http.get("/api/v1/ledgers/" + l + "/trial-balance?asOf=2026-03-31", admin).json();
    assertThat(tb.getBoolean("balanced")).isTrue();
    var bank = tb.getJsonArray("lines").getJsonObject(0);
    assertThat(bank.getString("account")).isEqualTo("1000");
    assertThat(bank.getString("balance")).isEqualTo("450.50");
    var early = http.get("/api/v1/ledgers/" + l + "/trial-balance?asOf=2026-03-02", admin).json();
    assertThat(early.getJsonArray("lines").getJsonObject(0).getString("balance")).isEqualTo("1250.50");
  }

  @Test
  @DisplayName("unbalanced, one-sided, over-precise, negative amounts and unknown accounts are refused with 422 naming the line; nothing is written")
  void refusals() {
    String l = ledger(admin, "EUR");
    var unbalanced = post(admin, l, "2026-03-01", line("1000", "100.00", null, "EUR"), line("4000", null, "99.99", "EUR"));
    assertThat(unbalanced.status()).isEqualTo(422);
    assertThat(unbalanced.json().getString("detail")).contains("does not balance in EUR");
    var both = post(admin, l, "2026-03-01", new JsonObject().put("account", "1000").put("debit", "1").put("credit", "1")
        .put("currency", "EUR"), line("4000", null, "1", "EUR"));
    assertThat(both.status()).isEqualTo(422);
    assertThat(both.json().getString("detail")).contains("lines[0]");
    var precise = post(admin, l, "2026-03-01", line("1000", "1.005", null, "EUR"), line("4000", null, "1.005", "EUR"));
    assertThat(precise.status()).isEqualTo(422);
    assertThat(precise.json().getString("detail")).contains("EUR has 2 decimals");
    var yen = post(admin, l, "2026-03-01", line("1000", "10.5", null, "JPY"), line("4000", null, "10.5", "JPY"));
    assertThat(yen.status()).isEqualTo(422);
    var unknown = post(admin, l, "2026-03-01", line("1000", "5", null, "EUR"), line("9999", null, "5", "EUR"));
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(unknown.json().getString("detail")).contains("lines[1].account").contains("9999");
    var negative = post(admin, l, "2026-03-01", line("1000", "-5", null, "EUR"), line("4000", null, "-5", "EUR"));
    assertThat(negative.status()).isEqualTo(400);
    assertThat(http.get("/api/v1/ledgers/" + l + "/trial-balance", admin).json().getJsonArray("lines")).isEmpty();
  }

  @Test
  @DisplayName("a reversal posts the opposite entry once; a second reversal is 409")
  void reversal() {
    String l = ledger(admin, "EUR");
    String id = post(admin, l, "2026-03-01", line("6000", "300", null, "EUR"), line("1000", null, "300", "EUR")).json()
        .getString("id");
    var rev = http.post("/api/v1/ledgers/" + l + "/entries/" + id + "/reverse", new JsonObject().put("reason", "duplicate"),
        admin);
    assertThat(rev.status()).as(rev.toString()).isEqualTo(201);
    assertThat(rev.json().getString("reverses")).isEqualTo(id);
    assertThat(rev.json().getJsonArray("lines").getJsonObject(0).getString("credit")).isEqualTo("300.00");
    assertThat(http.get("/api/v1/ledgers/" + l + "/entries/" + id, admin).json().getString("reversedBy"))
        .isEqualTo(rev.json().getString("id"));
    assertThat(http.post("/api/v1/ledgers/" + l + "/entries/" + id + "/reverse", null, admin).status()).isEqualTo(409);
    var tb = http.get("/api/v1/ledgers/" + l + "/trial-balance", admin).json();
    for (Object o : tb.getJsonArray("lines")) {
      assertThat(((JsonObject) o).getString("balance")).isEqualTo("0.00");
    }
  }

  @Test
  @DisplayName("a user of org A cannot read or post to org B's ledger (404); a viewer cannot post (403)")
  void isolationAndRoles() {
    String l = ledger(admin, "EUR");
    String email = "fin-" + UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
    assertThat(http.post("/api/v1/orgs", new JsonObject().put("name", "Org " + email).put("adminEmail", email)
        .put("adminName", "B").put("adminPassword", "b-admin-password-1"), admin).status()).isEqualTo(201);
    String other = http.login(email, "b-admin-password-1");
    assertThat(http.get("/api/v1/ledgers/" + l + "/trial-balance", other).status()).isEqualTo(404);
    assertThat(post(other, l, "2026-03-01", line("1000", "1", null, "EUR"), line("4000", null, "1", "EUR")).status())
        .isEqualTo(404);
    assertThat(http.get("/api/v1/ledgers", other).json().getJsonArray("ledgers")).isEmpty();

    String viewerEmail = "fin-v-" + UUID.randomUUID().toString().substring(0, 8) + "@nexus.test";
    http.post("/api/v1/users", new JsonObject().put("email", viewerEmail).put("password", "a-good-long-password")
        .put("name", "V").put("role", "viewer"), admin);
    String viewer = http.login(viewerEmail, "a-good-long-password");
    assertThat(post(viewer, l, "2026-03-01", line("1000", "1", null, "EUR"), line("4000", null, "1", "EUR")).status())
        .isEqualTo(403);
    assertThat(http.get("/api/v1/ledgers/" + l + "/trial-balance", viewer).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("statements on generated entries: assets = liabilities + equity + current result to the cent, per currency; "
      + "the income statement's result is the same")
  void statementsBalance() {
    String l = ledger(admin, "EUR");
    account(admin, l, "1200", "Receivables", "asset");
    account(admin, l, "2000", "Payables", "liability");
    account(admin, l, "3000", "Capital", "equity");
    String[] accounts = {"1000", "1200", "2000", "3000", "4000", "6000"};
    var rnd = new java.util.Random(42);
    for (int i = 0; i < 40; i++) {
      String debit = accounts[rnd.nextInt(accounts.length)];
      String credit;
      do {
        credit = accounts[rnd.nextInt(accounts.length)];
      } while (credit.equals(debit));
      String currency = i % 5 == 0 ? "USD" : "EUR";
      String amount = java.math.BigDecimal.valueOf(1 + rnd.nextInt(1_000_000), 2).toPlainString();
      var r = post(admin, l, "2026-0" + (1 + i % 6) + "-1" + (i % 9), line(debit, amount, null, currency),
          line(credit, null, amount, currency));
      assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }
    var sheet = http.get("/api/v1/ledgers/" + l + "/balance-sheet?to=2026-12-31", admin).json();
    assertThat(sheet.getBoolean("balanced")).isTrue();
    var income = http.get("/api/v1/ledgers/" + l + "/income-statement?to=2026-12-31", admin).json();
    for (String currency : new String[] {"EUR", "USD"}) {
      java.math.BigDecimal assets = total(sheet, "assets", currency);
      java.math.BigDecimal right = total(sheet, "liabilities", currency).add(total(sheet, "equity", currency))
          .add(total(sheet, "current result", currency));
      assertThat(assets).as(currency).isEqualByComparingTo(right);
      assertThat(total(income, "result", currency)).isEqualByComparingTo(total(sheet, "current result", currency));
    }
  }

  private static java.math.BigDecimal total(JsonObject statement, String section, String currency) {
    for (Object o : statement.getJsonArray("sections")) {
      JsonObject s = (JsonObject) o;
      if (s.getString("name").equals(section) && s.getString("currency").equals(currency)) {
        assertThat(s.getString("total")).matches("-?\\d+\\.\\d{2}");
        return new java.math.BigDecimal(s.getString("total"));
      }
    }
    throw new AssertionError("no section " + section + " in " + currency);
  }

  @Test
  @DisplayName("search filters by account, counterparty, amount and text, pages with a stable cursor; history shows the running balance")
  void searchAndHistory() {
    String l = ledger(admin, "EUR");
    for (int i = 1; i <= 12; i++) {
      var body = new JsonObject().put("bookingDate", "2026-04-" + (10 + i)).put("description", i % 3 == 0 ? "Office rent" : "Sale")
          .put("counterparty", i % 2 == 0 ? "Globex" : "Initech").put("documentNumber", "DOC-" + i)
          .put("lines", new JsonArray().add(line("1000", i + "00", null, "EUR")).add(line(i % 3 == 0 ? "6000" : "4000", null,
              i + "00", "EUR")));
      assertThat(http.post("/api/v1/ledgers/" + l + "/entries", body, admin).status()).isEqualTo(201);
    }
    String base = "/api/v1/ledgers/" + l + "/entries";
    assertThat(http.get(base + "?account=6000", admin).json().getJsonArray("entries")).hasSize(4);
    assertThat(http.get(base + "?counterparty=glob", admin).json().getJsonArray("entries")).hasSize(6);
    assertThat(http.get(base + "?minAmount=500&maxAmount=800", admin).json().getJsonArray("entries")).hasSize(4);
    assertThat(http.get(base + "?text=rent", admin).json().getJsonArray("entries")).hasSize(4);
    assertThat(http.get(base + "?text=DOC-11", admin).json().getJsonArray("entries")).hasSize(1);

    var seen = new java.util.ArrayList<String>();
    String cursor = null;
    do {
      var page = http.get(base + "?limit=5" + (cursor == null ? "" : "&cursor=" + cursor), admin).json();
      page.getJsonArray("entries").forEach(e -> seen.add(((JsonObject) e).getString("bookingDate")));
      cursor = page.getString("next");
    } while (cursor != null);
    assertThat(seen).hasSize(12).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(http.get(base + "?cursor=garbage", admin).status()).isEqualTo(400);

    var history = http.get("/api/v1/ledgers/" + l + "/accounts/1000/history?from=2026-04-20", admin).json()
        .getJsonArray("points");
    // 100 + 200 + ... + 1200 = 7800 by 04-22; the first point shown is 04-20: 100 + ... + 1000 = 5500
    assertThat(history.getJsonObject(0).getString("date")).isEqualTo("2026-04-20");
    assertThat(history.getJsonObject(0).getString("balance")).isEqualTo("5500.00");
    assertThat(history.getJsonObject(history.size() - 1).getString("balance")).isEqualTo("7800.00");
    assertThat(http.get("/api/v1/ledgers/" + l + "/accounts/9999/history", admin).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("Benford's law over the ledger counts leading digits of line amounts of at least 10, per account, with a verdict")
  void benford() {
    String l = ledger(admin, "EUR");
    assertThat(post(admin, l, "2026-05-01", line("1000", "123.45", null, "EUR"), line("4000", null, "123.45", "EUR")).status())
        .isEqualTo(201);
    assertThat(post(admin, l, "2026-05-02", line("6000", "50", null, "EUR"), line("1000", null, "50", "EUR")).status())
        .isEqualTo(201);
    assertThat(post(admin, l, "2026-05-03", line("6000", "9.99", null, "EUR"), line("1000", null, "9.99", "EUR")).status())
        .isEqualTo(201);
    var base = "/api/v1/ledgers/" + l + "/benford";
    var report = http.get(base, admin).json();
    assertThat(report.getLong("sampleSize")).isEqualTo(4);
    assertThat(report.getString("conformity")).isEqualTo("insufficient-data");
    assertThat(report.getJsonArray("buckets").getJsonObject(0).getLong("observed")).isEqualTo(2);
    assertThat(report.getJsonArray("buckets").getJsonObject(4).getLong("observed")).isEqualTo(2);
    var two = http.get(base + "?digits=2&minSample=1", admin).json();
    assertThat(two.getJsonArray("buckets").getJsonObject(12 - 10).getLong("observed")).isEqualTo(2);
    assertThat(two.getJsonArray("buckets").getJsonObject(50 - 10).getLong("observed")).isEqualTo(2);
    assertThat(two.getString("conformity")).isNotEqualTo("insufficient-data");
    assertThat(two.getDouble("pValue")).isNotNull();
    assertThat(http.get(base + "?account=6000&minSample=1", admin).json().getLong("sampleSize")).isEqualTo(1);
    assertThat(http.get(base + "?digits=3", admin).status()).isEqualTo(400);
  }
}

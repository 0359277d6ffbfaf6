package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Search on a real node: facts posted through the API are chunked from the log, indexed on this
 * node within 2 s, found by their words and, once embedded, by their meaning; each organisation
 * sees only its own, with scores that do not move when another organisation adds facts.
 */
class SearchTest extends NodeSpec {
  private static final Duration SEARCHABLE_WITHIN = Duration.ofSeconds(2);
  private static String viewer;
  private static String ledger;

  @BeforeAll
  static void setUp() {
    viewer = signedIn("viewer");
    ledger = ledger(admin);
  }

  static String ledger(String token) {
    var r = http.post("/api/v1/ledgers", new JsonObject().put("name", "Searched " + UUID.randomUUID()).put("currency", "EUR"), token);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    String id = r.json().getString("id");
    for (String[] a : new String[][] {{"1000", "Bank", "asset"}, {"6000", "Expenses", "expense"}}) {
      assertThat(http.post("/api/v1/ledgers/" + id + "/accounts", new JsonObject().put("code", a[0]).put("name", a[1])
          .put("type", a[2]), token).status()).isEqualTo(201);
    }
    return id;
  }

  static String post(String token, String ledger, String date, String description, String counterparty, String amount) {
    var lines = new JsonArray().add(new JsonObject().put("account", "6000").put("debit", amount).put("currency", "EUR"))
        .add(new JsonObject().put("account", "1000").put("credit", amount).put("currency", "EUR"));
    var r = http.post("/api/v1/ledgers/" + ledger + "/entries", new JsonObject().put("bookingDate", date)
        .put("description", description).put("counterparty", counterparty).put("lines", lines), token);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.json().getString("id");
  }

  /** Runs the duplicate-payment rule over the ledger's year 2026 (as the admin) and returns the one finding it raised. */
  static String duplicatePaymentFinding(String l) {
    String exam = http.post("/api/v1/ledgers/" + l + "/examinations", new JsonObject().put("from", "2026-01-01")
        .put("to", "2026-12-31").put("rules", new JsonArray().add("duplicate-payment")), admin).json().getString("id");
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !"running".equals(http.get("/api/v1/ledgers/" + l
        + "/examinations/" + exam, admin).json().getString("status")));
    return http.get("/api/v1/ledgers/" + l + "/findings", admin).json().getJsonArray("findings").getJsonObject(0).getString("id");
  }

  static Http.Resp search(String q, String token, String... params) {
    var path = new StringBuilder("/api/v1/search?q=").append(URLEncoder.encode(q, StandardCharsets.UTF_8));
    for (int i = 0; i < params.length; i += 2) {
      path.append('&').append(params[i]).append('=').append(URLEncoder.encode(params[i + 1], StandardCharsets.UTF_8));
    }
    return http.get(path.toString(), token);
  }

  static List<String> ids(Http.Resp r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json().getJsonArray("results").stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  @Test
  @DisplayName("an entry posted is found by its words within 2 s, with its snippet, highlights, ledger and score")
  void anEntryIsSearchableWithinTwoSeconds() {
    String id = post(admin, ledger, "2026-03-02", "Espresso machine for the Lisbon office", "Cafeteira Bonita Lda", "1890.00");
    long posted = System.nanoTime();
    Awaitility.await().atMost(SEARCHABLE_WITHIN).pollInterval(Duration.ofMillis(50))
        .until(() -> ids(search("Cafeteira Bonita", viewer)).contains(id));
    System.out.printf("search freshness [entry searchable after ms: %d]%n", (System.nanoTime() - posted) / 1_000_000);
    var hit = search("Cafeteira Bonita", viewer).json().getJsonArray("results").getJsonObject(0);
    assertThat(hit.getString("kind")).isEqualTo("entry");
    assertThat(hit.getString("id")).isEqualTo(id);
    assertThat(hit.getString("ledgerId")).isEqualTo(ledger);
    assertThat(hit.getString("title")).contains("Espresso machine");
    assertThat(hit.getDouble("score")).isPositive();
    String snippet = hit.getString("snippet");
    var marked = hit.getJsonArray("highlights").stream().map(o -> (JsonObject) o)
        .map(h -> snippet.substring(h.getInteger("start"), h.getInteger("end"))).toList();
    assertThat(marked).contains("Cafeteira", "Bonita");
  }

  @Test
  @DisplayName("once embedded, an entry is found by a question in other words than its own (hybrid mode)")
  void foundByMeaning() {
    String id = post(admin, ledger, "2026-04-11", "Roof repair at the warehouse after the storm", "Dachdecker Huber", "7420.00");
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> ids(search("fixing building damage caused by bad weather", viewer, "kinds", "entry")).indexOf(id) == 0);
    assertThat(search("fixing building damage caused by bad weather", viewer).json().getString("mode")).isEqualTo("hybrid");
  }

  @Test
  @DisplayName("a finding an examination raises is searchable within 2 s of the examination's end")
  void aFindingIsSearchable() {
    String l = ledger(admin);
    post(admin, l, "2026-02-03", "Consulting invoice", "Kittiwake Advisory", "4312.50");
    post(admin, l, "2026-02-05", "Consulting invoice", "Kittiwake Advisory", "4312.50");
    String findingId = duplicatePaymentFinding(l);
    Awaitility.await().atMost(SEARCHABLE_WITHIN).pollInterval(Duration.ofMillis(50))
        .until(() -> ids(search("Kittiwake duplicate", viewer, "kinds", "finding")).contains(findingId));
    var r = search("Kittiwake duplicate", viewer, "kinds", "finding", "ledger", l).json().getJsonArray("results");
    assertThat(r.getJsonObject(0).getString("kind")).isEqualTo("finding");
    // a kinds filter is a filter: no entry comes back
    assertThat(r.stream().map(o -> ((JsonObject) o).getString("kind")).distinct().toList()).containsExactly("finding");
  }

  @Test
  @DisplayName("without a model server the assistant answers from the facts themselves, labelled extractive, citing the finding")
  void extractiveWithoutAModel() {
    String l = ledger(admin);
    post(admin, l, "2026-03-03", "Survey services", "Gannet Surveys", "2875.40");
    post(admin, l, "2026-03-06", "Survey services", "Gannet Surveys", "2875.40");
    String finding = duplicatePaymentFinding(l);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ids(search("Gannet", viewer, "kinds", "finding")).contains(finding));
    var r = http.post("/api/v1/assistant/ask", new JsonObject().put("question", "which payments look duplicated?")
        .put("ledgerId", l), viewer);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    var a = r.json();
    assertThat(a.getString("mode")).isEqualTo("extractive");
    assertThat(a.getString("model")).isEqualTo("extractive");
    assertThat(a.getValue("fallback")).as("nothing failed: no model is configured").isNull();
    assertThat(a.getInteger("dropped")).isZero();
    assertThat(a.getJsonArray("citations").getJsonObject(0).getString("id")).isEqualTo(finding);
    assertThat(a.getString("answer")).contains("[finding:" + finding + "]").contains("Gannet");
    assertThat(http.get("/api/v1/assistant/budget", viewer).json().getBoolean("configured")).isFalse();
  }

  @Test
  @DisplayName("org B never sees org A's facts, and B's scores do not move when A adds facts with the same words")
  void organisationsAreIsolated() {
    var b = tenant();
    String bToken = b.getString("token");
    String bLedger = ledger(bToken);
    String bEntry = post(bToken, bLedger, "2026-05-01", "Marzipan delivery for the canteen", "Lubeck Confiserie", "310.00");
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ids(search("marzipan", bToken)).contains(bEntry));
    awaitEmbedded(bToken);
    var before = search("marzipan canteen", bToken, "kinds", "entry").json().getJsonArray("results");
    var aIds = new java.util.ArrayList<String>();
    for (int i = 0; i < 5; i++) {
      aIds.add(post(admin, ledger, "2026-05-0" + (i + 2), "Marzipan canteen order " + i, "Marzipan Werke", "99.00"));
    }
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ids(search("marzipan", admin, "limit", "50")).containsAll(aIds));
    awaitEmbedded(admin);
    var after = search("marzipan canteen", bToken, "kinds", "entry").json().getJsonArray("results");
    assertThat(after.stream().map(o -> ((JsonObject) o).getString("id")).toList()).doesNotContainAnyElementsOf(aIds);
    // BM25 statistics are the organisation's own: identical ranking and scores
    assertThat(after.stream().map(o -> ((JsonObject) o).getString("id")).toList())
        .isEqualTo(before.stream().map(o -> ((JsonObject) o).getString("id")).toList());
    assertThat(after.stream().map(o -> ((JsonObject) o).getDouble("score")).toList())
        .isEqualTo(before.stream().map(o -> ((JsonObject) o).getDouble("score")).toList());
    // and A never sees B's
    assertThat(ids(search("marzipan", admin, "limit", "50"))).doesNotContain(bEntry);
    // naming A's ledger does not reach into it
    assertThat(ids(search("marzipan", bToken, "ledger", ledger))).isEmpty();
  }

  /** Until every chunk of the caller's organisation has its vector in the index (scores are final). */
  static void awaitEmbedded(String token) {
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      var s = http.get("/api/v1/search/index", token).json();
      return s.getLong("pending") == 0 && s.getLong("behind") == 0;
    });
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"q=", "q=%20%20", "q=x&limit=0", "q=x&limit=51", "q=x&kinds=ledger", "q=x&ledger=" + "%3Cscript%3E"})
  @DisplayName("bad search input is 400 with a problem naming it")
  void badInput(String query) {
    var r = http.get("/api/v1/search?" + query, viewer);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.header("Content-Type")).startsWith("application/problem+json");
    assertThat(r.json().getString("detail")).isNotBlank();
  }

  @Test
  @DisplayName("a query of more than 500 characters is 400; no token is 401")
  void tooLongAndAnonymous() {
    assertThat(search("a".repeat(501), viewer).status()).isEqualTo(400);
    assertThat(search("marzipan", null).status()).isEqualTo(401);
  }

  @Test
  @DisplayName("the index status counts the organisation's chunks; only an admin may rebuild it, and the rebuild keeps every chunk")
  void reindex() {
    post(admin, ledger, "2026-06-01", "Harbour crane inspection", "Kranprufung Nord", "640.00");
    awaitEmbedded(viewer);
    long chunks = http.get("/api/v1/search/index", viewer).json().getLong("chunks");
    assertThat(http.post("/api/v1/search/index/rebuild", new JsonObject(), viewer).status()).isEqualTo(403);
    assertThat(http.post("/api/v1/search/index/rebuild", new JsonObject(), signedIn("examiner")).status()).isEqualTo(403);
    var started = http.post("/api/v1/search/index/rebuild", new JsonObject(), admin);
    assertThat(started.status()).as(started.toString()).isEqualTo(202);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
      var s = http.get("/api/v1/search/index", viewer).json();
      return !s.getBoolean("rebuilding") && s.getLong("indexed") == chunks;
    });
    assertThat(ids(search("harbour crane", viewer))).isNotEmpty();
  }
}

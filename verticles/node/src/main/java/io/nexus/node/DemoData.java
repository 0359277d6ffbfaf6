package io.nexus.node;

import io.nexus.financial.demo.DemoBooks;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * Loads demo books into a running node, as {@code scripts/demo-data.sh} documents: a ledger of
 * about 50,000 entries over two years with planted anomalies of every rule type (imported
 * through the API), an examination of it, a risk model trained on it and promoted (so every entry
 * has a score), and one user per role. Talks only HTTP to
 * {@code NEXUS_URL}, as the admin {@code NEXUS_ADMIN_EMAIL} / {@code NEXUS_ADMIN_PASSWORD}.
 */
public final class DemoData {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private String token;

  private DemoData(String url) {
    this.base = url.replaceAll("/+$", "") + "/api/v1";
  }

  public static void main(String[] args) throws Exception {
    String url = env("NEXUS_URL", "http://127.0.0.1:8080");
    String email = System.getenv("NEXUS_ADMIN_EMAIL");
    String password = System.getenv("NEXUS_ADMIN_PASSWORD");
    if (email == null || password == null) {
      System.err.println("demo-data: set NEXUS_ADMIN_EMAIL and NEXUS_ADMIN_PASSWORD (the admin the node printed at its first start)");
      System.exit(2);
    }
    double scale;
    long seed;
    try {
      scale = Double.parseDouble(env("NEXUS_DEMO_SCALE", "1.0"));
      seed = Long.parseLong(env("NEXUS_DEMO_SEED", "42"));
    } catch (NumberFormatException e) {
      System.err.println("demo-data: NEXUS_DEMO_SCALE must be a number (1.0: about 50,000 entries) and NEXUS_DEMO_SEED a whole number");
      System.exit(2);
      return;
    }
    if (!DemoBooks.validScale(scale)) {
      System.err.printf(java.util.Locale.ROOT, "demo-data: NEXUS_DEMO_SCALE must be between %s and %s (1.0: about 50,000 entries)%n",
          DemoBooks.MIN_SCALE, DemoBooks.MAX_SCALE);
      System.exit(2);
    }
    try {
      new DemoData(url).run(email, password, scale, seed);
    } catch (Failed e) {
      System.err.println("demo-data: " + e.getMessage());
      System.exit(1);
    } catch (java.net.ConnectException e) {
      System.err.println("demo-data: no node answers at " + url + "; start one with scripts/run.sh");
      System.exit(1);
    }
  }

  private static final class Failed extends Exception {
    Failed(String message) {
      super(message, null, false, false);
    }
  }

  private void run(String email, String password, double scale, long seed) throws Exception {
    JsonObject login = call("POST", "/auth/login", new JsonObject().put("email", email).put("password", password), 200);
    token = login.getString("accessToken");
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
    JsonObject ledger = call("POST", "/ledgers", new JsonObject().put("name", "Demo Trading Co (" + stamp + ")")
        .put("currency", "EUR"), 201);
    String l = ledger.getString("id");
    System.out.println("ledger   " + ledger.getString("name") + "  id " + l);
    for (DemoBooks.Account a : DemoBooks.ACCOUNTS) {
      call("POST", "/ledgers/" + l + "/accounts", new JsonObject().put("code", a.code()).put("name", a.name())
          .put("type", a.type()), 201);
    }
    call("PUT", "/examination-settings", new JsonObject().put("holidays", new JsonArray(DemoBooks.HOLIDAYS.stream()
        .map(Object::toString).toList())), 200);

    Path file = Files.createTempFile("nexus-demo", ".csv");
    try {
      var books = new DemoBooks(seed, scale);
      List<DemoBooks.Planted> planted;
      try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        planted = books.write(w);
      }
      String importId = call("POST", "/ledgers/" + l + "/imports", new JsonObject().put("format", "csv"), 201).getString("id");
      long t0 = System.nanoTime();
      var r = http.send(request("/ledgers/" + l + "/imports/" + importId + "/file").header("Content-Type", "text/csv")
          .timeout(Duration.ofMinutes(30)).PUT(HttpRequest.BodyPublishers.ofFile(file)).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonObject report = json(r, 200, "import");
      System.out.printf(Locale.ROOT, "import   %d entries (%d rows, %d MB) in %.1f s, %d errors%n", report.getLong("entriesImported"),
          report.getLong("rowsDone"), report.getLong("bytesDone") >> 20, (System.nanoTime() - t0) / 1e9,
          report.getLong("errorCount"));
      System.out.println("planted  " + planted.size() + " anomalies for " + DemoBooks.rules(planted).size() + " rules");
    } finally {
      Files.deleteIfExists(file);
    }

    JsonObject exam = call("POST", "/ledgers/" + l + "/examinations", new JsonObject()
        .put("from", DemoBooks.START.toString()).put("to", DemoBooks.END.toString()), 202);
    String examId = exam.getString("id");
    long t0 = System.nanoTime();
    while ("running".equals(exam.getString("status"))) {
      Thread.sleep(250);
      exam = call("GET", "/ledgers/" + l + "/examinations/" + examId, null, 200);
    }
    System.out.printf(Locale.ROOT, "examined %s, %d rules in %.1f s: %d findings%n", exam.getString("status"),
        exam.getInteger("rulesDone"), (System.nanoTime() - t0) / 1e9, exam.getInteger("findingsNew"));
    var byRule = new TreeMap<String, Integer>();
    String cursor = null;
    do {
      JsonObject page = call("GET", "/ledgers/" + l + "/findings?limit=500&examinationId=" + examId
          + (cursor == null ? "" : "&cursor=" + cursor), null, 200);
      page.getJsonArray("findings").forEach(f -> byRule.merge(((JsonObject) f).getString("rule"), 1, Integer::sum));
      cursor = page.getString("next");
    } while (cursor != null);
    byRule.forEach((rule, n) -> System.out.printf(Locale.ROOT, "         %-20s %d%n", rule, n));

    // a forecast of the sales from their whole months: the books' customers start invoicing during
    // the first January and stop 45 days before the end, so that their receipts fall inside
    JsonObject f = call("GET", "/ledgers/" + l + "/forecasts?account=4000&horizon=6&from="
        + DemoBooks.START.plusMonths(1) + "&to=" + DemoBooks.END.minusMonths(2), null, 200);
    JsonObject first = f.getJsonArray("points").getJsonObject(0);
    System.out.printf(Locale.ROOT, "forecast sales (4000) by %s, %s: %s %s, 80 %% interval %s - %s%n", f.getString("method"),
        f.getString("model"), first.getString("period"), first.getString("value"), first.getString("lower80"),
        first.getString("upper80"));

    // risk: once every imported entry is read, a forest trained on the books and promoted scores them all
    t0 = System.nanoTime();
    JsonObject status = call("GET", "/ledgers/" + l + "/risk-status", null, 200);
    while (status.getLong("importsPending") > 0 || status.getLong("entriesRead") == 0) {
      Thread.sleep(500);
      status = call("GET", "/ledgers/" + l + "/risk-status", null, 200);
    }
    System.out.printf(Locale.ROOT, "risk     %d entries read in %.1f s%n", status.getLong("entriesRead"),
        (System.nanoTime() - t0) / 1e9);
    JsonObject model = call("POST", "/models", new JsonObject().put("ledgerId", l).put("kind", "isolation-forest"), 202);
    while ("training".equals(model.getString("state"))) {
      Thread.sleep(250);
      model = call("GET", "/models/" + model.getString("id"), null, 200);
    }
    if (!"trained".equals(model.getString("state"))) {
      throw new Failed("the risk model did not train: " + model.getString("error"));
    }
    call("POST", "/models/" + model.getString("id") + "/promote", new JsonObject(), 200);
    t0 = System.nanoTime();
    status = call("GET", "/ledgers/" + l + "/risk-status", null, 200);
    while (status.getLong("scored") < status.getLong("entriesRead")) {
      Thread.sleep(500);
      status = call("GET", "/ledgers/" + l + "/risk-status", null, 200);
    }
    System.out.printf(Locale.ROOT, "risk     model v%d (%s, threshold %.3f) trained on %d entries, promoted; %d scored in %.1f s%n",
        model.getInteger("version"), model.getString("kind"), model.getDouble("threshold"), model.getLong("rows"),
        status.getLong("scored"), (System.nanoTime() - t0) / 1e9);
    JsonObject summary = call("GET", "/ledgers/" + l + "/finding-summary", null, 200);
    long riskFindings = 0;
    for (Object c : summary.getJsonArray("counts")) {
      if ("risk-score".equals(((JsonObject) c).getString("rule"))) {
        riskFindings += ((JsonObject) c).getLong("count");
      }
    }
    System.out.printf(Locale.ROOT, "risk     %d risk-score findings raised (scores above the threshold; more may follow for a few "
        + "seconds)%n", riskFindings);

    // documents: supplier invoices read by the Vision service and reconciled with their payments
    new DemoDocuments(new DemoDocuments.Api() {
      @Override
      public JsonObject call(String method, String path, JsonObject body, int expected) throws Exception {
        return DemoData.this.call(method, path, body, expected);
      }

      @Override
      public JsonObject send(HttpRequest.Builder request, int expected, String what) throws Exception {
        return json(http.send(request.build(), HttpResponse.BodyHandlers.ofString()), expected, what);
      }

      @Override
      public HttpRequest.Builder request(String path) {
        return DemoData.this.request(path);
      }
    }, seed).run();

    assistant(l, examId);

    String domain = email.substring(email.indexOf('@') + 1);
    String suffix = Integer.toString(new SecureRandom().nextInt(1 << 20), 36);
    System.out.println("users    (passwords are shown once)");
    for (String role : List.of("examiner", "analyst", "viewer")) {
      String userEmail = "demo-" + role + "-" + suffix + "@" + domain;
      String pw = password();
      call("POST", "/users", new JsonObject().put("email", userEmail).put("password", pw)
          .put("name", "Demo " + role).put("role", role), 201);
      System.out.printf(Locale.ROOT, "         %-9s %s  %s%n", role, userEmail, pw);
    }
    System.out.println("next     GET " + base + "/ledgers/" + l + "/findings  (see README: Demo walkthrough)");
  }

  /**
   * Once every fact is searchable, asks the assistant the examiner's first question and drafts the
   * examination's report; the answer must cite the duplicate-payment findings the books plant.
   */
  private void assistant(String l, String examId) throws Exception {
    long t0 = System.nanoTime();
    long deadline = System.currentTimeMillis() + INDEX_WAIT_MS;
    JsonObject s = call("GET", "/search/index", null, 200);
    while (s.getLong("pending") > 0 || s.getLong("behind") > 0 || s.getLong("chunks") == 0 || !s.getLong("indexed").equals(s.getLong("chunks"))
        || call("GET", "/search?q=duplicate&kinds=finding&ledger=" + l, null, 200).getJsonArray("results").isEmpty()) {
      if (System.currentTimeMillis() > deadline) {
        throw new Failed("the search index did not catch up within " + INDEX_WAIT_MS / 1000 + " s: " + s.encode());
      }
      Thread.sleep(500);
      s = call("GET", "/search/index", null, 200);
    }
    System.out.printf(Locale.ROOT, "search   %d chunks embedded and indexed in %.1f s more%n", s.getLong("chunks"),
        (System.nanoTime() - t0) / 1e9);
    String question = "which payments look duplicated?";
    JsonObject a = call("POST", "/assistant/ask", new JsonObject().put("question", question).put("ledgerId", l), 200);
    var rules = new TreeMap<String, Integer>();
    for (Object o : a.getJsonArray("citations")) {
      JsonObject c = (JsonObject) o;
      if ("finding".equals(c.getString("kind"))) {
        rules.merge(call("GET", "/ledgers/" + l + "/findings/" + c.getString("id"), null, 200).getString("rule"), 1, Integer::sum);
      }
    }
    System.out.printf(Locale.ROOT, "ask      \"%s\" (%s): %d citations, findings cited by rule %s, %d sentences dropped%n", question,
        a.getString("mode"), a.getJsonArray("citations").size(), rules, a.getInteger("dropped"));
    if (!rules.containsKey("duplicate-payment")) {
      throw new Failed("the assistant's answer to \"" + question + "\" cites no duplicate-payment finding: " + a.encode());
    }
    JsonObject report = call("POST", "/ledgers/" + l + "/examinations/" + examId + "/report", null, 202);
    System.out.printf(Locale.ROOT, "report   version %d drafted: %d findings, %d KB of Markdown (GET …/examinations/%s/report)%n",
        report.getInteger("version"), report.getInteger("findings"), report.getString("markdown").length() / 1024, examId);
  }

  private static final long INDEX_WAIT_MS = 900_000;

  private JsonObject call(String method, String path, JsonObject body, int expected) throws Exception {
    var b = request(path).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return json(http.send(b.build(), HttpResponse.BodyHandlers.ofString()), expected, method + " " + path);
  }

  private HttpRequest.Builder request(String path) {
    var b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(2));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private static JsonObject json(HttpResponse<String> r, int expected, String what) throws Failed {
    if (r.statusCode() != expected) {
      String detail = r.body();
      try {
        detail = new JsonObject(r.body()).getString("detail", r.body());
      } catch (RuntimeException e) {
        // not JSON: show it as it is
      }
      throw new Failed(what + " answered " + r.statusCode() + ": " + detail);
    }
    return new JsonObject(r.body());
  }

  private static String password() {
    var rnd = new SecureRandom();
    String alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    var sb = new StringBuilder();
    for (int i = 0; i < 16; i++) {
      sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}

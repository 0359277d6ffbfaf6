package io.nexus.bench;

import io.nexus.financial.demo.DemoBooks;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.node.NexusNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The examination benchmark: the demo books ({@link DemoBooks}) scaled to about
 * {@code NEXUS_BENCH_EXAMINE_ENTRIES} entries (default 1,000,000) over two years, imported through
 * the API, then examined with every rule, timed from the request to the job's end. Baseline,
 * alternated with it: one plain pass over the same entries and lines in PostgreSQL (the join and
 * aggregate every examination starts from).
 */
public final class ExamineBench {
  private static final int PAIRS = 3;

  private ExamineBench() {}

  public static void main(String[] args) throws Exception {
    try (var env = BenchEnv.open(args)) {
      run(env);
    }
  }

  private static void run(BenchEnv env) throws Exception {
    long entries = Long.parseLong(System.getenv().getOrDefault("NEXUS_BENCH_EXAMINE_ENTRIES", "1000000"));
    String db = env.freshDatabase();
    var pg = new PgConfig(db, 2);
    int httpPort = EmbeddedServers.freePort();
    NexusNode node = env.startNode(db, httpPort, Map.of());
    var report = new JsonObject().put("scenario", "examine").put("at", Instant.now().toString()).put("entries", entries)
        .put("pairs", PAIRS).put("server", BenchEnv.serverVersion(pg));
    try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
      var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      String base = "http://127.0.0.1:" + httpPort + "/api/v1";
      String token = BenchEnv.login(http, base);
      String ledger = BenchEnv.post(http, base + "/ledgers", token, new JsonObject().put("name", "examine " + UUID.randomUUID())
          .put("currency", "EUR")).getString("id");
      for (DemoBooks.Account a : DemoBooks.ACCOUNTS) {
        BenchEnv.post(http, base + "/ledgers/" + ledger + "/accounts", token, new JsonObject().put("code", a.code())
            .put("name", a.name()).put("type", a.type()));
      }
      java.nio.file.Path file = env.out.resolve("examine.csv");
      var books = new DemoBooks(7, entries / 50_000.0);
      try (var w = Files.newBufferedWriter(file)) {
        books.write(w);
      }
      report.put("generatedEntries", books.entryCount());
      String id = BenchEnv.post(http, base + "/ledgers/" + ledger + "/imports", token, new JsonObject().put("format", "csv")).getString("id");
      long t0 = System.nanoTime();
      var r = http.send(HttpRequest.newBuilder(URI.create(base + "/ledgers/" + ledger + "/imports/" + id + "/file"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "text/csv").timeout(Duration.ofMinutes(60))
          .PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
      Files.delete(file);
      if (r.statusCode() != 200) {
        throw new IllegalStateException("import failed: " + r.statusCode() + " " + r.body());
      }
      report.put("importSeconds", (System.nanoTime() - t0) / 1e9);
      c.createStatement().execute("VACUUM ANALYZE financial.entries");
      c.createStatement().execute("VACUUM ANALYZE financial.entry_lines");
      var results = AB.pairs("examination (every rule) vs one pass over the entries", PAIRS, false,
          () -> 1 / examine(http, base, token, ledger), () -> 1 / scan(c, ledger));
      report.put("examine", results);
    } finally {
      node.stop().await(120, TimeUnit.SECONDS);
    }
    Files.writeString(env.out.resolve("examine.json"), report.encodePrettily());
    Files.writeString(env.out.resolve("examine.md"), markdown(report));
    System.out.println(markdown(report));
  }

  /** Seconds from starting an examination with every rule to its end. */
  private static double examine(HttpClient http, String base, String token, String ledger) throws Exception {
    long t0 = System.nanoTime();
    String id = BenchEnv.post(http, base + "/ledgers/" + ledger + "/examinations", token, new JsonObject()
        .put("from", DemoBooks.START.toString()).put("to", DemoBooks.END.toString())).getString("id");
    while (true) {
      var v = new JsonObject(http.send(HttpRequest.newBuilder(URI.create(base + "/ledgers/" + ledger + "/examinations/" + id))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body());
      if (!"running".equals(v.getString("status"))) {
        if (!"completed".equals(v.getString("status"))) {
          throw new IllegalStateException("examination ended " + v.encode());
        }
        System.out.println("examination: " + v.getInteger("findingsNew") + " new findings, " + v.getInteger("findingsExisting")
            + " found again");
        return (System.nanoTime() - t0) / 1e9;
      }
      Thread.sleep(100);
    }
  }

  /** Seconds for one pass joining and aggregating the ledger's entries and lines. */
  private static double scan(java.sql.Connection c, String ledger) throws Exception {
    long t0 = System.nanoTime();
    try (var st = c.prepareStatement("SELECT count(*), sum(amount) FROM (SELECT e.id, sum(x.debit) AS amount "
        + "FROM financial.entries e JOIN financial.entry_lines x ON x.entry_id = e.id WHERE e.ledger_id = ?::uuid "
        + "GROUP BY e.id) t")) {
      st.setString(1, ledger);
      try (var rs = st.executeQuery()) {
        rs.next();
      }
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static String markdown(JsonObject r) {
    var e = r.getJsonObject("examine");
    JsonArray cand = e.getJsonArray("candidatePerSecond");
    JsonArray base = e.getJsonArray("baselinePerSecond");
    return String.format(Locale.ROOT, """
        # Examination (%s, PostgreSQL %s)

        The demo books scaled to %d entries over two years, imported through the API in %.1f s, then %d A/B pairs: an
        examination with every rule (request to end of job) against one plain pass over the same entries and lines.

        | | examination, every rule (median) | one pass (median) | examination / pass |
        |---|---|---|---|
        | seconds | %.1f | %.1f | %.1f× |
        """, r.getString("at"), r.getString("server"), r.getInteger("generatedEntries"), r.getDouble("importSeconds"), r.getInteger("pairs"),
        1 / e.getDouble("candidateMedian"), 1 / e.getDouble("baselineMedian"), 1 / e.getDouble("ratio"))
        + "\nruns (s): examination " + cand.stream().map(x -> String.format(Locale.ROOT, "%.1f", 1 / (Double) x)).toList()
        + ", pass " + base.stream().map(x -> String.format(Locale.ROOT, "%.1f", 1 / (Double) x)).toList() + "\n";
  }
}

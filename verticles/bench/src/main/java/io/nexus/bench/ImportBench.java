package io.nexus.bench;

import io.nexus.financial.demo.SyntheticCsv;
import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.node.NexusNode;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;

/**
 * The import benchmark: a CSV file of {@code NEXUS_BENCH_IMPORT_ROWS} rows (default 1,000,000)
 * uploaded through the gateway into a ledger (checked, balanced, written to the indexed and
 * constrained ledger tables in one transaction) against PostgreSQL {@code COPY ... FORMAT csv}
 * of the same file into a plain table, alternated A B A B on the same server.
 */
public final class ImportBench {
  private static final int PAIRS = 3;
  private static final double TARGET = 0.5;

  private ImportBench() {}

  public static void main(String[] args) throws Exception {
    try (var env = BenchEnv.open(args)) {
      run(env);
    }
  }

  private static void run(BenchEnv env) throws Exception {
    long rows = Long.parseLong(System.getenv().getOrDefault("NEXUS_BENCH_IMPORT_ROWS", "1000000"));
    Path file = env.out.resolve("import.csv");
    try (InputStream in = new SyntheticCsv(rows)) {
      Files.copy(in, file);
    }
    String db = env.freshDatabase();
    var pg = new PgConfig(db, 2);
    int httpPort = EmbeddedServers.freePort();
    NexusNode node = env.startNode(db, httpPort, Map.of());
    var report = new JsonObject().put("scenario", "import").put("at", Instant.now().toString()).put("rows", rows)
        .put("bytes", Files.size(file)).put("pairs", PAIRS).put("server", BenchEnv.serverVersion(pg));
    try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
      c.createStatement().execute("CREATE TABLE public.raw_import (entry text, date date, account text, debit numeric, "
          + "credit numeric, currency text, description text, counterparty text, document text)");
      var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      String base = "http://127.0.0.1:" + httpPort + "/api/v1";
      String token = BenchEnv.login(http, base);
      report.put("import", AB.pairs("import vs COPY into the ledger tables", PAIRS, false,
          () -> importRate(http, base, token, file, rows), () -> ledgerCopyRate(c, http, base, token, file, rows)));
      report.put("plain", AB.pairs("import vs COPY of the CSV into a plain table", PAIRS, false,
          () -> importRate(http, base, token, file, rows), () -> copyRate(c, file, rows)));
    } finally {
      node.stop().await(60, TimeUnit.SECONDS);
    }
    double ratio = report.getJsonObject("import").getDouble("ratio");
    report.put("target", new JsonObject().put("atLeast", TARGET).put("met", ratio >= TARGET));
    Files.delete(file);
    Files.writeString(env.out.resolve("import.json"), report.encodePrettily());
    Files.writeString(env.out.resolve("import.md"), markdown(report));
    System.out.println(markdown(report));
    System.out.println("report: " + env.out.resolve("import.md") + " and import.json");
  }

  /** A new ledger with the accounts the file uses: its id, then the account ids by code. */
  private static Map<String, String> ledger(HttpClient http, String base, String token) throws Exception {
    var ids = new java.util.HashMap<String, String>();
    String ledger = BenchEnv.post(http, base + "/ledgers", token, new JsonObject().put("name", "bench " + UUID.randomUUID())
        .put("currency", "EUR")).getString("id");
    ids.put("ledger", ledger);
    for (String[] a : new String[][] {{"1000", "Bank", "asset"}, {"4000", "Sales", "revenue"}, {"6000", "Rent", "expense"}}) {
      ids.put(a[0], BenchEnv.post(http, base + "/ledgers/" + ledger + "/accounts", token, new JsonObject().put("code", a[0])
          .put("name", a[1]).put("type", a[2])).getString("id"));
    }
    return ids;
  }

  /** Rows per second of one import through the gateway, into a new ledger. */
  private static double importRate(HttpClient http, String base, String token, Path file, long rows) throws Exception {
    String ledger = ledger(http, base, token).get("ledger");
    String id = BenchEnv.post(http, base + "/ledgers/" + ledger + "/imports", token, new JsonObject().put("format", "csv"))
        .getString("id");
    long start = System.nanoTime();
    var r = http.send(HttpRequest.newBuilder(URI.create(base + "/ledgers/" + ledger + "/imports/" + id + "/file"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "text/csv").timeout(Duration.ofMinutes(30))
        .PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
    double seconds = (System.nanoTime() - start) / 1e9;
    var report = new JsonObject(r.body());
    if (r.statusCode() != 200 || report.getLong("rowsDone") != rows) {
      throw new IllegalStateException("import failed: " + r.statusCode() + " " + r.body());
    }
    return rows / seconds;
  }

  /**
   * Rows per second of PostgreSQL COPY of the same entries and lines, already in COPY's text
   * format (prepared before the clock starts), into the same ledger tables, in one transaction:
   * the database's own cost of storing what the import stores.
   */
  private static double ledgerCopyRate(java.sql.Connection c, HttpClient http, String base, String token, Path file,
      long rows) throws Exception {
    var ids = ledger(http, base, token);
    var entries = new StringBuilder();
    var lines = new StringBuilder();
    try (var in = Files.newBufferedReader(file)) {
      in.readLine();
      String line;
      String current = null;
      String entryId = null;
      int lineNo = 0;
      while ((line = in.readLine()) != null) {
        String[] f = line.split(",", -1);
        if (!f[0].equals(current)) {
          current = f[0];
          entryId = UUID.randomUUID().toString();
          lineNo = 0;
          entries.append(entryId).append('\t').append(ids.get("ledger")).append('\t').append(f[1]).append('\t').append(f[6])
              .append('\t').append(f[7]).append('\t').append(f[8]).append("\tbench\n");
        }
        lines.append(entryId).append('\t').append(++lineNo).append('\t').append(ids.get(f[2])).append('\t')
            .append(f[3].isEmpty() ? "0" : f[3]).append('\t').append(f[4].isEmpty() ? "0" : f[4]).append("\tEUR\n");
      }
    }
    byte[] e = entries.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] l = lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    var copy = c.unwrap(PGConnection.class).getCopyAPI();
    c.setAutoCommit(false);
    long start = System.nanoTime();
    try {
      copy.copyIn("COPY financial.entries (id, ledger_id, booking_date, description, counterparty, document_number, posted_by) "
          + "FROM STDIN", new java.io.ByteArrayInputStream(e));
      long n = copy.copyIn("COPY financial.entry_lines (entry_id, line_no, account_id, debit, credit, currency) FROM STDIN",
          new java.io.ByteArrayInputStream(l));
      c.commit();
      if (n != rows) {
        throw new IllegalStateException("COPY took " + n + " lines, expected " + rows);
      }
    } finally {
      c.setAutoCommit(true);
    }
    return rows / ((System.nanoTime() - start) / 1e9);
  }

  /** Rows per second of PostgreSQL COPY of the same file into a plain table, committed. */
  private static double copyRate(java.sql.Connection c, Path file, long rows) throws Exception {
    c.createStatement().execute("TRUNCATE public.raw_import");
    c.setAutoCommit(false);
    long start = System.nanoTime();
    try (InputStream in = Files.newInputStream(file)) {
      long n = c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY public.raw_import FROM STDIN WITH (FORMAT csv, HEADER true)", in);
      c.commit();
      if (n != rows) {
        throw new IllegalStateException("COPY took " + n + " rows, expected " + rows);
      }
    } finally {
      c.setAutoCommit(true);
    }
    return rows / ((System.nanoTime() - start) / 1e9);
  }

  private static String markdown(JsonObject r) {
    var i = r.getJsonObject("import");
    var p = r.getJsonObject("plain");
    var t = r.getJsonObject("target");
    return String.format(Locale.ROOT, """
        # Import (%s, PostgreSQL %s)

        %d rows (%d MB of CSV), %d A/B pairs per baseline, candidate and baseline alternated. Candidate: the file PUT
        to the gateway, streamed over the event bus to the Financial service, every row and entry checked, entries and
        lines written with COPY into the ledger's indexed, constrained tables, one transaction. Baselines: PostgreSQL
        COPY of the same entries and lines (prepared beforehand) into the same ledger tables, one transaction; and
        `COPY ... FORMAT csv` of the file itself into a plain table without indexes or constraints.

        | baseline | import (median) | baseline (median) | ratio (median of pairs) | target |
        |---|---|---|---|---|
        | COPY into the ledger tables | %.0f rows/s | %.0f rows/s | %.2f× | ≥ %.1f× %s |
        | COPY of the CSV into a plain table | %.0f rows/s | %.0f rows/s | %.2f× | — |
        """, r.getString("at"), r.getString("server"), r.getLong("rows"), r.getLong("bytes") >> 20, r.getInteger("pairs"),
        i.getDouble("candidateMedian"), i.getDouble("baselineMedian"), i.getDouble("ratio"), t.getDouble("atLeast"),
        t.getBoolean("met") ? "met" : "MISSED", p.getDouble("candidateMedian"), p.getDouble("baselineMedian"),
        p.getDouble("ratio"));
  }
}

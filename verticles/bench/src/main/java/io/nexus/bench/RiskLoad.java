package io.nexus.bench;

import io.nexus.kernel.db.PgConfig;
import io.nexus.kernel.embedded.EmbeddedServers;
import io.nexus.node.NexusNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Risk scoring under posting load: does scoring keep up with posting, and how long after an
 * entry's commit is its score there? Entries are posted through the HTTP API (the real path: the
 * gateway, Financial, the log, the relay, the durable subscription that reads and scores them).
 * Each phase's rates are taken over the same entries from PostgreSQL's own times: posting from
 * the first to the last entry-posted event, scoring from the first to the last score row; the
 * latency per entry is its score row's time minus its event's.
 */
final class RiskLoad {
  private static final int WARM = 400;
  private static final int STEADY_PER_SECOND = 40;
  private static final long STEADY_MS = 15_000;
  private static final int FLAT_OUT_CLIENTS = 16;
  private static final long FLAT_OUT_MS = 10_000;
  private static final double KEEPS_UP = 1.0;

  private RiskLoad() {}

  static JsonObject run(BenchEnv env) throws Exception {
    String db = env.freshDatabase();
    int port = EmbeddedServers.freePort();
    NexusNode node = env.startNode(db, port, Map.of());
    var http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(FLAT_OUT_CLIENTS)).build();
    String base = "http://127.0.0.1:" + port + "/api/v1";
    try {
      String token = BenchEnv.login(http, base);
      String ledger = BenchEnv.post(http, base + "/ledgers", token, new JsonObject().put("name", "risk " + UUID.randomUUID())
          .put("currency", "EUR")).getString("id");
      for (String[] a : new String[][] {{"1000", "Bank", "asset"}, {"5000", "Supplies", "expense"}}) {
        BenchEnv.post(http, base + "/ledgers/" + ledger + "/accounts", token, new JsonObject().put("code", a[0])
            .put("name", a[1]).put("type", a[2]));
      }
      var counter = new AtomicInteger();
      for (int i = 0; i < WARM; i++) {
        post(http, base, token, ledger, counter.getAndIncrement());
      }
      until(() -> status(http, base, token, ledger).getLong("entriesRead") >= WARM);
      JsonObject model = BenchEnv.post(http, base + "/models", token, new JsonObject().put("ledgerId", ledger)
          .put("kind", "isolation-forest"));
      String id = model.getString("id");
      until(() -> "trained".equals(get(http, base + "/models/" + id, token).getString("state")));
      BenchEnv.post(http, base + "/models/" + id + "/promote", token, new JsonObject());
      until(() -> status(http, base, token, ledger).getLong("scored") >= WARM);

      var pg = new PgConfig(db, 1);
      var steady = new ConcurrentLinkedQueue<String>();
      long period = 1_000_000_000L / STEADY_PER_SECOND;
      long t0 = System.nanoTime();
      for (long k = 0; System.nanoTime() - t0 < STEADY_MS * 1_000_000; k++) {
        long due = t0 + k * period;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        steady.add(post(http, base, token, ledger, counter.getAndIncrement()));
      }
      JsonObject steadyReport = measure(pg, http, base, token, ledger, List.copyOf(steady), "steady");
      steadyReport.put("targetPerSecond", STEADY_PER_SECOND);

      var flat = new ConcurrentLinkedQueue<String>();
      var pool = Executors.newFixedThreadPool(FLAT_OUT_CLIENTS);
      long end = System.nanoTime() + FLAT_OUT_MS * 1_000_000;
      for (int c = 0; c < FLAT_OUT_CLIENTS; c++) {
        pool.submit(() -> {
          while (System.nanoTime() < end) {
            try {
              flat.add(post(http, base, token, ledger, counter.getAndIncrement()));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
          return null;
        });
      }
      pool.shutdown();
      pool.awaitTermination(FLAT_OUT_MS * 3, TimeUnit.MILLISECONDS);
      JsonObject flatReport = measure(pg, http, base, token, ledger, List.copyOf(flat), "flat-out");
      flatReport.put("clients", FLAT_OUT_CLIENTS);
      return new JsonObject().put("warmEntries", WARM).put("steady", steadyReport).put("flatOut", flatReport)
          .put("keepsUpAtLeast", KEEPS_UP);
    } finally {
      node.stop().await(60, TimeUnit.SECONDS);
    }
  }

  /** Waits until the phase's entries are all scored, then its rates and latencies from PostgreSQL. */
  private static JsonObject measure(PgConfig pg, HttpClient http, String base, String token, String ledger, List<String> ids,
      String phase) throws Exception {
    long waited = System.nanoTime();
    String in = "'{" + String.join(",", ids) + "}'::uuid[]";
    try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password()); var st = c.createStatement()) {
      until(() -> {
        try (var rs = st.executeQuery("SELECT count(*) FROM predictive.scores WHERE entry_id = ANY(" + in + ")")) {
          rs.next();
          return rs.getLong(1) >= ids.size();
        }
      });
      try (var rs = st.executeQuery("SELECT extract(epoch FROM max(p.committed_at) - min(p.committed_at)) AS posting, "
          + "extract(epoch FROM max(s.scored_at) - min(s.scored_at)) AS scoring, "
          + "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.scored_at - p.committed_at)) * 1000 AS p50, "
          + "percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM s.scored_at - p.committed_at)) * 1000 AS p99, "
          + "max(extract(epoch FROM s.scored_at - p.committed_at)) * 1000 AS worst, count(*) AS n "
          + "FROM predictive.scores s JOIN predictive.payments p ON p.entry_id = s.entry_id WHERE s.entry_id = ANY(" + in + ")")) {
        rs.next();
        double posting = rs.getDouble("posting");
        double scoring = rs.getDouble("scoring");
        long n = rs.getLong("n");
        double postRate = (n - 1) / posting;
        double scoreRate = (n - 1) / scoring;
        return new JsonObject().put("phase", phase).put("entries", n).put("postedPerSecond", postRate)
            .put("scoredPerSecond", scoreRate).put("ratio", scoreRate / postRate).put("p50Ms", rs.getDouble("p50"))
            .put("p99Ms", rs.getDouble("p99")).put("maxMs", rs.getDouble("worst"))
            .put("drainedAfterMs", (System.nanoTime() - waited) / 1_000_000);
      }
    }
  }

  private static String post(HttpClient http, String base, String token, String ledger, int i) throws Exception {
    String amount = String.format(Locale.ROOT, "%.2f", 100 + (i % 23) * 17.25);
    var lines = new JsonArray().add(new JsonObject().put("account", "5000").put("debit", amount).put("currency", "EUR"))
        .add(new JsonObject().put("account", "1000").put("credit", amount).put("currency", "EUR"));
    return BenchEnv.post(http, base + "/ledgers/" + ledger + "/entries", token, new JsonObject()
        .put("bookingDate", "2025-0" + (1 + i % 9) + "-" + (10 + i % 18)).put("description", "load " + i)
        .put("counterparty", "Supplier " + (i % 11)).put("documentNumber", "D-" + i).put("lines", lines)).getString("id");
  }

  private static JsonObject status(HttpClient http, String base, String token, String ledger) throws Exception {
    return get(http, base + "/ledgers/" + ledger + "/risk-status", token);
  }

  private static JsonObject get(HttpClient http, String url, String token) throws Exception {
    var r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + " → " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body());
  }

  @FunctionalInterface
  private interface Check {
    boolean ok() throws Exception;
  }

  private static void until(Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("risk bench: not within 3 minutes");
      }
      Thread.sleep(100);
    }
  }

  static String markdown(JsonObject r) {
    var rows = new ArrayList<String>();
    for (String k : List.of("steady", "flatOut")) {
      JsonObject p = r.getJsonObject(k);
      rows.add(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.3f× %s | %.0f | %.0f | %.0f |", p.getString("phase"),
          p.getLong("entries"), p.getDouble("postedPerSecond"), p.getDouble("scoredPerSecond"), p.getDouble("ratio"),
          p.getDouble("ratio") >= r.getDouble("keepsUpAtLeast") * 0.99 ? "(keeps up)" : "(falls behind)", p.getDouble("p50Ms"),
          p.getDouble("p99Ms"), p.getDouble("maxMs")));
    }
    return String.format(Locale.ROOT, """
        # Risk scoring under posting load

        Entries posted through the HTTP API into a ledger of %d, with an isolation forest active; rates over the same
        entries from PostgreSQL's times (posting: first to last entry-posted event; scoring: first to last score);
        latency: each entry's score time minus its event's (the commit, within the posting transaction's length).

        | phase | entries | posted/s | scored/s | scored / posted | commit-to-score p50 ms | p99 ms | max ms |
        |---|---|---|---|---|---|---|---|
        %s
        """, r.getInteger("warmEntries"), String.join("\n", rows));
  }
}

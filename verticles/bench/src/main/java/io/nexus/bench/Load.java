package io.nexus.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A steady client load on every node of a {@link ChaosCluster}, as careful clients would send
 * it: each write is a journal entry with its own document number and {@code Idempotency-Key},
 * retried (same key, next node) until it is acknowledged or 30 s have passed; reads fetch
 * acknowledged entries and the caller's profile. Every attempt is recorded, so a drill can
 * cut out the window it hurt; {@link #check} compares what clients were told with PostgreSQL.
 */
final class Load {
  private static final long WRITE_GIVE_UP_MS = 30_000;
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(8);
  static final String WRITE = "write";
  static final String ENTRY_READ = "entry-read";
  static final String PROFILE_READ = "profile-read";

  /** One HTTP attempt: when (ms since the load began), how long, the status (0: no answer). */
  record Attempt(long atMs, double ms, int status, String kind, boolean retryAfter, int node) {
    boolean failed() {
      return status == 0 || status >= 500;
    }
  }

  private final ChaosCluster cluster;
  private final String token;
  final String ledgerId;
  private final long t0 = System.nanoTime();
  private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
  private final Map<String, String> acked = new ConcurrentHashMap<>();
  private final Set<String> unacknowledged = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
  private final AtomicInteger missingReads = new AtomicInteger();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;
  private volatile Set<Integer> targets;

  private Load(ChaosCluster cluster, String token, String ledgerId) {
    this.cluster = cluster;
    this.token = token;
    this.ledgerId = ledgerId;
    this.targets = ChaosCluster.allNodes(cluster.size);
  }

  /** Creates a ledger with two accounts through node 1 and starts the writers and readers. */
  static Load start(ChaosCluster cluster, int writers, int readers, long pauseMs) throws Exception {
    String token = cluster.login(1);
    var ledger = send(cluster, cluster.api(1) + "/ledgers", token, "POST",
        new JsonObject().put("name", "chaos " + System.currentTimeMillis()).put("currency", "EUR"), null);
    String ledgerId = new JsonObject(ledger.body()).getString("id");
    for (String[] a : new String[][] {{"1000", "Cash", "asset"}, {"4000", "Sales", "revenue"}}) {
      send(cluster, cluster.api(1) + "/ledgers/" + ledgerId + "/accounts", token, "POST",
          new JsonObject().put("code", a[0]).put("name", a[1]).put("type", a[2]), null);
    }
    var load = new Load(cluster, token, ledgerId);
    for (int w = 0; w < writers; w++) {
      int id = w;
      load.threads.add(begin("chaos-writer-" + w, () -> load.writer(id, pauseMs)));
    }
    for (int r = 0; r < readers; r++) {
      load.threads.add(begin("chaos-reader-" + r, () -> load.reader(pauseMs)));
    }
    return load;
  }

  private static Thread begin(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Milliseconds since the load began: the clock of {@link Attempt#atMs}. */
  long now() {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** Sends load only to these nodes from now on (a client that knows a node is gone). */
  void target(Set<Integer> nodes) {
    targets = Set.copyOf(nodes);
  }

  private int pick(int after) {
    var ts = new ArrayList<>(targets);
    java.util.Collections.sort(ts);
    for (int t : ts) {
      if (t > after) {
        return t;
      }
    }
    return ts.get(0);
  }

  private void writer(int id, long pauseMs) {
    int node = 1 + id % cluster.size;
    for (long seq = 0; running; seq++) {
      String doc = "CH-" + ledgerId.substring(0, 8) + "-" + id + "-" + seq;
      var body = new JsonObject().put("bookingDate", "2026-11-29").put("description", "chaos write " + doc)
          .put("documentNumber", doc).put("lines", new JsonArray()
              .add(new JsonObject().put("account", "1000").put("debit", "10.00").put("currency", "EUR"))
              .add(new JsonObject().put("account", "4000").put("credit", "10.00").put("currency", "EUR")));
      long giveUp = System.nanoTime() + WRITE_GIVE_UP_MS * 1_000_000;
      boolean done = false;
      while (!done && System.nanoTime() < giveUp) {
        node = pick(node);
        var r = timed(WRITE, node, cluster.api(node) + "/ledgers/" + ledgerId + "/entries", "POST", body, doc);
        if (r != null && r.statusCode() / 100 == 2) {
          acked.put(doc, new JsonObject(r.body()).getString("id"));
          done = true;
        } else if (r != null && r.statusCode() / 100 == 4 && r.statusCode() != 409 && r.statusCode() != 429) {
          refused.add(doc + " → " + r.statusCode() + " " + r.body());
          break;
        } else {
          sleep(r != null && r.statusCode() == 409 ? 200 : 100);
        }
      }
      if (!done) {
        unacknowledged.add(doc);
      }
      sleep(pauseMs);
    }
  }

  private void reader(long pauseMs) {
    int node = 1;
    var ids = new ArrayList<String>();
    while (running) {
      node = pick(node);
      if (ThreadLocalRandom.current().nextBoolean() && !acked.isEmpty()) {
        if (ids.size() < acked.size()) {
          ids.clear();
          ids.addAll(acked.values());
        }
        String entry = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
        var r = timed(ENTRY_READ, node, cluster.api(node) + "/ledgers/" + ledgerId + "/entries/" + entry, "GET", null, null);
        if (r != null && r.statusCode() == 404) {
          missingReads.incrementAndGet();
        }
      } else {
        timed(PROFILE_READ, node, cluster.api(node) + "/me", "GET", null, null);
      }
      sleep(pauseMs);
    }
  }

  private HttpResponse<String> timed(String kind, int node, String url, String method, JsonObject body, String key) {
    long start = System.nanoTime();
    HttpResponse<String> r = null;
    try {
      r = send(cluster, url, token, method, body, key);
    } catch (Exception e) {
      // no answer: connection refused, reset or timed out
    }
    attempts.add(new Attempt((start - t0) / 1_000_000, (System.nanoTime() - start) / 1e6, r == null ? 0 : r.statusCode(),
        kind, r != null && r.headers().firstValue("Retry-After").isPresent(), node));
    return r;
  }

  static HttpResponse<String> send(ChaosCluster c, String url, String token, String method, JsonObject body, String key)
      throws Exception {
    return send(c, url, token, method, body, key, null);
  }

  static HttpResponse<String> send(ChaosCluster c, String url, String token, String method, JsonObject body, String key,
      Long ifMatch) throws Exception {
    var b = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).header("Authorization", "Bearer " + token);
    if (ifMatch != null) {
      b.header("If-Match", "\"" + ifMatch + "\"");
    }
    if (key != null) {
      b.header("Idempotency-Key", key);
    }
    if (body != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return c.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Stops issuing new writes and reads; writes in progress finish (acknowledged or given up). */
  void stop() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join(WRITE_GIVE_UP_MS + 15_000);
    }
  }

  /** The attempts of these kinds that began in [fromMs, toMs). */
  List<Attempt> window(long fromMs, long toMs, String... kinds) {
    var ks = Set.of(kinds);
    return attempts.stream().filter(a -> a.atMs() >= fromMs && a.atMs() < toMs && (ks.isEmpty() || ks.contains(a.kind())))
        .toList();
  }

  /** As {@link #window} for the attempts sent to these nodes only. */
  List<Attempt> window(long fromMs, long toMs, Set<Integer> nodes, String... kinds) {
    return window(fromMs, toMs, kinds).stream().filter(a -> nodes.contains(a.node())).toList();
  }

  static double percentile(List<Attempt> as, double p) {
    if (as.isEmpty()) {
      return Double.NaN;
    }
    double[] ms = as.stream().mapToDouble(Attempt::ms).sorted().toArray();
    return ms[Math.min(ms.length - 1, (int) Math.ceil(p / 100 * ms.length) - 1)];
  }

  /** How many failed attempts had each status (0: no answer; "+RA": with Retry-After). */
  static Map<String, Long> failureStatuses(List<Attempt> as) {
    return as.stream().filter(Attempt::failed).collect(java.util.stream.Collectors.groupingBy(
        a -> a.status() + (a.retryAfter() ? "+RA" : ""), java.util.TreeMap::new, java.util.stream.Collectors.counting()));
  }

  static long failures(List<Attempt> as) {
    return as.stream().filter(Attempt::failed).count();
  }

  /** Distinct seconds in which some attempt failed. */
  static long errorSeconds(List<Attempt> as) {
    return as.stream().filter(Attempt::failed).map(a -> a.atMs() / 1000).distinct().count();
  }

  /** When (load clock) the last failed attempt of these began, or -1. */
  static long lastFailure(List<Attempt> as) {
    return as.stream().filter(Attempt::failed).mapToLong(Attempt::atMs).max().orElse(-1);
  }

  /** What clients were told against what PostgreSQL holds: call after {@link #stop()}. */
  record Check(int acknowledged, int acknowledgedMissing, int appliedTwice, int unacknowledged, int unacknowledgedApplied,
      int refused, int missingReads, List<String> samples) {
    boolean holds() {
      return acknowledgedMissing == 0 && appliedTwice == 0 && refused == 0 && missingReads == 0;
    }

    JsonObject json() {
      return new JsonObject().put("acknowledgedWrites", acknowledged).put("acknowledgedMissing", acknowledgedMissing)
          .put("appliedTwice", appliedTwice).put("unacknowledgedWrites", unacknowledged)
          .put("unacknowledgedButApplied", unacknowledgedApplied).put("refusedWrites", refused)
          .put("acknowledgedEntriesNotFoundOnRead", missingReads).put("samples", new JsonArray(samples));
    }
  }

  Check check() throws Exception {
    var counts = new HashMap<String, Integer>();
    var ids = new HashMap<String, String>();
    try (var c = DriverManager.getConnection(cluster.jdbcUrl());
         var st = c.prepareStatement("SELECT document_number, id::text FROM financial.entries WHERE ledger_id = ?::uuid")) {
      st.setString(1, ledgerId);
      try (var rs = st.executeQuery()) {
        while (rs.next()) {
          counts.merge(rs.getString(1), 1, Integer::sum);
          ids.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    var samples = new ArrayList<String>();
    int missing = 0;
    for (var e : acked.entrySet()) {
      if (!e.getValue().equals(ids.get(e.getKey()))) {
        missing++;
        if (samples.size() < 5) {
          samples.add("acknowledged " + e.getKey() + " as " + e.getValue() + " but PostgreSQL holds " + ids.get(e.getKey()));
        }
      }
    }
    int twice = 0;
    for (var e : counts.entrySet()) {
      if (e.getValue() > 1) {
        twice++;
        if (samples.size() < 10) {
          samples.add(e.getKey() + " applied " + e.getValue() + " times");
        }
      }
    }
    var unackedApplied = new HashSet<>(unacknowledged);
    unackedApplied.retainAll(counts.keySet());
    refused.stream().limit(5).forEach(samples::add);
    return new Check(acked.size(), missing, twice, unacknowledged.size(), unackedApplied.size(), refused.size(),
        missingReads.get(), samples);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

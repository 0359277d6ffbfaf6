package io.nexus.bench;

import io.nexus.kernel.embedded.EmbeddedServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * The fan-out benchmark: {@value #CLIENTS} WebSocket clients on the SockJS bridge, each
 * registered on its organisation's live feed, while journal entries are committed through the
 * HTTP API at a steady rate; every committed event reaches every client. Deliveries per second
 * and commit-to-client latency (the event's commit time to its arrival) against the bare Vert.x
 * hello's requests per second (wrk), A B A B. Node and hello pinned to core 0, clients and wrk
 * to core 1.
 */
public final class FanoutBench {
  private static final int CLIENTS = 1000;
  private static final int PAIRS = 3;
  private static final int SECONDS = 10;
  private static final int EVENTS_PER_SECOND = 100;
  private static final int POSTERS = 4;
  private static final double RATIO_TARGET = 1.0;
  private static final double P99_TARGET_MS = 50;

  private static io.vertx.core.http.WebSocketClient client;
  private static final AtomicLong CLOSED = new AtomicLong();
  private static final java.util.concurrent.atomic.AtomicReference<String> CLOSE_REASON =
      new java.util.concurrent.atomic.AtomicReference<>();

  private FanoutBench() {}

  public static void main(String[] args) throws Exception {
    try (var env = BenchEnv.open(args)) {
      run(env);
    }
  }

  private static void run(BenchEnv env) throws Exception {
    String jar = System.getProperty("nexus.node.jar");
    boolean pin = Runtime.getRuntime().availableProcessors() >= 2 && Files.isExecutable(Path.of("/usr/bin/taskset"));
    if (pin) {
      ChaosCluster.sh("taskset", "-a", "-p", "-c", "1", String.valueOf(ProcessHandle.current().pid()));
    }
    Path lua = GatewayBench.wrkScript(env.out);
    int nodePort = EmbeddedServers.freePort();
    int helloPort = EmbeddedServers.freePort();
    Process node = GatewayBench.startNode(env, jar, nodePort, pin);
    Process hello = GatewayBench.startHello(env.out, helloPort, pin);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      GatewayBench.await(env.out.resolve("node.log"), "NEXUS node ready", node);
      GatewayBench.await(env.out.resolve("hello.log"), "hello listening", hello);
      var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      String api = "http://127.0.0.1:" + nodePort + "/api/v1";
      String token = BenchEnv.login(http, api);
      String org = new JsonObject(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/me"))
          .header("Authorization", "Bearer " + token).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body())
          .getString("org");
      String ledger = BenchEnv.post(http, api + "/ledgers", token, new JsonObject().put("name", "fanout").put("currency", "EUR"))
          .getString("id");
      for (String[] a : new String[][] {{"1000", "Cash", "asset"}, {"4000", "Sales", "revenue"}}) {
        BenchEnv.post(http, api + "/ledgers/" + ledger + "/accounts", token, new JsonObject().put("code", a[0])
            .put("name", a[1]).put("type", a[2]));
      }
      var histogram = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
      var deliveries = new AtomicLong();
      var sockets = connect(vertx, nodePort, token, org, CLIENTS, histogram, deliveries);
      long nodePid = GatewayBench.serverPid(node);
      long helloPid = GatewayBench.serverPid(hello);
      // warm-up: JIT of the fan-out path and of the hello
      produce(http, api, token, ledger, SECONDS);
      GatewayBench.wrk(pin, lua, "http://127.0.0.1:" + helloPort + "/", null, 32, SECONDS, helloPid);
      var c = new ArrayList<JsonObject>();
      var b = new ArrayList<GatewayBench.Run>();
      var ratios = new ArrayList<Double>();
      for (int i = 0; i < PAIRS; i++) {
        histogram.reset();
        long before = deliveries.get();
        long cpu0 = Cpu.processJiffies(nodePid);
        long t0 = System.nanoTime();
        int committed = produce(http, api, token, ledger, SECONDS);
        // deliveries of events committed in the window: wait (bounded) for the stragglers
        long expected = (long) committed * CLIENTS;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (deliveries.get() - before < expected && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        long got = deliveries.get() - before;
        var cand = new JsonObject().put("eventsCommitted", committed).put("deliveries", got)
            .put("missing", Math.max(0, expected - got)).put("deliveriesPerSecond", got / wall)
            .put("p50Ms", histogram.getValueAtPercentile(50) / 1e6).put("p99Ms", histogram.getValueAtPercentile(99) / 1e6)
            .put("p999Ms", histogram.getValueAtPercentile(99.9) / 1e6)
            .put("nodeCpuPercent", (Cpu.processJiffies(nodePid) - cpu0) / Cpu.HZ / wall * 100);
        var base = GatewayBench.wrk(pin, lua, "http://127.0.0.1:" + helloPort + "/", null, 32, SECONDS, helloPid);
        cand.put("socketsClosed", CLOSED.get()).put("firstCloseReason", CLOSE_REASON.get());
        c.add(cand);
        b.add(base);
        ratios.add(cand.getDouble("deliveriesPerSecond") / base.rps());
        System.out.printf(Locale.ROOT, "fanout pair %d: %,d deliveries/s p99 %.1f ms (missing %d) | hello %.0f rps%s%n", i + 1,
            Math.round(cand.getDouble("deliveriesPerSecond")), cand.getDouble("p99Ms"), cand.getLong("missing"), base.rps(),
            base.disturbed() ? " DISTURBED" : "");
      }
      double p99 = Stats.median(c.stream().map(j -> j.getDouble("p99Ms")).toList());
      double ratio = Stats.median(ratios);
      var report = new JsonObject().put("scenario", "fanout").put("at", Instant.now().toString()).put("clients", CLIENTS)
          .put("eventsPerSecond", EVENTS_PER_SECOND).put("seconds", SECONDS).put("pairs", PAIRS).put("pinned", pin)
          .put("connected", sockets.size())
          .put("candidate", new JsonArray(c)).put("baseline", new JsonArray(b.stream().map(GatewayBench.Run::json).toList()))
          .put("deliveriesPerSecond", Stats.median(c.stream().map(j -> j.getDouble("deliveriesPerSecond")).toList()))
          .put("helloRps", Stats.median(b.stream().map(GatewayBench.Run::rps).toList()))
          .put("p50Ms", Stats.median(c.stream().map(j -> j.getDouble("p50Ms")).toList())).put("p99Ms", p99)
          .put("p999Ms", Stats.median(c.stream().map(j -> j.getDouble("p999Ms")).toList()))
          .put("missing", c.stream().mapToLong(j -> j.getLong("missing")).sum())
          .put("ratio", ratio).put("ratioMet", ratio >= RATIO_TARGET).put("p99Met", p99 <= P99_TARGET_MS)
          .put("nodeRssMb", Cpu.rssMb(nodePid));
      Files.writeString(env.out.resolve("fanout.json"), report.encodePrettily());
      Files.writeString(env.out.resolve("fanout.md"), markdown(report));
      System.out.println(markdown(report));
      Future.all(sockets.stream().map(WebSocket::close).toList()).await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
      node.destroy();
      hello.destroy();
      node.waitFor(60, TimeUnit.SECONDS);
      hello.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Opens the clients at once and registers each on the organisation's feed, pinging every 5 s
   * as the browser client does (the bridge closes a socket that sent no ping for 10 s); the
   * commit-to-arrival time of every event goes to {@code latency}.
   */
  private static List<WebSocket> connect(Vertx vertx, int port, String token, String org, int n, ConcurrentHistogram latency,
      AtomicLong deliveries) throws Exception {
    // kept in a field: Vert.x closes a client, and its sockets, once nothing references it
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxFrameSize(1 << 20).setMaxConnections(n));
    var sockets = new java.util.concurrent.ConcurrentLinkedQueue<WebSocket>();
    String register = new JsonObject().put("type", "register").put("address", "ui.org." + org + ".events")
        .put("headers", new JsonObject().put("authorization", "Bearer " + token)).encode();
    String ping = new JsonObject().put("type", "ping").encode();
    var connecting = new ArrayList<Future<WebSocket>>();
    for (int i = 0; i < n; i++) {
      connecting.add(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
          .setURI("/eventbus/websocket")).onSuccess(ws -> {
            ws.closeHandler(v -> {
              CLOSED.incrementAndGet();
              CLOSE_REASON.compareAndSet(null, ws.closeStatusCode() + " " + ws.closeReason());
            });
            // the bridge sends each frame as a binary WebSocket message holding JSON text
            ws.binaryMessageHandler(buf -> {
              String text = buf.toString();
              int at = text.lastIndexOf("\"at\":\"");
              if (at < 0 || !text.startsWith("{\"type\":\"rec\"")) {
                return;
              }
              long now = System.currentTimeMillis() * 1_000_000L;
              Instant committed = Instant.parse(text.substring(at + 6, text.indexOf('"', at + 6)));
              long ns = now - (committed.getEpochSecond() * 1_000_000_000L + committed.getNano());
              latency.recordValue(Math.max(0, Math.min(ns, latency.getHighestTrackableValue())));
              deliveries.incrementAndGet();
            });
            ws.writeTextMessage(register);
            ws.writeTextMessage(ping);
            sockets.add(ws);
          }));
    }
    Future.all(connecting).await(120, TimeUnit.SECONDS);
    vertx.setPeriodic(5_000, t -> sockets.forEach(ws -> {
      if (!ws.isClosed()) {
        ws.writeTextMessage(ping);
      }
    }));
    Thread.sleep(2_000); // registrations are checked asynchronously
    return List.copyOf(sockets);
  }

  /** Posts entries at {@value #EVENTS_PER_SECOND} per second for {@code seconds}; how many were committed. */
  private static int produce(HttpClient http, String api, String token, String ledger, int seconds) throws Exception {
    var committed = new java.util.concurrent.atomic.AtomicInteger();
    long start = System.nanoTime();
    long total = (long) EVENTS_PER_SECOND * seconds;
    var next = new AtomicLong();
    var threads = new ArrayList<Thread>();
    for (int t = 0; t < POSTERS; t++) {
      Thread th = new Thread(() -> {
        for (long k; (k = next.getAndIncrement()) < total; ) {
          long due = start + k * 1_000_000_000L / EVENTS_PER_SECOND;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
          }
          try {
            BenchEnv.post(http, api + "/ledgers/" + ledger + "/entries", token, new JsonObject().put("bookingDate", "2026-11-29")
                .put("description", "fanout " + k).put("lines", new JsonArray()
                    .add(new JsonObject().put("account", "1000").put("debit", "1.00").put("currency", "EUR"))
                    .add(new JsonObject().put("account", "4000").put("credit", "1.00").put("currency", "EUR"))));
            committed.incrementAndGet();
          } catch (Exception e) {
            // counted as not committed
          }
        }
      }, "fanout-poster-" + t);
      th.start();
      threads.add(th);
    }
    for (Thread th : threads) {
      th.join();
    }
    return committed.get();
  }

  private static String markdown(JsonObject r) {
    return String.format(Locale.ROOT, """
        # Fan-out (%s)

        Candidate: %d WebSocket clients (%d connected) on the SockJS bridge, each registered on its organisation's
        live feed, while journal entries are committed through the HTTP API at %d per second; every event goes to
        every client. Baseline: the bare Vert.x hello's requests per second (wrk, 32 connections). Pinned: %s (node
        and hello on core 0, clients and wrk on core 1). %d A/B pairs of %d s after a warm-up.

        | measure | result | target |
        |---|---|---|
        | deliveries per second (median) | %.0f (hello %.0f rps): %.2f× | ≥ %.1f× %s |
        | commit-to-client latency p50 / p99 / p99.9 | %.1f / %.1f / %.1f ms | p99 ≤ %.0f ms %s |
        | deliveries missing (events committed × clients − received) | %d | 0 |

        Node resident memory after the runs: %.0f MB.
        """, r.getString("at"), r.getInteger("clients"), r.getInteger("connected"), r.getInteger("eventsPerSecond"),
        r.getBoolean("pinned"), r.getInteger("pairs"), r.getInteger("seconds"), r.getDouble("deliveriesPerSecond"),
        r.getDouble("helloRps"), r.getDouble("ratio"), RATIO_TARGET, r.getBoolean("ratioMet") ? "met" : "MISSED",
        r.getDouble("p50Ms"), r.getDouble("p99Ms"), r.getDouble("p999Ms"), P99_TARGET_MS,
        r.getBoolean("p99Met") ? "met" : "MISSED", r.getLong("missing"), r.getDouble("nodeRssMb"));
  }
}

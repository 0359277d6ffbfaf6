package io.nexus.bench;

import io.nexus.kernel.embedded.EmbeddedServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The gateway benchmark: an authenticated {@code GET /api/v1/me} through a node (token verified,
 * rate limit in Redis, session check, breaker, bus request to the co-located Security service)
 * against a bare Vert.x HTTP hello with the same JVM flags, each its own JVM pinned to core 0,
 * wrk pinned to core 1; A B A B pairs, then the same at one connection for the added latency.
 * CPU used on the server's core by anything but the server is recorded; runs where it exceeds
 * {@value #DISTURBED_PERCENT} % of the core are marked disturbed and left out of the medians.
 */
public final class GatewayBench {
  private static final int PAIRS = 3;
  private static final int SECONDS = 10;
  private static final int WARM_UP_SECONDS = 30;
  private static final int CONNECTIONS = 32;
  private static final double DISTURBED_PERCENT = 10;
  private static final double THROUGHPUT_TARGET = 0.6;
  private static final double ADDED_P50_TARGET_MS = 0.1;
  private static final double ADDED_P99_TARGET_MS = 0.5;
  private static final String[] JVM = {"-Xmx1g", "-XX:+UseParallelGC"};

  private GatewayBench() {}

  public static void main(String[] args) throws Exception {
    try (var env = BenchEnv.open(args)) {
      run(env);
    }
  }

  /** One wrk run: what it measured and what the server's core did meanwhile. */
  record Run(double rps, double p50Ms, double p99Ms, double p999Ms, long errors, double serverCpuPercent,
      double otherCpuOnServerCorePercent, boolean disturbed) {
    JsonObject json() {
      return new JsonObject().put("rps", rps).put("p50Ms", p50Ms).put("p99Ms", p99Ms).put("p999Ms", p999Ms)
          .put("errors", errors).put("serverCpuPercent", serverCpuPercent)
          .put("otherCpuOnServerCorePercent", otherCpuOnServerCorePercent).put("disturbed", disturbed);
    }
  }

  private static void run(BenchEnv env) throws Exception {
    String jar = System.getProperty("nexus.node.jar");
    boolean pin = Runtime.getRuntime().availableProcessors() >= 2 && Files.isExecutable(Path.of("/usr/bin/taskset"));
    Path lua = wrkScript(env.out);
    int nodePort = EmbeddedServers.freePort();
    int helloPort = EmbeddedServers.freePort();
    Process node = startNode(env, jar, nodePort, pin);
    Process hello = startHello(env.out, helloPort, pin);
    try {
      await(env.out.resolve("node.log"), "NEXUS node ready", node);
      await(env.out.resolve("hello.log"), "hello listening", hello);
      var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      String token = BenchEnv.login(http, "http://127.0.0.1:" + nodePort + "/api/v1");
      var me = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodePort + "/api/v1/me"))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      if (me.statusCode() != 200) {
        throw new IllegalStateException("GET /me answered " + me.statusCode() + " " + me.body());
      }
      String candidateUrl = "http://127.0.0.1:" + nodePort + "/api/v1/me";
      String baselineUrl = "http://127.0.0.1:" + helloPort + "/";
      long nodePid = serverPid(node);
      long helloPid = serverPid(hello);
      // warm-up: JIT, connection pools, caches (the gateway was still speeding up after 5 s)
      wrk(pin, lua, candidateUrl, token, CONNECTIONS, WARM_UP_SECONDS, nodePid);
      wrk(pin, lua, baselineUrl, null, CONNECTIONS, WARM_UP_SECONDS, helloPid);
      var report = new JsonObject().put("scenario", "gateway").put("at", Instant.now().toString()).put("pairs", PAIRS)
          .put("seconds", SECONDS).put("connections", CONNECTIONS).put("pinned", pin)
          .put("server", "server JVMs on core 0, wrk on core 1; JVM flags " + String.join(" ", JVM));
      report.put("throughput", pairs(pin, lua, candidateUrl, baselineUrl, token, CONNECTIONS, nodePid, helloPid));
      report.put("oneConnection", pairs(pin, lua, candidateUrl, baselineUrl, token, 1, nodePid, helloPid));
      report.put("nodeRssMb", Cpu.rssMb(nodePid)).put("helloRssMb", Cpu.rssMb(helloPid));
      JsonObject t = report.getJsonObject("throughput");
      JsonObject one = report.getJsonObject("oneConnection");
      double addedP50 = one.getDouble("candidateP50Ms") - one.getDouble("baselineP50Ms");
      double addedP99 = one.getDouble("candidateP99Ms") - one.getDouble("baselineP99Ms");
      report.put("targets", new JsonObject()
          .put("throughputAtLeast", THROUGHPUT_TARGET).put("throughputMet", t.getDouble("ratio") >= THROUGHPUT_TARGET)
          .put("addedP50Ms", addedP50).put("addedP50Met", addedP50 <= ADDED_P50_TARGET_MS)
          .put("addedP99Ms", addedP99).put("addedP99Met", addedP99 <= ADDED_P99_TARGET_MS));
      Files.writeString(env.out.resolve("gateway.json"), report.encodePrettily());
      Files.writeString(env.out.resolve("gateway.md"), markdown(report));
      System.out.println(markdown(report));
    } finally {
      node.destroy();
      hello.destroy();
      node.waitFor(60, TimeUnit.SECONDS);
      hello.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** A node from the jar with every service, pinned to core 0 when {@code pin}, rate limits out of the way. */
  static Process startNode(BenchEnv env, String jar, int nodePort, boolean pin) throws Exception {
    int hzPort = EmbeddedServers.freePort();
    Path nodeConfig = env.out.resolve("bench-node.yaml");
    Files.writeString(nodeConfig, "gateway:\n  rateLimit:\n    perPrincipalPerSecond: 10000000\n");
    var nodeCmd = new ArrayList<String>();
    if (pin) {
      nodeCmd.addAll(List.of("taskset", "-c", "0"));
    }
    nodeCmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    nodeCmd.addAll(List.of(JVM));
    nodeCmd.addAll(List.of("-jar", jar));
    var nodePb = new ProcessBuilder(nodeCmd).redirectErrorStream(true).redirectOutput(env.out.resolve("node.log").toFile());
    nodePb.environment().keySet().removeIf(k -> k.startsWith("NEXUS_"));
    nodePb.environment().putAll(java.util.Map.of("NEXUS_PG_URL", env.freshDatabase(), "NEXUS_REDIS_URL", env.redisUrl,
        "NEXUS_HTTP_PORT", String.valueOf(nodePort), "NEXUS_CLUSTER_PORT", String.valueOf(hzPort),
        "NEXUS_CLUSTER_MEMBERS", "127.0.0.1:" + hzPort, "NEXUS_CLUSTER_NAME", "bench-" + UUID.randomUUID(),
        "NEXUS_ADMIN_EMAIL", BenchEnv.ADMIN_EMAIL, "NEXUS_ADMIN_PASSWORD", BenchEnv.ADMIN_PASSWORD,
        "NEXUS_DATA_DIR", env.out.resolve("node").toString(), "NEXUS_CONFIG", nodeConfig.toString()));
    return nodePb.start();
  }

  /** The bare Vert.x hello with the same JVM flags, pinned to core 0 when {@code pin}. */
  static Process startHello(Path out, int helloPort, boolean pin) throws IOException {
    var helloCmd = new ArrayList<String>();
    if (pin) {
      helloCmd.addAll(List.of("taskset", "-c", "0"));
    }
    helloCmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    helloCmd.addAll(List.of(JVM));
    helloCmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HelloServer.class.getName(),
        String.valueOf(helloPort)));
    return new ProcessBuilder(helloCmd).redirectErrorStream(true).redirectOutput(out.resolve("hello.log").toFile()).start();
  }

  /** The wrk script that prints one parsable result line. */
  static Path wrkScript(Path out) throws IOException {
    Path lua = out.resolve("report.lua");
    Files.writeString(lua, """
        done = function(summary, latency, requests)
          local e = summary.errors
          io.write(string.format("WRK %d %d %d %d %d %d\\n", summary.requests, summary.duration,
            e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50), latency:percentile(99),
            latency:percentile(99.9)))
        end
        """);
    return lua;
  }

  /** The server process's own pid (the last descendant: taskset execs java). */
  static long serverPid(Process p) {
    return p.toHandle().descendants().reduce((a, b) -> b).map(ProcessHandle::pid).orElse(p.pid());
  }

  /** Candidate and baseline alternated; medians over the undisturbed runs; ratio = median of per-pair ratios. */
  private static JsonObject pairs(boolean pin, Path lua, String candidateUrl, String baselineUrl, String token, int connections,
      long nodePid, long helloPid) throws Exception {
    var c = new ArrayList<Run>();
    var b = new ArrayList<Run>();
    var ratios = new ArrayList<Double>();
    for (int i = 0; i < PAIRS; i++) {
      Run cand = wrk(pin, lua, candidateUrl, token, connections, SECONDS, nodePid);
      Run base = wrk(pin, lua, baselineUrl, null, connections, SECONDS, helloPid);
      c.add(cand);
      b.add(base);
      if (!cand.disturbed() && !base.disturbed()) {
        ratios.add(cand.rps() / base.rps());
      }
      System.out.printf(Locale.ROOT, "c=%d pair %d: gateway %.0f rps p50 %.3f ms p99 %.3f ms%s | hello %.0f rps p50 %.3f ms "
              + "p99 %.3f ms%s%n", connections, i + 1, cand.rps(), cand.p50Ms(), cand.p99Ms(), cand.disturbed() ? " DISTURBED" : "",
          base.rps(), base.p50Ms(), base.p99Ms(), base.disturbed() ? " DISTURBED" : "");
    }
    var cOk = c.stream().filter(r -> !r.disturbed()).toList();
    var bOk = b.stream().filter(r -> !r.disturbed()).toList();
    var cUse = cOk.isEmpty() ? c : cOk;
    var bUse = bOk.isEmpty() ? b : bOk;
    if (ratios.isEmpty()) {
      for (int i = 0; i < PAIRS; i++) {
        ratios.add(c.get(i).rps() / b.get(i).rps());
      }
    }
    return new JsonObject()
        .put("candidate", new JsonArray(c.stream().map(Run::json).toList()))
        .put("baseline", new JsonArray(b.stream().map(Run::json).toList()))
        .put("candidateRps", Stats.median(cUse.stream().map(Run::rps).toList()))
        .put("baselineRps", Stats.median(bUse.stream().map(Run::rps).toList()))
        .put("candidateP50Ms", Stats.median(cUse.stream().map(Run::p50Ms).toList()))
        .put("candidateP99Ms", Stats.median(cUse.stream().map(Run::p99Ms).toList()))
        .put("candidateP999Ms", Stats.median(cUse.stream().map(Run::p999Ms).toList()))
        .put("baselineP50Ms", Stats.median(bUse.stream().map(Run::p50Ms).toList()))
        .put("baselineP99Ms", Stats.median(bUse.stream().map(Run::p99Ms).toList()))
        .put("baselineP999Ms", Stats.median(bUse.stream().map(Run::p999Ms).toList()))
        .put("errors", c.stream().mapToLong(Run::errors).sum() + b.stream().mapToLong(Run::errors).sum())
        .put("disturbedRuns", c.size() - cOk.size() + b.size() - bOk.size())
        .put("ratio", Stats.median(ratios));
  }

  /** One wrk run against {@code url}, with the CPU of the server process and of everything else on core 0. */
  static Run wrk(boolean pin, Path lua, String url, String token, int connections, int seconds, long serverPid)
      throws Exception {
    var cmd = new ArrayList<String>();
    if (pin) {
      cmd.addAll(List.of("taskset", "-c", "1"));
    }
    cmd.addAll(List.of("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--timeout", "5s", "-s", lua.toString()));
    if (token != null) {
      cmd.addAll(List.of("-H", "Authorization: Bearer " + token));
    }
    cmd.add(url);
    long[] core0 = Cpu.coreJiffies(0);
    long server0 = Cpu.processJiffies(serverPid);
    long deps0 = Cpu.dependencyJiffies();
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    double wall = (System.nanoTime() - t0) / 1e9;
    long[] core1 = Cpu.coreJiffies(0);
    long server1 = Cpu.processJiffies(serverPid);
    long deps1 = Cpu.dependencyJiffies();
    String line = out.lines().filter(l -> l.startsWith("WRK ")).findFirst()
        .orElseThrow(() -> new IllegalStateException("wrk printed no result:\n" + out));
    String[] f = line.split(" ");
    long requests = Long.parseLong(f[1]);
    double durationS = Long.parseLong(f[2]) / 1e6;
    double hz = 100.0; // USER_HZ on Linux
    double coreBusy = (core1[0] - core0[0]) / hz / wall * 100;
    double server = (server1 - server0) / hz / wall * 100;
    // PostgreSQL and Redis work for the candidate and run anywhere: their CPU does not count as disturbance
    double deps = (deps1 - deps0) / hz / wall * 100;
    double other = pin ? Math.max(0, coreBusy - server - deps) : Double.NaN;
    return new Run(requests / durationS, Long.parseLong(f[4]) / 1000.0, Long.parseLong(f[5]) / 1000.0,
        Long.parseLong(f[6]) / 1000.0, Long.parseLong(f[3]), server, other, pin && other > DISTURBED_PERCENT);
  }

  static void await(Path log, String line, Process p) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(line)) {
        return;
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("exited before '" + line + "':\n" + Files.readString(log));
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("no '" + line + "' in " + log);
  }

  private static String markdown(JsonObject r) {
    var t = r.getJsonObject("throughput");
    var one = r.getJsonObject("oneConnection");
    var g = r.getJsonObject("targets");
    return String.format(Locale.ROOT, """
        # Gateway (%s)

        Candidate: authenticated `GET /api/v1/me` through a node (ES256 token verified, rate limit and session check
        in Redis, circuit breaker, event-bus request to the co-located Security service). Baseline: a bare Vert.x
        HTTP hello, one server instance like the gateway. %s. %d A/B pairs of %d s after a warm-up, wrk -t1.

        | measure | gateway (median) | hello (median) | result | target |
        |---|---|---|---|---|
        | throughput, %d connections | %.0f rps | %.0f rps | %.2f× | ≥ %.1f× %s |
        | latency p50 / p99 / p99.9, %d connections | %.2f / %.2f / %.2f ms | %.2f / %.2f / %.2f ms | | |
        | added latency at 1 connection, p50 | %.3f ms | %.3f ms | +%.3f ms | ≤ %.1f ms %s |
        | added latency at 1 connection, p99 | %.3f ms | %.3f ms | +%.3f ms | ≤ %.1f ms %s |

        Errors: %d. Runs disturbed by other processes on the server core (> %.0f %% of it), left out of the medians: %d.
        Resident memory after the runs: node %.0f MB, hello %.0f MB.
        """, r.getString("at"), r.getString("server"), r.getInteger("pairs"), r.getInteger("seconds"),
        r.getInteger("connections"), t.getDouble("candidateRps"), t.getDouble("baselineRps"), t.getDouble("ratio"),
        g.getDouble("throughputAtLeast"), g.getBoolean("throughputMet") ? "met" : "MISSED",
        r.getInteger("connections"), t.getDouble("candidateP50Ms"), t.getDouble("candidateP99Ms"), t.getDouble("candidateP999Ms"),
        t.getDouble("baselineP50Ms"), t.getDouble("baselineP99Ms"), t.getDouble("baselineP999Ms"),
        one.getDouble("candidateP50Ms"), one.getDouble("baselineP50Ms"), g.getDouble("addedP50Ms"), ADDED_P50_TARGET_MS,
        g.getBoolean("addedP50Met") ? "met" : "MISSED",
        one.getDouble("candidateP99Ms"), one.getDouble("baselineP99Ms"), g.getDouble("addedP99Ms"), ADDED_P99_TARGET_MS,
        g.getBoolean("addedP99Met") ? "met" : "MISSED",
        t.getLong("errors") + one.getLong("errors"), DISTURBED_PERCENT,
        t.getInteger("disturbedRuns") + one.getInteger("disturbedRuns"), r.getDouble("nodeRssMb"), r.getDouble("helloRssMb"));
  }
}

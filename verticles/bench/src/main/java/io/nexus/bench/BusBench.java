package io.nexus.bench;

import com.hazelcast.config.Config;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The event-bus benchmark: JSON request/reply with {@value #IN_FLIGHT} requests in flight
 * between two nodes — this JVM and an echo JVM, clustered over Hazelcast and the bus's TCP
 * transport on loopback — against the same between two event loops of one JVM. The echo JVM is
 * pinned to core 0 and this one to core 1 for the two-node runs; the one-JVM baseline may use
 * both cores. A B A B pairs; runs where other processes used more than
 * {@value #DISTURBED_PERCENT} % of a core are marked disturbed and left out of the medians.
 */
public final class BusBench {
  static final String ADDRESS = "bench.echo";
  private static final int IN_FLIGHT = 128;
  private static final int PAIRS = 3;
  private static final long RUN_MS = 8_000;
  private static final long WARM_UP_MS = 10_000;
  private static final double DISTURBED_PERCENT = 10;
  private static final double RATE_TARGET = 75_000;
  private static final double P99_TARGET_MS = 5;

  private BusBench() {}

  /** The message every request carries: a journal-entry-sized JSON object. */
  static JsonObject payload(long seq) {
    return new JsonObject().put("seq", seq).put("org", "7c9e6679-7425-40de-944b-e07fc1f90ae7")
        .put("ledgerId", "f47ac10b-58cc-4372-a567-0e02b2c3d479").put("bookingDate", "2026-11-29")
        .put("description", "Invoice 2026-0042 office supplies").put("counterparty", "ACME Office GmbH")
        .put("lines", new JsonArray()
            .add(new JsonObject().put("account", "6000").put("debit", "1234.56").put("currency", "EUR"))
            .add(new JsonObject().put("account", "1000").put("credit", "1234.56").put("currency", "EUR")));
  }

  /** The echo node: {@code BusBench$Echo <cluster> <hzPort>}; answers every request with its body. */
  public static final class Echo {
    private Echo() {}

    public static void main(String[] args) throws Exception {
      Vertx vertx = clustered(args[0], Integer.parseInt(args[1]), Integer.parseInt(args[2]));
      vertx.eventBus().<JsonObject>consumer(ADDRESS, m -> m.reply(m.body())).completion().await(60, TimeUnit.SECONDS);
      System.out.println("echo ready");
    }
  }

  static Vertx clustered(String cluster, int port, int otherPort) throws Exception {
    var hz = new Config().setClusterName(cluster);
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    var network = hz.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
    hz.setProperty("hazelcast.local.localAddress", "127.0.0.1");
    var join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(List.of("127.0.0.1:" + port, "127.0.0.1:" + otherPort));
    return Vertx.builder().with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
        .withClusterManager(new HazelcastClusterManager(hz)).buildClustered().await(120, TimeUnit.SECONDS);
  }

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "data/bench/bus");
    Files.createDirectories(out);
    boolean pin = Runtime.getRuntime().availableProcessors() >= 2 && Files.isExecutable(Path.of("/usr/bin/taskset"));
    String cluster = "bench-bus-" + UUID.randomUUID();
    int echoPort = io.nexus.kernel.embedded.EmbeddedServers.freePort();
    int myPort = io.nexus.kernel.embedded.EmbeddedServers.freePort();
    var cmd = new ArrayList<String>();
    if (pin) {
      cmd.addAll(List.of("taskset", "-c", "0"));
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.addAll(ChaosCluster.OPENS);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Echo.class.getName(), cluster,
        String.valueOf(echoPort), String.valueOf(myPort)));
    Process echo = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.resolve("bus-echo.log").toFile()).start();
    Vertx two = null;
    Vertx one = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    try {
      two = clustered(cluster, myPort, echoPort);
      GatewayBench.await(out.resolve("bus-echo.log"), "echo ready", echo);
      one.deployVerticle(new AbstractVerticle() {
        @Override
        public void start(Promise<Void> p) {
          vertx.eventBus().<JsonObject>localConsumer(ADDRESS, m -> m.reply(m.body())).completion().onComplete(p);
        }
      }, new DeploymentOptions()).await(30, TimeUnit.SECONDS);
      long self = ProcessHandle.current().pid();
      Vertx twoNodes = two;
      var c = new ArrayList<Run>();
      var b = new ArrayList<Run>();
      var ratios = new ArrayList<Double>();
      run(twoNodes, pin ? "1" : null, self, echo.pid(), WARM_UP_MS);
      run(one, pin ? "0,1" : null, self, -1, WARM_UP_MS);
      for (int i = 0; i < PAIRS; i++) {
        Run cand = run(twoNodes, pin ? "1" : null, self, echo.pid(), RUN_MS);
        Run base = run(one, pin ? "0,1" : null, self, -1, RUN_MS);
        c.add(cand);
        b.add(base);
        if (!cand.disturbed() && !base.disturbed()) {
          ratios.add(cand.rate() / base.rate());
        }
        System.out.printf(Locale.ROOT, "bus pair %d: two JVMs %.0f/s p99 %.2f ms%s | one JVM %.0f/s p99 %.2f ms%s%n", i + 1,
            cand.rate(), cand.p99Ms(), cand.disturbed() ? " DISTURBED" : "", base.rate(), base.p99Ms(),
            base.disturbed() ? " DISTURBED" : "");
      }
      if (ratios.isEmpty()) {
        for (int i = 0; i < PAIRS; i++) {
          ratios.add(c.get(i).rate() / b.get(i).rate());
        }
      }
      var cOk = c.stream().filter(r -> !r.disturbed()).toList();
      var bOk = b.stream().filter(r -> !r.disturbed()).toList();
      var cUse = cOk.isEmpty() ? c : cOk;
      var bUse = bOk.isEmpty() ? b : bOk;
      double rate = Stats.median(cUse.stream().map(Run::rate).toList());
      double p99 = Stats.median(cUse.stream().map(Run::p99Ms).toList());
      var report = new JsonObject().put("scenario", "bus").put("at", Instant.now().toString()).put("inFlight", IN_FLIGHT)
          .put("pairs", PAIRS).put("runMs", RUN_MS).put("pinned", pin)
          .put("payloadBytes", payload(0).encode().length())
          .put("candidate", new JsonArray(c.stream().map(Run::json).toList()))
          .put("baseline", new JsonArray(b.stream().map(Run::json).toList()))
          .put("candidatePerSecond", rate).put("baselinePerSecond", Stats.median(bUse.stream().map(Run::rate).toList()))
          .put("candidateP50Ms", Stats.median(cUse.stream().map(Run::p50Ms).toList())).put("candidateP99Ms", p99)
          .put("candidateP999Ms", Stats.median(cUse.stream().map(Run::p999Ms).toList()))
          .put("baselineP50Ms", Stats.median(bUse.stream().map(Run::p50Ms).toList()))
          .put("baselineP99Ms", Stats.median(bUse.stream().map(Run::p99Ms).toList()))
          .put("baselineP999Ms", Stats.median(bUse.stream().map(Run::p999Ms).toList()))
          .put("ratio", Stats.median(ratios))
          .put("disturbedRuns", c.size() - cOk.size() + b.size() - bOk.size())
          .put("echoRssMb", Cpu.rssMb(echo.pid())).put("benchRssMb", Cpu.rssMb(self))
          .put("rateTarget", RATE_TARGET).put("rateMet", rate >= RATE_TARGET)
          .put("p99TargetMs", P99_TARGET_MS).put("p99Met", p99 <= P99_TARGET_MS);
      Files.writeString(out.resolve("bus.json"), report.encodePrettily());
      Files.writeString(out.resolve("bus.md"), markdown(report));
      System.out.println(markdown(report));
    } finally {
      if (two != null) {
        two.close().await(30, TimeUnit.SECONDS);
      }
      one.close().await(30, TimeUnit.SECONDS);
      echo.destroy();
      echo.waitFor(30, TimeUnit.SECONDS);
    }
  }

  record Run(double rate, double p50Ms, double p99Ms, double p999Ms, long errors, double benchCpuPercent,
      double echoCpuPercent, double otherCpuPercent, boolean disturbed) {
    JsonObject json() {
      return new JsonObject().put("perSecond", rate).put("p50Ms", p50Ms).put("p99Ms", p99Ms).put("p999Ms", p999Ms)
          .put("errors", errors).put("benchCpuPercent", benchCpuPercent).put("echoCpuPercent", echoCpuPercent)
          .put("otherCpuPercent", otherCpuPercent).put("disturbed", disturbed);
    }
  }

  /**
   * Keeps {@value #IN_FLIGHT} requests in flight for {@code ms}; the rate and latency of the
   * replies. {@code cores} pins this JVM's threads first (null: leave them).
   */
  static Run run(Vertx vertx, String cores, long self, long echoPid, long ms) throws Exception {
    if (cores != null) {
      ChaosCluster.sh("taskset", "-a", "-p", "-c", cores, String.valueOf(self));
    }
    var histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    long[] done = new long[2]; // replies, errors
    long total0 = Cpu.totalBusyJiffies();
    long self0 = Cpu.processJiffies(self);
    long echo0 = echoPid > 0 ? Cpu.processJiffies(echoPid) : 0;
    long t0 = System.nanoTime();
    long end = t0 + TimeUnit.MILLISECONDS.toNanos(ms);
    Promise<Void> finished = Promise.promise();
    // one sender context: every request and its reply handled on the same event loop
    vertx.runOnContext(v -> {
      var opts = new DeliveryOptions().setSendTimeout(5_000);
      int[] outstanding = {0};
      long[] seq = {0};
      Runnable[] send = new Runnable[1];
      send[0] = () -> {
        long start = System.nanoTime();
        outstanding[0]++;
        vertx.eventBus().<JsonObject>request(ADDRESS, payload(seq[0]++), opts).onComplete(ar -> {
          outstanding[0]--;
          long now = System.nanoTime();
          if (ar.succeeded()) {
            histogram.recordValue(Math.min(now - start, histogram.getHighestTrackableValue()));
            done[0]++;
          } else {
            done[1]++;
          }
          if (now < end) {
            send[0].run();
          } else if (outstanding[0] == 0) {
            finished.tryComplete();
          }
        });
      };
      for (int i = 0; i < IN_FLIGHT; i++) {
        send[0].run();
      }
    });
    finished.future().await(ms + 30_000, TimeUnit.MILLISECONDS);
    double wall = (System.nanoTime() - t0) / 1e9;
    double all = (Cpu.totalBusyJiffies() - total0) / Cpu.HZ / wall * 100;
    double mine = (Cpu.processJiffies(self) - self0) / Cpu.HZ / wall * 100;
    double theirs = echoPid > 0 ? (Cpu.processJiffies(echoPid) - echo0) / Cpu.HZ / wall * 100 : 0;
    double other = Math.max(0, all - mine - theirs);
    return new Run(done[0] / wall, histogram.getValueAtPercentile(50) / 1e6, histogram.getValueAtPercentile(99) / 1e6,
        histogram.getValueAtPercentile(99.9) / 1e6, done[1], mine, theirs, other, other > DISTURBED_PERCENT);
  }

  private static String markdown(JsonObject r) {
    return String.format(Locale.ROOT, """
        # Event bus (%s)

        Candidate: request/reply between two nodes (this JVM and an echo JVM, Hazelcast-clustered, the bus's TCP
        transport on loopback), %d in flight, a %d-byte JSON body each way. Baseline: the same between two event
        loops of one JVM. Pinned: %s (echo JVM on core 0, sender on core 1; the baseline may use both). %d A/B pairs
        of %d ms after a warm-up.

        | measure | two JVMs (median) | one JVM (median) | result | target |
        |---|---|---|---|---|
        | request/reply per second | %.0f | %.0f | %.2f× | ≥ %.0f/s %s |
        | latency p50 / p99 / p99.9 | %.2f / %.2f / %.2f ms | %.2f / %.2f / %.2f ms | | p99 ≤ %.0f ms %s |

        Runs disturbed by other processes (> %.0f %% of a core), left out of the medians: %d.
        Resident memory: echo JVM %.0f MB, sender JVM %.0f MB.
        """, r.getString("at"), r.getInteger("inFlight"), r.getInteger("payloadBytes"), r.getBoolean("pinned"),
        r.getInteger("pairs"), r.getLong("runMs"), r.getDouble("candidatePerSecond"), r.getDouble("baselinePerSecond"),
        r.getDouble("ratio"), r.getDouble("rateTarget"), r.getBoolean("rateMet") ? "met" : "MISSED",
        r.getDouble("candidateP50Ms"), r.getDouble("candidateP99Ms"), r.getDouble("candidateP999Ms"),
        r.getDouble("baselineP50Ms"), r.getDouble("baselineP99Ms"), r.getDouble("baselineP999Ms"),
        r.getDouble("p99TargetMs"), r.getBoolean("p99Met") ? "met" : "MISSED", DISTURBED_PERCENT,
        r.getInteger("disturbedRuns"), r.getDouble("echoRssMb"), r.getDouble("benchRssMb"));
  }
}

package io.nexus.bench;

import io.nexus.kernel.embedded.EmbeddedServers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.embedded.RedisServer;

/**
 * The drills' cluster: N nodes started from the shaded jar as {@code scripts/cluster.sh}
 * starts them (every service on each, one shared PostgreSQL and Redis, the same settings), plus
 * what a drill needs to hurt them: signals, an immediate-mode PostgreSQL restart, Redis stopped
 * and started, each node's fault file, and — when it runs as root with {@code ip} — every node in
 * its own network namespace behind a bridge, so that one node's link can be cut.
 */
final class ChaosCluster implements AutoCloseable {
  static final String ADMIN_EMAIL = "chaos@nexus.test";
  static final String ADMIN_PASSWORD = "chaos-admin-password";
  private static final String BRIDGE = "nxchaos0";
  private static final String SUBNET = "10.77.0.";
  private static final String BRIDGE_IP = SUBNET + "254";
  private static final int HTTP_BASE = 18080;
  private static final int HZ_BASE = 15701;
  private static final Duration READY_WAIT = Duration.ofSeconds(180);
  /** The module flags Hazelcast asks for (as scripts/lib.sh's JAVA_OPENS). */
  static final List<String> OPENS = List.of("--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

  final int size;
  final boolean netns;
  private final Path dir;
  private final String jar;
  private final int pgPort;
  private final int redisPort;
  private final String clusterName = "chaos-" + UUID.randomUUID().toString().substring(0, 8);
  private final Process[] nodes;
  private final String[] nodeIds;
  private EmbeddedPostgres pg;
  private Process restartedPg;
  private RedisServer redis;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private ChaosCluster(Path dir, String jar, int size, boolean netns) {
    this.dir = dir;
    this.jar = jar;
    this.size = size;
    this.netns = netns;
    this.nodes = new Process[size + 1];
    this.nodeIds = new String[size + 1];
    this.pgPort = EmbeddedServers.freePort();
    this.redisPort = EmbeddedServers.freePort();
  }

  /** True when this process may build network namespaces (root, with iproute2). */
  static boolean canUseNetns() {
    try {
      Process p = new ProcessBuilder("ip", "netns", "add", "nxchaosprobe").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      boolean ok = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
      shQuiet("ip", "netns", "del", "nxchaosprobe");
      return ok;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  /** Starts PostgreSQL, Redis and {@code size} nodes, and waits until they agree on the cluster. */
  static ChaosCluster start(Path dir, String jar, int size, boolean netns) throws Exception {
    var c = new ChaosCluster(dir, jar, size, netns);
    try {
      Files.createDirectories(dir);
      if (netns) {
        c.buildNetwork();
      }
      c.startPostgres();
      c.startRedis();
      for (int i = 1; i <= size; i++) {
        c.startNode(i);
      }
      for (int i = 1; i <= size; i++) {
        c.awaitReady(i);
      }
      c.awaitAgreement(allNodes(size), 120_000);
      return c;
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
  }

  static Set<Integer> allNodes(int size) {
    var s = new HashSet<Integer>();
    for (int i = 1; i <= size; i++) {
      s.add(i);
    }
    return s;
  }

  String host(int i) {
    return netns ? SUBNET + i : "127.0.0.1";
  }

  int httpPort(int i) {
    return HTTP_BASE + i;
  }

  /** The node's API base URL. */
  String api(int i) {
    return "http://" + host(i) + ":" + httpPort(i) + "/api/v1";
  }

  String nodeId(int i) {
    return nodeIds[i];
  }

  long pid(int i) {
    return nodes[i].pid();
  }

  Path faultFile(int i) {
    return dir.resolve("faults-" + i + ".json");
  }

  /** A JDBC connection string to the shared database. */
  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres?user=postgres";
  }

  // ---- the network ----

  private void buildNetwork() throws Exception {
    tearDownNetwork();
    sh("ip", "link", "add", BRIDGE, "type", "bridge");
    sh("ip", "addr", "add", BRIDGE_IP + "/24", "dev", BRIDGE);
    sh("ip", "link", "set", BRIDGE, "up");
    for (int i = 1; i <= size; i++) {
      String ns = ns(i);
      sh("ip", "netns", "add", ns);
      sh("ip", "link", "add", veth(i), "type", "veth", "peer", "name", veth(i) + "p");
      sh("ip", "link", "set", veth(i) + "p", "netns", ns);
      sh("ip", "link", "set", veth(i), "master", BRIDGE);
      sh("ip", "link", "set", veth(i), "up");
      sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
      sh("ip", "netns", "exec", ns, "ip", "addr", "add", SUBNET + i + "/24", "dev", veth(i) + "p");
      sh("ip", "netns", "exec", ns, "ip", "link", "set", veth(i) + "p", "up");
    }
  }

  private void tearDownNetwork() {
    for (int i = 1; i <= 9; i++) {
      shQuiet("ip", "netns", "del", ns(i));
      shQuiet("ip", "link", "del", veth(i));
    }
    shQuiet("ip", "link", "del", BRIDGE);
  }

  private static String ns(int i) {
    return "nxchaos" + i;
  }

  private static String veth(int i) {
    return "nxc" + i;
  }

  /** Cuts node i's only link: it can reach neither the other nodes nor PostgreSQL, Redis or clients. */
  void cut(int i) throws Exception {
    sh("ip", "link", "set", veth(i), "down");
  }

  void restore(int i) throws Exception {
    sh("ip", "link", "set", veth(i), "up");
  }

  // ---- PostgreSQL and Redis ----

  private void startPostgres() throws Exception {
    pg = EmbeddedPostgres.builder()
        .setDataDirectory(dir.resolve("pg").toFile())
        .setCleanDataDirectory(true)
        .setPort(pgPort)
        .setServerConfig("listen_addresses", netns ? "127.0.0.1," + BRIDGE_IP : "127.0.0.1")
        .setServerConfig("max_connections", "300")
        .setServerConfig("synchronous_commit", "on") // the library's default is off: a crash would lose commits
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
    if (netns) {
      Files.writeString(dir.resolve("pg").resolve("pg_hba.conf"), "host all all " + SUBNET + "0/24 trust\n",
          java.nio.file.StandardOpenOption.APPEND);
      try (var c = DriverManager.getConnection(jdbcUrl()); var st = c.createStatement()) {
        st.execute("SELECT pg_reload_conf()");
      }
    }
  }

  private String pgUrl() {
    return "postgresql://postgres@" + (netns ? BRIDGE_IP : "127.0.0.1") + ":" + pgPort + "/postgres";
  }

  private String redisUrl() {
    return "redis://" + (netns ? BRIDGE_IP : "127.0.0.1") + ":" + redisPort;
  }

  private void startRedis() throws IOException {
    Files.createDirectories(dir.resolve("redis"));
    redis = RedisServer.newRedisServer().port(redisPort)
        .bind("127.0.0.1" + (netns ? " " + BRIDGE_IP : ""))
        .setting("dir " + dir.resolve("redis").toAbsolutePath())
        .setting("appendonly yes")
        .setting("protected-mode no")
        .build();
    redis.start();
  }

  void stopRedis() throws IOException {
    redis.stop();
  }

  void startRedisAgain() throws IOException {
    startRedis();
  }

  /**
   * PostgreSQL's immediate-mode shutdown (SIGQUIT to the postmaster: no checkpoint, crash
   * recovery at the next start), down for {@code downMs}, then started again with the same
   * command line.
   */
  long restartPostgresImmediate(long downMs) throws Exception {
    Path data = dir.resolve("pg");
    long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    String opts = Files.readString(data.resolve("postmaster.opts")).trim();
    sh("kill", "-QUIT", String.valueOf(pid));
    long t0 = System.nanoTime();
    while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
      Thread.sleep(50);
    }
    Thread.sleep(Math.max(0, downMs - (System.nanoTime() - t0) / 1_000_000));
    var args = new ArrayList<String>();
    if ("root".equals(System.getProperty("user.name"))) {
      args.addAll(List.of("unshare", "-U")); // as the embedded server itself runs as root: in a user namespace
    }
    Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(opts);
    while (m.find()) {
      args.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    restartedPg = new ProcessBuilder(args).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("pg-restarted.log").toFile())).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (var c = DriverManager.getConnection(jdbcUrl())) {
        return (System.nanoTime() - t0) / 1_000_000;
      } catch (java.sql.SQLException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("PostgreSQL did not come back: " + Files.readString(dir.resolve("pg-restarted.log")));
        }
        Thread.sleep(100);
      }
    }
  }

  // ---- nodes ----

  void startNode(int i) throws IOException {
    Files.writeString(faultFile(i), "");
    Path config = dir.resolve("node.yaml");
    Files.writeString(config, """
        gateway:
          rateLimit:
            perPrincipalPerSecond: 100000
            perAddressPerSecond: 100000
        security:
          login:
            maxFailuresPerIp: 100000
        """);
    var members = new StringBuilder();
    for (int j = 1; j <= size; j++) {
      members.append(j > 1 ? "," : "").append(host(j)).append(':').append(HZ_BASE + j);
    }
    Map<String, String> env = new HashMap<>(Map.ofEntries(
        Map.entry("NEXUS_HTTP_PORT", String.valueOf(httpPort(i))),
        Map.entry("NEXUS_CLUSTER_PORT", String.valueOf(HZ_BASE + i)),
        Map.entry("NEXUS_CLUSTER_HOST", host(i)),
        Map.entry("NEXUS_CLUSTER_MEMBERS", members.toString()),
        Map.entry("NEXUS_CLUSTER_NAME", clusterName),
        Map.entry("NEXUS_DATA_DIR", dir.resolve("node-" + i).toString()),
        // one cluster, one set of secrets (principal seals, event-bus TLS), as scripts/cluster.sh does
        Map.entry("NEXUS_CLUSTER_SECRETS", dir.resolve("secrets").toAbsolutePath().toString()),
        Map.entry("NEXUS_PG_URL", pgUrl()),
        Map.entry("NEXUS_REDIS_URL", redisUrl()),
        Map.entry("NEXUS_ADMIN_EMAIL", ADMIN_EMAIL),
        Map.entry("NEXUS_ADMIN_PASSWORD", ADMIN_PASSWORD),
        Map.entry("NEXUS_CONFIG", config.toString()),
        Map.entry("NEXUS_TEST_FAULTS", faultFile(i).toString())));
    var cmd = new ArrayList<String>();
    if (netns) {
      cmd.addAll(List.of("ip", "netns", "exec", ns(i)));
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC"));
    cmd.addAll(OPENS);
    cmd.addAll(List.of("-jar", jar));
    var pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(i).toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("NEXUS_"));
    pb.environment().putAll(env);
    nodes[i] = pb.start();
  }

  Path log(int i) {
    return dir.resolve("node-" + i + ".log");
  }

  /** Waits for node i's ready line (the last one in its log) and takes its node id from it. */
  void awaitReady(int i) throws Exception {
    long deadline = System.nanoTime() + READY_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log(i)) ? Files.readString(log(i)) : "";
      int at = text.lastIndexOf("NEXUS node ready");
      int started = text.lastIndexOf("--- start ");
      if (at >= 0 && at > started) {
        int id = text.indexOf("node: ", at);
        nodeIds[i] = text.substring(id + "node: ".length(), text.indexOf(',', id));
        return;
      }
      if (!nodes[i].isAlive()) {
        throw new IllegalStateException("node " + i + " exited:\n" + tail(text));
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("node " + i + " not ready in " + READY_WAIT);
  }

  /** Starts node i again after it died and waits for its ready line. */
  void restart(int i) throws Exception {
    Files.writeString(log(i), "--- start " + java.time.Instant.now() + "\n", java.nio.file.StandardOpenOption.APPEND);
    startNode(i);
    awaitReady(i);
  }

  void signal(int i, String sig) throws Exception {
    sh("kill", "-" + sig, String.valueOf(nodes[i].pid()));
    if (sig.equals("KILL")) {
      nodes[i].waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** What node i says of the cluster: its member count and, per service, the nodes of its instances. */
  record View(int members, Map<String, Set<String>> instances) {}

  View view(int i, String token) {
    try {
      var ready = http.send(HttpRequest.newBuilder(URI.create("http://" + host(i) + ":" + httpPort(i) + "/health/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      int members = -1;
      for (Object o : new JsonObject(ready.body()).getJsonArray("checks", new JsonArray())) {
        JsonObject check = (JsonObject) o;
        if ("cluster".equals(check.getString("id")) && check.getJsonObject("data") != null) {
          members = check.getJsonObject("data").getInteger("members", -1);
        }
      }
      var services = http.send(HttpRequest.newBuilder(URI.create(api(i) + "/services")).timeout(Duration.ofSeconds(2))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      var instances = new HashMap<String, Set<String>>();
      for (Object o : new JsonObject(services.body()).getJsonArray("services")) {
        JsonObject s = (JsonObject) o;
        var nodesOf = new HashSet<String>();
        for (Object in : s.getJsonArray("instances")) {
          nodesOf.add(((JsonObject) in).getString("node"));
        }
        instances.put(s.getString("name"), nodesOf);
      }
      return new View(members, instances);
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * True when every node in {@code alive} counts exactly those members, and its discovery lists
   * every service with instances on exactly those nodes: none missing, none on a dead node.
   */
  boolean agree(Set<Integer> alive, String token) {
    var ids = new HashSet<String>();
    for (int i : alive) {
      ids.add(nodeIds[i]);
    }
    for (int i : alive) {
      View v = view(i, token);
      if (v == null || v.members() != alive.size()) {
        disagreement = "node " + i + (v == null ? " did not answer" : " counts " + v.members() + " members");
        return false;
      }
      for (String service : List.of("security", "financial", "gateway")) {
        if (!ids.equals(v.instances().getOrDefault(service, Set.of()))) {
          disagreement = "node " + i + " lists " + service + " on " + v.instances().get(service) + ", live nodes " + ids;
          return false;
        }
      }
    }
    disagreement = null;
    return true;
  }

  /** Why the last {@link #agree} check failed, or null. */
  volatile String disagreement;

  /** Milliseconds until {@link #agree} holds, or -1 after {@code maxMs}. */
  long awaitAgreement(Set<Integer> alive, long maxMs) throws Exception {
    return awaitAgreement(alive, maxMs, null);
  }

  long awaitAgreement(Set<Integer> alive, long maxMs, String token) throws Exception {
    String t = token != null ? token : login(alive.iterator().next());
    long t0 = System.nanoTime();
    while ((System.nanoTime() - t0) / 1_000_000 < maxMs) {
      if (agree(alive, t)) {
        return (System.nanoTime() - t0) / 1_000_000;
      }
      Thread.sleep(250);
    }
    return -1;
  }

  /** The admin's access token, logging in through node i. */
  String login(int i) throws Exception {
    var seen = new ArrayList<String>();
    for (int attempt = 0; ; attempt++) {
      var r = http.send(HttpRequest.newBuilder(URI.create(api(i) + "/auth/login")).timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(new JsonObject()
              .put("email", ADMIN_EMAIL).put("password", ADMIN_PASSWORD).encode())).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        return new JsonObject(r.body()).getString("accessToken");
      }
      seen.add(r.statusCode() + " " + r.body());
      if (attempt == 20) {
        throw new IllegalStateException("login through node " + i + " failed: " + seen);
      }
      Thread.sleep(500);
    }
  }

  @Override
  public void close() {
    for (int i = 1; i <= size; i++) {
      Process p = nodes[i];
      if (p != null && p.isAlive()) {
        shQuiet("kill", "-CONT", String.valueOf(p.pid()));
        p.destroy();
      }
    }
    for (int i = 1; i <= size; i++) {
      Process p = nodes[i];
      try {
        if (p != null && !p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      if (redis != null) {
        redis.stop();
      }
    } catch (IOException | RuntimeException e) {
      // already stopped by a drill
    }
    try {
      if (pg != null) {
        pg.close();
      }
    } catch (IOException | RuntimeException e) {
      // restarted by a drill: stopped below
    }
    if (restartedPg != null && restartedPg.isAlive()) {
      shQuiet("kill", "-INT", String.valueOf(restartedPg.pid()));
      try {
        restartedPg.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (netns) {
      tearDownNetwork();
    }
  }

  static void sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  private static void shQuiet(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      // best effort
    }
  }

  private static String tail(String text) {
    return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
  }
}

package io.nexus.node;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A node started as its own JVM from the shaded jar, as an operator would run it. */
final class NodeProcess implements AutoCloseable {
  private static final Duration READY_WAIT = Duration.ofSeconds(90);
  final String name;
  final Process process;
  final Path log;

  private NodeProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code java -jar nexus-node.jar} with the given environment; output goes to target/it-logs. */
  /**
   * The environment every node of one test cluster shares: the database, Redis, the cluster's
   * name and members, and its bootstrap admin ({@code <cluster>@nexus.test}).
   */
  static Map<String, String> clusterEnv(String cluster, String db, String password, int... hazelcastPorts) {
    var members = new java.util.StringJoiner(",");
    for (int p : hazelcastPorts) {
      members.add("127.0.0.1:" + p);
    }
    return new java.util.HashMap<>(Map.of(
        "NEXUS_PG_URL", db,
        "NEXUS_REDIS_URL", io.nexus.kernel.testing.TestServers.redisUrl(),
        "NEXUS_CLUSTER_NAME", cluster,
        "NEXUS_CLUSTER_MEMBERS", members.toString(),
        "NEXUS_ADMIN_EMAIL", cluster + "@nexus.test",
        "NEXUS_ADMIN_PASSWORD", password));
  }

  /** {@code base} with the given names and values added ({@code "NEXUS_HTTP_PORT", 8081, ...}). */
  static Map<String, String> with(Map<String, String> base, Object... kv) {
    var m = new java.util.HashMap<>(base);
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], String.valueOf(kv[i + 1]));
    }
    return m;
  }

  static NodeProcess start(String name, Map<String, String> env) throws IOException {
    String jar = System.getProperty("nexus.node.jar", "target/nexus-node.jar");
    if (!new File(jar).isFile()) {
      throw new IllegalStateException("the node jar is not built: " + jar);
    }
    Path logs = Path.of("target", "it-logs");
    Files.createDirectories(logs);
    Path log = logs.resolve(name + "-" + System.currentTimeMillis() + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var pb = new ProcessBuilder(List.of(java, "-Xmx512m", "-jar", jar));
    pb.environment().keySet().removeIf(k -> k.startsWith("NEXUS_"));
    pb.environment().put("NEXUS_CLUSTER_SECRETS", TestNode.SECRETS.toString());
    pb.environment().putAll(env);
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return new NodeProcess(name, pb.start(), log);
  }

  /** Waits for the node's ready line; fails with the log's tail when it exits or takes too long. */
  NodeProcess awaitReady() throws Exception {
    long deadline = System.nanoTime() + READY_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.readString(log);
      if (text.contains("NEXUS node ready")) {
        return this;
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail(text));
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + " not ready in " + READY_WAIT + ":\n" + tail(Files.readString(log)));
  }

  /** The node id from its ready line. */
  String nodeId() throws IOException {
    String text = Files.readString(log);
    int at = text.indexOf("node: ", text.indexOf("NEXUS node ready"));
    return text.substring(at + "node: ".length(), text.indexOf(',', at));
  }

  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  private static String tail(String text) {
    return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
  }
}

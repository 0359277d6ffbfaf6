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

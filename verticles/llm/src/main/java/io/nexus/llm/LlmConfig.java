package io.nexus.llm;

import io.nexus.kernel.config.Conf;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * The {@code llm} section of the node's config.
 *
 * @param indexDir where this node keeps its search index (a projection: deleting it costs a rebuild)
 * @param embedBatch chunks embedded in one call of the model
 * @param workerThreads threads that embed, search and write the index
 * @param pollMs how often the index looks for changes it was not woken for
 * @param financialTimeoutMs how long a call to the Financial Examiner may take
 * @param visionTimeoutMs how long a call to Vision (a document's text) may take
 */
record LlmConfig(Path indexDir, int embedBatch, int workerThreads, int pollMs, int financialTimeoutMs, int visionTimeoutMs,
    int breakerMaxFailures, int breakerResetMs) {
  static LlmConfig from(JsonObject config) {
    Conf root = Conf.of(config);
    Conf c = root.section("llm");
    Conf b = c.section("breaker");
    String dir = c.string("indexDir", "");
    Path index = dir.isBlank() ? Path.of(root.section("node").string("dataDir", "./data"), "llm-index") : Path.of(dir);
    return new LlmConfig(index, c.integer("embedBatch", 1, 1024, 64), c.integer("workerThreads", 1, 64, 2),
        c.integer("pollMs", 100, 60_000, 1000), c.integer("financialTimeoutMs", 100, 120_000, 5000),
        c.integer("visionTimeoutMs", 100, 120_000, 5000), b.integer("maxFailures", 1, 1000, 5),
        b.integer("resetTimeoutMs", 100, 600_000, 5000));
  }
}

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
 * @param model the model server, or null: answers are extractive
 * @param tokensPerDay an organisation's daily model budget until its admin sets one
 * @param asksPerMinute questions an organisation may ask a minute
 * @param contextFacts facts retrieved for an answer
 */
record LlmConfig(Path indexDir, int embedBatch, int workerThreads, int pollMs, int financialTimeoutMs, int visionTimeoutMs,
    int breakerMaxFailures, int breakerResetMs, Model model, long tokensPerDay, int asksPerMinute, int contextFacts) {

  /**
   * An OpenAI-compatible chat server.
   *
   * @param timeoutMs how long one answer may take in all
   * @param idleMs how long the stream may send nothing before it counts as hung
   */
  record Model(String baseUrl, String name, String apiKey, int timeoutMs, int idleMs, int maxTokens) {
    @Override
    public String toString() {
      return "Model[baseUrl=" + baseUrl + ", name=" + name + "]"; // never the key
    }
  }

  static LlmConfig from(JsonObject config) {
    Conf root = Conf.of(config);
    Conf c = root.section("llm");
    Conf b = c.section("breaker");
    String dir = c.string("indexDir", "");
    Path index = dir.isBlank() ? Path.of(root.section("node").string("dataDir", "./data"), "llm-index") : Path.of(dir);
    return new LlmConfig(index, c.integer("embedBatch", 1, 1024, 64), c.integer("workerThreads", 1, 64, 2),
        c.integer("pollMs", 100, 60_000, 1000), c.integer("financialTimeoutMs", 100, 120_000, 5000),
        c.integer("visionTimeoutMs", 100, 120_000, 5000), b.integer("maxFailures", 1, 1000, 5),
        b.integer("resetTimeoutMs", 100, 600_000, 5000), model(c.section("model")),
        c.integer("tokensPerDay", 0, Integer.MAX_VALUE, 200_000), c.integer("asksPerMinute", 1, 100_000, 30),
        c.integer("contextFacts", 1, 50, 8));
  }

  private static Model model(Conf m) {
    String url = m.string("baseUrl", "");
    if (url.isBlank()) {
      return null;
    }
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw new io.nexus.kernel.config.ConfigException(m.key("baseUrl"), "must be an http:// or https:// URL of an "
          + "OpenAI-compatible server (Ollama: http://127.0.0.1:11434/v1), got '" + url + "'");
    }
    return new Model(url, m.string("name", "llama3.1"), m.string("apiKey", ""), m.integer("timeoutMs", 1000, 600_000, 60_000),
        m.integer("idleMs", 500, 600_000, 15_000), m.integer("maxTokens", 16, 32_000, 600));
  }
}

package io.nexus.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Locale;

/** Candidate and baseline measured alternately (A B A B ...); the ratio is the median of the per-pair ratios. */
final class AB {
  private AB() {}

  /** One measurement: a rate (higher is better). */
  @FunctionalInterface
  interface Measure {
    double rate() throws Exception;
  }

  /**
   * @param warmUp run one unrecorded pair first (JIT compilation and connection set-up would
   *     weigh on the first pair only)
   */
  static JsonObject pairs(String name, int pairs, boolean warmUp, Measure candidate, Measure baseline) throws Exception {
    var c = new ArrayList<Double>();
    var b = new ArrayList<Double>();
    var ratios = new ArrayList<Double>();
    if (warmUp) {
      candidate.rate();
      baseline.rate();
    }
    for (int i = 0; i < pairs; i++) {
      double cand = candidate.rate();
      double base = baseline.rate();
      c.add(cand);
      b.add(base);
      ratios.add(cand / base);
      System.out.printf(Locale.ROOT, "%s pair %d: candidate %.0f/s, baseline %.0f/s (%.2f×)%n", name, i + 1, cand, base,
          cand / base);
    }
    return new JsonObject().put("candidatePerSecond", new JsonArray(c)).put("baselinePerSecond", new JsonArray(b))
        .put("ratios", new JsonArray(ratios)).put("candidateMedian", Stats.median(c)).put("baselineMedian", Stats.median(b))
        .put("ratio", Stats.median(ratios));
  }
}

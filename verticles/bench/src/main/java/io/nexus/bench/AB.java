package io.nexus.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Candidate and baseline measured alternately (A B A B ...); the ratio is the median of the
 * per-pair ratios. Each measurement records the CPU that processes other than this JVM and
 * the PostgreSQL, Redis and pgbench processes it drives used meanwhile; a measurement where
 * they used more than {@value #DISTURBED_PERCENT} % of a core is marked disturbed, and its pair
 * is left out of the medians (unless every pair was disturbed, which the report then says).
 */
final class AB {
  static final double DISTURBED_PERCENT = 10;

  private AB() {}

  /** One measurement: a rate (higher is better). */
  @FunctionalInterface
  interface Measure {
    double rate() throws Exception;
  }

  private record Reading(double rate, double otherCpuPercent) {
    boolean disturbed() {
      return otherCpuPercent > DISTURBED_PERCENT;
    }
  }

  private static Reading measure(Measure m) throws Exception {
    long self = ProcessHandle.current().pid();
    long total0 = Cpu.totalBusyJiffies();
    long own0 = Cpu.withEndedChildren(self) + Cpu.dependencyJiffies();
    long t0 = System.nanoTime();
    double rate = m.rate();
    double wall = (System.nanoTime() - t0) / 1e9;
    long others = (Cpu.totalBusyJiffies() - total0) - (Cpu.withEndedChildren(self) + Cpu.dependencyJiffies() - own0);
    return new Reading(rate, Math.max(0, others) / Cpu.HZ / wall * 100);
  }

  /**
   * @param warmUp run one unrecorded pair first (JIT compilation and connection set-up would
   *     weigh on the first pair only)
   */
  static JsonObject pairs(String name, int pairs, boolean warmUp, Measure candidate, Measure baseline) throws Exception {
    var c = new ArrayList<Reading>();
    var b = new ArrayList<Reading>();
    if (warmUp) {
      candidate.rate();
      baseline.rate();
    }
    for (int i = 0; i < pairs; i++) {
      Reading cand = measure(candidate);
      Reading base = measure(baseline);
      c.add(cand);
      b.add(base);
      System.out.printf(Locale.ROOT, "%s pair %d: candidate %.0f/s, baseline %.0f/s (%.2f×)%s%n", name, i + 1, cand.rate(),
          base.rate(), cand.rate() / base.rate(), cand.disturbed() || base.disturbed() ? " DISTURBED" : "");
    }
    var keep = new ArrayList<Integer>();
    for (int i = 0; i < pairs; i++) {
      if (!c.get(i).disturbed() && !b.get(i).disturbed()) {
        keep.add(i);
      }
    }
    boolean allDisturbed = keep.isEmpty();
    if (allDisturbed) {
      for (int i = 0; i < pairs; i++) {
        keep.add(i);
      }
    }
    List<Double> cUse = keep.stream().map(i -> c.get(i).rate()).toList();
    List<Double> bUse = keep.stream().map(i -> b.get(i).rate()).toList();
    List<Double> ratios = keep.stream().map(i -> c.get(i).rate() / b.get(i).rate()).toList();
    return new JsonObject()
        .put("candidatePerSecond", new JsonArray(c.stream().map(Reading::rate).toList()))
        .put("baselinePerSecond", new JsonArray(b.stream().map(Reading::rate).toList()))
        .put("candidateOtherCpuPercent", new JsonArray(c.stream().map(Reading::otherCpuPercent).toList()))
        .put("baselineOtherCpuPercent", new JsonArray(b.stream().map(Reading::otherCpuPercent).toList()))
        .put("disturbedPairs", pairs - (allDisturbed ? 0 : keep.size())).put("allPairsDisturbed", allDisturbed)
        .put("ratios", new JsonArray(ratios)).put("candidateMedian", Stats.median(cUse)).put("baselineMedian", Stats.median(bUse))
        .put("ratio", Stats.median(ratios));
  }
}

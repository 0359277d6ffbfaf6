package io.nexus.predictive.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The supervised model learns from what analysts decided about what the forest flagged: on one
 * ledger the forest's top 2 % is reviewed — the planted entries confirmed, the rest dismissed —
 * and the logistic model trained on those decisions alone is judged on another ledger it never
 * saw, against the forest on that ledger.
 */
class LogisticRiskTest {
  private record Ranked(double precision, double recall) {}

  private static Ranked topOnePercent(PlantedLedger.Ledger l, double[][] x, ToDoubleFunction<double[]> score) {
    Integer[] order = new Integer[x.length];
    double[] s = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      order[i] = i;
      s[i] = score.applyAsDouble(x[i]);
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -s[i]));
    int top = (int) Math.ceil(x.length * 0.01);
    int hits = 0;
    for (int r = 0; r < top; r++) {
      hits += l.planted().contains(l.payments().get(order[r]).entryId()) ? 1 : 0;
    }
    return new Ranked((double) hits / top, (double) hits / l.planted().size());
  }

  @Test
  @DisplayName("trained on analysts' decisions about the forest's top 2 % of one ledger, the logistic model finds another "
      + "ledger's planted entries (recall in the top 1 % at least 0.9), printed against the forest")
  void learnsFromDecisions() {
    PlantedLedger.Ledger reviewed = PlantedLedger.generate(11);
    double[][] rx = PlantedLedger.features(reviewed.payments());
    var forest = IsolationForest.fit(rx, IsolationForest.TREES, IsolationForest.SAMPLE, 42);
    Integer[] order = new Integer[rx.length];
    double[] s = new double[rx.length];
    for (int i = 0; i < rx.length; i++) {
      order[i] = i;
      s[i] = forest.score(rx[i]).score();
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -s[i]));
    int flagged = (int) Math.ceil(rx.length * 0.02);
    double[][] x = new double[flagged][];
    boolean[] confirmed = new boolean[flagged];
    for (int r = 0; r < flagged; r++) {
      x[r] = rx[order[r]];
      confirmed[r] = reviewed.planted().contains(reviewed.payments().get(order[r]).entryId());
    }
    var model = LogisticRisk.train(x, confirmed, 7);

    var report = new StringBuilder(String.format(Locale.ROOT, "%-5s %-22s %9s %7s%n", "seed", "model", "precision", "recall"));
    for (long seed : new long[] {12, 13}) {
      PlantedLedger.Ledger fresh = PlantedLedger.generate(seed);
      double[][] fx = PlantedLedger.features(fresh.payments());
      Ranked supervised = topOnePercent(fresh, fx, row -> model.score(row).score());
      var freshForest = IsolationForest.fit(fx, IsolationForest.TREES, IsolationForest.SAMPLE, 42);
      Ranked unsupervised = topOnePercent(fresh, fx, row -> freshForest.score(row).score());
      report.append(String.format(Locale.ROOT, "%-5d %-22s %9.2f %7.2f%n", seed, "logistic (labels)", supervised.precision(),
          supervised.recall()));
      report.append(String.format(Locale.ROOT, "%-5d %-22s %9.2f %7.2f%n", seed, "isolation forest", unsupervised.precision(),
          unsupervised.recall()));
      System.out.print(report);
      report.setLength(0);
      assertThat(supervised.recall()).as("seed " + seed + ": the logistic model's recall in the top 1 %").isGreaterThanOrEqualTo(0.9);
    }
    // a score is a probability, and its shares add up to 1
    var one = model.score(PlantedLedger.features(reviewed.payments())[0]);
    assertThat(one.score()).isBetween(0.0, 1.0);
    assertThat(Arrays.stream(one.contributions()).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  @DisplayName("training needs both confirmed and dismissed decisions, and says which are missing")
  void needsBothLabels() {
    assertThatThrownBy(() -> LogisticRisk.train(new double[][] {{1, 0}, {0, 1}}, new boolean[] {true, true}, 1))
        .hasMessageContaining("got only confirmed");
  }
}

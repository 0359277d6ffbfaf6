package io.nexus.predictive.risk;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.contracts.predictive.Predictive.Feature;
import java.util.Comparator;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Risk scores on a generated ledger with planted outliers ({@link PlantedLedger}); the forest is
 * trained on everything, unlabelled, as the default model is.
 */
class PlantedRiskTest {
  @Test
  @DisplayName("planted outliers: recall among the top 1 % of scores at least 0.9 (printed with precision), on three seeds")
  void plantedOutliersRankFirst() {
    var report = new StringBuilder(String.format(Locale.ROOT, "%-5s %8s %8s %6s %9s %7s  %s%n", "seed", "entries", "planted",
        "top1%", "precision", "recall", "recall by kind (night, new counterparty, account pair)"));
    for (long seed : new long[] {1, 2, 3}) {
      PlantedLedger.Ledger l = PlantedLedger.generate(seed);
      double[][] x = PlantedLedger.features(l.payments());
      var forest = IsolationForest.fit(x, IsolationForest.TREES, IsolationForest.SAMPLE, 42);
      Integer[] order = new Integer[x.length];
      double[] scores = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        order[i] = i;
        scores[i] = forest.score(x[i]).score();
      }
      java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]));
      int top = (int) Math.ceil(x.length * 0.01);
      int hits = 0;
      int[] byKind = new int[3];
      for (int r = 0; r < top; r++) {
        String id = l.payments().get(order[r]).entryId();
        if (l.planted().contains(id)) {
          hits++;
          byKind[id.startsWith("planted-night") ? 0 : id.startsWith("planted-new") ? 1 : 2]++;
        }
      }
      double precision = (double) hits / top;
      double recall = (double) hits / l.planted().size();
      report.append(String.format(Locale.ROOT, "%-5d %8d %8d %6d %9.2f %7.2f  %d/%d, %d/%d, %d/%d%n", seed, x.length,
          l.planted().size(), top, precision, recall, byKind[0], PlantedLedger.PER_KIND, byKind[1], PlantedLedger.PER_KIND, byKind[2], PlantedLedger.PER_KIND));
      System.out.print(report);
      report.setLength(0);
      assertThat(recall).as("seed " + seed + ": recall of the planted entries among the top 1 %").isGreaterThanOrEqualTo(0.9);
    }
  }

  @Test
  @DisplayName("a score names its top feature: the night payment's hour, day or amount; the new pair's pair or credit account")
  void contributionsNameTheReason() {
    PlantedLedger.Ledger l = PlantedLedger.generate(1);
    double[][] x = PlantedLedger.features(l.payments());
    var forest = IsolationForest.fit(x, IsolationForest.TREES, IsolationForest.SAMPLE, 42);
    for (int i = 0; i < x.length; i++) {
      String id = l.payments().get(i).entryId();
      if (!l.planted().contains(id)) {
        continue;
      }
      var s = forest.score(x[i]);
      int best = 0;
      for (int f = 1; f < Feature.values().length; f++) {
        if (s.contributions()[f] > s.contributions()[best]) {
          best = f;
        }
      }
      Feature top = Feature.values()[best];
      if (id.startsWith("planted-night")) {
        assertThat(top).as(id).isIn(Feature.OFF_HOURS, Feature.WEEKEND, Feature.AMOUNT_VS_COUNTERPARTY, Feature.AMOUNT_VS_ACCOUNT);
      } else if (id.startsWith("planted-pair")) {
        assertThat(top).as(id).isIn(Feature.UNUSUAL_PAIR, Feature.NEW_CREDIT_ACCOUNT);
      } else {
        assertThat(top).as(id).isIn(Feature.FIRST_PAYMENT, Feature.AMOUNT_VS_ACCOUNT);
      }
      assertThat(java.util.Arrays.stream(s.contributions()).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }
  }

  @Test
  @DisplayName("a replay gives identical scores: the same history rebuilt from the same entries, the same forest")
  void replayIsIdentical() {
    PlantedLedger.Ledger l = PlantedLedger.generate(2);
    double[][] first = PlantedLedger.features(l.payments());
    var forest = IsolationForest.fit(first, IsolationForest.TREES, IsolationForest.SAMPLE, 42);
    double[][] again = PlantedLedger.features(l.payments());
    var refit = IsolationForest.fit(again, IsolationForest.TREES, IsolationForest.SAMPLE, 42);
    for (int i = 0; i < first.length; i++) {
      assertThat(again[i]).containsExactly(first[i]);
      assertThat(refit.score(again[i]).score()).isEqualTo(forest.score(first[i]).score());
    }
  }
}

package io.nexus.predictive.risk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The one-class SVM, the other model that needs no labels, on the planted ledgers of the forest's test. */
class OneClassSvmTest {

  @Test
  @DisplayName("one-class SVM on planted ledgers: recall and precision in the top 1 % printed against the forest; "
      + "shares sum to 1; stored and read back it scores the same")
  void plantedOutliers() {
    for (long seed : new long[] {1, 2}) {
      PlantedLedger.Ledger l = PlantedLedger.generate(seed);
      double[][] x = PlantedLedger.features(l.payments());
      var svm = OneClassSvm.train(x, 42);
      var forest = IsolationForest.fit(x, IsolationForest.TREES, IsolationForest.SAMPLE, 42);
      double svmRecall = recall(l, x, svm);
      double forestRecall = recall(l, x, forest);
      int top = (int) Math.ceil(x.length * 0.01);
      System.out.printf(Locale.ROOT, "RISK one-class SVM seed %d: recall %.2f precision %.2f in the top 1 %% (%d of %d entries); "
          + "isolation forest recall %.2f%n", seed, svmRecall, svmRecall * l.planted().size() / top, top, x.length, forestRecall);
      assertThat(svmRecall).as("seed " + seed).isGreaterThanOrEqualTo(0.9);
      var s = svm.score(x[0]);
      assertThat(s.score()).isBetween(0.0, 1.0);
      assertThat(s.score()).isEqualTo(svm.value(x[0]));
      double sum = Arrays.stream(s.contributions()).sum();
      assertThat(sum == 0 || Math.abs(sum - 1) < 1e-9).isTrue();
      RiskModel back = RiskModel.fromBytes(svm.kind(), svm.toBytes());
      for (int i = 0; i < x.length; i += 97) {
        assertThat(back.score(x[i]).score()).isEqualTo(svm.score(x[i]).score());
      }
    }
  }

  private static double recall(PlantedLedger.Ledger l, double[][] x, RiskModel m) {
    Integer[] order = new Integer[x.length];
    double[] scores = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      order[i] = i;
      scores[i] = m.value(x[i]);
    }
    Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -scores[i]));
    int top = (int) Math.ceil(x.length * 0.01);
    int hits = 0;
    for (int r = 0; r < top; r++) {
      hits += l.planted().contains(l.payments().get(order[r]).entryId()) ? 1 : 0;
    }
    return (double) hits / l.planted().size();
  }
}

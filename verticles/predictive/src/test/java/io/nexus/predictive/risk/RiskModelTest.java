package io.nexus.predictive.risk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexus.contracts.predictive.Predictive.ModelKind;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A model stored in the registry and read back scores exactly as the one trained. */
class RiskModelTest {

  @Test
  @DisplayName("a forest and a logistic model read back from their bytes give bit-identical scores and shares")
  void roundTrip() {
    PlantedLedger.Ledger l = PlantedLedger.generate(5);
    double[][] x = PlantedLedger.features(l.payments());
    var forest = IsolationForest.fit(x, 50, 256, 3);
    boolean[] risky = new boolean[x.length];
    for (int i = 0; i < x.length; i++) {
      risky[i] = l.planted().contains(l.payments().get(i).entryId());
    }
    var logistic = LogisticRisk.train(x, risky, 3);
    for (RiskModel m : new RiskModel[] {forest, logistic}) {
      byte[] bytes = m.toBytes();
      RiskModel back = RiskModel.fromBytes(m.kind(), bytes);
      assertThat(back.kind()).isEqualTo(m.kind());
      for (int i = 0; i < x.length; i += 7) {
        var a = m.score(x[i]);
        var b = back.score(x[i]);
        assertThat(b.score()).isEqualTo(a.score());
        assertThat(b.contributions()).containsExactly(a.contributions());
      }
      System.out.printf("RISK %s stored in %,d bytes%n", m.kind(), bytes.length);
    }
  }

  @Test
  @DisplayName("bytes that are not a model of the kind are refused, not half-read")
  void refusesGarbage() {
    byte[] forest = IsolationForest.fit(new double[][] {{1, 2}, {2, 3}, {3, 4}}, 2, 3, 1).toBytes();
    assertThatThrownBy(() -> RiskModel.fromBytes(ModelKind.LOGISTIC, forest)).isInstanceOf(RuntimeException.class);
    assertThatThrownBy(() -> RiskModel.fromBytes(ModelKind.ISOLATION_FOREST, new byte[] {1, 2, 3}))
        .isInstanceOf(UncheckedIOException.class);
  }
}

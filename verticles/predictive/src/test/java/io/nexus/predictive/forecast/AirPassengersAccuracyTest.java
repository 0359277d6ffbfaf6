package io.nexus.predictive.forecast;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The classic test of a forecaster: AirPassengers, trained through 1959, forecasting 1960. R's
 * forecast 8.20 on the same split: auto ETS 4.66 %, auto.arima on logs 2.90 %, seasonal naive 9.99 %.
 */
class AirPassengersAccuracyTest {
  @Test
  @DisplayName("AirPassengers 1960 from 1949-1959: the automatic choice's MAPE is at most 3.0 %; every method's is printed")
  void accuracy() throws Exception {
    double[] y = AirPassengers.all();
    double[] train = Arrays.copyOf(y, 132);
    double[] test = Arrays.copyOfRange(y, 132, 144);
    var report = new StringBuilder(String.format(Locale.ROOT, "%-7s %-48s %7s %7s %9s %9s %7s%n", "method", "model", "MAPE %",
        "MASE", "hold MAPE", "hold MASE", "ms"));
    Forecaster.Result auto = null;
    for (var method : Forecaster.Method.values()) {
      long t0 = System.nanoTime();
      var r = Forecaster.forecast(train, 12, 12, method);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      report.append(String.format(Locale.ROOT, "%-7s %-48s %7.2f %7.3f %9.2f %9.3f %7d%n", method, r.model(),
          Accuracy.mape(test, r.forecast().mean()), Accuracy.mase(test, r.forecast().mean(), train, 12), r.holdoutMape(),
          r.holdoutMase(), ms));
      if (method == Forecaster.Method.AUTO) {
        auto = r;
      }
      // every interval holds its point, and the 95 % one holds the 80 % one
      for (int h = 0; h < 12; h++) {
        assertThat(r.forecast().lower95()[h]).isLessThanOrEqualTo(r.forecast().lower80()[h]);
        assertThat(r.forecast().lower80()[h]).isLessThanOrEqualTo(r.forecast().mean()[h]);
        assertThat(r.forecast().mean()[h]).isLessThanOrEqualTo(r.forecast().upper80()[h]);
        assertThat(r.forecast().upper80()[h]).isLessThanOrEqualTo(r.forecast().upper95()[h]);
      }
    }
    report.append("R forecast 8.20 on the same split: auto ETS 4.66 %, auto.arima on logs 2.90 %, seasonal naive 9.99 %\n");
    System.out.print(report);
    assertThat(Accuracy.mape(test, auto.forecast().mean())).as("MAPE of the automatic choice").isLessThanOrEqualTo(3.0);
    assertThat(Accuracy.mape(test, Forecaster.forecast(train, 12, 12, Forecaster.Method.SNAIVE).forecast().mean()))
        .as("seasonal naive, as R's").isCloseTo(9.99, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  @DisplayName("a series shorter than the minimum is refused naming the minimum; a short one falls back to a non-seasonal model")
  void shortSeries() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Forecaster.forecast(new double[] {1, 2, 3}, 12, 6,
        Forecaster.Method.AUTO)).isInstanceOf(Forecaster.TooShort.class).hasMessageContaining("at least 6");
    var r = Forecaster.forecast(new double[] {10, 12, 11, 13, 12, 14, 13, 15, 14, 16}, 12, 3, Forecaster.Method.ETS);
    assertThat(r.model()).contains(",N)");
    assertThat(r.forecast().horizon()).isEqualTo(3);
  }
}

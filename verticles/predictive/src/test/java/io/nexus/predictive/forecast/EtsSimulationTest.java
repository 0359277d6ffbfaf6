package io.nexus.predictive.forecast;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.predictive.forecast.Ets.Kind;
import io.nexus.predictive.forecast.Ets.Spec;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Series simulated from known ETS models: the fitted model's 80 % and 95 % intervals cover the
 * simulated future at their nominal rates (within 5 points, over many series and every step of
 * the horizon), and AICc recognises the generating model's trend and season in most runs.
 */
class EtsSimulationTest {
  private static final int N = 100;
  private static final int H = 6;
  private static final int SERIES = 200;

  /** A generating model: its form, parameters, initial state and innovation sd. */
  private record Truth(Spec spec, int m, double alpha, double beta, double gamma, double[] state, double sd) {}

  private static final Truth[] TRUTHS = {
      new Truth(new Spec(Kind.A, Kind.N, Kind.N), 1, 0.4, 0, 0, new double[] {100, 0, 0}, 5),
      new Truth(new Spec(Kind.A, Kind.A, Kind.N), 1, 0.5, 0.15, 0, new double[] {100, 2, 0}, 3),
      new Truth(new Spec(Kind.A, Kind.N, Kind.A), 4, 0.3, 0, 0.2, new double[] {100, 0, -15, 5, -10, 20}, 4),
      new Truth(new Spec(Kind.M, Kind.N, Kind.M), 4, 0.3, 0, 0.1, new double[] {200, 0, 0.85, 1.05, 0.9, 1.2}, 0.03)};

  private static double[] simulate(Truth t, int n, Random random) {
    double[] x = t.state().clone();
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double mu = Ets.oneStep(t.spec(), x, 1, t.m());
      double e = random.nextGaussian() * t.sd();
      y[i] = t.spec().error() == Kind.A ? mu + e : mu * (1 + e);
      Ets.advance(t.spec(), x, 1, t.m(), e, t.alpha(), t.beta(), t.gamma(), mu);
    }
    return y;
  }

  @Test
  @DisplayName("80 % and 95 % intervals of fitted ETS models cover simulated futures at their nominal rates, ±5 points")
  void coverage() {
    var report = new StringBuilder(String.format(Locale.ROOT, "%-12s %6s %8s %8s%n", "model", "series", "cover80", "cover95"));
    for (int k = 0; k < TRUTHS.length; k++) {
      Truth t = TRUTHS[k];
      int in80 = 0;
      int in95 = 0;
      int total = 0;
      int series = 0;
      for (int seed = 0; seed < SERIES; seed++) {
        double[] y = simulate(t, N + H, new Random(1000L * seed + k));
        double[] history = java.util.Arrays.copyOf(y, N);
        var fit = Ets.fit(history, t.m(), t.spec());
        if (fit == null) {
          continue;
        }
        series++;
        var f = fit.forecast(H);
        for (int h = 0; h < H; h++) {
          double truth = y[N + h];
          in80 += truth >= f.lower80()[h] && truth <= f.upper80()[h] ? 1 : 0;
          in95 += truth >= f.lower95()[h] && truth <= f.upper95()[h] ? 1 : 0;
          total++;
        }
      }
      double c80 = 100.0 * in80 / total;
      double c95 = 100.0 * in95 / total;
      report.append(String.format(Locale.ROOT, "%-12s %6d %7.1f%% %7.1f%%%n", t.spec(), series, c80, c95));
      System.out.print(report);
      report.setLength(0);
      assertThat(series).as(t.spec() + " fitted").isGreaterThanOrEqualTo(SERIES - 5);
      assertThat(c80).as(t.spec() + " 80 % coverage").isBetween(75.0, 85.0);
      assertThat(c95).as(t.spec() + " 95 % coverage").isBetween(90.0, 100.0);
    }
    System.out.print(report);
  }

  @Test
  @DisplayName("AICc picks the generating model's trend and season in most runs")
  void aiccPicksTheFamily() {
    var report = new StringBuilder(String.format(Locale.ROOT, "%-12s %5s %5s%n", "model", "runs", "right"));
    for (Truth t : TRUTHS) {
      int right = 0;
      int runs = 12;
      for (int seed = 0; seed < runs; seed++) {
        double[] y = simulate(t, N, new Random(77_000L + seed));
        var best = Ets.best(y, t.m(), Ets.candidates(t.m() > 1, java.util.Arrays.stream(y).allMatch(v -> v > 0)));
        if (best != null && best.spec().trend() == t.spec().trend() && best.spec().season() == t.spec().season()) {
          right++;
        }
      }
      report.append(String.format(Locale.ROOT, "%-12s %5d %5d%n", t.spec(), runs, right));
      assertThat(right).as(t.spec() + ": runs where AICc chose its trend and season").isGreaterThan(runs / 2);
    }
    System.out.print(report);
  }
}

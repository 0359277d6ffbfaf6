package io.nexus.bench;

import io.nexus.predictive.forecast.Ets;
import io.nexus.predictive.forecast.Forecaster;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;

/**
 * The predictive benchmark, its forecasting half: one 10-year monthly series (trend, a
 * multiplicative season and noise, seeded) forecast 12 months ahead with {@code method=auto} —
 * every method fitted on the series less its last year, judged there, the chosen one refitted —
 * against one plain ETS fit of one form, ETS(A,A,A), and its forecast. And risk scoring: a node
 * with every service, a forest trained and promoted, then entries posted through the API at a
 * steady rate and then as fast as 16 clients can: scores per second against the posting rate
 * over the same entries, and commit-to-score latency (the score row's time against the event's).
 */
public final class PredictBench {
  private static final int PAIRS = 5;
  private static final int RUNS_PER_MEASURE = 3;

  private PredictBench() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    JsonObject scoring;
    try (var env = BenchEnv.open(args)) {
      scoring = RiskLoad.run(env);
    }
    double[] y = series(120, new Random(1));
    var plain = new Ets.Spec(Ets.Kind.A, Ets.Kind.A, Ets.Kind.A);
    var chosen = Forecaster.forecast(y, 12, 12, Forecaster.Method.AUTO);
    var results = AB.pairs("forecast, method=auto vs one ETS(A,A,A) fit", PAIRS, true,
        () -> RUNS_PER_MEASURE / seconds(() -> Forecaster.forecast(y, 12, 12, Forecaster.Method.AUTO)),
        () -> RUNS_PER_MEASURE / seconds(() -> Ets.fit(y, 12, plain).forecast(12)));
    var report = new JsonObject().put("scenario", "predict").put("at", Instant.now().toString()).put("points", y.length)
        .put("autoChose", chosen.model()).put("forecast", results).put("scoring", scoring);
    Files.writeString(out.resolve("predict.json"), report.encodePrettily());
    String md = String.format(Locale.ROOT, """
        # Forecast latency (%s)

        One 10-year monthly series (120 points), 12 months ahead, %d A/B pairs of %d forecasts each: `method=auto`
        (it chose %s) against one plain ETS(A,A,A) fit and forecast.

        | | auto (median) | one ETS fit (median) | auto / one fit |
        |---|---|---|---|
        | ms per forecast | %.0f | %.1f | %.3f× the rate (%.0f times the time) |

        %s""", report.getString("at"), PAIRS, RUNS_PER_MEASURE, chosen.model(), 1000 / results.getDouble("candidateMedian"),
        1000 / results.getDouble("baselineMedian"), results.getDouble("ratio"), 1 / results.getDouble("ratio"),
        RiskLoad.markdown(scoring));
    Files.writeString(out.resolve("predict.md"), md);
    System.out.println(md);
  }

  /** Seconds for RUNS_PER_MEASURE runs. */
  private static double seconds(Runnable r) {
    long t0 = System.nanoTime();
    for (int i = 0; i < RUNS_PER_MEASURE; i++) {
      r.run();
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  /** A positive monthly series: level 200 growing 1 % a month, a ±25 % season, 4 % noise. */
  static double[] series(int n, Random random) {
    double[] season = {0.85, 0.8, 0.95, 0.95, 1.0, 1.1, 1.25, 1.25, 1.05, 0.95, 0.85, 1.0};
    double[] y = new double[n];
    double level = 200;
    for (int t = 0; t < n; t++) {
      level *= 1.01;
      y[t] = level * season[t % 12] * (1 + 0.04 * random.nextGaussian());
    }
    return y;
  }
}

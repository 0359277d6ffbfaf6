package io.nexus.predictive.forecast;

import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.univariate.BrentOptimizer;
import org.apache.commons.math3.optim.univariate.SearchInterval;
import org.apache.commons.math3.optim.univariate.UnivariateObjectiveFunction;

/**
 * The Theta method (Assimakopoulos and Nikolopoulos 2000) in the form Hyndman and Billah (2003)
 * showed it to be: simple exponential smoothing with a drift of half the slope of the series'
 * linear trend, on the seasonally adjusted series (classical multiplicative decomposition, when
 * the 90 % autocorrelation test finds a season), re-seasonalised afterwards. The smoothing
 * parameter minimises the in-sample squared one-step errors (Brent's method); the intervals are
 * those of SES, {@code σ² (1 + (h − 1) α²)}.
 */
public final class Theta {
  /**
   * @param alpha the SES smoothing parameter
   * @param drift the drift per step (half the linear trend's slope)
   * @param seasonal whether the series was seasonally adjusted
   * @param forecast the forecast
   */
  public record Fit(double alpha, double drift, boolean seasonal, Forecast forecast) {}

  private Theta() {}

  /** Forecasts {@code horizon} steps of y, with season m (1: none); y must be positive when seasonal. */
  public static Fit forecast(double[] y, int m, int horizon) {
    int n = y.length;
    boolean seasonal = m > 1 && Decomposition.seasonal(y, m) && java.util.Arrays.stream(y).allMatch(v -> v > 0);
    double[] idx = seasonal ? Decomposition.indices(y, m) : null;
    double[] x = new double[n];
    for (int t = 0; t < n; t++) {
      x[t] = seasonal ? y[t] / idx[t % m] : y[t];
    }
    double alpha = new BrentOptimizer(1e-10, 1e-12).optimize(new MaxEval(500), GoalType.MINIMIZE,
        new SearchInterval(1e-4, 0.9999), new UnivariateObjectiveFunction(a -> sse(x, a))).getPoint();
    double level = x[0];
    double sse = 0;
    for (int t = 1; t < n; t++) {
      double e = x[t] - level;
      sse += e * e;
      level += alpha * e;
    }
    double sigma2 = sse / (n - 1);
    double slope = SeriesMath.slope(x, x.length);
    double drift = slope / 2;
    double[] mean = new double[horizon];
    double[] var = new double[horizon];
    double tail = Math.pow(1 - alpha, n);
    for (int h = 1; h <= horizon; h++) {
      mean[h - 1] = level + drift * ((h - 1) + 1 / alpha - tail / alpha);
      var[h - 1] = sigma2 * (1 + (h - 1) * alpha * alpha);
    }
    Forecast f = Forecast.normal(mean, var);
    if (seasonal) {
      double[][] parts = {f.mean().clone(), f.lower80().clone(), f.upper80().clone(), f.lower95().clone(), f.upper95().clone()};
      for (double[] part : parts) {
        for (int h = 0; h < horizon; h++) {
          part[h] *= idx[(n + h) % m];
        }
      }
      f = new Forecast(parts[0], parts[1], parts[2], parts[3], parts[4]);
    }
    return new Fit(alpha, drift, seasonal, f);
  }

  private static double sse(double[] x, double alpha) {
    double level = x[0];
    double s = 0;
    for (int t = 1; t < x.length; t++) {
      double e = x[t] - level;
      s += e * e;
      level += alpha * e;
    }
    return s;
  }
}

package io.nexus.predictive.forecast;

/**
 * The seasonal naive forecast: each step repeats the value one season earlier (the last value,
 * without a season). Its intervals assume the seasonal differences are independent with the
 * variance seen in the history: {@code σ² (k + 1)} for {@code k} whole seasons beyond the first.
 */
public final class SeasonalNaive {
  private SeasonalNaive() {}

  public static Forecast forecast(double[] y, int m, int horizon) {
    int period = m > 1 && y.length > m ? m : 1;
    int n = y.length;
    double sse = 0;
    for (int t = period; t < n; t++) {
      double e = y[t] - y[t - period];
      sse += e * e;
    }
    double sigma2 = sse / Math.max(1, n - period);
    double[] mean = new double[horizon];
    double[] var = new double[horizon];
    for (int h = 1; h <= horizon; h++) {
      int k = (h - 1) / period;
      mean[h - 1] = y[n - period + (h - 1) % period];
      var[h - 1] = sigma2 * (k + 1);
    }
    return Forecast.normal(mean, var);
  }
}

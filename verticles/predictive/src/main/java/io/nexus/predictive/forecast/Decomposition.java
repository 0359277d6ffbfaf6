package io.nexus.predictive.forecast;

/**
 * Classical multiplicative decomposition's seasonal indices (a centred moving average of one
 * period; each season's mean ratio to it, normalised to average 1), and the test forecasters use
 * to decide whether a series is seasonal at all: the autocorrelation at lag {@code m} beyond
 * 1.645 of its standard error under Bartlett's formula (the 90 % test of Assimakopoulos and
 * Nikolopoulos's Theta method).
 */
final class Decomposition {
  private Decomposition() {}

  /** True when y shows a season of period m. */
  static boolean seasonal(double[] y, int m) {
    if (m <= 1 || y.length < 3 * m) {
      return false;
    }
    double mean = SeriesMath.mean(y, 0, y.length);
    double c0 = 0;
    for (double v : y) {
      c0 += (v - mean) * (v - mean);
    }
    double[] r = new double[m + 1];
    for (int k = 1; k <= m; k++) {
      double c = 0;
      for (int t = k; t < y.length; t++) {
        c += (y[t] - mean) * (y[t - k] - mean);
      }
      r[k] = c / c0;
    }
    double s = 1;
    for (int k = 1; k < m; k++) {
      s += 2 * r[k] * r[k];
    }
    return Math.abs(r[m]) > 1.645 * Math.sqrt(s / y.length);
  }

  /** Multiplicative seasonal indices, one per season position (position of y[0] is 0). */
  static double[] indices(double[] y, int m) {
    double[] sum = new double[m];
    int[] count = new int[m];
    for (int t = m / 2; t + m / 2 < y.length; t++) {
      double ma = SeriesMath.centredMean(y, t, m);
      sum[t % m] += y[t] / ma;
      count[t % m]++;
    }
    double[] idx = new double[m];
    double total = 0;
    for (int s = 0; s < m; s++) {
      idx[s] = count[s] == 0 ? 1 : sum[s] / count[s];
      total += idx[s];
    }
    for (int s = 0; s < m; s++) {
      idx[s] *= m / total;
    }
    return idx;
  }
}

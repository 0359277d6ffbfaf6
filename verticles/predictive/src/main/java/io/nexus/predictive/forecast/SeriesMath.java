package io.nexus.predictive.forecast;

/** The few statistics of a series the forecasters share. */
final class SeriesMath {
  private SeriesMath() {}

  /** The mean of y[from, to). */
  static double mean(double[] y, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += y[i];
    }
    return s / Math.max(1, to - from);
  }

  /** The sample standard deviation. */
  static double sd(double[] y) {
    double m = mean(y, 0, y.length);
    double s = 0;
    for (double v : y) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / Math.max(1, y.length - 1));
  }

  /** The least-squares slope of the first n values against their index. */
  static double slope(double[] y, int n) {
    double mx = (n - 1) / 2.0;
    double my = mean(y, 0, n);
    double sxy = 0;
    double sxx = 0;
    for (int i = 0; i < n; i++) {
      sxy += (i - mx) * (y[i] - my);
      sxx += (i - mx) * (i - mx);
    }
    return sxx == 0 ? 0 : sxy / sxx;
  }

  /** The centred moving average of one period m around t (a 2×m average when m is even). */
  static double centredMean(double[] y, int t, int m) {
    if (m % 2 == 1) {
      return mean(y, t - m / 2, t + m / 2 + 1);
    }
    double sum = 0.5 * y[t - m / 2] + 0.5 * y[t + m / 2];
    for (int i = t - m / 2 + 1; i < t + m / 2; i++) {
      sum += y[i];
    }
    return sum / m;
  }
}

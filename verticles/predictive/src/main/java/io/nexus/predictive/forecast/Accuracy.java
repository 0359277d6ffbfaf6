package io.nexus.predictive.forecast;

/** Forecast errors: MAPE and MASE (Hyndman and Koehler 2006). */
public final class Accuracy {
  private Accuracy() {}

  /** Mean absolute percentage error, in percent; NaN when an actual value is 0. */
  public static double mape(double[] actual, double[] forecast) {
    double s = 0;
    for (int i = 0; i < actual.length; i++) {
      if (actual[i] == 0) {
        return Double.NaN;
      }
      s += Math.abs((actual[i] - forecast[i]) / actual[i]);
    }
    return 100 * s / actual.length;
  }

  /**
   * Mean absolute scaled error: the forecast's mean absolute error over the in-sample mean
   * absolute error of the seasonal naive forecast (lag {@code period}; 1 for the naive one).
   */
  public static double mase(double[] actual, double[] forecast, double[] history, int period) {
    int m = Math.max(1, period);
    if (history.length <= m) {
      m = 1;
    }
    double scale = 0;
    for (int t = m; t < history.length; t++) {
      scale += Math.abs(history[t] - history[t - m]);
    }
    scale /= Math.max(1, history.length - m);
    double mae = 0;
    for (int i = 0; i < actual.length; i++) {
      mae += Math.abs(actual[i] - forecast[i]);
    }
    mae /= actual.length;
    return scale == 0 ? Double.NaN : mae / scale;
  }
}

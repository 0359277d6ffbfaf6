package io.nexus.predictive.forecast;

import java.util.Arrays;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Point forecasts with their 80 % and 95 % prediction intervals, one value per step ahead.
 *
 * @param mean the point forecasts
 * @param lower80 lower ends of the 80 % intervals
 * @param upper80 upper ends of the 80 % intervals
 * @param lower95 lower ends of the 95 % intervals
 * @param upper95 upper ends of the 95 % intervals
 */
public record Forecast(double[] mean, double[] lower80, double[] upper80, double[] lower95, double[] upper95) {
  private static final NormalDistribution STANDARD = new NormalDistribution(null, 0, 1);
  static final double Z80 = STANDARD.inverseCumulativeProbability(0.9);
  static final double Z95 = STANDARD.inverseCumulativeProbability(0.975);

  /** Steps ahead. */
  public int horizon() {
    return mean.length;
  }

  /** Gaussian intervals around the means with the variances given per step. */
  static Forecast normal(double[] mean, double[] variance) {
    int h = mean.length;
    double[] l80 = new double[h];
    double[] u80 = new double[h];
    double[] l95 = new double[h];
    double[] u95 = new double[h];
    for (int i = 0; i < h; i++) {
      double sd = Math.sqrt(Math.max(0, variance[i]));
      l80[i] = mean[i] - Z80 * sd;
      u80[i] = mean[i] + Z80 * sd;
      l95[i] = mean[i] - Z95 * sd;
      u95[i] = mean[i] + Z95 * sd;
    }
    return new Forecast(mean, l80, u80, l95, u95);
  }

  /** Intervals from simulated paths: the 2.5, 10, 90 and 97.5 % quantiles per step. */
  static Forecast fromSimulation(double[] mean, double[][] sims) {
    double[] p = {0.025, 0.10, 0.90, 0.975};
    double[][] q = new double[p.length][mean.length];
    for (int i = 0; i < mean.length; i++) {
      double[] s = sims[i].clone();
      Arrays.sort(s);
      for (int k = 0; k < p.length; k++) {
        q[k][i] = quantile(s, p[k]);
      }
    }
    return new Forecast(mean, q[1], q[2], q[0], q[3]);
  }

  /** The mean of several forecasts of the same horizon, and of their interval ends. */
  static Forecast average(Forecast... parts) {
    int h = parts[0].horizon();
    double[][] out = new double[5][h];
    for (Forecast f : parts) {
      double[][] in = {f.mean, f.lower80, f.upper80, f.lower95, f.upper95};
      for (int k = 0; k < 5; k++) {
        for (int i = 0; i < h; i++) {
          out[k][i] += in[k][i] / parts.length;
        }
      }
    }
    return new Forecast(out[0], out[1], out[2], out[3], out[4]);
  }

  /** Applies f to every value: back from a transformed scale (the intervals' ends map monotonically). */
  Forecast map(java.util.function.DoubleUnaryOperator f) {
    return new Forecast(Arrays.stream(mean).map(f).toArray(), Arrays.stream(lower80).map(f).toArray(),
        Arrays.stream(upper80).map(f).toArray(), Arrays.stream(lower95).map(f).toArray(),
        Arrays.stream(upper95).map(f).toArray());
  }

  private static double quantile(double[] sorted, double p) {
    double pos = p * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }
}

package io.nexus.bench;

import java.util.Arrays;
import java.util.List;

/** Small statistics for benchmark reports. */
final class Stats {
  private Stats() {}

  static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    if (a.length == 0) {
      return Double.NaN;
    }
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  /** The q-quantile (0..1) of sorted-on-demand samples, nearest rank. */
  static double quantile(long[] samples, double q) {
    if (samples.length == 0) {
      return Double.NaN;
    }
    long[] a = samples.clone();
    Arrays.sort(a);
    int rank = (int) Math.ceil(q * a.length) - 1;
    return a[Math.max(0, Math.min(a.length - 1, rank))];
  }
}

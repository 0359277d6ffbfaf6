package io.nexus.financial;

import io.nexus.contracts.financial.Financial.Conformity;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.stat.inference.ChiSquareTest;

/**
 * Benford's law on first digits (or first two digits) of amounts: observed shares against
 * log10(1 + 1/d), summarised by the mean absolute deviation with Nigrini's conformity ranges and
 * a chi-square test. Amounts below 10 are left out (their leading digits are not informative).
 */
public final class Benford {
  private static final BigDecimal TEN = BigDecimal.TEN;

  /** Nigrini's MAD thresholds: close, acceptable, marginal; above the last is nonconformity. */
  private static final double[] FIRST_DIGIT_MAD = {0.006, 0.012, 0.015};
  private static final double[] FIRST_TWO_MAD = {0.0012, 0.0018, 0.0022};

  /** One leading-digit bucket. */
  public record Bucket(int digits, long observed, double expectedShare, double observedShare) {
    /** As it travels in a report or a finding. */
    public io.nexus.contracts.financial.Financial.BenfordBucket view() {
      return new io.nexus.contracts.financial.Financial.BenfordBucket(digits, observed, expectedShare, observedShare);
    }
  }

  /**
   * @param conformity close, acceptable, marginal, nonconforming, or insufficient-data below the minimum sample
   */
  public record Result(int digitCount, long sampleSize, double mad, Conformity conformity, double chiSquare, double pValue,
      List<Bucket> buckets) {}

  private Benford() {}

  /**
   * Runs the test.
   *
   * @param digitCount 1 (first digit, 1..9) or 2 (first two digits, 10..99)
   * @param minSample below this many amounts the result is {@code insufficient-data}
   */
  public static Result run(List<BigDecimal> amounts, int digitCount, int minSample) {
    long[] observed = new long[digitCount == 2 ? 90 : 9];
    int lo = digitCount == 2 ? 10 : 1;
    for (BigDecimal a : amounts) {
      BigDecimal abs = a.abs();
      if (abs.compareTo(TEN) >= 0) {
        observed[leading(abs, digitCount) - lo]++;
      }
    }
    return fromCounts(observed, digitCount, minSample);
  }

  /**
   * Runs the test on counts already made: {@code observed[i]} is how many amounts (of at least
   * 10) lead with the digits {@code i + 1} (first digit) or {@code i + 10} (first two).
   */
  public static Result fromCounts(long[] observed, int digitCount, int minSample) {
    if (digitCount != 1 && digitCount != 2) {
      throw new IllegalArgumentException("digits must be 1 or 2");
    }
    int lo = digitCount == 1 ? 1 : 10;
    int hi = digitCount == 1 ? 9 : 99;
    if (observed.length != hi - lo + 1) {
      throw new IllegalArgumentException("expected " + (hi - lo + 1) + " counts");
    }
    long n = 0;
    for (long o : observed) {
      n += o;
    }
    double[] expected = new double[observed.length];
    var buckets = new ArrayList<Bucket>();
    double absDev = 0;
    for (int d = lo; d <= hi; d++) {
      double share = Math.log10(1 + 1.0 / d);
      expected[d - lo] = share * Math.max(n, 1);
      double obs = n == 0 ? 0 : (double) observed[d - lo] / n;
      absDev += Math.abs(obs - share);
      buckets.add(new Bucket(d, observed[d - lo], share, obs));
    }
    double mad = absDev / observed.length;
    if (n < minSample) {
      return new Result(digitCount, n, mad, Conformity.INSUFFICIENT_DATA, Double.NaN, Double.NaN, buckets);
    }
    var chi = new ChiSquareTest();
    double statistic = chi.chiSquare(expected, observed);
    double p = chi.chiSquareTest(expected, observed);
    double[] limits = digitCount == 1 ? FIRST_DIGIT_MAD : FIRST_TWO_MAD;
    Conformity conformity = mad <= limits[0] ? Conformity.CLOSE : mad <= limits[1] ? Conformity.ACCEPTABLE
        : mad <= limits[2] ? Conformity.MARGINAL
        : Conformity.NONCONFORMING;
    return new Result(digitCount, n, mad, conformity, statistic, p, buckets);
  }

  /** The first {@code count} significant digits of a positive amount of at least 10. */
  static int leading(BigDecimal positive, int count) {
    String digits = positive.unscaledValue().toString();
    return Integer.parseInt(digits.substring(0, count));
  }
}

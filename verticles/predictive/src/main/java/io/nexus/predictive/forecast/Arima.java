package io.nexus.predictive.forecast;

import java.util.Arrays;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.NelderMeadSimplex;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.SimplexOptimizer;

/**
 * Seasonal ARIMA(p,d,q)(P,D,Q)m (Box and Jenkins), fitted by conditional sum of squares with a
 * Nelder–Mead search (commons-math3), the pre-sample values at the mean and the pre-sample
 * innovations at zero, so that every order is judged on the same observations. The AR and MA polynomials are parameterised by their
 * partial autocorrelations through {@code tanh} (Jones 1980; Monahan 1984), so every fitted model
 * is stationary and invertible. Orders are chosen the way automatic ARIMA does it in outline
 * (Hyndman and Khandakar 2008): the seasonal difference when the series shows a season, then
 * first differences while the KPSS test rejects level stationarity at 5 %, then the orders
 * {@code p, q ≤ 2}, {@code P, Q ≤ 1} with the lowest AICc. Intervals come from the ψ weights:
 * {@code v_h = σ² Σ_{j<h} ψ_j²}.
 */
public final class Arima {
  /**
   * A fitted model.
   *
   * @param p,d,q,sp,sd,sq the orders (sp, sd, sq: seasonal P, D, Q)
   * @param period the season's length
   * @param ar the non-seasonal and seasonal AR polynomial multiplied out: {@code 1 − Σ ar_i B^i}
   * @param ma the MA polynomial multiplied out: {@code 1 + Σ ma_j B^j}
   * @param mean the mean of the differenced series (0 when it is differenced twice or more)
   * @param sigma2 the innovations' variance
   * @param aicc the corrected Akaike information criterion (on the differenced series)
   * @param residuals the in-sample innovations, aligned with the series (0 where none was computed)
   * @param series the series fitted
   */
  public record Fit(int p, int d, int q, int sp, int sd, int sq, int period, double[] ar, double[] ma, double mean,
      double sigma2, double aicc, double[] residuals, double[] series) {

    /** {@code ARIMA(0,1,1)(0,1,1)[12]}. */
    public String order() {
      String s = "ARIMA(" + p + "," + d + "," + q + ")";
      return sp + sd + sq > 0 ? s + "(" + sp + "," + sd + "," + sq + ")[" + period + "]" : s;
    }

    /** Point forecasts and ψ-weight intervals for {@code horizon} steps on the series' own scale. */
    public Forecast forecast(int horizon) {
      double[] full = integrated();
      int n = series.length;
      double[] z = Arrays.copyOf(series, n + horizon);
      double[] e = Arrays.copyOf(residuals, n + horizon);
      double constant = mean * arAtOne();
      double[] out = new double[horizon];
      for (int h = 0; h < horizon; h++) {
        int t = n + h;
        double v = constant;
        for (int i = 1; i < full.length; i++) {
          v += full[i] * (t - i >= 0 ? z[t - i] : 0);
        }
        for (int j = 1; j < ma.length; j++) {
          v += ma[j] * (t - j >= 0 && t - j < n ? e[t - j] : 0);
        }
        z[t] = v;
        out[h] = v;
      }
      double[] psi = new double[horizon];
      psi[0] = 1;
      for (int j = 1; j < horizon; j++) {
        double v = j < ma.length ? ma[j] : 0;
        for (int i = 1; i < full.length && i <= j; i++) {
          v += full[i] * psi[j - i];
        }
        psi[j] = v;
      }
      double[] var = new double[horizon];
      double sum = 0;
      for (int h = 0; h < horizon; h++) {
        sum += psi[h] * psi[h];
        var[h] = sigma2 * sum;
      }
      return Forecast.normal(out, var);
    }

    /** The AR polynomial with the differences multiplied in, as coefficients {@code a_i} of {@code z_t = Σ a_i z_{t−i} + …}. */
    private double[] integrated() {
      double[] poly = new double[ar.length];
      poly[0] = 1;
      for (int i = 1; i < ar.length; i++) {
        poly[i] = -ar[i];
      }
      for (int i = 0; i < d; i++) {
        poly = multiply(poly, difference(1));
      }
      for (int i = 0; i < sd; i++) {
        poly = multiply(poly, difference(period));
      }
      double[] a = new double[poly.length];
      for (int i = 1; i < poly.length; i++) {
        a[i] = -poly[i];
      }
      return a;
    }

    private double arAtOne() {
      double v = 1;
      for (int i = 1; i < ar.length; i++) {
        v -= ar[i];
      }
      return v;
    }
  }

  private Arima() {}

  /** The automatic choice for y with season m (1: none), or null when y is too short for any model. */
  public static Fit auto(double[] y, int m) {
    int sd = m > 1 && y.length >= 3 * m && Decomposition.seasonal(y, m) ? 1 : 0;
    double[] w = sd == 1 ? diff(y, m) : y;
    int d = 0;
    while (d < 2 && w.length > 10 && kpssRejects(w)) {
      w = diff(w, 1);
      d++;
    }
    Fit best = null;
    for (int p = 0; p <= 2; p++) {
      for (int q = 0; q <= 2; q++) {
        for (int sp = 0; sp <= (m > 1 ? 1 : 0); sp++) {
          for (int sq = 0; sq <= (m > 1 ? 1 : 0); sq++) {
            Fit f = fit(y, m, p, d, q, sp, sd, sq);
            if (f != null && Double.isFinite(f.aicc()) && (best == null || f.aicc() < best.aicc())) {
              best = f;
            }
          }
        }
      }
    }
    return best;
  }

  /** Fits one order by conditional sum of squares; null when the series is too short for it. */
  public static Fit fit(double[] y, int m, int p, int d, int q, int sp, int sd, int sq) {
    int period = Math.max(1, m);
    double[] w = y;
    for (int i = 0; i < sd; i++) {
      w = diff(w, period);
    }
    for (int i = 0; i < d; i++) {
      w = diff(w, 1);
    }
    int lagAr = p + sp * period;
    boolean withMean = d + sd <= 1;
    int k = p + q + sp + sq + (withMean ? 1 : 0);
    int neff = w.length;
    if (neff - k - 2 <= 0 || neff < 8 || lagAr >= neff / 2) {
      return null;
    }
    double wMean = SeriesMath.mean(w, 0, w.length);
    double scale = Math.max(1e-9, SeriesMath.sd(w));
    final double[] series = w;
    var objective = new ObjectiveFunction(x -> css(series, period, p, q, sp, sq, withMean, x, null));
    double[] x0 = new double[k];
    double[] steps = new double[k];
    Arrays.fill(steps, 0.3);
    if (withMean) {
      x0[k - 1] = wMean;
      steps[k - 1] = 0.1 * scale;
    }
    double[] xBest;
    double value;
    if (k == 0) {
      xBest = x0;
      value = css(w, period, p, q, sp, sq, withMean, x0, null);
    } else if (k == 1) {
      // one parameter: Nelder-Mead needs two dimensions; scan then refine with a bracketing search
      var r = new org.apache.commons.math3.optim.univariate.BrentOptimizer(1e-10, 1e-12).optimize(new MaxEval(400),
          GoalType.MINIMIZE, withMean ? new org.apache.commons.math3.optim.univariate.SearchInterval(wMean - 3 * scale,
              wMean + 3 * scale, wMean) : new org.apache.commons.math3.optim.univariate.SearchInterval(-4, 4, 0),
          new org.apache.commons.math3.optim.univariate.UnivariateObjectiveFunction(v -> css(series, period, p, q, sp, sq,
              withMean, new double[] {v}, null)));
      xBest = new double[] {r.getPoint()};
      value = r.getValue();
    } else {
      var optimizer = new SimplexOptimizer(1e-10, 1e-10);
      PointValuePair best = optimizer.optimize(new MaxEval(20_000), objective, GoalType.MINIMIZE, new InitialGuess(x0),
          new NelderMeadSimplex(steps));
      best = optimizer.optimize(new MaxEval(20_000), objective, GoalType.MINIMIZE, new InitialGuess(best.getPoint()),
          new NelderMeadSimplex(steps.clone()));
      xBest = best.getPoint();
      value = best.getValue();
    }
    double sigma2 = value / neff;
    double logLik = -0.5 * neff * (Math.log(2 * Math.PI * sigma2) + 1);
    int params = k + 1;
    double aicc = -2 * logLik + 2 * params + 2.0 * params * (params + 1) / (neff - params - 1);
    double[][] polys = polynomials(period, p, q, sp, sq, xBest);
    double[] e = new double[w.length];
    css(w, period, p, q, sp, sq, withMean, xBest, e);
    double[] residuals = new double[y.length];
    System.arraycopy(e, 0, residuals, y.length - w.length, w.length);
    double mean = withMean ? xBest[k - 1] : 0;
    return new Fit(p, d, q, sp, sd, sq, period, polys[0], polys[1], mean, sigma2, aicc, residuals, y.clone());
  }

  /** The sum of squared conditional residuals; fills {@code out} with them when given. */
  private static double css(double[] w, int period, int p, int q, int sp, int sq, boolean withMean, double[] x, double[] out) {
    double[][] polys = polynomials(period, p, q, sp, sq, x);
    double[] ar = polys[0];
    double[] ma = polys[1];
    double mu = withMean ? x[x.length - 1] : 0;
    // every model is judged on every differenced observation: values before the first are taken
    // at the mean and innovations before it as 0, so AICc compares orders on the same data
    double[] e = out != null ? out : new double[w.length];
    double sse = 0;
    for (int t = 0; t < w.length; t++) {
      double v = w[t] - mu;
      for (int i = 1; i < ar.length && i <= t; i++) {
        v -= ar[i] * (w[t - i] - mu);
      }
      for (int j = 1; j < ma.length && j <= t; j++) {
        v -= ma[j] * e[t - j];
      }
      e[t] = v;
      sse += v * v;
    }
    return Double.isFinite(sse) ? sse : 1e300;
  }

  /** AR {@code [1, ar_1, …]} and MA {@code [1, ma_1, …]} multiplied out from the transformed parameters. */
  private static double[][] polynomials(int period, int p, int q, int sp, int sq, double[] x) {
    int i = 0;
    double[] phi = stationary(Arrays.copyOfRange(x, i, i + p));
    i += p;
    double[] theta = stationary(Arrays.copyOfRange(x, i, i + q));
    i += q;
    double[] sphi = stationary(Arrays.copyOfRange(x, i, i + sp));
    i += sp;
    double[] stheta = stationary(Arrays.copyOfRange(x, i, i + sq));
    // AR: (1 − Σφ B^i)(1 − ΣΦ B^{si}) as 1 − Σ a B^i
    double[] arPoly = multiply(minusPoly(phi, 1), minusPoly(sphi, period));
    // MA: (1 + Σθ B^j)(1 + ΣΘ B^{sj}); invertible when −θ is a stationary AR
    double[] maPoly = multiply(plusPoly(negate(theta), 1), plusPoly(negate(stheta), period));
    double[] ar = new double[arPoly.length];
    ar[0] = 1;
    for (int k = 1; k < arPoly.length; k++) {
      ar[k] = -arPoly[k];
    }
    maPoly[0] = 1;
    return new double[][] {ar, maPoly};
  }

  /** Coefficients of a stationary AR polynomial from unconstrained values via partial autocorrelations. */
  static double[] stationary(double[] raw) {
    int n = raw.length;
    double[] a = new double[n];
    double[] work = new double[n];
    for (int k = 0; k < n; k++) {
      double r = Math.tanh(raw[k]);
      a[k] = r;
      for (int j = 0; j < k; j++) {
        work[j] = a[j] - r * a[k - 1 - j];
      }
      System.arraycopy(work, 0, a, 0, k);
    }
    return a;
  }

  private static double[] negate(double[] a) {
    return Arrays.stream(a).map(v -> -v).toArray();
  }

  /** {@code 1 − Σ c_i B^{lag·i}} as a coefficient array. */
  private static double[] minusPoly(double[] c, int lag) {
    double[] p = new double[c.length * lag + 1];
    p[0] = 1;
    for (int i = 0; i < c.length; i++) {
      p[(i + 1) * lag] = -c[i];
    }
    return p;
  }

  /** {@code 1 + Σ c_i B^{lag·i}}. */
  private static double[] plusPoly(double[] c, int lag) {
    double[] p = new double[c.length * lag + 1];
    p[0] = 1;
    for (int i = 0; i < c.length; i++) {
      p[(i + 1) * lag] = c[i];
    }
    return p;
  }

  static double[] multiply(double[] a, double[] b) {
    double[] out = new double[a.length + b.length - 1];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < b.length; j++) {
        out[i + j] += a[i] * b[j];
      }
    }
    return out;
  }

  private static double[] difference(int lag) {
    double[] p = new double[lag + 1];
    p[0] = 1;
    p[lag] = -1;
    return p;
  }

  static double[] diff(double[] y, int lag) {
    double[] out = new double[Math.max(0, y.length - lag)];
    for (int t = lag; t < y.length; t++) {
      out[t - lag] = y[t] - y[t - lag];
    }
    return out;
  }

  /**
   * The KPSS test of level stationarity (Kwiatkowski et al. 1992) at 5 % (critical value 0.463),
   * with the Newey–West long-run variance at lag {@code ⌊3 √n / 13⌋} (Hobijn et al. 1998, the lag
   * R's {@code ndiffs} uses).
   */
  static boolean kpssRejects(double[] y) {
    int n = y.length;
    double mean = SeriesMath.mean(y, 0, n);
    double[] e = new double[n];
    for (int t = 0; t < n; t++) {
      e[t] = y[t] - mean;
    }
    double s = 0;
    double eta = 0;
    for (int t = 0; t < n; t++) {
      s += e[t];
      eta += s * s;
    }
    int lags = (int) Math.floor(3 * Math.sqrt(n) / 13);
    double lr = 0;
    for (double v : e) {
      lr += v * v;
    }
    lr /= n;
    for (int l = 1; l <= lags; l++) {
      double c = 0;
      for (int t = l; t < n; t++) {
        c += e[t] * e[t - l];
      }
      lr += 2 * (1 - l / (lags + 1.0)) * c / n;
    }
    double stat = eta / (n * (double) n * lr);
    return stat > 0.463;
  }
}

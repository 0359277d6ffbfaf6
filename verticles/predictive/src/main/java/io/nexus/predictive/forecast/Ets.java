package io.nexus.predictive.forecast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.NelderMeadSimplex;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.SimplexOptimizer;

/**
 * Exponential smoothing in innovations state-space form (Hyndman, Koehler, Ord and Snyder,
 * <i>Forecasting with Exponential Smoothing</i>, 2008): one of the error × trend × season
 * combinations, fitted by maximum likelihood — the smoothing parameters and the initial states
 * together, with a Nelder–Mead search (commons-math3) over a transformed space that keeps
 * {@code 0 < β < α < 1}, {@code 0 < γ < 1 − α} and {@code 0.8 ≤ φ ≤ 0.98}.
 *
 * <p>The likelihood is the Gaussian one of the innovations, concentrated over σ²:
 * {@code −2 log L = n log(2π e σ̂²) + 2 Σ log|k_t|}, with {@code k_t = 1} for additive errors
 * and the one-step forecast {@code μ_t} for multiplicative ones. AICc counts the smoothing
 * parameters, the free initial states and σ².
 */
public final class Ets {
  /** The error, trend or season component: none, additive, additive damped, multiplicative. */
  public enum Kind { N, A, AD, M }

  /**
   * A model's form.
   *
   * @param error {@link Kind#A} or {@link Kind#M}
   * @param trend {@link Kind#N}, {@link Kind#A} or {@link Kind#AD}
   * @param season {@link Kind#N}, {@link Kind#A} or {@link Kind#M}
   */
  public record Spec(Kind error, Kind trend, Kind season) {
    public Spec {
      if (error != Kind.A && error != Kind.M) {
        throw new IllegalArgumentException("error must be A or M");
      }
      if (trend == Kind.M) {
        throw new IllegalArgumentException("multiplicative trends are not offered (they forecast explosively)");
      }
      if (season == Kind.AD) {
        throw new IllegalArgumentException("a season cannot be damped");
      }
    }

    /** True when every component is additive: the model is linear and its intervals analytic. */
    public boolean linear() {
      return error == Kind.A && season != Kind.M;
    }

    /** R's notation: {@code ETS(M,Ad,M)}. */
    @Override
    public String toString() {
      return "ETS(" + error + "," + (trend == Kind.AD ? "Ad" : trend.name()) + "," + season + ")";
    }
  }

  /** The forms tried when choosing by AICc: the stable ones (additive error with a multiplicative season is left out, as in R). */
  public static List<Spec> candidates(boolean seasonal, boolean positive) {
    var out = new ArrayList<Spec>();
    for (Kind error : new Kind[] {Kind.A, Kind.M}) {
      for (Kind trend : new Kind[] {Kind.N, Kind.A, Kind.AD}) {
        for (Kind season : seasonal ? new Kind[] {Kind.N, Kind.A, Kind.M} : new Kind[] {Kind.N}) {
          boolean multiplicative = error == Kind.M || season == Kind.M;
          if (multiplicative && !positive) {
            continue;
          }
          if (error == Kind.A && season == Kind.M) {
            continue;
          }
          if (error == Kind.M && season == Kind.A) {
            continue; // numerically unstable (Hyndman et al. 2008, 15.1)
          }
          out.add(new Spec(error, trend, season));
        }
      }
    }
    return out;
  }

  /**
   * A fitted model.
   *
   * @param spec its form
   * @param period the seasonal period (1 without a season)
   * @param alpha level smoothing
   * @param beta trend smoothing (0 without a trend)
   * @param gamma season smoothing (0 without a season)
   * @param phi damping (1 unless damped)
   * @param state the last state: level, trend, then the season from the most recent back
   * @param sigma2 the innovations' variance, {@code SSE / (n − k)} for {@code k} estimated parameters
   * @param logLik the log-likelihood
   * @param aicc the corrected Akaike information criterion
   * @param n observations fitted
   * @param fitted the one-step forecasts over the history
   */
  public record Fit(Spec spec, int period, double alpha, double beta, double gamma, double phi, double[] state, double sigma2,
      double logLik, double aicc, int n, double[] fitted) {

    /** Parameters estimated, σ² included. */
    public int parameters() {
      return Ets.parameters(spec, period) + 1;
    }

    /** Point forecasts and intervals for {@code horizon} steps. */
    public Forecast forecast(int horizon) {
      double[] mean = new double[horizon];
      double[] x = state.clone();
      for (int h = 0; h < horizon; h++) {
        mean[h] = oneStep(spec, x, phi, period);
        advance(spec, x, phi, period, 0, alpha, beta, gamma, mean[h]);
      }
      if (spec.linear()) {
        return analytic(mean);
      }
      return simulated(mean, horizon);
    }

    /** Linear models: {@code v_h = σ² (1 + Σ_{j<h} c_j²)} with {@code c_j = w' F^{j−1} g}. */
    private Forecast analytic(double[] mean) {
      int h = mean.length;
      double[] var = new double[h];
      double sum = 0;
      double[] fg = persistence();
      for (int i = 0; i < h; i++) {
        var[i] = sigma2 * (1 + sum);
        double c = measure(fg);
        sum += c * c;
        fg = transition(fg);
      }
      return Forecast.normal(mean, var);
    }

    /** Paths from the last state with Gaussian innovations; quantiles of the simulated values. */
    private Forecast simulated(double[] mean, int horizon) {
      int paths = 5_000;
      var random = new Random(42);
      double[][] sims = new double[horizon][paths];
      double sd = Math.sqrt(sigma2);
      for (int p = 0; p < paths; p++) {
        double[] x = state.clone();
        for (int h = 0; h < horizon; h++) {
          double mu = oneStep(spec, x, phi, period);
          double e = random.nextGaussian() * sd;
          double y = spec.error() == Kind.A ? mu + e : mu * (1 + e);
          sims[h][p] = y;
          advance(spec, x, phi, period, e, alpha, beta, gamma, mu);
        }
      }
      return Forecast.fromSimulation(mean, sims);
    }

    /** g: how an innovation moves each state (linear models). */
    private double[] persistence() {
      double[] g = new double[2 + period];
      g[0] = alpha;
      g[1] = spec.trend() == Kind.N ? 0 : beta;
      if (spec.season() != Kind.N) {
        g[2] = gamma;
      }
      return g;
    }

    /** w'x: the one-step forecast of state x (linear models). */
    private double measure(double[] x) {
      double v = x[0] + (spec.trend() == Kind.N ? 0 : phi * x[1]);
      if (spec.season() != Kind.N) {
        v += x[1 + period];
      }
      return v;
    }

    /** F x (linear models): the state one step on without an innovation. */
    private double[] transition(double[] x) {
      double[] y = new double[x.length];
      double damped = spec.trend() == Kind.N ? 0 : phi * x[1];
      y[0] = x[0] + damped;
      y[1] = damped;
      if (spec.season() != Kind.N) {
        y[2] = x[1 + period];
        System.arraycopy(x, 2, y, 3, period - 1);
      }
      return y;
    }
  }

  private Ets() {}

  /** Smoothing parameters plus free initial states. */
  static int parameters(Spec spec, int period) {
    int k = 1 + 1; // alpha, l0
    if (spec.trend() != Kind.N) {
      k += 2; // beta, b0
    }
    if (spec.trend() == Kind.AD) {
      k += 1;
    }
    if (spec.season() != Kind.N) {
      k += 1 + (period - 1); // gamma, m-1 free seasonal states
    }
    return k;
  }

  /** The one-step forecast from state x: level, trend, season from the most recent back. */
  static double oneStep(Spec spec, double[] x, double phi, int period) {
    double lb = x[0] + switch (spec.trend()) {
      case N -> 0;
      case A -> x[1];
      default -> phi * x[1];
    };
    return switch (spec.season()) {
      case N -> lb;
      case A -> lb + x[1 + period];
      default -> lb * x[1 + period];
    };
  }

  /**
   * Moves state x one step on, given the innovation e (absolute for additive errors, relative for
   * multiplicative ones) and the one-step forecast mu.
   */
  static void advance(Spec spec, double[] x, double phi, int period, double e, double alpha, double beta, double gamma,
      double mu) {
    double l = x[0];
    double b = x[1];
    double bd = switch (spec.trend()) {
      case N -> 0;
      case A -> b;
      default -> phi * b;
    };
    double lb = l + bd;
    double s = spec.season() == Kind.N ? 0 : x[1 + period];
    double nl;
    double nb;
    double ns;
    if (spec.error() == Kind.A) {
      switch (spec.season()) {
        case M -> {
          nl = lb + alpha * e / s;
          nb = bd + beta * e / s;
          ns = s + gamma * e / lb;
        }
        default -> {
          nl = lb + alpha * e;
          nb = bd + beta * e;
          ns = s + gamma * e;
        }
      }
    } else {
      switch (spec.season()) {
        case M -> {
          nl = lb * (1 + alpha * e);
          nb = bd + beta * lb * e;
          ns = s * (1 + gamma * e);
        }
        case A -> {
          nl = lb + alpha * mu * e;
          nb = bd + beta * mu * e;
          ns = s + gamma * mu * e;
        }
        default -> {
          nl = lb * (1 + alpha * e);
          nb = bd + beta * lb * e;
          ns = 0;
        }
      }
    }
    x[0] = nl;
    x[1] = spec.trend() == Kind.N ? 0 : nb;
    if (spec.season() != Kind.N) {
      // the season slots shift: the new one is the most recent
      System.arraycopy(x, 2, x, 3, period - 1);
      x[2] = ns;
    }
  }

  /** Fits one form to y, or returns null when it cannot be fitted (too few points, non-positive data for M). */
  public static Fit fit(double[] y, int period, Spec spec) {
    int m = spec.season() == Kind.N ? 1 : period;
    int n = y.length;
    int k = parameters(spec, m);
    if (n <= k + 1 || (spec.season() != Kind.N && n < 2 * m)) {
      return null;
    }
    boolean multiplicative = spec.error() == Kind.M || spec.season() == Kind.M;
    if (multiplicative && Arrays.stream(y).anyMatch(v -> v <= 0)) {
      return null;
    }
    double[] init = initialStates(y, m, spec);
    double scale = Math.max(1e-9, SeriesMath.sd(y));
    // the search space: logits of the smoothing parameters, then the initial states
    var start = new ArrayList<Double>();
    var steps = new ArrayList<Double>();
    start.add(logit(0.3));
    steps.add(1.0);
    if (spec.trend() != Kind.N) {
      start.add(logit(0.1 / 0.3));
      steps.add(1.0);
    }
    if (spec.season() != Kind.N) {
      start.add(logit(0.1 / 0.7));
      steps.add(1.0);
    }
    if (spec.trend() == Kind.AD) {
      start.add(logit((0.95 - 0.8) / 0.18));
      steps.add(1.0);
    }
    int smoothing = start.size();
    start.add(init[0]);
    steps.add(0.2 * scale);
    if (spec.trend() != Kind.N) {
      start.add(init[1]);
      steps.add(0.02 * scale);
    }
    if (spec.season() != Kind.N) {
      for (int i = 0; i < m - 1; i++) {
        start.add(init[2 + i]);
        steps.add(spec.season() == Kind.M ? 0.05 : 0.1 * scale);
      }
    }
    double[] x0 = start.stream().mapToDouble(Double::doubleValue).toArray();
    double[] st = steps.stream().mapToDouble(Double::doubleValue).toArray();
    var objective = new ObjectiveFunction(p -> {
      double v = new Run(spec, m, p, smoothing, y).minus2LogLik;
      return Double.isFinite(v) ? v : 1e300;
    });
    var optimizer = new SimplexOptimizer(1e-9, 1e-9);
    PointValuePair best = null;
    double[] from = x0;
    for (int restart = 0; restart < 3; restart++) {
      PointValuePair r;
      try {
        r = optimizer.optimize(new MaxEval(4_000 + 400 * x0.length), objective, GoalType.MINIMIZE,
            new InitialGuess(from), new NelderMeadSimplex(restart == 0 ? st : scaled(st, 0.3)));
      } catch (org.apache.commons.math3.exception.TooManyEvaluationsException e) {
        r = null;
      }
      if (r != null && (best == null || r.getValue() < best.getValue())) {
        best = r;
      }
      if (best != null) {
        from = best.getPoint();
      }
    }
    if (best == null || best.getValue() >= 1e299) {
      return null;
    }
    var run = new Run(spec, m, best.getPoint(), smoothing, y);
    double logLik = -0.5 * run.minus2LogLik;
    int params = k + 1;
    double aic = -2 * logLik + 2 * params;
    double aicc = n - params - 1 > 0 ? aic + 2.0 * params * (params + 1) / (n - params - 1) : Double.POSITIVE_INFINITY;
    // the intervals use the variance with the estimated parameters' degrees of freedom taken off, as R's ets does
    double sigma2 = run.sigma2 * n / Math.max(1, n - k);
    return new Fit(spec, m, run.alpha, run.beta, run.gamma, run.phi, run.state, sigma2, logLik, aicc, n, run.fitted);
  }

  /** The form with the lowest AICc among {@code specs}, or null when none could be fitted. */
  public static Fit best(double[] y, int period, List<Spec> specs) {
    Fit best = null;
    for (Spec s : specs) {
      Fit f = fit(y, period, s);
      if (f != null && Double.isFinite(f.aicc()) && (best == null || f.aicc() < best.aicc())) {
        best = f;
      }
    }
    return best;
  }

  /** One pass of the recursions over y with the parameters in p: the fitted values and the likelihood. */
  private static final class Run {
    final double alpha;
    final double beta;
    final double gamma;
    final double phi;
    final double[] state;
    final double[] fitted;
    double sigma2;
    double minus2LogLik;

    Run(Spec spec, int m, double[] p, int smoothing, double[] y) {
      int i = 0;
      alpha = 1e-4 + 0.9998 * logistic(p[i++]);
      beta = spec.trend() == Kind.N ? 0 : alpha * logistic(p[i++]);
      gamma = spec.season() == Kind.N ? 0 : (1 - alpha) * logistic(p[i++]);
      phi = spec.trend() == Kind.AD ? 0.8 + 0.18 * logistic(p[i++]) : 1;
      i = smoothing;
      state = new double[2 + m];
      state[0] = p[i++];
      if (spec.trend() != Kind.N) {
        state[1] = p[i++];
      }
      if (spec.season() != Kind.N) {
        double sum = 0;
        for (int j = 0; j < m - 1; j++) {
          state[2 + j] = p[i++];
          sum += state[2 + j];
        }
        // the seasonal states sum to 0 (additive) or average 1 (multiplicative)
        state[1 + m] = spec.season() == Kind.M ? m - sum : -sum;
        if (spec.season() == Kind.M) {
          for (int j = 0; j < m; j++) {
            if (state[2 + j] <= 0) {
              fitted = new double[0];
              minus2LogLik = Double.POSITIVE_INFINITY;
              return;
            }
          }
        }
      }
      int n = y.length;
      fitted = new double[n];
      double sse = 0;
      double logK = 0;
      for (int t = 0; t < n; t++) {
        double mu = oneStep(spec, state, phi, m);
        fitted[t] = mu;
        double e;
        if (spec.error() == Kind.A) {
          e = y[t] - mu;
        } else {
          if (mu <= 0) {
            minus2LogLik = Double.POSITIVE_INFINITY;
            return;
          }
          e = (y[t] - mu) / mu;
          logK += Math.log(Math.abs(mu));
        }
        sse += e * e;
        advance(spec, state, phi, m, e, alpha, beta, gamma, mu);
        if (!Double.isFinite(state[0])) {
          minus2LogLik = Double.POSITIVE_INFINITY;
          return;
        }
      }
      sigma2 = sse / n;
      minus2LogLik = n * Math.log(2 * Math.PI * Math.E * Math.max(sigma2, 1e-300)) + 2 * logK;
    }
  }

  /**
   * Initial states from the first years: the level as the first season's mean, the trend as the
   * change between the first two seasons' means per step, the season as the first year's
   * departures (or ratios) from a centred moving average (Hyndman et al. 2008, 2.6.1).
   */
  static double[] initialStates(double[] y, int m, Spec spec) {
    double[] out = new double[2 + m];
    int first = Math.min(y.length, Math.max(m, 10));
    if (spec.season() == Kind.N) {
      out[0] = SeriesMath.mean(y, 0, Math.min(first, y.length));
      if (spec.trend() != Kind.N && y.length > 1) {
        out[1] = SeriesMath.slope(y, Math.min(first, y.length));
      }
      return out;
    }
    double[] season = new double[m];
    double[] counts = new double[m];
    int years = Math.min(y.length / m, 3);
    for (int t = m / 2; t < years * m - m / 2 && t + m / 2 < y.length; t++) {
      double ma = SeriesMath.centredMean(y, t, m);
      int s = t % m;
      season[s] += spec.season() == Kind.M ? y[t] / ma : y[t] - ma;
      counts[s]++;
    }
    double total = 0;
    for (int s = 0; s < m; s++) {
      season[s] = counts[s] == 0 ? (spec.season() == Kind.M ? 1 : 0) : season[s] / counts[s];
      total += season[s];
    }
    for (int s = 0; s < m; s++) {
      season[s] = spec.season() == Kind.M ? season[s] * m / total : season[s] - total / m;
    }
    double[] adjusted = new double[Math.min(y.length, 2 * m)];
    for (int t = 0; t < adjusted.length; t++) {
      adjusted[t] = spec.season() == Kind.M ? y[t] / season[t % m] : y[t] - season[t % m];
    }
    out[0] = SeriesMath.mean(adjusted, 0, m);
    if (spec.trend() != Kind.N) {
      out[1] = (SeriesMath.mean(adjusted, m, adjusted.length) - SeriesMath.mean(adjusted, 0, m)) / m;
      out[0] -= out[1] * (m - 1) / 2.0;
    }
    // the state before the first observation: slot 0 is the most recent season (t = -1, i.e. s = m-1)
    for (int j = 0; j < m; j++) {
      out[2 + j] = season[m - 1 - j];
    }
    return out;
  }

  private static double[] scaled(double[] a, double f) {
    double[] out = a.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] *= f;
    }
    return out;
  }

  private static double logistic(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  private static double logit(double p) {
    return Math.log(p / (1 - p));
  }
}

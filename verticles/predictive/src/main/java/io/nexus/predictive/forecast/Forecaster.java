package io.nexus.predictive.forecast;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses and runs a forecasting method for one series.
 *
 * <p>ETS and ARIMA are each chosen by AICc among their forms, on the series and — when it is
 * positive — on its logarithm, the two compared on the original scale (the log model's AICc
 * plus {@code 2 Σ log y}, the Jacobian of the transformation); a log model's forecasts are
 * back-transformed with {@code exp}, which gives medians and keeps the intervals' coverage.
 * {@link Method#AUTO} holds the last season (or the last fifth of a non-seasonal series) out,
 * fits every method on the rest, and picks the one with the lowest MASE on what was held out;
 * that method is then refitted on the whole series. A series too short for a seasonal model is
 * forecast without a season; one shorter than {@link #MIN_POINTS} cannot be forecast.
 */
public final class Forecaster {
  /** The fewest observations any method here forecasts from. */
  public static final int MIN_POINTS = 6;
  /** The longest season ETS models (as R's ets: weekly data's 52 would mean 51 free initial states). */
  static final int MAX_ETS_SEASON = 24;

  /** The methods. */
  public enum Method { AUTO, ETS, ARIMA, THETA, SNAIVE, COMBO }

  /** The methods {@link Method#AUTO} chooses among. */
  private static final List<Method> CANDIDATES = List.of(Method.ETS, Method.ARIMA, Method.THETA, Method.SNAIVE, Method.COMBO);

  /** A series too short for any method, or for the one asked for. */
  public static final class TooShort extends IllegalArgumentException {
    public TooShort(int n) {
      super("the series has " + n + " point" + (n == 1 ? "" : "s") + "; forecasting needs at least " + MIN_POINTS);
    }

    TooShort(int n, Method method) {
      super("the series' " + n + " points are too few for " + method.name().toLowerCase(java.util.Locale.ROOT)
          + "; auto chooses a method that fits");
    }
  }

  /**
   * A forecast and how it was made.
   *
   * @param method the method that made it (never AUTO)
   * @param model the model within it ({@code ETS(M,A,M)}, {@code ARIMA(0,1,1)(0,1,1)[12] on logs}, …)
   * @param aicc the chosen model's AICc on the original scale (NaN for Theta, seasonal naive and the combination)
   * @param holdoutMape the method's MAPE on the held-out part (NaN when the series was too short to hold any out)
   * @param holdoutMase its MASE there
   * @param forecast the forecast from the whole series
   */
  public record Result(Method method, String model, double aicc, double holdoutMape, double holdoutMase, Forecast forecast) {}

  private Forecaster() {}

  /** Forecasts {@code horizon} steps of y (season m; 1 for none) with the given method. */
  public static Result forecast(double[] y, int m, int horizon, Method method) {
    if (y.length < MIN_POINTS) {
      throw new TooShort(y.length);
    }
    int period = m > 1 && y.length >= 2 * m + 2 ? m : 1;
    int holdout = period > 1 ? period : Math.max(1, y.length / 5);
    boolean canHoldOut = y.length - holdout >= Math.max(MIN_POINTS, period > 1 ? 2 * period + 2 : MIN_POINTS);
    Map<Method, double[]> errors = new EnumMap<>(Method.class);
    if (canHoldOut) {
      double[] train = Arrays.copyOf(y, y.length - holdout);
      double[] test = Arrays.copyOfRange(y, y.length - holdout, y.length);
      int trainPeriod = period > 1 && train.length >= 2 * period + 2 ? period : 1;
      var fitted = new EnumMap<Method, Result>(Method.class);
      for (Method candidate : method == Method.AUTO ? CANDIDATES : List.of(method)) {
        Result r = run(fitted, train, trainPeriod, holdout, candidate);
        if (r != null) {
          errors.put(candidate, new double[] {Accuracy.mape(test, r.forecast().mean()),
              Accuracy.mase(test, r.forecast().mean(), train, trainPeriod)});
        }
      }
    }
    Method chosen = method;
    if (method == Method.AUTO) {
      chosen = errors.entrySet().stream().filter(e -> Double.isFinite(e.getValue()[1]))
          .min((a, b) -> Double.compare(a.getValue()[1], b.getValue()[1])).map(Map.Entry::getKey).orElse(Method.ETS);
    }
    Result r = run(new EnumMap<>(Method.class), y, period, horizon, chosen);
    if (r == null) {
      throw new TooShort(y.length, chosen);
    }
    double[] e = errors.getOrDefault(chosen, new double[] {Double.NaN, Double.NaN});
    return new Result(r.method(), r.model(), r.aicc(), e[0], e[1], r.forecast());
  }

  /**
   * One method without a holdout; null when it cannot fit y. {@code fitted} holds what was fitted to
   * the same y already: the combination reuses its parts instead of fitting them again.
   */
  private static Result run(Map<Method, Result> fitted, double[] y, int m, int horizon, Method method) {
    if (fitted.containsKey(method)) {
      return fitted.get(method);
    }
    Result r = switch (method) {
      case ETS -> ets(y, m, horizon);
      case ARIMA -> arima(y, m, horizon);
      case THETA -> {
        var t = Theta.forecast(y, m, horizon);
        yield new Result(Method.THETA, t.seasonal() ? "Theta, seasonally adjusted" : "Theta", Double.NaN, Double.NaN,
            Double.NaN, t.forecast());
      }
      case SNAIVE -> new Result(Method.SNAIVE, m > 1 ? "seasonal naive" : "naive", Double.NaN, Double.NaN, Double.NaN,
          SeasonalNaive.forecast(y, m, horizon));
      case COMBO -> {
        Result e = run(fitted, y, m, horizon, Method.ETS);
        Result a = run(fitted, y, m, horizon, Method.ARIMA);
        Result t = run(fitted, y, m, horizon, Method.THETA);
        yield e == null || a == null ? null : new Result(Method.COMBO, "mean of " + e.model() + ", " + a.model() + " and Theta",
            Double.NaN, Double.NaN, Double.NaN, Forecast.average(e.forecast(), a.forecast(), t.forecast()));
      }
      case AUTO -> throw new IllegalArgumentException("AUTO is chosen by forecast()");
    };
    fitted.put(method, r);
    return r;
  }

  private static boolean positive(double[] y) {
    return Arrays.stream(y).allMatch(v -> v > 0);
  }

  private static double jacobian(double[] y, int from) {
    double s = 0;
    for (int t = from; t < y.length; t++) {
      s += Math.log(y[t]);
    }
    return 2 * s;
  }

  private static Result ets(double[] y, int period, int horizon) {
    // seasons longer than MAX_ETS_SEASON are left to ARIMA and Theta: one state per season position
    int m = period <= MAX_ETS_SEASON ? period : 1;
    boolean positive = positive(y);
    Ets.Fit raw = Ets.best(y, m, Ets.candidates(m > 1, positive));
    Ets.Fit logs = null;
    double logAicc = Double.POSITIVE_INFINITY;
    if (positive) {
      logs = Ets.best(Arrays.stream(y).map(Math::log).toArray(), m, Ets.candidates(m > 1, false));
      logAicc = logs == null ? Double.POSITIVE_INFINITY : logs.aicc() + jacobian(y, 0);
    }
    if (raw == null && logs == null) {
      return null;
    }
    if (raw == null || logAicc < raw.aicc()) {
      return new Result(Method.ETS, logs.spec() + " on logs", logAicc, Double.NaN, Double.NaN,
          logs.forecast(horizon).map(Math::exp));
    }
    return new Result(Method.ETS, raw.spec().toString(), raw.aicc(), Double.NaN, Double.NaN, raw.forecast(horizon));
  }

  private static Result arima(double[] y, int m, int horizon) {
    Arima.Fit raw = Arima.auto(y, m);
    Arima.Fit logs = null;
    double logAicc = Double.POSITIVE_INFINITY;
    if (positive(y)) {
      logs = Arima.auto(Arrays.stream(y).map(Math::log).toArray(), m);
      if (logs != null) {
        int lost = logs.d() + logs.sd() * logs.period();
        logAicc = logs.aicc() + jacobian(y, lost);
      }
    }
    if (raw == null && logs == null) {
      return null;
    }
    if (raw == null || logAicc < raw.aicc()) {
      return new Result(Method.ARIMA, logs.order() + " on logs", logAicc, Double.NaN, Double.NaN,
          logs.forecast(horizon).map(Math::exp));
    }
    return new Result(Method.ARIMA, raw.order(), raw.aicc(), Double.NaN, Double.NaN, raw.forecast(horizon));
  }
}

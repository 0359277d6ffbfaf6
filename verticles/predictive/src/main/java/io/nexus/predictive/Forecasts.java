package io.nexus.predictive;

import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.financial.Financial;
import io.nexus.contracts.financial.Financial.AccountSeries;
import io.nexus.contracts.financial.Financial.AccountSeriesQuery;
import io.nexus.contracts.financial.Financial.SeriesPeriod;
import io.nexus.contracts.financial.Financial.SeriesPoint;
import io.nexus.contracts.predictive.Predictive.ForecastPoint;
import io.nexus.contracts.predictive.Predictive.ForecastQuery;
import io.nexus.contracts.predictive.Predictive.ForecastView;
import io.nexus.contracts.predictive.Predictive.HistoryPoint;
import io.nexus.contracts.predictive.Predictive.Holdout;
import io.nexus.contracts.predictive.Predictive.Method;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.nexus.predictive.forecast.Forecast;
import io.nexus.predictive.forecast.Forecaster;
import io.nexus.kernel.bus.ServiceClient;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;

/** The forecast endpoint: the series from Financial, then the fit on a worker thread. */
final class Forecasts {
  private static final int DEFAULT_HORIZON = 12;

  private final ServiceClient financial;
  private final WorkerExecutor workers;

  Forecasts(ServiceClient financial, WorkerExecutor workers) {
    this.financial = financial;
    this.workers = workers;
  }

  Future<ForecastView> forecast(ForecastQuery q, Call call) {
    int horizon = q.horizon() == null ? DEFAULT_HORIZON : q.horizon();
    SeriesPeriod period = q.period() == null ? SeriesPeriod.MONTH : q.period();
    Method method = q.method() == null ? Method.AUTO : q.method();
    if ((q.account() == null) == (q.counterparty() == null)) {
      throw BusFailure.badRequest("account, counterparty: give one of them — an account's net movement or a counterparty's "
          + "payments");
    }
    var seriesQuery = new AccountSeriesQuery(q.ledgerId(), q.account(), period, q.from(), q.to(), q.counterparty());
    String what = q.account() != null ? "account " + q.account() : "counterparty " + q.counterparty();
    return financial.request(Financial.ACCOUNT_SERIES, seriesQuery, call.next())
        .compose(series -> {
          double[] y = series.points().stream().mapToDouble(pt -> new BigDecimal(pt.value()).doubleValue()).toArray();
          return workers.<Forecaster.Result>executeBlocking(() -> Forecaster.forecast(y, period.perYear(), horizon,
                  Forecaster.Method.valueOf(method.name())), false)
              .recover(err -> Future.failedFuture(err instanceof Forecaster.TooShort
                  ? new BusFailure(ErrorCode.UNPROCESSABLE, what + " per " + period.wire()
                      + " in this range: " + err.getMessage())
                  : err))
              .map(r -> view(series, r, horizon));
        });
  }

  private static ForecastView view(AccountSeries series, Forecaster.Result r, int horizon) {
    int scale = Currency.getInstance(series.currency()).getDefaultFractionDigits();
    var history = new ArrayList<HistoryPoint>();
    for (SeriesPoint pt : series.points()) {
      history.add(new HistoryPoint(pt.period(), pt.value()));
    }
    Forecast f = r.forecast();
    SeriesPeriod period = series.period();
    LocalDate start = LocalDate.parse(series.points().get(series.points().size() - 1).start());
    var points = new ArrayList<ForecastPoint>();
    for (int h = 0; h < horizon; h++) {
      start = period.next(start);
      if (!Double.isFinite(f.mean()[h]) || !Double.isFinite(f.lower95()[h]) || !Double.isFinite(f.upper95()[h])) {
        throw new BusFailure(ErrorCode.UNPROCESSABLE, "the " + r.model() + " model gave no finite forecast for this series; "
            + "try another method");
      }
      points.add(new ForecastPoint(period.label(start), decimal(f.mean()[h], scale), decimal(f.lower80()[h], scale),
          decimal(f.upper80()[h], scale), decimal(f.lower95()[h], scale), decimal(f.upper95()[h], scale)));
    }
    return new ForecastView(series.account(), period, series.currency(), Method.valueOf(r.method().name()), r.model(),
        finite(r.aicc()), new Holdout(finite(r.holdoutMape()), finite(r.holdoutMase())), List.copyOf(history),
        List.copyOf(points), series.counterparty());
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private static String decimal(double v, int scale) {
    return BigDecimal.valueOf(v).setScale(scale, RoundingMode.HALF_EVEN).toPlainString();
  }
}

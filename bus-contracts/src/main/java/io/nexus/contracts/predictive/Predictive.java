package io.nexus.contracts.predictive;

import io.nexus.contracts.Endpoint;
import io.nexus.contracts.EventType;
import io.nexus.contracts.Fields;
import io.nexus.contracts.Nullable;
import io.nexus.contracts.Role;
import io.nexus.contracts.Topic;
import io.nexus.contracts.Wire;
import io.nexus.contracts.financial.Financial.SeriesPeriod;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * The AI Predictive service's surface: forecasts of a ledger's accounts with prediction
 * intervals. It reads the series from the Financial Examiner over {@code Financial.ACCOUNT_SERIES},
 * never from its tables. Endpoints: {@link #FORECAST}. Events emitted: none yet. Events consumed:
 * none yet (risk scoring and the model registry will add both).
 */
public final class Predictive {
  private Predictive() {}

  /**
   * A forecast of an account's net movement per period, with 80 % and 95 % intervals, the
   * method that made it and that method's error on the last season held out (viewer). 422 when
   * the series is too short for any method, naming the minimum.
   */
  public static final Endpoint<ForecastQuery, ForecastView> FORECAST =
      Endpoint.query("nexus.predictive.forecast", ForecastQuery.class, ForecastView.class, Role.VIEWER);

  public static final List<Endpoint<?, ?>> ENDPOINTS = List.of(FORECAST);

  public static final List<EventType<?>> EVENTS = List.of();

  public static final List<Topic<?>> TOPICS = List.of();

  /**
   * How a forecast is made: {@code auto} picks, by the lowest MASE on the last season held out,
   * among ETS (chosen by AICc), ARIMA (chosen by AICc), Theta, seasonal naive and the combination
   * (the mean of the ETS, ARIMA and Theta forecasts).
   */
  public enum Method implements Wire {
    AUTO, ETS, ARIMA, THETA, SNAIVE, COMBO;

    @Override
    public String toString() {
      return wire();
    }
  }

  /**
   * The features an entry's risk is scored on, each computed from the entry and the ledger's
   * history before it (so a replay of the log computes the same ones).
   */
  public enum Feature implements Wire {
    /** How far the amount's logarithm lies from the counterparty's earlier ones: |x − median| / (1.4826 MAD); 0 with fewer than 5. */
    AMOUNT_VS_COUNTERPARTY,
    /** The same against the debited account's earlier amounts. */
    AMOUNT_VS_ACCOUNT,
    /** 1 when recorded between 22:00 and 06:00. */
    OFF_HOURS,
    /** 1 when booked on a Saturday or Sunday. */
    WEEKEND,
    /** 1 for a multiple of 1,000, 0.5 of 100, else 0. */
    ROUND_AMOUNT,
    /** 1 when the counterparty was never seen before (once the ledger has some history). */
    FIRST_PAYMENT,
    /** How much sooner than usual the counterparty is paid again: log of its median gap over this gap, 0 when not sooner. */
    SOONER_THAN_USUAL,
    /** Entries with the counterparty in the 7 days before, this one included. */
    VELOCITY,
    /** How far the document number jumps from the last one of its prefix: log(1 + |gap − 1|). */
    DOCUMENT_GAP,
    /** 1 when this debit and credit account were never booked against each other before (once the ledger has some history). */
    UNUSUAL_PAIR,
    /** 1 when the credited account was never credited before (once the ledger has some history): money from a new source. */
    NEW_CREDIT_ACCOUNT;

    @Override
    public String toString() {
      return wire();
    }
  }

  /**
   * @param account the account's code
   * @param horizon periods ahead; default 12
   * @param period the series' period; default month
   * @param method default auto
   * @param from first booking date of the history used (inclusive)
   * @param to last booking date of the history used (inclusive); the forecast starts after its period
   */
  public record ForecastQuery(
      @Fields.Id String ledgerId,
      @Size(min = 1, max = 20) String account,
      @Nullable @Min(1) @Max(120) Integer horizon,
      @Nullable SeriesPeriod period,
      @Nullable Method method,
      @Nullable @Fields.IsoDate String from,
      @Nullable @Fields.IsoDate String to) {}

  /** @param value the period's net movement, a decimal string at the currency's scale */
  public record HistoryPoint(String period, String value) {}

  /** A forecast period: the point forecast and the ends of its 80 % and 95 % intervals, decimal strings. */
  public record ForecastPoint(String period, String value, String lower80, String upper80, String lower95, String upper95) {}

  /**
   * The method's error on the last season (or fifth of a non-seasonal series) held out, fitted on
   * the rest; both null when the series was too short to hold any out.
   *
   * @param mape mean absolute percentage error, percent (null when the held-out values include 0)
   * @param mase mean absolute scaled error against the in-sample seasonal naive forecast
   */
  public record Holdout(@Nullable Double mape, @Nullable Double mase) {}

  /**
   * @param method the method that made the forecast (auto resolved to the one it picked)
   * @param model the model within it, e.g. {@code ARIMA(0,1,1)(0,1,1)[12] on logs}
   * @param aicc the model's AICc on the series' scale, null for Theta, seasonal naive and the combination
   */
  public record ForecastView(
      String account,
      SeriesPeriod period,
      @Fields.CurrencyCode String currency,
      Method method,
      String model,
      @Nullable Double aicc,
      Holdout holdout,
      List<HistoryPoint> history,
      List<ForecastPoint> points) {}
}

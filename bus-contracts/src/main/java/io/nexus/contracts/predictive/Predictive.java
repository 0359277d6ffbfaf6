package io.nexus.contracts.predictive;

import io.nexus.contracts.Empty;
import io.nexus.contracts.Endpoint;
import io.nexus.contracts.Example;
import io.nexus.contracts.EventType;
import io.nexus.contracts.Fields;
import io.nexus.contracts.Nullable;
import io.nexus.contracts.Role;
import io.nexus.contracts.Topic;
import io.nexus.contracts.Wire;
import io.nexus.contracts.financial.Financial.SeriesPeriod;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * The AI Predictive service's surface: forecasts of a ledger's accounts with prediction
 * intervals, a risk score for every entry, and the registry of the models that score them. It
 * reads the Financial Examiner over its contract ({@code Financial.ACCOUNT_SERIES},
 * {@code IMPORT_ENTRIES}, {@code LIST_FINDINGS}), never from its tables, and raises
 * {@code risk-score} findings through {@code Financial.RAISE_FINDINGS}. Events consumed (from the
 * log, by the durable subscription {@code predictive.risk}): {@code financial.entry-posted},
 * {@code financial.import-completed}.
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

  /** An entry's risk score under the organisation's active model (viewer); 404 until it is scored. */
  public static final Endpoint<EntryRiskQuery, RiskView> ENTRY_RISK =
      Endpoint.query("nexus.predictive.entry-risk", EntryRiskQuery.class, RiskView.class, Role.VIEWER);

  /** The scores of up to 200 entries of a ledger at once, for a page of the ledger (viewer); unscored ones are left out. */
  public static final Endpoint<EntryRisksQuery, RiskList> ENTRY_RISKS =
      Endpoint.query("nexus.predictive.entry-risks", EntryRisksQuery.class, RiskList.class, Role.VIEWER);

  /**
   * How far risk has got with a ledger (viewer): entries read, those scored by the active model,
   * imports still being read. What tells whether scores have caught up after an import, a
   * promotion or an outage.
   */
  public static final Endpoint<LedgerRiskQuery, RiskStatus> RISK_STATUS =
      Endpoint.query("nexus.predictive.risk-status", LedgerRiskQuery.class, RiskStatus.class, Role.VIEWER);

  /**
   * Trains a model on a ledger's entries in a period (examiner), as a job: the reply (202) comes
   * at once with the model in state {@code training}; progress on {@link #modelProgress}.
   */
  public static final Endpoint<TrainModel, ModelView> TRAIN_MODEL =
      Endpoint.command("nexus.predictive.train-model", TrainModel.class, ModelView.class, Role.EXAMINER);

  /** The organisation's models, newest first, the active one marked (viewer). */
  public static final Endpoint<Empty, ModelList> LIST_MODELS =
      Endpoint.query("nexus.predictive.list-models", Empty.class, ModelList.class, Role.VIEWER);

  /** One model (viewer); another organisation's is 404. */
  public static final Endpoint<ModelRef, ModelView> GET_MODEL =
      Endpoint.query("nexus.predictive.get-model", ModelRef.class, ModelView.class, Role.VIEWER);

  /**
   * Makes a trained model the organisation's active one (examiner): entries posted from now on
   * are scored by it, and the entries scored before are scored again by it in the background.
   */
  public static final Endpoint<PromoteModel, ModelView> PROMOTE_MODEL =
      Endpoint.command("nexus.predictive.promote-model", PromoteModel.class, ModelView.class, Role.EXAMINER);

  /** Makes the model active before the current one active again (examiner); 409 when there is none. */
  public static final Endpoint<Empty, ModelView> ROLLBACK_MODEL =
      Endpoint.command("nexus.predictive.rollback-model", Empty.class, ModelView.class, Role.EXAMINER);

  public static final List<Endpoint<?, ?>> ENDPOINTS = List.of(FORECAST, ENTRY_RISK, ENTRY_RISKS, RISK_STATUS, TRAIN_MODEL, LIST_MODELS,
      GET_MODEL, PROMOTE_MODEL, ROLLBACK_MODEL);

  /** Training progress is published on {@code ui.org.<org>.models.<id>} as {@link ModelProgress}. */
  public static String modelProgress(String org, String modelId) {
    return "ui.org." + org + ".models." + modelId;
  }

  // ---- events of the log ----

  /** A model finished training, or failed to (stream {@code model-<id>}). */
  public static final EventType<ModelView> MODEL_TRAINED =
      new EventType<>("predictive.model-trained", ModelView.class, "model", Role.VIEWER);

  /** The organisation's active model changed, by a promotion or a rollback (stream {@code model-<id>} of the model now active). */
  public static final EventType<ModelPromoted> MODEL_PROMOTED =
      new EventType<>("predictive.model-promoted", ModelPromoted.class, "model", Role.VIEWER);

  /**
   * Entries were scored: one event per ledger and batch (at most a few a second per ledger), so
   * the live feed carries them (stream {@code ledger-risk-<ledger>}).
   */
  public static final EventType<EntriesScored> ENTRY_SCORED =
      new EventType<>("predictive.entry-scored", EntriesScored.class, "ledger-risk", Role.VIEWER);

  public static final List<EventType<?>> EVENTS = List.of(MODEL_TRAINED, MODEL_PROMOTED, ENTRY_SCORED);

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
   * One of {@code account} and {@code counterparty}.
   *
   * @param account the account's code: a forecast of its net movement
   * @param counterparty a counterparty: a forecast of the sizes of the entries with it (its payments)
   * @param horizon periods ahead; default 12
   * @param period the series' period; default month
   * @param method default auto
   * @param from first booking date of the history used (inclusive)
   * @param to last booking date of the history used (inclusive); the forecast starts after its period
   */
  public record ForecastQuery(
      @Fields.Id String ledgerId,
      @Nullable @Size(min = 1, max = 20) String account,
      @Nullable @Min(1) @Max(120) Integer horizon,
      @Nullable SeriesPeriod period,
      @Nullable Method method,
      @Nullable @Fields.IsoDate String from,
      @Nullable @Fields.IsoDate String to,
      @Nullable @Size(min = 1, max = 200) String counterparty) {}

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
      @Nullable String account,
      SeriesPeriod period,
      @Fields.CurrencyCode String currency,
      Method method,
      String model,
      @Nullable Double aicc,
      Holdout holdout,
      List<HistoryPoint> history,
      List<ForecastPoint> points,
      @Nullable String counterparty) {}

  // ---- risk ----

  /** The kinds of risk model: unsupervised (no labels needed) or learnt from analysts' decisions. */
  public enum ModelKind implements Wire {
    /** An isolation forest over the ledger's entries (Liu, Ting & Zhou 2008): the default, needs no labels. */
    ISOLATION_FOREST,
    /** A one-class SVM (RBF kernel, libsvm through Tribuo) around the ledger's entries: also needs no labels. */
    ONE_CLASS_SVM,
    /** Logistic regression on entries behind confirmed (risky) and dismissed (not) findings. */
    LOGISTIC;

    @Override
    public String toString() {
      return wire();
    }
  }

  /** Where a model stands: training (a job), trained (may be promoted) or failed (with its reason). */
  public enum ModelState implements Wire {
    TRAINING, TRAINED, FAILED;

    @Override
    public String toString() {
      return wire();
    }
  }

  public record EntryRiskQuery(@Fields.Id String ledgerId, @Fields.Id String entryId) {}

  /** @param entryIds entry ids separated by commas, at most 200 */
  public record EntryRisksQuery(
      @Fields.Id String ledgerId,
      @Size(min = 36, max = 7400) @Pattern(regexp = "^[0-9a-fA-F-]{36}(,[0-9a-fA-F-]{36}){0,199}$")
      @Example("6f1c2b9e-3d4a-4c1e-9a7b-2f0e5d8c1a34") String entryIds) {}

  /**
   * @param value the feature's value for the entry
   * @param contribution its share of the score, 0-1 (the shares of all features sum to 1)
   */
  public record Factor(Feature feature, double value, double contribution) {}

  /**
   * @param score 0-1, higher is riskier
   * @param modelVersion the organisation's version number of the model that scored it
   * @param threshold the score above which a risk-score finding is raised
   * @param factors the features that contributed most, largest first
   * @param scoredAt when it was scored
   */
  public record RiskView(
      @Fields.Id String entryId,
      @DecimalMin("0") @DecimalMax("1") double score,
      @Min(1) int modelVersion,
      @Fields.Id String modelId,
      double threshold,
      List<Factor> factors,
      String scoredAt) {}

  public record RiskList(List<RiskView> risks) {}

  public record LedgerRiskQuery(@Fields.Id String ledgerId) {}

  /**
   * @param entriesRead the ledger's entries read into risk (features computed)
   * @param scored those scored by the active model (0 with none active)
   * @param activeModelVersion the organisation's active model, null when none
   * @param importsPending the ledger's completed imports whose entries are still being read
   * @param lastReadAt when the last entry was read, null before the first
   */
  public record RiskStatus(
      @Fields.Id String ledgerId,
      @Min(0) long entriesRead,
      @Min(0) long scored,
      @Nullable Integer activeModelVersion,
      @Min(0) long importsPending,
      @Nullable String lastReadAt) {}

  /**
   * @param from first booking date of the entries trained on (inclusive; default the first)
   * @param to last booking date (inclusive; default today)
   */
  public record TrainModel(
      @Fields.Id String ledgerId,
      @Nullable @Fields.IsoDate String from,
      @Nullable @Fields.IsoDate String to,
      ModelKind kind) {}

  public record ModelRef(@Fields.Id String modelId) {}

  /** @param threshold the score above which entries raise a risk-score finding; default the model's own */
  public record PromoteModel(@Fields.Id String modelId, @Nullable @DecimalMin("0") @DecimalMax("1") Double threshold) {}

  /** A measure of a model or a setting it was trained with. */
  public record Metric(String name, String value) {}

  /**
   * @param version the organisation's number for it, from 1
   * @param rows the entries it was trained on
   * @param metrics what training measured (score quantiles; for logistic, accuracy on the labelled rows)
   * @param parameters what it was trained with (trees, sample size, epochs, seed)
   * @param threshold its threshold: for an isolation forest the 99th percentile of its training scores, for logistic 0.5
   * @param active true while it is the organisation's active model
   */
  public record ModelView(
      @Fields.Id String id,
      @Min(1) int version,
      ModelKind kind,
      ModelState state,
      @Fields.Id String ledgerId,
      @Fields.IsoDate String from,
      @Fields.IsoDate String to,
      @Min(0) long rows,
      List<Metric> metrics,
      List<Metric> parameters,
      @Nullable Double threshold,
      boolean active,
      String author,
      String createdAt,
      @Nullable String trainedAt,
      @Nullable String error) {}

  public record ModelList(List<ModelView> models) {}

  /**
   * @param previousModelId the model active before, null when there was none
   * @param rollback true when this went back to an earlier model
   */
  public record ModelPromoted(
      @Fields.Id String modelId,
      @Min(1) int version,
      double threshold,
      @Nullable String previousModelId,
      boolean rollback,
      String by) {}

  /** @param stage loading, fitting, storing, done or failed */
  public record ModelProgress(@Fields.Id String modelId, ModelState state, String stage, @Min(0) long rows) {}

  /** One entry's score in an {@link EntriesScored} batch. */
  public record ScoredEntry(@Fields.Id String entryId, double score, boolean aboveThreshold) {}

  public record EntriesScored(@Fields.Id String ledgerId, @Fields.Id String modelId, @Min(1) int modelVersion,
      List<ScoredEntry> entries) {}
}

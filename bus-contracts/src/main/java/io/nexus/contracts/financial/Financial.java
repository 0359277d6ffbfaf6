package io.nexus.contracts.financial;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.nexus.contracts.Empty;
import io.nexus.contracts.Endpoint;
import io.nexus.contracts.EventType;
import io.nexus.contracts.Example;
import io.nexus.contracts.Fields;
import io.nexus.contracts.Nullable;
import io.nexus.contracts.OneOf;
import io.nexus.contracts.Principal;
import io.nexus.contracts.Role;
import io.nexus.contracts.Wire;
import io.nexus.contracts.Topic;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * The Financial Examiner's surface: an organisation's ledgers, their chart of accounts, and
 * double-entry journal entries. Amounts are decimal strings in the currency's own scale
 * (ISO 4217: 2 for EUR, 0 for JPY, 3 for BHD); entries are immutable and corrected by
 * reversal. Every request needs a principal; a ledger of another organisation does not exist.
 */
public final class Financial {
  private Financial() {}

  /** Creates a ledger in the caller's organisation (examiner). */
  public static final Endpoint<CreateLedger, LedgerView> CREATE_LEDGER =
      Endpoint.command("nexus.financial.create-ledger", CreateLedger.class, LedgerView.class, Role.EXAMINER);

  /** The caller's organisation's ledgers (viewer). */
  public static final Endpoint<Empty, LedgerList> LIST_LEDGERS =
      Endpoint.query("nexus.financial.list-ledgers", Empty.class, LedgerList.class, Role.VIEWER);

  /** Adds an account to a ledger's chart of accounts (examiner). */
  public static final Endpoint<CreateAccount, AccountView> CREATE_ACCOUNT =
      Endpoint.command("nexus.financial.create-account", CreateAccount.class, AccountView.class, Role.EXAMINER);

  /** A ledger's chart of accounts (viewer). */
  public static final Endpoint<LedgerRef, AccountList> LIST_ACCOUNTS =
      Endpoint.query("nexus.financial.list-accounts", LedgerRef.class, AccountList.class, Role.VIEWER);

  /** Posts a balanced journal entry (examiner); 422 naming the line when it does not balance or fit. */
  public static final Endpoint<PostEntry, EntryView> POST_ENTRY =
      Endpoint.command("nexus.financial.post-entry", PostEntry.class, EntryView.class, Role.EXAMINER);

  /** Posts the reversing entry of an entry (examiner); an entry is reversed at most once. */
  public static final Endpoint<ReverseEntry, EntryView> REVERSE_ENTRY =
      Endpoint.command("nexus.financial.reverse-entry", ReverseEntry.class, EntryView.class, Role.EXAMINER);

  /** One entry with its lines (viewer). */
  public static final Endpoint<EntryRef, EntryView> GET_ENTRY =
      Endpoint.query("nexus.financial.get-entry", EntryRef.class, EntryView.class, Role.VIEWER);

  /** Per account and currency: debits, credits and balance of entries booked up to a date (viewer). */
  public static final Endpoint<TrialBalanceQuery, TrialBalance> TRIAL_BALANCE =
      Endpoint.query("nexus.financial.trial-balance", TrialBalanceQuery.class, TrialBalance.class, Role.VIEWER);

  /** Assets, liabilities, equity and the current result as of a date, per currency (viewer). */
  public static final Endpoint<StatementQuery, Statement> BALANCE_SHEET =
      Endpoint.query("nexus.financial.balance-sheet", StatementQuery.class, Statement.class, Role.VIEWER);

  /** Revenue, expenses and the result of a period, per currency (viewer). */
  public static final Endpoint<StatementQuery, Statement> INCOME_STATEMENT =
      Endpoint.query("nexus.financial.income-statement", StatementQuery.class, Statement.class, Role.VIEWER);

  /** Entries of a ledger by account, counterparty, amount range, date range and text, newest first, a page at a time (viewer). */
  public static final Endpoint<EntrySearch, EntryPage> SEARCH_ENTRIES =
      Endpoint.query("nexus.financial.search-entries", EntrySearch.class, EntryPage.class, Role.VIEWER);

  /** An account's balance after each booking date, per currency (viewer). */
  public static final Endpoint<AccountHistoryQuery, AccountHistory> ACCOUNT_HISTORY =
      Endpoint.query("nexus.financial.account-history", AccountHistoryQuery.class, AccountHistory.class, Role.VIEWER);

  /**
   * An account's net movement per week, month or quarter in the ledger's currency, every period
   * from the first with a booking (or {@code from}) to the last (or {@code to}) present, empty
   * ones as 0: credit-normal accounts (liabilities, equity, revenue) positive when credited, the
   * others when debited — or, given a counterparty instead, the sizes of the entries with it (its
   * payments) (viewer). What forecasts are made from.
   */
  public static final Endpoint<AccountSeriesQuery, AccountSeries> ACCOUNT_SERIES =
      Endpoint.query("nexus.financial.account-series", AccountSeriesQuery.class, AccountSeries.class, Role.VIEWER);

  /**
   * Benford's law on the leading digits of a ledger's line amounts (at least 10), optionally for
   * one account and a period: shares per digit, MAD with Nigrini's conformity ranges, chi-square
   * (viewer).
   */
  public static final Endpoint<BenfordQuery, BenfordReport> BENFORD =
      Endpoint.query("nexus.financial.benford", BenfordQuery.class, BenfordReport.class, Role.VIEWER);

  /**
   * Creates an import of journal lines into a ledger (examiner): its format and options. The
   * file itself is streamed to {@code PUT /ledgers/{id}/imports/{importId}/file}; progress is
   * published on {@link #importProgress(String, String)}.
   */
  public static final Endpoint<CreateImport, ImportView> CREATE_IMPORT =
      Endpoint.command("nexus.financial.create-import", CreateImport.class, ImportView.class, Role.EXAMINER);

  /** An import's status, counts and (first 1,000) per-line errors (viewer). */
  public static final Endpoint<ImportRef, ImportView> GET_IMPORT =
      Endpoint.query("nexus.financial.get-import", ImportRef.class, ImportView.class, Role.VIEWER);

  /**
   * Claims a created import for one upload (examiner; used by the gateway): the service instance
   * that answers opens {@link UploadTarget#address()} and receives the file there in chunks of at
   * most {@link UploadTarget#chunkBytes()} (raw buffers, one request each; the last one carries
   * the header {@code end} and is answered with the final {@link ImportView}).
   */
  public static final Endpoint<BeginUpload, UploadTarget> BEGIN_UPLOAD =
      Endpoint.command("nexus.financial.begin-upload", BeginUpload.class, UploadTarget.class, Role.EXAMINER);

  /** The organisation's examination thresholds (viewer); defaults until changed. */
  public static final Endpoint<Empty, RuleSettings> GET_RULE_SETTINGS =
      Endpoint.query("nexus.financial.get-rule-settings", Empty.class, RuleSettings.class, Role.VIEWER);

  /** Changes the organisation's examination thresholds (examiner); null fields keep their value. */
  public static final Endpoint<RuleSettings, RuleSettings> PUT_RULE_SETTINGS =
      Endpoint.command("nexus.financial.put-rule-settings", RuleSettings.class, RuleSettings.class, Role.EXAMINER);

  /**
   * Starts an examination (examiner): the chosen rules (all when none) over a ledger and period,
   * as a job; progress on {@link #examinationProgress(String, String)}. Answers at once.
   */
  public static final Endpoint<StartExamination, ExaminationView> START_EXAMINATION =
      Endpoint.command("nexus.financial.start-examination", StartExamination.class, ExaminationView.class, Role.EXAMINER);

  /** An examination's status and counts (viewer). */
  public static final Endpoint<ExaminationRef, ExaminationView> GET_EXAMINATION =
      Endpoint.query("nexus.financial.get-examination", ExaminationRef.class, ExaminationView.class, Role.VIEWER);

  /** A ledger's examinations, newest first (viewer). */
  public static final Endpoint<LedgerRef, ExaminationList> LIST_EXAMINATIONS =
      Endpoint.query("nexus.financial.list-examinations", LedgerRef.class, ExaminationList.class, Role.VIEWER);

  /** Asks a running examination to stop after its current rule (examiner); findings raised so far stay. */
  public static final Endpoint<ExaminationRef, ExaminationView> CANCEL_EXAMINATION =
      Endpoint.command("nexus.financial.cancel-examination", ExaminationRef.class, ExaminationView.class, Role.EXAMINER);

  /** A ledger's findings filtered by rule, severity, status, assignee and examination, a page at a time (viewer). */
  public static final Endpoint<FindingSearch, FindingPage> LIST_FINDINGS =
      Endpoint.query("nexus.financial.list-findings", FindingSearch.class, FindingPage.class, Role.VIEWER);

  /** How many findings a ledger has per rule and severity, optionally of one status (viewer): what the findings overview draws. */
  public static final Endpoint<FindingSummaryQuery, FindingSummary> FINDING_SUMMARY =
      Endpoint.query("nexus.financial.finding-summary", FindingSummaryQuery.class, FindingSummary.class, Role.VIEWER);

  /** One finding with its evidence, comments and history (viewer). */
  public static final Endpoint<FindingRef, FindingView> GET_FINDING =
      Endpoint.query("nexus.financial.get-finding", FindingRef.class, FindingView.class, Role.VIEWER);

  /** Changes a finding's status, assignee or tags (analyst; If-Match: 412 with the current finding when stale). */
  public static final Endpoint<UpdateFinding, FindingView> UPDATE_FINDING =
      Endpoint.command("nexus.financial.update-finding", UpdateFinding.class, FindingView.class, Role.ANALYST);

  /** Adds a comment to a finding (analyst; If-Match). */
  public static final Endpoint<CommentFinding, FindingView> COMMENT_FINDING =
      Endpoint.command("nexus.financial.comment-finding", CommentFinding.class, FindingView.class, Role.ANALYST);

  /**
   * Findings another service raised (a service principal only, {@link Principal#fromService()}):
   * each finding's id follows from the ledger, its rule and its key, so sending the same finding
   * again raises nothing. Only rules that no examination runs ({@link RuleId#examination()} false)
   * are accepted, and every entry named must be in the ledger. Not routed at the gateway.
   */
  public static final Endpoint<RaiseFindings, RaisedFindings> RAISE_FINDINGS =
      Endpoint.command("nexus.financial.raise-findings", RaiseFindings.class, RaisedFindings.class, Role.EXAMINER);

  /**
   * The entries an import brought in, in the order they were imported, a page at a time
   * (viewer): how other services see entries that arrived without an entry-posted event each.
   */
  public static final Endpoint<ImportEntriesQuery, EntryPage> IMPORT_ENTRIES =
      Endpoint.query("nexus.financial.import-entries", ImportEntriesQuery.class, EntryPage.class, Role.VIEWER);

  /** Examination progress is published on {@code ui.org.<org>.examinations.<id>} as {@link ExaminationProgress}. */
  public static String examinationProgress(String org, String examinationId) {
    return "ui.org." + org + ".examinations." + examinationId;
  }

  /** Import progress is published on {@code ui.org.<org>.imports.<importId>} as {@link ImportProgress}. */
  public static String importProgress(String org, String importId) {
    return "ui.org." + org + ".imports." + importId;
  }

  // ---- events of the log (relayed on nexus.financial.events.<event>); every member of the org sees them ----

  /** A ledger was created. */
  public static final EventType<LedgerView> LEDGER_CREATED =
      new EventType<>("financial.ledger-created", LedgerView.class, "ledger", Role.VIEWER);

  /** An account was added to a chart of accounts (on its ledger's stream). */
  public static final EventType<AccountView> ACCOUNT_CREATED =
      new EventType<>("financial.account-created", AccountView.class, "ledger", Role.VIEWER);

  /** An entry was posted (a reversal too: it names the entry it reverses). */
  public static final EventType<EntryView> ENTRY_POSTED =
      new EventType<>("financial.entry-posted", EntryView.class, "entry", Role.VIEWER);

  /** An entry was reversed (on the original's stream). */
  public static final EventType<EntryReversed> ENTRY_REVERSED =
      new EventType<>("financial.entry-reversed", EntryReversed.class, "entry", Role.VIEWER);

  /** An import was committed. */
  public static final EventType<ImportEnded> IMPORT_COMPLETED =
      new EventType<>("financial.import-completed", ImportEnded.class, "import", Role.VIEWER);

  /** An import was refused and nothing written (errors in all-or-nothing mode, or no valid entry). */
  public static final EventType<ImportEnded> IMPORT_REJECTED =
      new EventType<>("financial.import-rejected", ImportEnded.class, "import", Role.VIEWER);

  /** An import broke off (upload interrupted or stalled, server error); nothing written. */
  public static final EventType<ImportEnded> IMPORT_FAILED =
      new EventType<>("financial.import-failed", ImportEnded.class, "import", Role.VIEWER);

  /** An examination started. */
  public static final EventType<ExaminationView> EXAMINATION_STARTED =
      new EventType<>("financial.examination-started", ExaminationView.class, "examination", Role.VIEWER);

  /** An examination completed, was cancelled or failed: its final view. */
  public static final EventType<ExaminationView> EXAMINATION_ENDED =
      new EventType<>("financial.examination-ended", ExaminationView.class, "examination", Role.VIEWER);

  /** An examination raised a finding. */
  public static final EventType<FindingView> FINDING_RAISED =
      new EventType<>("financial.finding-raised", FindingView.class, "finding", Role.VIEWER);

  /** A finding's status, assignee or tags changed. */
  public static final EventType<FindingChanged> FINDING_CHANGED =
      new EventType<>("financial.finding-changed", FindingChanged.class, "finding", Role.VIEWER);

  /** A comment was added to a finding. */
  public static final EventType<FindingCommented> FINDING_COMMENTED =
      new EventType<>("financial.finding-commented", FindingCommented.class, "finding", Role.VIEWER);

  /** The default of {@link RuleSettings#documentRequiredAbove}: Financial's, and Vision's while Financial cannot say. */
  public static final String DOCUMENT_REQUIRED_ABOVE = "250";
  /** The default of {@link RuleSettings#documentWindowDays}. */
  public static final int DOCUMENT_WINDOW_DAYS = 14;

  /** An organisation's examination thresholds changed: all of them as they are now, with their version. */
  public static final EventType<RuleSettings> RULE_SETTINGS_CHANGED =
      new EventType<>("financial.rule-settings-changed", RuleSettings.class, "rule-settings", Role.VIEWER);

  /** Every event this service writes to the log. */
  public static final List<EventType<?>> EVENTS = List.of(LEDGER_CREATED, ACCOUNT_CREATED, ENTRY_POSTED, ENTRY_REVERSED,
      IMPORT_COMPLETED, IMPORT_REJECTED, IMPORT_FAILED, EXAMINATION_STARTED, EXAMINATION_ENDED, FINDING_RAISED, FINDING_CHANGED,
      FINDING_COMMENTED, RULE_SETTINGS_CHANGED);

  public static final List<Endpoint<?, ?>> ENDPOINTS = List.of(CREATE_LEDGER, LIST_LEDGERS, CREATE_ACCOUNT, LIST_ACCOUNTS,
      POST_ENTRY, REVERSE_ENTRY, GET_ENTRY, TRIAL_BALANCE, BALANCE_SHEET, INCOME_STATEMENT, SEARCH_ENTRIES, ACCOUNT_HISTORY,
      ACCOUNT_SERIES,
      BENFORD, CREATE_IMPORT, GET_IMPORT, BEGIN_UPLOAD, GET_RULE_SETTINGS, PUT_RULE_SETTINGS, START_EXAMINATION,
      GET_EXAMINATION, LIST_EXAMINATIONS, CANCEL_EXAMINATION, LIST_FINDINGS, FINDING_SUMMARY, GET_FINDING, UPDATE_FINDING, COMMENT_FINDING,
      RAISE_FINDINGS, IMPORT_ENTRIES);

  // ---- states, kinds and ids: each value once (wire names: lower case, '-' for '_') ----

  /** Where an import stands: created, receiving its file, then completed (committed), rejected (nothing imported) or failed. */
  public enum ImportStatus implements Wire {
    CREATED, RECEIVING, COMPLETED, REJECTED, FAILED;

    @Override
    public String toString() {
      return wire();
    }
  }

  /** Where an examination stands. */
  public enum ExaminationStatus implements Wire {
    RUNNING, COMPLETED, CANCELLED, FAILED;

    @Override
    public String toString() {
      return wire();
    }
  }

  /** How strong a finding's signal is, from weakest to strongest. */
  public enum Severity implements Wire {
    LOW, MEDIUM, HIGH;

    /** 1 for low up to 3 for high: the order "most severe first" sorts by. */
    public int rank() {
      return ordinal() + 1;
    }

    @Override
    public String toString() {
      return wire();
    }
  }

  /** Where a finding stands; confirmed and dismissed are an examiner's decisions. */
  public enum FindingStatus implements Wire {
    OPEN, CONFIRMED, DISMISSED, ESCALATED;

    /** True for an examiner's decision (confirmed, dismissed), which only an examiner may make or change. */
    public boolean decided() {
      return this == CONFIRMED || this == DISMISSED;
    }

    @Override
    public String toString() {
      return wire();
    }
  }

  /** The orders findings are listed in: newest first, or most severe first. */
  public enum FindingSort implements Wire {
    NEWEST, SEVERITY;

    @Override
    public String toString() {
      return wire();
    }
  }

  /** The kinds of account of a chart of accounts. */
  public enum AccountType implements Wire {
    ASSET, LIABILITY, EQUITY, REVENUE, EXPENSE;

    /** True for the types whose balance is normally a credit (statements show it positive when credited). */
    public boolean creditNormal() {
      return this == LIABILITY || this == EQUITY || this == REVENUE;
    }

    @Override
    public String toString() {
      return wire();
    }
  }

  /** The file formats an import reads: CSV (RFC 4180) or JSON Lines. */
  public enum ImportFormat implements Wire {
    CSV, JSONL;

    @Override
    public String toString() {
      return wire();
    }
  }

  /** What an import does with errors: all-or-nothing imports nothing when any entry has one; valid-rows leaves those out. */
  public enum ImportMode implements Wire {
    ALL_OR_NOTHING, VALID_ROWS;

    @Override
    public String toString() {
      return wire();
    }
  }

  /** The financial statements. */
  public enum StatementKind implements Wire {
    BALANCE_SHEET, INCOME_STATEMENT;

    @Override
    public String toString() {
      return wire();
    }
  }

  /** How closely amounts follow Benford's law (Nigrini's MAD bands), or too few amounts to say. */
  public enum Conformity implements Wire {
    CLOSE, ACCEPTABLE, MARGINAL, NONCONFORMING, INSUFFICIENT_DATA;

    @Override
    public String toString() {
      return wire();
    }
  }

  /**
   * The rules findings are raised by: the examination's, then those of other services (raised
   * through {@link #RAISE_FINDINGS}, never run by an examination).
   */
  public enum RuleId implements Wire {
    BENFORD, DUPLICATE_PAYMENT, DUPLICATE_DOCUMENT, ROUND_AMOUNT, WEEKEND_HOLIDAY, AFTER_HOURS, BELOW_THRESHOLD, STRUCTURING,
    NEW_COUNTERPARTY, DOCUMENT_SEQUENCE, SUSPENSE_ACCOUNT,
    /** The Predictive service's: an entry whose risk score is above the organisation's threshold. */
    RISK_SCORE(false),
    /** The Vision service's: a document (invoice, receipt) no entry of the ledger pays. */
    DOCUMENT_WITHOUT_ENTRY(false),
    /** The Vision service's: a payment above the organisation's {@code documentRequiredAbove} with no document behind it. */
    ENTRY_WITHOUT_DOCUMENT(false),
    /** The Vision service's: a document and the entry that pays it disagree on the amount. */
    AMOUNT_MISMATCH(false),
    /** The Vision service's: a document names another bank account than its vendor's earlier documents, or than its own payment code. */
    IBAN_MISMATCH(false),
    /** The Vision service's: the same receipt submitted twice. */
    DUPLICATE_CLAIM(false);

    private final boolean examination;

    RuleId() {
      this(true);
    }

    RuleId(boolean examination) {
      this.examination = examination;
    }

    /** True for a rule an examination runs; false for one another service raises findings by. */
    public boolean examination() {
      return examination;
    }

    @Override
    public String toString() {
      return wire();
    }
  }

  /** The examination rules' ids, in the order an examination runs them. */
  public static final List<RuleId> RULES = java.util.Arrays.stream(RuleId.values()).filter(RuleId::examination).toList();

  /** Financial publishes no live notices: its events reach subscribers through the log's relay. */
  public static final List<Topic<?>> TOPICS = List.of();

  /** @param currency ISO 4217 code of the ledger's reporting currency */
  public record CreateLedger(@Size(min = 1, max = 200) String name, @Fields.CurrencyCode String currency) {}

  public record LedgerView(
      @Fields.Id String id,
      @Fields.Id String org,
      @Size(max = 200) String name,
      @Fields.CurrencyCode String currency,
      String createdAt) {}

  public record LedgerList(List<LedgerView> ledgers) {}

  public record LedgerRef(@Fields.Id String ledgerId) {}

  /** @param type asset, liability, equity, revenue or expense */
  public record CreateAccount(
      @Fields.Id String ledgerId,
      @Size(min = 1, max = 20) @Pattern(regexp = "^[A-Za-z0-9._-]+$") @Example("1200") String code,
      @Size(min = 1, max = 200) String name,
      AccountType type) {}

  public record AccountView(
      @Fields.Id String id,
      @Fields.Id String ledgerId,
      @Size(max = 20) String code,
      @Size(max = 200) String name,
      AccountType type,
      boolean active) {}

  public record AccountList(List<AccountView> accounts) {}

  /**
   * One line of an entry: exactly one of {@code debit} and {@code credit}, a positive decimal in
   * the currency's scale.
   *
   * @param account the account's code in the ledger
   */
  public record Line(
      @Size(min = 1, max = 20) String account,
      @Nullable @Fields.Amount String debit,
      @Nullable @Fields.Amount String credit,
      @Fields.CurrencyCode String currency) {}

  /**
   * @param bookingDate ISO date the entry is booked on
   * @param documentNumber the source document (invoice, voucher) number, if any
   */
  public record PostEntry(
      @Fields.Id String ledgerId,
      @Fields.IsoDate String bookingDate,
      @Size(min = 1, max = 500) String description,
      @Nullable @Size(max = 200) String counterparty,
      @Nullable @Size(max = 100) String documentNumber,
      @Size(min = 2, max = 1000) List<Line> lines) {}

  public record ReverseEntry(
      @Fields.Id String ledgerId,
      @Fields.Id String entryId,
      @Nullable @Fields.IsoDate String bookingDate,
      @Nullable @Size(max = 500) String reason) {}

  public record EntryRef(@Fields.Id String ledgerId, @Fields.Id String entryId) {}

  /**
   * @param reverses the entry this one reverses, or null
   * @param reversedBy the entry that reversed this one, or null
   * @param time the time of day its source system recorded it (imports with a time column), left
   *     out when unknown so entry-posted events keep the shape they were logged in
   */
  public record EntryView(
      @Fields.Id String id,
      @Fields.Id String ledgerId,
      @Fields.IsoDate String bookingDate,
      @Size(max = 500) String description,
      @Nullable @Size(max = 200) String counterparty,
      @Nullable @Size(max = 100) String documentNumber,
      String postedBy,
      String postedAt,
      @Nullable String reverses,
      @Nullable String reversedBy,
      List<Line> lines,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable @Pattern(regexp = "^\\d{2}:\\d{2}(:\\d{2})?$") @Example("09:30:00")
      String time) {}

  /** @param asOf ISO date; null for today */
  public record TrialBalanceQuery(@Fields.Id String ledgerId, @Nullable @Fields.IsoDate String asOf) {}

  /** @param balance debit minus credit */
  public record BalanceLine(
      String account,
      String name,
      AccountType type,
      @Fields.CurrencyCode String currency,
      String debit,
      String credit,
      String balance) {}

  /**
   * @param from first booking date included (income statement; null: from the first entry)
   * @param to last booking date included (null: today)
   */
  public record StatementQuery(
      @Fields.Id String ledgerId,
      @Nullable @Fields.IsoDate String from,
      @Nullable @Fields.IsoDate String to) {}

  public record StatementLine(String account, String name, String amount) {}

  /** One section (assets, liabilities, equity, result; revenue, expenses) in one currency. */
  public record Section(String name, @Fields.CurrencyCode String currency, List<StatementLine> lines, String total) {}

  /**
   * @param kind balance-sheet or income-statement
   * @param balanced balance sheet: per currency, assets = liabilities + equity + result;
   *     income statement: always true
   */
  public record Statement(
      String ledgerId,
      StatementKind kind,
      @Nullable @Fields.IsoDate String from,
      @Fields.IsoDate String to,
      List<Section> sections,
      boolean balanced) {}

  /**
   * Every filter is optional. {@code minAmount}/{@code maxAmount} match any line's amount;
   * {@code text} matches description or document number; {@code cursor} is the {@code next} of
   * the previous page.
   */
  public record EntrySearch(
      @Fields.Id String ledgerId,
      @Nullable @Size(max = 20) String account,
      @Nullable @Size(max = 200) String counterparty,
      @Nullable @Fields.Amount String minAmount,
      @Nullable @Fields.Amount String maxAmount,
      @Nullable @Fields.IsoDate String from,
      @Nullable @Fields.IsoDate String to,
      @Nullable @Size(max = 200) String text,
      @Nullable @Min(1) @Max(500) Integer limit,
      @Nullable @Size(max = 200) String cursor) {}

  /** @param next the cursor of the following page, or null on the last */
  public record EntryPage(List<EntryView> entries, @Nullable String next) {}

  public record AccountHistoryQuery(
      @Fields.Id String ledgerId,
      @Size(min = 1, max = 20) String account,
      @Nullable @Fields.IsoDate String from,
      @Nullable @Fields.IsoDate String to) {}

  /** @param balance the account's debit-minus-credit balance at the end of {@code date} */
  public record BalancePoint(@Fields.IsoDate String date, @Fields.CurrencyCode String currency, String balance) {}

  public record AccountHistory(String ledgerId, String account, List<BalancePoint> points) {}

  /** The length of a series' periods; labels are ISO: {@code 2026-03}, {@code 2026-W11}, {@code 2026-Q1}. */
  public enum SeriesPeriod implements Wire {
    WEEK, MONTH, QUARTER;

    /** The first day of the period {@code date} falls in. */
    public java.time.LocalDate start(java.time.LocalDate date) {
      return switch (this) {
        case WEEK -> date.with(java.time.DayOfWeek.MONDAY);
        case MONTH -> date.withDayOfMonth(1);
        case QUARTER -> date.withDayOfMonth(1).withMonth((date.getMonthValue() - 1) / 3 * 3 + 1);
      };
    }

    /** The first day of the period after the one starting at {@code start}. */
    public java.time.LocalDate next(java.time.LocalDate start) {
      return switch (this) {
        case WEEK -> start.plusWeeks(1);
        case MONTH -> start.plusMonths(1);
        case QUARTER -> start.plusMonths(3);
      };
    }

    /** The ISO label of the period starting at {@code start}. */
    public String label(java.time.LocalDate start) {
      return switch (this) {
        case WEEK -> String.format(java.util.Locale.ROOT, "%d-W%02d", start.get(java.time.temporal.IsoFields.WEEK_BASED_YEAR),
            start.get(java.time.temporal.IsoFields.WEEK_OF_WEEK_BASED_YEAR));
        case MONTH -> java.time.YearMonth.from(start).toString();
        case QUARTER -> start.getYear() + "-Q" + ((start.getMonthValue() - 1) / 3 + 1);
      };
    }

    /** Periods in a year: the season forecasts look for. */
    public int perYear() {
      return switch (this) {
        case WEEK -> 52;
        case MONTH -> 12;
        case QUARTER -> 4;
      };
    }

    @Override
    public String toString() {
      return wire();
    }
  }

  /**
   * One of {@code account} (its net movement) and {@code counterparty} (the sizes of the entries
   * with it: what was paid to or by it), not both.
   *
   * @param from first booking date counted (inclusive); default the first booking
   * @param to last booking date counted (inclusive); default today
   */
  public record AccountSeriesQuery(
      @Fields.Id String ledgerId,
      @Nullable @Size(min = 1, max = 20) String account,
      SeriesPeriod period,
      @Nullable @Fields.IsoDate String from,
      @Nullable @Fields.IsoDate String to,
      @Nullable @Size(min = 1, max = 200) String counterparty) {}

  /** @param value the period's net movement, a decimal string at the currency's scale */
  public record SeriesPoint(String period, @Fields.IsoDate String start, String value) {}

  /**
   * @param account the account, or null for a counterparty's series
   * @param type the account's type, or null for a counterparty's series
   * @param counterparty the counterparty, or null for an account's series
   * @param points oldest first, one per period, none missing
   */
  public record AccountSeries(
      @Fields.Id String ledgerId,
      @Nullable String account,
      @Nullable AccountType type,
      SeriesPeriod period,
      @Fields.CurrencyCode String currency,
      List<SeriesPoint> points,
      @Nullable String counterparty) {}

  /**
   * @param digits 1 (first digit) or 2 (first two digits); default 1
   * @param minSample below this many amounts the verdict is insufficient-data; default the examinations' minimum, 300
   *     distinct amounts for the first digit and 10 times that (3,000) for the first two
   */
  public record BenfordQuery(
      @Fields.Id String ledgerId,
      @Nullable @Min(1) @Max(2) Integer digits,
      @Nullable @Size(max = 20) String account,
      @Nullable @Fields.IsoDate String from,
      @Nullable @Fields.IsoDate String to,
      @Nullable @Min(1) @Max(10000000) Integer minSample) {}

  public record BenfordBucket(
      @Min(1) @Max(99) int digits,
      @Min(0) long observed,
      double expectedShare,
      double observedShare) {}

  /**
   * @param conformity close, acceptable, marginal, nonconforming or insufficient-data
   * @param chiSquare null with insufficient data
   */
  public record BenfordReport(
      String ledgerId,
      @Min(1) @Max(2) int digits,
      @Min(0) long sampleSize,
      double mad,
      Conformity conformity,
      @Nullable Double chiSquare,
      @Nullable Double pValue,
      List<BenfordBucket> buckets) {}

  /** Maps one of the import's columns to the header the file uses for it. */
  public record ColumnMapping(
      @OneOf({"entry", "date", "account", "debit", "credit", "currency", "description", "counterparty", "document", "time"}) String column,
      @Size(min = 1, max = 200) String header) {}

  /**
   * @param format csv or jsonl
   * @param mode all-or-nothing (default: any error imports nothing) or valid-rows (entries with
   *     an error are left out, the others imported)
   * @param delimiter CSV field delimiter, one of , ; | or a tab; default ,
   * @param decimalSeparator . (default) or ,
   * @param mapping CSV headers for columns whose header differs from the column's name
   */
  public record CreateImport(
      @Fields.Id String ledgerId,
      ImportFormat format,
      @Nullable ImportMode mode,
      @Nullable @OneOf({",", ";", "|", "\t"}) String delimiter,
      @Nullable @OneOf({".", ","}) String decimalSeparator,
      @Nullable @Size(max = 9) List<ColumnMapping> mapping) {}

  public record ImportRef(@Fields.Id String ledgerId, @Fields.Id String importId) {}

  /** @param line 1-based line of the file (the header is line 1 of a CSV file); 0 for the file as a whole */
  public record ImportError(@Min(0) long line, String message) {}

  /**
   * @param status created, receiving, completed (committed), rejected (nothing imported) or failed
   * @param rowsDone data rows read so far
   * @param bytesTotal the upload's size when the client sent Content-Length
   * @param errors the first 1,000 errors, by line
   * @param sha256 hex SHA-256 of the uploaded file, once received
   */
  public record ImportView(
      @Fields.Id String id,
      @Fields.Id String ledgerId,
      ImportStatus status,
      ImportFormat format,
      ImportMode mode,
      @Min(0) long rowsDone,
      @Min(0) long bytesDone,
      @Nullable @Min(0) Long bytesTotal,
      @Min(0) long entriesImported,
      @Min(0) long errorCount,
      List<ImportError> errors,
      @Nullable @Pattern(regexp = "^[0-9a-f]{64}$") @Example("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") String sha256,
      String createdAt,
      @Nullable String finishedAt) {}

  /** @param bytesTotal the upload's size when known */
  public record BeginUpload(
      @Fields.Id String ledgerId,
      @Fields.Id String importId,
      @Nullable @Min(0) Long bytesTotal) {}

  public record UploadTarget(@Size(min = 1) String address, @Min(1) int chunkBytes) {}

  /** Published while an import runs (about once a second) and when it ends. */
  public record ImportProgress(
      @Fields.Id String importId,
      ImportStatus status,
      @Min(0) long rowsDone,
      @Min(0) long bytesDone,
      @Nullable @Min(0) Long bytesTotal,
      @Min(0) long errorCount) {}

  /**
   * An organisation's examination thresholds. Amounts are decimal strings in the ledger's
   * currency.
   *
   * @param version the settings' version (0 for the defaults); ignored in a change
   * @param approvalThreshold payments at or above need approval (below-threshold, structuring)
   * @param thresholdMargin how far below the threshold counts as just below (0.05 = 5 %)
   * @param duplicateWindowDays same counterparty and amount within this many days is a duplicate
   * @param structuringWindowDays split payments to one counterparty within this many days
   * @param roundUnit an amount that is a multiple of this is round
   * @param roundMinCount and roundMinShare: a counterparty with at least this many round amounts, making at least this share of its entries
   * @param holidays ISO dates that are not business days
   * @param businessHoursStart and businessHoursEnd: local times (HH:mm) entries are expected between
   * @param timezone IANA zone of those times, for entries posted through the API (imported entries carry their own time)
   * @param newCounterpartyAmount a counterparty's first entry at or above this is flagged
   * @param benfordMinSample least amounts for a Benford test (first digit; first two digits need 10×)
   * @param sequenceMinCount and sequenceMinDensity: a document prefix with at least this many numbers, covering at least this share of its range, is a sequence
   * @param suspenseAccounts account codes that are suspense or clearing accounts (also: names containing suspense, clearing, sundry, unallocated)
   * @param paymentAccounts account codes money is paid from: an entry crediting one is a payment (none: asset accounts named bank or cash)
   * @param documentRequiredAbove a payment to a counterparty at or above this needs a document (reconciliation's
   *     entry-without-document; default {@link #DOCUMENT_REQUIRED_ABOVE})
   * @param documentWindowDays a document and its entry lie at most this many days apart (reconciliation; default
   *     {@link #DOCUMENT_WINDOW_DAYS})
   */
  public record RuleSettings(
      @Nullable @Min(0) Long version,
      @Nullable @Fields.Amount String approvalThreshold,
      @Nullable @DecimalMin("0") @DecimalMax("0.5") Double thresholdMargin,
      @Nullable @Min(0) @Max(366) Integer duplicateWindowDays,
      @Nullable @Min(0) @Max(366) Integer structuringWindowDays,
      @Nullable @Fields.Amount String roundUnit,
      @Nullable @Min(1) @Max(1000000) Integer roundMinCount,
      @Nullable @DecimalMin("0") @DecimalMax("1") Double roundMinShare,
      @Nullable @Size(max = 1000) List<@Fields.IsoDate String> holidays,
      @Nullable @Fields.TimeOfDay String businessHoursStart,
      @Nullable @Fields.TimeOfDay String businessHoursEnd,
      @Nullable @Size(min = 1, max = 64) @Example("Europe/Berlin") String timezone,
      @Nullable @Fields.Amount String newCounterpartyAmount,
      @Nullable @Min(10) @Max(10000000) Integer benfordMinSample,
      @Nullable @Min(2) @Max(10000000) Integer sequenceMinCount,
      @Nullable @DecimalMin("0") @DecimalMax("1") Double sequenceMinDensity,
      @Nullable @Size(max = 1000) List<@Size(min = 1, max = 20) String> suspenseAccounts,
      @Nullable @Size(max = 1000) List<@Size(min = 1, max = 20) String> paymentAccounts,
      @Nullable @Fields.Amount String documentRequiredAbove,
      @Nullable @Min(0) @Max(366) Integer documentWindowDays) {}

  /**
   * @param from first booking date examined (null: the ledger's first)
   * @param to last booking date examined (null: today)
   * @param rules rule ids to run (null or empty: all of {@link #RULES})
   */
  public record StartExamination(
      @Fields.Id String ledgerId,
      @Nullable @Fields.IsoDate String from,
      @Nullable @Fields.IsoDate String to,
      @Nullable @Size(max = 11) List<RuleId> rules) {}

  public record ExaminationRef(@Fields.Id String ledgerId, @Fields.Id String examinationId) {}

  /**
   * @param status running, completed, cancelled or failed
   * @param findingsNew findings raised by this run
   * @param findingsExisting findings this run found again (same evidence, same id), not raised twice
   */
  public record ExaminationView(
      @Fields.Id String id,
      @Fields.Id String ledgerId,
      String from,
      String to,
      List<RuleId> rules,
      ExaminationStatus status,
      @Min(0) int rulesDone,
      @Min(0) int rulesTotal,
      @Min(0) int findingsNew,
      @Min(0) int findingsExisting,
      @Nullable String error,
      String startedBy,
      String startedAt,
      @Nullable String finishedAt) {}

  public record ExaminationList(List<ExaminationView> examinations) {}

  /** Published after each rule and at the end. */
  public record ExaminationProgress(
      @Fields.Id String examinationId,
      ExaminationStatus status,
      @Nullable RuleId rule,
      @Min(0) int rulesDone,
      @Min(0) int rulesTotal,
      @Min(0) int findingsNew) {}

  /**
   * Every filter is optional; {@code cursor} is the {@code next} of the previous page (of the same
   * order). {@code sort}: {@code newest} (default, last raised first) or {@code severity} (high
   * first, then by score, highest first).
   */
  public record FindingSearch(
      @Fields.Id String ledgerId,
      @Nullable RuleId rule,
      @Nullable Severity severity,
      @Nullable FindingStatus status,
      @Nullable @Size(max = 200) String assignee,
      @Nullable @Size(max = 64) String examinationId,
      @Nullable @Min(1) @Max(500) Integer limit,
      @Nullable @Size(max = 200) String cursor,
      @Nullable FindingSort sort) {}

  /** A number behind a finding, by name (amounts as decimal strings). */
  /** @param status only findings in this status; all when absent */
  public record FindingSummaryQuery(@Fields.Id String ledgerId, @Nullable FindingStatus status) {}

  public record FindingCount(RuleId rule, Severity severity, @Min(1) long count) {}

  /** @param counts one per rule and severity that has findings, by rule then severity */
  public record FindingSummary(@Fields.Id String ledgerId, @Min(0) long total, List<FindingCount> counts) {}

  public record Figure(String name, String value) {}

  public record Comment(@Min(1) int seq, String author, String text, String at) {}

  /** One change of a finding, from its event stream. */
  public record FindingChange(@Min(1) long version, String type, @Nullable String by, String at, String summary) {}

  /**
   * @param severity low, medium or high
   * @param score the rule's measure of how strong the signal is (rule-specific; higher is stronger)
   * @param entryIds the entries that triggered it (evidence)
   * @param status open, confirmed, dismissed or escalated
   * @param version the finding's stream version (its ETag)
   */
  public record FindingView(
      @Fields.Id String id,
      @Fields.Id String ledgerId,
      @JsonPropertyDescription("the examination that raised it; null for a finding another service raised")
      @Nullable @Fields.Id String examinationId,
      RuleId rule,
      Severity severity,
      double score,
      String title,
      String explanation,
      List<String> entryIds,
      List<Figure> figures,
      FindingStatus status,
      @Nullable String assignee,
      List<String> tags,
      List<Comment> comments,
      List<FindingChange> history,
      @Min(1) long version,
      String raisedAt,
      String updatedAt,
      // left out when absent, so the events of findings without one keep the shape they were logged in
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
      @JsonPropertyDescription("a benford finding's observed against expected shares per leading digit(s); absent for other rules")
      List<BenfordBucket> distribution,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable
      @JsonPropertyDescription("the documents behind a finding the Vision service raised (its ids); absent for other findings")
      List<String> documentIds) {}

  public record FindingPage(List<FindingView> findings, @Nullable String next) {}

  public record FindingRef(@Fields.Id String ledgerId, @Fields.Id String findingId) {}

  /**
   * A finding as another service raises it.
   *
   * @param key what was found, in the rule's terms (for risk-score: the entry id); with the ledger
   *     and the rule it makes the finding's id
   * @param score the rule's measure of the signal (risk-score: the score, 0-1)
   * @param entryIds the evidence, entries of the ledger (none for a document no entry pays)
   * @param documentIds the documents behind it, the Vision service's ids (at least one of the two)
   */
  public record ExternalFinding(
      RuleId rule,
      @Size(min = 1, max = 200) String key,
      Severity severity,
      double score,
      @Size(min = 1, max = 300) String title,
      @Size(min = 1, max = 4000) String explanation,
      @Size(max = 100) List<String> entryIds,
      @Size(max = 50) List<Figure> figures,
      @Nullable @Size(max = 100) List<@Fields.Id String> documentIds) {}

  public record RaiseFindings(@Fields.Id String ledgerId, @Size(min = 1, max = 500) List<ExternalFinding> findings) {}

  /**
   * @param raised the findings new with this request
   * @param existing those raised before (by an earlier send of the same finding)
   */
  public record RaisedFindings(@Min(0) int raised, @Min(0) int existing) {}

  /** @param cursor the {@code next} of the previous page */
  public record ImportEntriesQuery(
      @Fields.Id String ledgerId,
      @Fields.Id String importId,
      @Nullable @Min(1) @Max(1000) Integer limit,
      @Nullable @Size(max = 200) String cursor) {}

  /**
   * Null fields stay as they are.
   *
   * @param assignee a user id, or "" to unassign
   * @param tags the finding's tags, replacing the old ones
   */
  public record UpdateFinding(
      @Fields.Id String ledgerId,
      @Fields.Id String findingId,
      @Nullable @Min(0) Long expectedVersion,
      @Nullable FindingStatus status,
      @Nullable @Size(max = 200) String assignee,
      @Nullable @Size(max = 20) List<@Size(min = 1, max = 40) @Pattern(regexp = "^[A-Za-z0-9 ._:-]+$") @Example("q1-review") String> tags) {}

  public record CommentFinding(
      @Fields.Id String ledgerId,
      @Fields.Id String findingId,
      @Nullable @Min(0) Long expectedVersion,
      @Size(min = 1, max = 4000) String text) {}

  /** @param balanced true when, per currency, total debits equal total credits */
  public record TrialBalance(
      @Fields.Id String ledgerId,
      @Fields.IsoDate String asOf,
      List<BalanceLine> lines,
      boolean balanced) {}

  // ---- the data of its events (the others carry the views above) ----

  /** @param reason the reason given, or null */
  public record EntryReversed(@Fields.Id String entryId, @Fields.Id String reversedBy, @Nullable String reason) {}

  /**
   * How an import ended.
   *
   * @param rows data rows read
   * @param entries entries imported (0 unless completed)
   * @param errors rows with an error
   * @param sha256 hex SHA-256 of the file, null when none was received
   */
  public record ImportEnded(
      @Fields.Id String importId,
      @Fields.Id String ledgerId,
      @Fields.Id String org,
      ImportStatus status,
      ImportFormat format,
      ImportMode mode,
      long rows,
      long entries,
      long errors,
      @Nullable String sha256) {}

  /** One field's change: what it was and what it became (either may be null, an assignee for one). */
  public record Change<T>(@Nullable T from, @Nullable T to) {}

  /** The fields of a finding that changed; the others are absent. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record FindingChanged(@Nullable Change<String> status, @Nullable Change<String> assignee,
      @Nullable Change<List<String>> tags) {}

  /** @param seq the comment's number on its finding */
  public record FindingCommented(int seq, @Size(min = 1, max = 4000) String text) {}
}

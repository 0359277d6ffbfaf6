package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.RuleSettings;
import io.nexus.kernel.bus.BusFailure;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;

/**
 * An organisation's examination thresholds, with every default filled in. What an
 * organisation stores are only its overrides.
 */
public record Settings(BigDecimal approvalThreshold, double thresholdMargin, int duplicateWindowDays,
    int structuringWindowDays, BigDecimal roundUnit, int roundMinCount, double roundMinShare, List<LocalDate> holidays,
    LocalTime businessHoursStart, LocalTime businessHoursEnd, java.time.ZoneId timezone, BigDecimal newCounterpartyAmount, int benfordMinSample,
    int sequenceMinCount, double sequenceMinDensity, List<String> suspenseAccounts, List<String> paymentAccounts,
    BigDecimal documentRequiredAbove, int documentWindowDays) {

  /** Payments at or above need approval (below-threshold, structuring). */
  static final BigDecimal APPROVAL_THRESHOLD = new BigDecimal("10000");
  /** How far below the threshold counts as just below: 5 %. */
  static final double THRESHOLD_MARGIN = 0.05;
  /** Same counterparty and amount within a week is a duplicate. */
  static final int DUPLICATE_WINDOW_DAYS = 7;
  /** Split payments to one counterparty within three days. */
  static final int STRUCTURING_WINDOW_DAYS = 3;
  /** An amount that is a multiple of 1,000 is round. */
  static final BigDecimal ROUND_UNIT = new BigDecimal("1000");
  /** A counterparty with at least five round amounts ... */
  static final int ROUND_MIN_COUNT = 5;
  /** ... making at least half of its entries. */
  static final double ROUND_MIN_SHARE = 0.5;
  /** Business hours, local time. */
  static final LocalTime BUSINESS_HOURS_START = LocalTime.of(7, 0);
  static final LocalTime BUSINESS_HOURS_END = LocalTime.of(19, 0);
  /** A counterparty's first payment at or above this is flagged. */
  static final BigDecimal NEW_COUNTERPARTY_AMOUNT = new BigDecimal("10000");
  /** Least distinct amounts for a first-digit Benford test (first two digits: {@link #FIRST_TWO_DIGITS_FACTOR} times). */
  static final int BENFORD_MIN_SAMPLE = 300;
  /** How many times the first-digit minimum a first-two-digits test needs (90 cells instead of 9). */
  static final int FIRST_TWO_DIGITS_FACTOR = 10;
  /** A document prefix with at least 20 numbers ... */
  static final int SEQUENCE_MIN_COUNT = 20;
  /** ... covering at least 90 % of its range is a sequence. */
  static final double SEQUENCE_MIN_DENSITY = 0.9;

  /** A payment at or above this needs a document behind it (the Vision service's reconciliation). */
  static final BigDecimal DOCUMENT_REQUIRED_ABOVE = new BigDecimal(io.nexus.contracts.financial.Financial.DOCUMENT_REQUIRED_ABOVE);
  /** A document and the entry that pays it lie at most this many days apart. */
  static final int DOCUMENT_WINDOW_DAYS = io.nexus.contracts.financial.Financial.DOCUMENT_WINDOW_DAYS;

  public static final Settings DEFAULTS = new Settings(APPROVAL_THRESHOLD, THRESHOLD_MARGIN, DUPLICATE_WINDOW_DAYS,
      STRUCTURING_WINDOW_DAYS, ROUND_UNIT, ROUND_MIN_COUNT, ROUND_MIN_SHARE, List.of(), BUSINESS_HOURS_START,
      BUSINESS_HOURS_END, java.time.ZoneOffset.UTC, NEW_COUNTERPARTY_AMOUNT, BENFORD_MIN_SAMPLE, SEQUENCE_MIN_COUNT,
      SEQUENCE_MIN_DENSITY, List.of(), List.of(), DOCUMENT_REQUIRED_ABOVE, DOCUMENT_WINDOW_DAYS);

  /** The least distinct amounts for a Benford test of the first digit (1) or the first two (2). */
  public int benfordMinSample(int digits) {
    return digits == 1 ? benfordMinSample : FIRST_TWO_DIGITS_FACTOR * benfordMinSample;
  }

  /** The settings an organisation sees: its overrides over the defaults. */
  public static Settings of(RuleSettings s) {
    Settings d = DEFAULTS;
    if (s == null) {
      return d;
    }
    return new Settings(
        s.approvalThreshold() == null ? d.approvalThreshold : amount("approvalThreshold", s.approvalThreshold()),
        s.thresholdMargin() == null ? d.thresholdMargin : s.thresholdMargin(),
        s.duplicateWindowDays() == null ? d.duplicateWindowDays : s.duplicateWindowDays(),
        s.structuringWindowDays() == null ? d.structuringWindowDays : s.structuringWindowDays(),
        s.roundUnit() == null ? d.roundUnit : amount("roundUnit", s.roundUnit()),
        s.roundMinCount() == null ? d.roundMinCount : s.roundMinCount(),
        s.roundMinShare() == null ? d.roundMinShare : s.roundMinShare(),
        s.holidays() == null ? d.holidays : s.holidays().stream().map(h -> date("holidays", h)).sorted().toList(),
        s.businessHoursStart() == null ? d.businessHoursStart : LocalTime.parse(s.businessHoursStart()),
        s.businessHoursEnd() == null ? d.businessHoursEnd : LocalTime.parse(s.businessHoursEnd()),
        s.timezone() == null ? d.timezone : zone(s.timezone()),
        s.newCounterpartyAmount() == null ? d.newCounterpartyAmount : amount("newCounterpartyAmount", s.newCounterpartyAmount()),
        s.benfordMinSample() == null ? d.benfordMinSample : s.benfordMinSample(),
        s.sequenceMinCount() == null ? d.sequenceMinCount : s.sequenceMinCount(),
        s.sequenceMinDensity() == null ? d.sequenceMinDensity : s.sequenceMinDensity(),
        s.suspenseAccounts() == null ? d.suspenseAccounts : List.copyOf(s.suspenseAccounts()),
        s.paymentAccounts() == null ? d.paymentAccounts : List.copyOf(s.paymentAccounts()),
        s.documentRequiredAbove() == null ? d.documentRequiredAbove : amount("documentRequiredAbove", s.documentRequiredAbove()),
        s.documentWindowDays() == null ? d.documentWindowDays : s.documentWindowDays());
  }

  /** Checks what a change would store: amounts positive, business hours in order. */
  public static void check(RuleSettings s) {
    Settings merged = of(s);
    if (merged.approvalThreshold.signum() <= 0 || merged.roundUnit.signum() <= 0 || merged.newCounterpartyAmount.signum() <= 0) {
      throw BusFailure.badRequest("approvalThreshold, roundUnit and newCounterpartyAmount must be positive");
    }
    if (!merged.businessHoursStart.isBefore(merged.businessHoursEnd)) {
      throw BusFailure.badRequest("businessHoursStart must be before businessHoursEnd");
    }
  }

  /** The settings as the API shows them, every field filled. */
  public RuleSettings view(long version) {
    return new RuleSettings(version, approvalThreshold.toPlainString(), thresholdMargin, duplicateWindowDays,
        structuringWindowDays, roundUnit.toPlainString(), roundMinCount, roundMinShare,
        holidays.stream().map(LocalDate::toString).toList(), hhmm(businessHoursStart), hhmm(businessHoursEnd),
        timezone.getId(), newCounterpartyAmount.toPlainString(), benfordMinSample, sequenceMinCount, sequenceMinDensity, suspenseAccounts,
        paymentAccounts, documentRequiredAbove.toPlainString(), documentWindowDays);
  }

  /** The lower edge of "just below the threshold". */
  BigDecimal thresholdFloor() {
    return approvalThreshold.multiply(BigDecimal.valueOf(1 - thresholdMargin));
  }

  private static String hhmm(LocalTime t) {
    return String.format("%02d:%02d", t.getHour(), t.getMinute());
  }

  private static BigDecimal amount(String field, String v) {
    try {
      return new BigDecimal(v);
    } catch (NumberFormatException e) {
      throw BusFailure.badRequest(field + ": '" + v + "' is not an amount");
    }
  }

  private static java.time.ZoneId zone(String v) {
    try {
      return java.time.ZoneId.of(v);
    } catch (java.time.DateTimeException e) {
      throw BusFailure.badRequest("timezone: '" + v + "' is not a time zone such as Europe/Berlin");
    }
  }

  private static LocalDate date(String field, String v) {
    return io.nexus.financial.IsoDate.require(field, v);
  }
}

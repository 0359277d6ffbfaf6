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
    int sequenceMinCount, double sequenceMinDensity, List<String> suspenseAccounts, List<String> paymentAccounts) {

  public static final Settings DEFAULTS = new Settings(new BigDecimal("10000"), 0.05, 7, 3, new BigDecimal("1000"), 5,
      0.5, List.of(), LocalTime.of(7, 0), LocalTime.of(19, 0), java.time.ZoneOffset.UTC, new BigDecimal("10000"), 300, 20, 0.9, List.of(), List.of());

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
        s.paymentAccounts() == null ? d.paymentAccounts : List.copyOf(s.paymentAccounts()));
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
        timezone.getId(), newCounterpartyAmount.toPlainString(), benfordMinSample, sequenceMinCount, sequenceMinDensity, suspenseAccounts, paymentAccounts);
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

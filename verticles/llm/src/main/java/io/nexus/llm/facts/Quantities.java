package io.nexus.llm.facts;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.Month;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The amounts and dates a text states, normalised so that the same quantity written two ways
 * compares equal: {@code 1,200.00}, {@code 1200} and {@code 1.200,00} are one amount;
 * {@code 2026-03-05}, {@code 05.03.2026} and {@code 5 March 2026} one date. A chunk's facts are
 * the quantities of its own text; a sentence of an answer may quote only quantities of the facts
 * it cites. The one reading of both sides, so they cannot disagree on a format.
 */
public final class Quantities {
  private Quantities() {}

  /** Amounts and dates found in a text. */
  public record Found(Set<BigDecimal> amounts, Set<LocalDate> dates) {
    public boolean isEmpty() {
      return amounts.isEmpty() && dates.isEmpty();
    }
  }

  private static final Pattern ISO_DATE = Pattern.compile("(?<![\\d-])(\\d{4})-(\\d{2})-(\\d{2})(?![\\d])");
  private static final Pattern DOTTED_DATE = Pattern.compile("(?<![\\d.])(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})(?![\\d])");
  private static final String MONTHS = "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?"
      + "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
  private static final Pattern DAY_MONTH_YEAR = Pattern.compile("(?i)\\b(\\d{1,2})(?:st|nd|rd|th)? " + MONTHS + "\\.? (\\d{4})\\b");
  private static final Pattern MONTH_DAY_YEAR = Pattern.compile("(?i)\\b" + MONTHS + "\\.? (\\d{1,2})(?:st|nd|rd|th)?,? (\\d{4})\\b");
  /**
   * A number that reads as money: with a decimal part of two digits, or grouped by thousands, or
   * next to a currency. Bare small integers (counts, days, rule numbers) and parts of ids are not
   * amounts.
   */
  private static final Pattern NUMBER = Pattern.compile(
      "(?<![\\w.,/#:-])(\\d{1,3}(?:[,.' ]\\d{3})+(?:[.,]\\d{1,2})?|\\d+[.,]\\d{2}|\\d+)(?![\\w/#-]|[.,]\\d)");
  /** An ISO 4217 code (upper case, a word of its own) or a currency sign just before or after a number. */
  private static final Pattern CURRENCY_NEAR = Pattern.compile("(?:\\b[A-Z]{3}|[€$£])\\s?$");
  private static final Pattern CURRENCY_AFTER = Pattern.compile("^\\s?(?:[A-Z]{3}\\b|[€$£])");

  /** The amounts and dates of a text. */
  public static Found of(String text) {
    var dates = new LinkedHashSet<LocalDate>();
    // dates first, and blanked, so their digits are not read as amounts
    StringBuilder rest = new StringBuilder(text);
    blank(rest, ISO_DATE.matcher(text), m -> date(m.group(1), m.group(2), m.group(3)), dates);
    blank(rest, DOTTED_DATE.matcher(rest), m -> date(m.group(3), m.group(2), m.group(1)), dates);
    blank(rest, DAY_MONTH_YEAR.matcher(rest), m -> date(m.group(3), month(m.group(2)), m.group(1)), dates);
    blank(rest, MONTH_DAY_YEAR.matcher(rest), m -> date(m.group(3), month(m.group(1)), m.group(2)), dates);
    var amounts = new LinkedHashSet<BigDecimal>();
    String s = rest.toString();
    Matcher m = NUMBER.matcher(s);
    while (m.find()) {
      String raw = m.group(1);
      boolean moneyShaped = raw.matches(".*[.,]\\d{2}") || raw.matches("\\d{1,3}(?:[,.' ]\\d{3})+.*");
      boolean nearCurrency = CURRENCY_NEAR.matcher(s.substring(Math.max(0, m.start() - 4), m.start())).find()
          || CURRENCY_AFTER.matcher(s.substring(m.end(), Math.min(s.length(), m.end() + 4))).find();
      if (moneyShaped || nearCurrency) {
        BigDecimal a = amount(raw);
        if (a != null) {
          amounts.add(a);
        }
      }
    }
    return new Found(amounts, dates);
  }

  /** {@code 1,200.50}, {@code 1.200,50}, {@code 1'200.50}, {@code 1 200}, {@code 1200.5} as a number without trailing zeros. */
  static BigDecimal amount(String raw) {
    String r = raw.replace("'", "").replace(" ", "");
    int lastDot = r.lastIndexOf('.');
    int lastComma = r.lastIndexOf(',');
    int decimal = Math.max(lastDot, lastComma);
    String digits;
    if (decimal >= 0 && r.length() - decimal - 1 <= 2) {
      digits = r.substring(0, decimal).replace(".", "").replace(",", "") + "." + r.substring(decimal + 1);
    } else {
      digits = r.replace(".", "").replace(",", "");
    }
    try {
      BigDecimal d = new BigDecimal(digits).stripTrailingZeros();
      return d.scale() < 0 ? d.setScale(0) : d;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The amount of a decimal string as facts hold it (trailing zeros dropped), for structured fields. */
  public static BigDecimal amountOf(String decimal) {
    BigDecimal d = new BigDecimal(decimal).stripTrailingZeros();
    return d.scale() < 0 ? d.setScale(0) : d;
  }

  private interface DateOf {
    LocalDate of(Matcher m);
  }

  private static void blank(StringBuilder text, Matcher m, DateOf reader, Set<LocalDate> into) {
    while (m.find()) {
      LocalDate d = reader.of(m);
      if (d != null) {
        into.add(d);
        for (int i = m.start(); i < m.end(); i++) {
          text.setCharAt(i, ' ');
        }
      }
    }
  }

  private static LocalDate date(String y, String mo, String d) {
    try {
      return LocalDate.of(Integer.parseInt(y), Integer.parseInt(mo), Integer.parseInt(d));
    } catch (DateTimeException | NumberFormatException e) {
      return null;
    }
  }

  private static String month(String name) {
    String n = name.toLowerCase(Locale.ROOT).substring(0, 3);
    for (Month m : Month.values()) {
      if (m.name().toLowerCase(Locale.ROOT).startsWith(n)) {
        return String.valueOf(m.getValue());
      }
    }
    return "0";
  }
}

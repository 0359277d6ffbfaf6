package io.nexus.financial;

import io.nexus.kernel.bus.BusFailure;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * The one way a date is read from a request, a setting or an imported line: ISO 8601
 * ({@code 2026-03-31}), with one wording for what is wrong.
 */
public final class IsoDate {
  private IsoDate() {}

  /** The date, or null when {@code text} is not an ISO date (or null). */
  public static LocalDate parseOrNull(String text) {
    if (text == null) {
      return null;
    }
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** What is wrong with {@code text} as the date {@code field}. */
  public static String problem(String field, String text) {
    return field + ": expected an ISO date such as 2026-03-31, got '" + (text == null ? "" : text) + "'";
  }

  /** The date; 400 naming {@code field} when it is not one. */
  public static LocalDate require(String field, String text) {
    LocalDate d = parseOrNull(text);
    if (d == null) {
      throw BusFailure.badRequest(problem(field, text));
    }
    return d;
  }
}

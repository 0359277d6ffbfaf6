package io.nexus.financial;

import io.nexus.contracts.ErrorCode;
import io.nexus.kernel.bus.BusFailure;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;

/**
 * An amount in an ISO 4217 currency, at that currency's scale (2 for EUR, 0 for JPY, 3 for BHD).
 * Never a double; arithmetic that needs rounding rounds half-even.
 */
record Money(BigDecimal amount, Currency currency) {
  static final RoundingMode ROUNDING = RoundingMode.HALF_EVEN;

  /** The currency for a code; 422 naming the field when it is not ISO 4217. */
  static Currency currency(String field, String code) {
    try {
      Currency c = Currency.getInstance(code);
      if (c.getDefaultFractionDigits() < 0) {
        throw new IllegalArgumentException();
      }
      return c;
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new BusFailure(ErrorCode.UNPROCESSABLE, field + ": '" + code + "' is not an ISO 4217 currency");
    }
  }

  /**
   * A positive amount with no more decimals than the currency has; 422 naming the field
   * otherwise.
   */
  static Money positive(String field, String amount, String currencyCode) {
    Currency c = currency(field + ".currency", currencyCode);
    BigDecimal a;
    try {
      a = new BigDecimal(amount);
    } catch (NumberFormatException | NullPointerException e) {
      throw new BusFailure(ErrorCode.UNPROCESSABLE, field + ": '" + amount + "' is not a decimal amount");
    }
    String problem = EntryRules.amountProblem(field, a, amount, c);
    if (problem != null) {
      throw new BusFailure(ErrorCode.UNPROCESSABLE, problem);
    }
    return new Money(a.setScale(c.getDefaultFractionDigits(), ROUNDING), c);
  }

  /** A stored amount (numeric(19,4)) shown at the currency's scale. */
  static String format(BigDecimal amount, String currencyCode) {
    return amount.setScale(Currency.getInstance(currencyCode).getDefaultFractionDigits(), ROUNDING).toPlainString();
  }
}

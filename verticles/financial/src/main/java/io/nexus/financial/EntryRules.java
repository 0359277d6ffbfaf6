package io.nexus.financial;

import java.math.BigDecimal;
import java.util.Currency;
import java.util.Map;

/**
 * The double-entry rules every journal entry obeys, written once for the API and the import:
 * each line one positive amount at no more decimals than its ISO 4217 currency has, and the
 * debits equal the credits in every currency. Each rule answers with the sentence a caller
 * reads (the API as a 422, the import as a line's error), or null when it holds.
 */
public final class EntryRules {
  private EntryRules() {}

  /** What is wrong with {@code amount} (as written: {@code raw}) for {@code field} in {@code currency}, or null. */
  public static String amountProblem(String field, BigDecimal amount, String raw, Currency currency) {
    if (amount.signum() <= 0) {
      return field + ": must be positive, got " + raw;
    }
    int scale = currency.getDefaultFractionDigits();
    if (amount.stripTrailingZeros().scale() > scale) {
      return field + ": " + currency.getCurrencyCode() + " has " + scale + " decimals, got " + raw;
    }
    return null;
  }

  /**
   * The first currency in which the debits and credits differ, as a sentence, or null when the
   * entry balances.
   *
   * @param debitsLessCredits per currency code, the debits minus the credits
   */
  public static String imbalance(Map<String, BigDecimal> debitsLessCredits) {
    for (var n : debitsLessCredits.entrySet()) {
      if (n.getValue().signum() != 0) {
        return "does not balance in " + n.getKey() + ": debits " + (n.getValue().signum() > 0 ? "exceed" : "fall short of")
            + " credits by " + n.getValue().abs().toPlainString();
      }
    }
    return null;
  }
}

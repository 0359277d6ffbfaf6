package io.nexus.llm.facts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantitiesTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "Paid 1,200.00 EUR to Acme|1200", "Betrag 1.200,00 EUR|1200", "CHF 1'200.50 due|1200.5", "a total of 4312.50|4312.5",
      "EUR 75 only|75", "75 EUR|75", "€ 19.99|19.99"})
  @DisplayName("an amount written in any common way reads as one number")
  void amounts(String text, String amount) {
    assertThat(Quantities.of(text).amounts()).containsExactly(new BigDecimal(amount));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {"booked 2026-03-05|2026-03-05", "am 05.03.2026 gebucht|2026-03-05",
      "on 5 March 2026|2026-03-05", "on March 5, 2026|2026-03-05", "on 5th Mar 2026|2026-03-05"})
  @DisplayName("a date written in any common way reads as one day, and its digits are not amounts")
  void dates(String text, String date) {
    var q = Quantities.of(text);
    assertThat(q.dates()).containsExactly(LocalDate.parse(date));
    assertThat(q.amounts()).isEmpty();
  }

  @Test
  @DisplayName("counts, years, ids and account numbers are not amounts")
  void notAmounts() {
    assertThat(Quantities.of("3 entries in 2026 on account 6000, invoice INV-4821, rule 12").amounts()).isEmpty();
  }
}

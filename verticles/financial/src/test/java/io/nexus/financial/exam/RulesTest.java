package io.nexus.financial.exam;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each rule on crafted books, at its boundaries: just below, at and just above its threshold. */
class RulesTest {
  private Books b;

  @BeforeEach
  void books() {
    b = new Books();
  }

  @AfterEach
  void close() {
    b.close();
  }

  private static LocalDate d(String s) {
    return LocalDate.parse(s);
  }

  private static List<String> keys(List<Draft> drafts) {
    return drafts.stream().map(Draft::key).toList();
  }

  @Test
  @DisplayName("duplicate payments: same party and amount 7 days apart is found, 8 days apart is not, nor a different amount")
  void duplicatePayments() {
    UUID a1 = b.payment(d("2025-03-03"), "Kestrel", "4312.50");
    UUID a2 = b.payment(d("2025-03-10"), "Kestrel", "4312.50");
    b.payment(d("2025-05-01"), "Osprey", "990.00");
    b.payment(d("2025-05-09"), "Osprey", "990.00");
    b.payment(d("2025-06-02"), "Heron", "100.00");
    b.payment(d("2025-06-03"), "Heron", "100.01");
    b.sale(d("2025-07-01"), "Sparrow", "50.00");
    b.sale(d("2025-07-02"), "Sparrow", "50.00");
    var found = b.run("duplicate-payment", null);
    assertThat(keys(found)).containsExactly("Kestrel|4312.50");
    assertThat(found.get(0).entryIds()).containsExactlyInAnyOrder(a1, a2);
    assertThat(found.get(0).explanation()).contains("Kestrel").contains("4312.50");
  }

  @Test
  @DisplayName("duplicate documents: case, punctuation and leading zeros ignored; the same number of another party is not a duplicate")
  void duplicateDocuments() {
    b.entry(d("2025-02-01"), LocalTime.NOON, "Bluefin", "INV-0042", "6000", "2000", "120.00");
    b.entry(d("2025-04-01"), LocalTime.NOON, "Bluefin", "inv 42", "6000", "2000", "120.00");
    b.entry(d("2025-04-01"), LocalTime.NOON, "Other", "INV-0042", "6000", "2000", "120.00");
    b.entry(d("2025-04-02"), LocalTime.NOON, "Bluefin", "INV-420", "6000", "2000", "120.00");
    assertThat(keys(b.run("duplicate-document", null))).containsExactly("Bluefin|INV42");
  }

  @Test
  @DisplayName("round amounts: 5 round of 6 is found; 4 round (below the count) and 5 of 11 (below the share) are not")
  void roundAmounts() {
    for (int i = 0; i < 5; i++) {
      b.sale(d("2025-01-06").plusDays(7 * i), "Round", (i + 1) * 1000 + ".00");
      b.sale(d("2025-01-06").plusDays(7 * i), "FewRound", i < 4 ? (i + 1) * 1000 + ".00" : "17.35");
      b.sale(d("2025-01-06").plusDays(7 * i), "Diluted", (i + 1) * 1000 + ".00");
    }
    b.sale(d("2025-03-03"), "Round", "312.77");
    for (int i = 0; i < 6; i++) {
      b.sale(d("2025-04-01").plusDays(i), "Diluted", "77.1" + i);
    }
    var found = b.run("round-amount", null);
    assertThat(keys(found)).containsExactly("Round|2025-01-01|2025-12-31");
    assertThat(found.get(0).entryIds()).hasSize(5);
    assertThat(keys(b.run("round-amount", Books.with("roundMinCount", 4)))).contains("FewRound|2025-01-01|2025-12-31");
  }

  @Test
  @DisplayName("weekends and configured holidays are found, a Friday is not")
  void weekendsAndHolidays() {
    b.sale(d("2025-03-07"), "A", "10.00"); // Friday
    b.sale(d("2025-03-08"), "A", "11.00"); // Saturday
    b.sale(d("2025-03-09"), "A", "12.00"); // Sunday
    b.sale(d("2025-05-01"), "A", "13.00"); // Thursday, a holiday when configured
    assertThat(keys(b.run("weekend-holiday", null))).containsExactly("2025-03-08", "2025-03-09");
    var withHoliday = b.run("weekend-holiday", Books.with("holidays", new io.vertx.core.json.JsonArray().add("2025-05-01")));
    assertThat(keys(withHoliday)).containsExactly("2025-03-08", "2025-03-09", "2025-05-01");
    assertThat(withHoliday.get(2).title()).contains("holiday");
  }

  @Test
  @DisplayName("after hours: 06:59 and 19:00 are outside 07:00-19:00; 07:00 and 18:59 are inside")
  void afterHours() {
    b.entry(d("2025-02-03"), LocalTime.of(6, 59), "A", null, "1000", "4000", "10.00");
    b.entry(d("2025-02-04"), LocalTime.of(7, 0), "A", null, "1000", "4000", "10.00");
    b.entry(d("2025-02-05"), LocalTime.of(18, 59), "A", null, "1000", "4000", "10.00");
    b.entry(d("2025-02-06"), LocalTime.of(19, 0), "A", null, "1000", "4000", "10.00");
    assertThat(keys(b.run("after-hours", null))).containsExactly("2025-02-03", "2025-02-06");
    assertThat(keys(b.run("after-hours", Books.with("businessHoursEnd", "19:01")))).containsExactly("2025-02-03");
  }

  @Test
  @DisplayName("below threshold: 9,500.00 and 9,999.99 are just below 10,000; 9,499.99 and 10,000.00 are not; sales do not count")
  void belowThreshold() {
    b.payment(d("2025-01-10"), "Low", "9499.99");
    b.payment(d("2025-02-10"), "Edge", "9500.00");
    b.payment(d("2025-03-10"), "Edge", "9999.99");
    b.payment(d("2025-04-10"), "At", "10000.00");
    b.sale(d("2025-05-10"), "Customer", "9700.00");
    var found = b.run("below-threshold", null);
    assertThat(keys(found)).containsExactly("Edge|2025-01-01|2025-12-31");
    assertThat(found.get(0).entryIds()).hasSize(2);
    assertThat(keys(b.run("below-threshold", Books.with("approvalThreshold", "9500.00")))).containsExactly(
        "Low|2025-01-01|2025-12-31");
  }

  @Test
  @DisplayName("structuring: 6,000 + 4,000 within 3 days reaches 10,000; + 3,999.99, or 4 days apart, or one payment at the threshold does not")
  void structuring() {
    b.payment(d("2025-03-03"), "Split", "6000.00");
    b.payment(d("2025-03-06"), "Split", "4000.00");
    b.payment(d("2025-04-01"), "Short", "6000.00");
    b.payment(d("2025-04-02"), "Short", "3999.99");
    b.payment(d("2025-05-01"), "Slow", "6000.00");
    b.payment(d("2025-05-05"), "Slow", "4000.00");
    b.payment(d("2025-06-02"), "Big", "10000.00");
    b.payment(d("2025-06-03"), "Big", "100.00");
    var found = b.run("structuring", null);
    assertThat(keys(found)).containsExactly("Split|2025-03-03");
    assertThat(found.get(0).figures()).anySatisfy(f -> assertThat(f.value()).isEqualTo("10000.00"));
  }

  @Test
  @DisplayName("new counterparty: a first payment of 10,000.00 is large, 9,999.99 is not, nor a large payment after a small first one")
  void newCounterparty() {
    b.payment(d("2025-02-01"), "Zenith", "10000.00");
    b.payment(d("2025-02-01"), "Almost", "9999.99");
    b.payment(d("2025-02-01"), "Known", "50.00");
    b.payment(d("2025-03-01"), "Known", "50000.00");
    b.payment(d("2024-12-01"), "Earlier", "20000.00"); // first payment before the period
    b.sale(d("2025-02-01"), "Customer", "90000.00");
    assertThat(keys(b.run("new-counterparty", null))).containsExactly("Zenith|");
  }

  @Test
  @DisplayName("document sequences: a gap and a repeat in a dense numbering are found; sparse vendor numbers are not a sequence")
  void documentSequences() {
    for (int i = 1; i <= 30; i++) {
      if (i != 17) {
        b.sale(d("2025-01-01").plusDays(i), "C" + i, "1" + i + ".00");
        b.sql("UPDATE entries SET document_number = $1 WHERE id = (SELECT id FROM entries WHERE document_number IS NULL LIMIT 1)",
            String.format("JV-%04d", i));
      }
    }
    b.entry(d("2025-03-01"), LocalTime.NOON, "C5b", "JV-0005", "1000", "4000", "55.00");
    var rnd = new Random(1);
    for (int i = 0; i < 30; i++) {
      b.entry(d("2025-04-01"), LocalTime.NOON, "Vendor", "VX-" + (1000 + i * 37 + rnd.nextInt(30)), "6000", "2000", "9.99");
    }
    var found = b.run("document-sequence", null);
    assertThat(keys(found)).containsExactly("JV-|repeat|5", "JV-|gaps|2025-01-01|2025-12-31");
    assertThat(found.get(1).figures()).anySatisfy(f -> assertThat(f.value()).isEqualTo("JV-17"));
    assertThat(b.run("document-sequence", Books.with("sequenceMinCount", 31))).isEmpty();
  }

  @Test
  @DisplayName("suspense accounts: by name or configured code; open balance is high severity, a cleared one low")
  void suspense() {
    b.account("9990", "Suspense account", "asset");
    b.account("1990", "Transit", "asset");
    b.entry(d("2025-03-01"), LocalTime.NOON, null, null, "9990", "1000", "100.00");
    b.entry(d("2025-03-02"), LocalTime.NOON, null, null, "1990", "1000", "50.00");
    b.entry(d("2025-03-03"), LocalTime.NOON, null, null, "6000", "1990", "50.00");
    var found = b.run("suspense-account", null);
    assertThat(keys(found)).containsExactly("9990|2025-01-01|2025-12-31");
    assertThat(found.get(0).severity()).isEqualTo(io.nexus.contracts.financial.Financial.Severity.HIGH);
    var configured = b.run("suspense-account", Books.with("suspenseAccounts", new io.vertx.core.json.JsonArray().add("1990")));
    assertThat(keys(configured)).containsExactly("1990|2025-01-01|2025-12-31", "9990|2025-01-01|2025-12-31");
    assertThat(configured.get(0).severity()).isEqualTo(io.nexus.contracts.financial.Financial.Severity.LOW);
  }

  @Test
  @DisplayName("Benford: a conforming ledger raises nothing; a party with uniform made-up amounts is nonconforming; below the sample size nothing")
  void benford() {
    var rnd = new Random(7);
    for (int i = 0; i < 1500; i++) {
      double x = Math.pow(10, 1 + rnd.nextDouble() * 4);
      b.sale(d("2025-01-02").plusDays(i % 300), "Customer " + (i % 50), new BigDecimal(x).setScale(2, java.math.RoundingMode.HALF_EVEN)
          .toPlainString());
    }
    assertThat(b.run("benford", null)).isEmpty();
    for (int i = 0; i < 400; i++) {
      b.payment(d("2025-01-02").plusDays(i % 300), "Fabricated", (100 + rnd.nextInt(900)) + "." + (10 + rnd.nextInt(90)));
    }
    var found = b.run("benford", null);
    assertThat(keys(found)).contains("counterparty Fabricated|1|2025-01-01|2025-12-31");
    // the sales account holds only the conforming amounts
    assertThat(keys(found)).noneMatch(k -> k.startsWith("account 4000"));
    var fabricated = found.stream().filter(f -> f.key().startsWith("counterparty")).findFirst().orElseThrow();
    assertThat(fabricated.entryIds()).isNotEmpty();
    // the finding carries the distribution it was judged on: nine first digits, shares summing to 1, Benford's expected ones
    assertThat(fabricated.distribution()).hasSize(9);
    assertThat(fabricated.distribution().stream().mapToDouble(x -> x.observedShare()).sum()).isCloseTo(1.0,
        org.assertj.core.data.Offset.offset(1e-9));
    assertThat(fabricated.distribution().get(0).expectedShare()).isCloseTo(Math.log10(2), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(fabricated.distribution().stream().mapToLong(x -> x.observed()).sum())
        .isEqualTo(Long.parseLong(fabricated.figures().stream().filter(x -> x.name().equals("sampleSize")).findFirst().orElseThrow()
            .value()));
    assertThat(b.run("benford", Books.with("benfordMinSample", 5000))).as("below the sample size").isEmpty();
  }

  @Test
  @DisplayName("the same books give the same findings, ids and order")
  void deterministic() {
    b.payment(d("2025-03-03"), "Kestrel", "4312.50");
    b.payment(d("2025-03-10"), "Kestrel", "4312.50");
    var first = b.run("duplicate-payment", null);
    var second = b.run("duplicate-payment", null);
    assertThat(second).isEqualTo(first);
    assertThat(second.get(0).id(b.ledger)).isEqualTo(first.get(0).id(b.ledger));
  }
}

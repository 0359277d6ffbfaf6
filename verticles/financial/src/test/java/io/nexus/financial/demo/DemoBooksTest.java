package io.nexus.financial.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The demo books read like a wholesaler's: the proportions an examiner would expect, cash never below zero. */
class DemoBooksTest {

  @Test
  @DisplayName("about 50,000 entries; goods 60-80 % of sales, payroll 5-15 %, a profit below 15 %; the bank never overdrawn")
  void proportions() throws Exception {
    for (long seed : new long[] {42, 7, 2024}) {
      proportions(seed);
    }
  }

  private static void proportions(long seed) throws Exception {
    var csv = new StringWriter();
    new DemoBooks(seed, 1.0).write(csv);
    Map<String, BigDecimal> totals = new HashMap<>();
    var bankByDate = new TreeMap<String, BigDecimal>();
    var entries = new java.util.HashSet<String>();
    String[] lines = csv.toString().split("\n");
    for (int i = 1; i < lines.length; i++) {
      String[] f = lines[i].split(",", -1);
      BigDecimal net = (f[4].isEmpty() ? BigDecimal.ZERO : new BigDecimal(f[4]))
          .subtract(f[5].isEmpty() ? BigDecimal.ZERO : new BigDecimal(f[5]));
      entries.add(f[0]);
      totals.merge(f[3], net, BigDecimal::add);
      if (f[3].equals("1000")) {
        bankByDate.merge(f[1], net, BigDecimal::add);
      }
    }
    assertThat(entries.size()).as("entries, seed " + seed).isBetween(45_000, 55_000);
    double sales = -totals.get("4000").doubleValue();
    double expenses = totals.entrySet().stream().filter(e -> e.getKey().startsWith("5") || e.getKey().startsWith("6"))
        .mapToDouble(e -> e.getValue().doubleValue()).sum();
    assertThat(totals.get("5000").doubleValue() / sales).as("cost of goods / sales").isBetween(0.6, 0.8);
    assertThat(totals.get("6100").doubleValue() / sales).as("payroll / sales").isBetween(0.05, 0.15);
    assertThat((sales - expenses) / sales).as("result / sales").isBetween(0.0, 0.15);
    BigDecimal bank = BigDecimal.ZERO;
    for (BigDecimal day : bankByDate.values()) {
      bank = bank.add(day);
      assertThat(bank.signum()).as("bank balance").isNotNegative();
    }
  }

  @Test
  @DisplayName("the smallest scale still plants an anomaly of every kind; scales out of range are refused")
  void smallestScale() throws Exception {
    var planted = new DemoBooks(42, DemoBooks.MIN_SCALE).write(new StringWriter());
    org.assertj.core.api.Assertions.assertThat(DemoBooks.rules(planted)).hasSize(io.nexus.contracts.financial.Financial.RULES.size());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DemoBooks(42, 0)).isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new DemoBooks(42, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

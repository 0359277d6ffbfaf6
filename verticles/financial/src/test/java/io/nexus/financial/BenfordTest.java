package io.nexus.financial;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BenfordTest {
  private static final int N = 20_000;

  /** Amounts spread over several orders of magnitude log-uniformly: a series known to follow Benford's law. */
  private static List<BigDecimal> logUniform(long seed) {
    var rnd = new Random(seed);
    var out = new ArrayList<BigDecimal>();
    for (int i = 0; i < N; i++) {
      double x = Math.pow(10, 1 + rnd.nextDouble() * 5);
      out.add(BigDecimal.valueOf(x).setScale(2, java.math.RoundingMode.HALF_EVEN));
    }
    return out;
  }

  /** Fabricated amounts: uniform between 100 and 999.99, as people who invent numbers tend to spread them. */
  private static List<BigDecimal> uniform(long seed) {
    var rnd = new Random(seed);
    var out = new ArrayList<BigDecimal>();
    for (int i = 0; i < N; i++) {
      out.add(BigDecimal.valueOf(10_000 + rnd.nextInt(90_000), 2));
    }
    return out;
  }

  @Test
  @DisplayName("a series known to conform is classed as conforming, on first and first-two digits")
  void conforming() {
    var first = Benford.run(logUniform(1), 1, 300);
    assertThat(first.conformity().wire()).isIn("close", "acceptable");
    assertThat(first.pValue()).isGreaterThan(0.001);
    var two = Benford.run(logUniform(2), 2, 1000);
    assertThat(two.conformity().wire()).isIn("close", "acceptable");
  }

  @Test
  @DisplayName("uniformly fabricated amounts are nonconforming with a vanishing p-value")
  void fabricated() {
    var first = Benford.run(uniform(3), 1, 300);
    assertThat(first.conformity().wire()).isEqualTo("nonconforming");
    assertThat(first.pValue()).isLessThan(1e-10);
    assertThat(Benford.run(uniform(4), 2, 1000).conformity().wire()).isEqualTo("nonconforming");
  }

  @Test
  @DisplayName("below the minimum sample the verdict is insufficient data; amounts under 10 are left out; leading digits are exact")
  void boundaries() {
    var small = Benford.run(List.of(new BigDecimal("123.45"), new BigDecimal("9.99"), new BigDecimal("5")), 1, 2);
    assertThat(small.sampleSize()).isEqualTo(1);
    assertThat(small.conformity().wire()).isEqualTo("insufficient-data");
    assertThat(Benford.leading(new BigDecimal("10.00"), 2)).isEqualTo(10);
    assertThat(Benford.leading(new BigDecimal("987654.32"), 1)).isEqualTo(9);
    assertThat(Benford.leading(new BigDecimal("19.99"), 2)).isEqualTo(19);
  }
}

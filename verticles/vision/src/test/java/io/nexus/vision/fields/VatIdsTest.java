package io.nexus.vision.fields;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VatIdsTest {
  @ParameterizedTest(name = "{0} passes its country's check")
  @ValueSource(strings = {"DE136695976", "ATU13585627", "BE0428759497", "FR40303265045", "IT00743110157", "NL004495445B01",
      "GB980780684", "ESX1234567L"})
  @DisplayName("published VAT ids pass their country's check digits")
  void validIdsPass(String id) {
    assertThat(VatIds.problem(id)).isNull();
  }

  @ParameterizedTest(name = "{0} fails")
  @ValueSource(strings = {"DE136695975", "ATU13585628", "BE0428759498", "FR41303265045", "IT00743110158", "NL004495446B01",
      "GB980780685"})
  @DisplayName("one digit changed, the check fails and says so")
  void changedIdsFail(String id) {
    assertThat(VatIds.problem(id)).contains("check digit");
  }

  @ParameterizedTest(name = "{0} is not a VAT id")
  @ValueSource(strings = {"DE12345678", "ATX13585627", "XX123456789", "DE"})
  @DisplayName("a wrong format is not a VAT id at all")
  void wrongFormats(String id) {
    assertThat(VatIds.wellFormed(id)).isFalse();
  }
}

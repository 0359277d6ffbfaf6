package io.nexus.vision.codes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** EPC069-12 payloads and IBAN checks. */
class EpcPaymentTest {

  @Test
  @DisplayName("every field of an EPC code is read; a payload written from it reads back the same")
  void readsEveryField() throws Exception {
    String text = "BCD\n002\n1\nSCT\nCOBADEFFXXX\nMüller & Söhne GmbH\nDE89 3704 0044 0532 0130 00\nEUR1234.5\nGDDS\n"
        + "RF18539007547034\n\nRechnung bitte bis Monatsende";
    EpcPayment p = EpcPayment.parse(text);
    assertThat(p.version()).isEqualTo("002");
    assertThat(p.characterSet()).isEqualTo(1);
    assertThat(p.bic()).isEqualTo("COBADEFFXXX");
    assertThat(p.name()).isEqualTo("Müller & Söhne GmbH");
    assertThat(p.iban()).isEqualTo("DE89370400440532013000");
    assertThat(p.ibanProblem()).isNull();
    assertThat(p.amount()).isEqualTo(new BigDecimal("1234.50"));
    assertThat(p.currency()).isEqualTo("EUR");
    assertThat(p.purpose()).isEqualTo("GDDS");
    assertThat(p.reference()).isEqualTo("RF18539007547034");
    assertThat(p.referenceProblem()).isNull();
    assertThat(p.remittance()).isNull();
    assertThat(p.information()).isEqualTo("Rechnung bitte bis Monatsende");
    assertThat(EpcPayment.parse(p.payload())).isEqualTo(p);
  }

  @Test
  @DisplayName("a corrupted IBAN or reference is read and reported invalid, not silently accepted")
  void badChecksumsNamed() throws Exception {
    EpcPayment p = EpcPayment.parse("BCD\n002\n1\nSCT\n\nACME\nDE89370400440532013001\nEUR10\n\n\nInvoice 7");
    assertThat(p.ibanProblem()).contains("check digits");
    assertThat(Iban.valid("DE89370400440532013000")).isTrue();
    assertThat(Iban.problem("DE8937040044053201300")).contains("22 characters");
    assertThat(EpcPayment.referenceProblem("RF19539007547034")).contains("check digits");
    for (String[] c : new String[][] {{"AT", "1904300234573201"}, {"FR", "20041010050500013M02606"}, {"NL", "ABNA0417164300"},
        {"BE", "539007547034"}}) {
      assertThat(Iban.valid(Iban.of(c[0], c[1]))).as(c[0]).isTrue();
    }
    assertThat(Iban.of("DE", "370400440532013000")).isEqualTo("DE89370400440532013000");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no service tag|XYZ\\n002\\n1\\nSCT\\n\\nA\\nDE89370400440532013000|service tag",
      "version 003|BCD\\n003\\n1\\nSCT\\n\\nA\\nDE89370400440532013000|version",
      "no BIC in version 001|BCD\\n001\\n1\\nSCT\\n\\nA\\nDE89370400440532013000|BIC",
      "not a credit transfer|BCD\\n002\\n1\\nINST\\n\\nA\\nDE89370400440532013000|SCT",
      "amount in dollars|BCD\\n002\\n1\\nSCT\\n\\nA\\nDE89370400440532013000\\nUSD5|amount",
      "reference and text|BCD\\n002\\n1\\nSCT\\n\\nA\\nDE89370400440532013000\\nEUR5\\n\\nRF18539007547034\\nhello|not both",
      "no name|BCD\\n002\\n1\\nSCT\\n\\n\\nDE89370400440532013000|name"})
  @DisplayName("what is not an EPC payment code is refused with the reason")
  void refused(String what, String text, String reason) {
    assertThatThrownBy(() -> EpcPayment.parse(text.replace("\\n", "\n"))).as(what).hasMessageContaining(reason);
  }
}

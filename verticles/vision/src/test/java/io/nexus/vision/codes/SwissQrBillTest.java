package io.nexus.vision.codes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import io.nexus.contracts.vision.Vision.CodeView;
import io.nexus.contracts.vision.Vision.MediaType;
import io.nexus.vision.Analyser;
import io.nexus.vision.demo.Receipts;
import io.nexus.vision.pages.Pages;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Swiss QR-bill payloads (SIX implementation guidelines 2.x): every field read, the checks named, the code read off an image. */
class SwissQrBillTest {
  /** SIX's sample accounts: a QR-IBAN (institution id 31999) and an ordinary IBAN of the same account. */
  private static final String QR_IBAN = "CH4431999123000889012";
  private static final String IBAN = "CH5800791123000889012";
  private static final String QRR = "210000000003139471430009017";

  private static String bill(String iban, String type, String reference) {
    return SwissQrBill.payload(iban, "Robert Schneider AG", "Rue du Lac", "1268", "2501", "Biel", "CH", new BigDecimal("1949.75"),
        "CHF", "Pia-Maria Rutschmann-Schnyder", type, reference, "Auftrag vom 15.06.2020");
  }

  @Test
  @DisplayName("every field of a QR-bill with a QR-IBAN and a QRR reference is read, and its checks pass")
  void readsEveryField() throws Exception {
    SwissQrBill b = SwissQrBill.parse(bill(QR_IBAN, "QRR", QRR));
    assertThat(b.version()).isEqualTo("0200");
    assertThat(b.iban()).isEqualTo(QR_IBAN);
    assertThat(b.ibanProblem()).isNull();
    assertThat(b.creditorName()).isEqualTo("Robert Schneider AG");
    assertThat(b.creditorTown()).isEqualTo("Biel");
    assertThat(b.creditorCountry()).isEqualTo("CH");
    assertThat(b.amount()).isEqualTo(new BigDecimal("1949.75"));
    assertThat(b.currency()).isEqualTo("CHF");
    assertThat(b.debtorName()).isEqualTo("Pia-Maria Rutschmann-Schnyder");
    assertThat(b.referenceType()).isEqualTo("QRR");
    assertThat(b.reference()).isEqualTo(QRR);
    assertThat(b.referenceProblem()).isNull();
    assertThat(b.message()).isEqualTo("Auftrag vom 15.06.2020");
    assertThat(SwissQrBill.qrReference("21000000000313947143000901")).isEqualTo(QRR);
    // an SCOR bill on an ordinary IBAN, and a bill without reference or amount
    SwissQrBill scor = SwissQrBill.parse(bill(IBAN, "SCOR", "RF18539007547034"));
    assertThat(scor.ibanProblem()).isNull();
    assertThat(scor.referenceProblem()).isNull();
    SwissQrBill open = SwissQrBill.parse(SwissQrBill.payload(IBAN, "Verein Kultur", "", "", "3000", "Bern", "CH", null, "EUR",
        null, "NON", null, null));
    assertThat(open.amount()).isNull();
    assertThat(open.currency()).isEqualTo("EUR");
    assertThat(open.referenceProblem()).isNull();
  }

  @Test
  @DisplayName("a wrong check digit, a QRR reference on an ordinary IBAN, a QR-IBAN without QRR, a bad IBAN are named, not accepted")
  void checksAreNamed() throws Exception {
    String wrongDigit = QRR.substring(0, 26) + ((QRR.charAt(26) - '0' + 1) % 10);
    assertThat(SwissQrBill.parse(bill(QR_IBAN, "QRR", wrongDigit)).referenceProblem()).contains("check digit");
    assertThat(SwissQrBill.parse(bill(IBAN, "QRR", QRR)).ibanProblem()).contains("QR-IBAN");
    assertThat(SwissQrBill.parse(bill(QR_IBAN, "SCOR", "RF18539007547034")).ibanProblem()).contains("QRR");
    assertThat(SwissQrBill.parse(bill(IBAN, "SCOR", "RF19539007547034")).referenceProblem()).contains("check digits");
    assertThat(SwissQrBill.parse(bill("CH5800791123000889013", "NON", null)).ibanProblem()).isNotNull();
  }

  @Test
  @DisplayName("what is not a QR-bill is refused with the reason: another header, a foreign IBAN, no trailer, a bad currency")
  void malformed() {
    assertThatThrownBy(() -> SwissQrBill.parse("BCD\n002\n1\nSCT")).isInstanceOf(SwissQrBill.NotQrBill.class);
    assertThatThrownBy(() -> SwissQrBill.parse(bill("DE89370400440532013000", "NON", null))).hasMessageContaining("Swiss");
    assertThatThrownBy(() -> SwissQrBill.parse(bill(IBAN, "NON", null).replace("\nEPD", "\nEND"))).hasMessageContaining("EPD");
    assertThatThrownBy(() -> SwissQrBill.parse(bill(IBAN, "NON", null).replace("\nCHF\n", "\nUSD\n")))
        .hasMessageContaining("CHF or EUR");
    assertThatThrownBy(() -> SwissQrBill.parse("SPC\n0200\n1\n" + IBAN)).hasMessageContaining("lines");
  }

  @Test
  @DisplayName("a QR-bill's code with its Swiss cross, on a payment slip, is read by the analysis: the bill's fields fill the key fields")
  void readOffAnImage() throws Exception {
    String payload = bill(QR_IBAN, "QRR", QRR);
    var matrix = new QRCodeWriter().encode(payload, BarcodeFormat.QR_CODE, 0, 0, Map.of(EncodeHintType.CHARACTER_SET, "UTF-8",
        EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, 4));
    BufferedImage code = CodeReader.scale(MatrixToImageWriter.toBufferedImage(matrix), 6);
    // the Swiss cross in the middle, 7/46 of the code's side, as the guidelines draw it
    var g = code.createGraphics();
    int side = code.getWidth() - 48;
    int cross = side * 7 / 46;
    int x = (code.getWidth() - cross) / 2;
    g.setColor(Color.WHITE);
    g.fillRect(x - 3, x - 3, cross + 6, cross + 6);
    g.setColor(Color.BLACK);
    g.fillRect(x, x, cross, cross);
    g.setColor(Color.WHITE);
    g.fillRect(x + cross * 2 / 5, x + cross / 5, cross / 5, cross * 3 / 5);
    g.fillRect(x + cross / 5, x + cross * 2 / 5, cross * 3 / 5, cross / 5);
    g.dispose();
    var analysis = new Analyser(new Pages.Limits(50_000_000, 10, 300, 12_000_000), null, 60_000)
        .analyse(Receipts.png(code), MediaType.PNG, (s, p, n) -> { });
    CodeView c = analysis.codes().get(0);
    assertThat(c.epc()).isNull();
    assertThat(c.qrBill()).isNotNull();
    assertThat(c.qrBill().iban()).isEqualTo(QR_IBAN);
    assertThat(c.qrBill().amount()).isEqualTo("1949.75");
    assertThat(c.qrBill().reference()).isEqualTo(QRR);
    assertThat(c.qrBill().problem()).isNull();
    assertThat(analysis.fields().iban().value()).isEqualTo(QR_IBAN);
    assertThat(analysis.fields().total().value()).isEqualTo("1949.75");
    assertThat(analysis.fields().currency().value()).isEqualTo("CHF");
  }
}

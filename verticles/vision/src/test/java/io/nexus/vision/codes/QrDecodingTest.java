package io.nexus.vision.codes;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * EPC payment codes drawn here with known payloads (IBANs of several countries, names with
 * umlauts, amounts), then scaled, turned, noised and JPEG-compressed: how many of them
 * {@link CodeReader} reads back, exactly, per transformation.
 */
class QrDecodingTest {
  private static final String[][] BENEFICIARIES = {
      {"DE", "370400440532013000", "Bäckerei Müller"}, {"AT", "1904300234573201", "Grüne Wiese KG"},
      {"FR", "20041010050500013M02606", "Société Générale Éts"}, {"NL", "ABNA0417164300", "De Vries B.V."},
      {"BE", "539007547034", "Brasserie Lüttich"}, {"IT", "X0542811101000000123456", "Caffè Rossi"}};

  private static List<EpcPayment> payments() {
    var out = new ArrayList<EpcPayment>();
    var random = new Random(3);
    for (int i = 0; i < BENEFICIARIES.length * 2; i++) {
      String[] b = BENEFICIARIES[i % BENEFICIARIES.length];
      BigDecimal amount = BigDecimal.valueOf(1 + random.nextInt(999_999), 2);
      out.add(new EpcPayment("002", 1, i % 2 == 0 ? null : "COBADEFFXXX", b[2], Iban.of(b[0], b[1]), null, amount, "EUR", null,
          null, null, "Rechnung " + (1000 + i) + " Größe " + i, null));
    }
    return out;
  }

  private static BufferedImage draw(String payload) throws Exception {
    var hints = Map.of(EncodeHintType.CHARACTER_SET, "UTF-8", EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M,
        EncodeHintType.MARGIN, 4);
    var matrix = new QRCodeWriter().encode(payload, BarcodeFormat.QR_CODE, 0, 0, hints);
    // 8 pixels a module: a quarter of that is still 2
    BufferedImage small = MatrixToImageWriter.toBufferedImage(matrix);
    return CodeReader.scale(small, 8);
  }

  private static BufferedImage noise(BufferedImage img, double sigma, long seed) {
    var random = new Random(seed);
    var out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
    var src = img.getRaster();
    var dst = out.getRaster();
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int v = (int) Math.round(src.getSample(x, y, 0) + sigma * random.nextGaussian());
        dst.setSample(x, y, 0, Math.max(0, Math.min(255, v)));
      }
    }
    return out;
  }

  private static BufferedImage jpeg(BufferedImage img, float quality) {
    try {
      var writer = ImageIO.getImageWritersByFormatName("jpeg").next();
      var bytes = new ByteArrayOutputStream();
      try (var out = ImageIO.createImageOutputStream(bytes)) {
        writer.setOutput(out);
        ImageWriteParam p = writer.getDefaultWriteParam();
        p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        p.setCompressionQuality(quality);
        writer.write(null, new IIOImage(img, null, null), p);
      }
      writer.dispose();
      return ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @DisplayName("EPC codes scaled 25-400 %, turned 0-345° in 15° steps, noised, JPEG 30-90: read back exactly at least 98 % "
      + "overall and every one untransformed (rates printed)")
  void decodingRates() throws Exception {
    Map<String, UnaryOperator<BufferedImage>> transforms = new LinkedHashMap<>();
    transforms.put("untransformed", UnaryOperator.identity());
    for (double s : new double[] {0.25, 0.5, 2, 4}) {
      transforms.put(String.format(Locale.ROOT, "scaled %.0f %%", s * 100), img -> CodeReader.scale(img, s));
    }
    for (int deg = 15; deg < 360; deg += 15) {
      int d = deg;
      transforms.put("turned " + d + "°", img -> CodeReader.rotate(img, d));
    }
    for (double sigma : new double[] {20, 40}) {
      transforms.put(String.format(Locale.ROOT, "noise σ %.0f", sigma), img -> noise(img, sigma, 7));
    }
    for (float q : new float[] {0.3f, 0.5f, 0.7f, 0.9f}) {
      transforms.put(String.format(Locale.ROOT, "JPEG %.0f", q * 100), img -> jpeg(img, q));
    }
    transforms.put("turned 30°, noise σ 20, JPEG 50", img -> jpeg(noise(CodeReader.rotate(img, 30), 20, 9), 0.5f));
    List<EpcPayment> payments = payments();
    var images = new ArrayList<BufferedImage>();
    for (EpcPayment p : payments) {
      images.add(draw(p.payload()));
    }
    int total = 0;
    int read = 0;
    var report = new StringBuilder("VISION QR decoding: transformation, read exactly of " + payments.size() + "\n");
    for (var t : transforms.entrySet()) {
      int ok = 0;
      for (int i = 0; i < payments.size(); i++) {
        CodeReader.Code code = CodeReader.read(t.getValue().apply(images.get(i)));
        if (code != null && code.format() == BarcodeFormat.QR_CODE && EpcPayment.looksLike(code.text())
            && EpcPayment.parse(code.text()).equals(EpcPayment.parse(payments.get(i).payload()))) {
          ok++;
        }
      }
      report.append(String.format(Locale.ROOT, "  %-34s %2d/%d%n", t.getKey(), ok, payments.size()));
      if (t.getKey().equals("untransformed")) {
        assertThat(ok).as("untransformed").isEqualTo(payments.size());
      }
      total += payments.size();
      read += ok;
    }
    double rate = (double) read / total;
    report.append(String.format(Locale.ROOT, "  overall %.3f (%d of %d)%n", rate, read, total));
    System.out.print(report);
    assertThat(rate).isGreaterThanOrEqualTo(0.98);
  }

  @Test
  @DisplayName("the payment code on a whole invoice page, turned, noised and JPEG-compressed, is read too, though a full page "
      + "gets the costly views only when its first look saw traces of a code (rates printed)")
  void codesOnWholePages() throws Exception {
    var rnd = new java.util.Random(11);
    var invoices = new ArrayList<io.nexus.vision.demo.Receipts.Receipt>();
    while (invoices.size() < 3) {
      var r = io.nexus.vision.demo.Receipts.random(rnd, io.nexus.vision.demo.Receipts.Layout.INVOICE);
      if (r.epc()) {
        invoices.add(r);
      }
    }
    int total = 0;
    int read = 0;
    var report = new StringBuilder("VISION QR on whole pages: transformation, read exactly of " + invoices.size() + "\n");
    Map<String, UnaryOperator<BufferedImage>> transforms = new LinkedHashMap<>();
    for (int deg : new int[] {0, 10, 30, 45, 60, 90, 135, 180, 270}) {
      transforms.put("turned " + deg + "°", img -> CodeReader.rotate(img, deg));
    }
    transforms.put("turned 20°, noise σ 20, JPEG 50", img -> jpeg(noise(CodeReader.rotate(img, 20), 20, 5), 0.5f));
    for (var t : transforms.entrySet()) {
      int ok = 0;
      for (var r : invoices) {
        CodeReader.Code code = CodeReader.read(t.getValue().apply(io.nexus.vision.demo.Receipts.render(r)));
        if (code != null && EpcPayment.looksLike(code.text()) && EpcPayment.parse(code.text()).iban().equals(r.iban())) {
          ok++;
        }
      }
      report.append(String.format(Locale.ROOT, "  %-34s %d/%d%n", t.getKey(), ok, invoices.size()));
      total += invoices.size();
      read += ok;
    }
    double rate = (double) read / total;
    report.append(String.format(Locale.ROOT, "  overall %.3f (%d of %d)%n", rate, read, total));
    System.out.print(report);
    assertThat(rate).isGreaterThanOrEqualTo(0.98);
  }
}

package io.nexus.vision.codes;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.client.j2se.MatrixToImageWriter;
import com.google.zxing.oned.Code128Writer;
import com.google.zxing.oned.EAN13Writer;
import java.awt.Color;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** EAN-13 and Code 128, as on receipts and delivery notes: read upright, turned 90° and 180°, and on a page of white. */
class BarcodeTest {
  private static BufferedImage onPage(BufferedImage code) {
    var page = new BufferedImage(1600, 1200, BufferedImage.TYPE_BYTE_GRAY);
    var g = page.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, page.getWidth(), page.getHeight());
    g.drawImage(code, 300, 500, null);
    g.dispose();
    return page;
  }

  private static BufferedImage gray(BufferedImage img) {
    var out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
    out.getGraphics().drawImage(img, 0, 0, null);
    return out;
  }

  @Test
  @DisplayName("an EAN-13 and a Code 128 are read with their format and text, upright, turned 90° and 180°, alone and on a page")
  void oneDimensionalCodes() throws Exception {
    BufferedImage ean = gray(MatrixToImageWriter.toBufferedImage(new EAN13Writer().encode("4006381333931", BarcodeFormat.EAN_13,
        380, 160)));
    BufferedImage code128 = gray(MatrixToImageWriter.toBufferedImage(new Code128Writer().encode("INV-2025-00042",
        BarcodeFormat.CODE_128, 520, 140)));
    for (var c : new Object[][] {{ean, BarcodeFormat.EAN_13, "4006381333931"}, {code128, BarcodeFormat.CODE_128, "INV-2025-00042"}}) {
      BufferedImage img = (BufferedImage) c[0];
      for (BufferedImage view : new BufferedImage[] {img, CodeReader.rotate(img, 90), CodeReader.rotate(img, 180), onPage(img),
          onPage(CodeReader.rotate(img, 90))}) {
        CodeReader.Code code = CodeReader.read(view);
        assertThat(code).as(c[2] + " in a " + view.getWidth() + "x" + view.getHeight() + " image").isNotNull();
        assertThat(code.format()).isEqualTo(c[1]);
        assertThat(code.text()).isEqualTo(c[2]);
      }
    }
  }
}

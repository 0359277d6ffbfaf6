package io.nexus.vision.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nexus.contracts.vision.Vision.MediaType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IntakeTest {
  private static final long LIMIT = 50_000_000;

  private static byte[] image(String format, int w, int h) throws Exception {
    var out = new ByteArrayOutputStream();
    ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY), format, out);
    return out.toByteArray();
  }

  @Test
  @DisplayName("PNG, JPEG and TIFF are told by their bytes, with their size read from the header")
  void imagesAreSniffed() throws Exception {
    assertThat(Intake.sniff(image("png", 640, 480), LIMIT)).isEqualTo(new Intake.Sniffed(MediaType.PNG, 640, 480));
    assertThat(Intake.sniff(image("jpeg", 300, 200), LIMIT)).isEqualTo(new Intake.Sniffed(MediaType.JPEG, 300, 200));
    assertThat(Intake.sniff(image("tiff", 120, 90), LIMIT)).isEqualTo(new Intake.Sniffed(MediaType.TIFF, 120, 90));
    assertThat(Intake.sniff("%PDF-1.7\n".getBytes(), LIMIT).type()).isEqualTo(MediaType.PDF);
  }

  @Test
  @DisplayName("a truncated PNG is refused from its chunks, before anything is inflated")
  void truncatedPng() throws Exception {
    byte[] png = image("png", 640, 480);
    byte[] cut = java.util.Arrays.copyOf(png, png.length - 20);
    assertThatThrownBy(() -> Intake.sniff(cut, LIMIT)).isInstanceOf(Intake.Refused.class).hasMessageContaining("truncated");
  }

  @Test
  @DisplayName("an image whose header claims more pixels than the limit is refused as too large")
  void tooManyPixels() throws Exception {
    byte[] png = image("png", 100, 100);
    // the IHDR's width and height, rewritten to 50,000 x 50,000 (the CRC is not checked here; the decoder never runs)
    java.nio.ByteBuffer.wrap(png).putInt(16, 50_000).putInt(20, 50_000);
    assertThatThrownBy(() -> Intake.sniff(png, LIMIT)).isInstanceOfSatisfying(Intake.Refused.class,
        r -> assertThat(r.code()).isEqualTo(io.nexus.contracts.ErrorCode.PAYLOAD_TOO_LARGE)).hasMessageContaining("50000 × 50000");
  }

  @Test
  @DisplayName("what is not an accepted type is named: a ZIP, a GIF, a program, an empty file")
  void otherFiles() {
    assertThatThrownBy(() -> Intake.sniff(new byte[] {'P', 'K', 3, 4, 0, 0}, LIMIT)).hasMessageContaining("ZIP");
    assertThatThrownBy(() -> Intake.sniff("GIF89a....".getBytes(), LIMIT)).hasMessageContaining("GIF");
    assertThatThrownBy(() -> Intake.sniff(new byte[] {0x7f, 'E', 'L', 'F', 1}, LIMIT)).hasMessageContaining("program");
    assertThatThrownBy(() -> Intake.sniff(new byte[0], LIMIT)).hasMessageContaining("empty");
    assertThatThrownBy(() -> Intake.sniff(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff}, LIMIT))
        .hasMessageContaining("JPEG");
  }
}

package io.nexus.node;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/** Files for the document specifications: images as uploaded, and the bad files an attacker sends. */
final class DocumentFiles {
  private DocumentFiles() {}

  static byte[] png(BufferedImage img) {
    return io.nexus.vision.demo.Receipts.png(img);
  }

  static byte[] jpeg(BufferedImage img, float quality) {
    return io.nexus.vision.demo.Receipts.jpeg(img, quality);
  }

  static BufferedImage scaled(BufferedImage img, double f) {
    int w = (int) Math.round(img.getWidth() * f);
    int h = (int) Math.round(img.getHeight() * f);
    var out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    var g = out.createGraphics();
    g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(img, 0, 0, w, h, null);
    g.dispose();
    return out;
  }

  /** A PNG whose header says {@code w} × {@code h} gray pixels, with a token IDAT: a few hundred bytes claiming gigapixels. */
  static byte[] pngClaiming(int w, int h) {
    var out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0)
        .put((byte) 0).array());
    var deflater = new Deflater(9);
    deflater.setInput(new byte[64 * 1024]);
    deflater.finish();
    byte[] buf = new byte[4096];
    int n = deflater.deflate(buf);
    chunk(out, "IDAT", java.util.Arrays.copyOf(buf, n));
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    out.writeBytes(t);
    out.writeBytes(data);
    var crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  static byte[] zip() {
    var out = new ByteArrayOutputStream();
    try (var z = new ZipOutputStream(out)) {
      z.putNextEntry(new ZipEntry("invoice.xml"));
      z.write("<invoice total=\"12.50\"/>".getBytes(StandardCharsets.UTF_8));
      z.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** A PDF of {@code pages} pages; the first says what it is in its text layer (Helvetica), the rest are blank. */
  static byte[] pdf(int pages, String... firstPageLines) {
    try (var doc = new PDDocument(); var out = new ByteArrayOutputStream()) {
      for (int i = 0; i < pages; i++) {
        var page = new PDPage(PDRectangle.A4);
        doc.addPage(page);
        if (i == 0 && firstPageLines.length > 0) {
          try (var cs = new PDPageContentStream(doc, page)) {
            cs.beginText();
            cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 14);
            cs.setLeading(22);
            cs.newLineAtOffset(60, 760);
            for (String line : firstPageLines) {
              cs.showText(line);
              cs.newLine();
            }
            cs.endText();
          }
        }
      }
      doc.save(out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

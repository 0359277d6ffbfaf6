package io.nexus.vision.intake;

import io.nexus.contracts.ErrorCode;
import io.nexus.contracts.vision.Vision.MediaType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * What an uploaded file is, judged from its bytes alone (never its name): the type from its
 * magic number, an image's size from its header, before anything is decoded. A file that is
 * none of the accepted types, or whose header says it is larger than the limits, is refused with
 * the reason; nothing of it is decompressed.
 */
public final class Intake {
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final int PNG_IHDR_END = 8 + 8 + 13;

  /** A refusal, with the status it deserves: empty (400), not an accepted type (415), too many pixels (413), corrupt (422). */
  public static final class Refused extends Exception {
    private final ErrorCode code;

    Refused(String message, ErrorCode code) {
      super(message, null, false, false);
      this.code = code;
    }

    public ErrorCode code() {
      return code;
    }
  }

  /**
   * A file accepted for storing.
   *
   * @param width an image's width from its header; 0 for a PDF (its pages are measured when rendered)
   */
  public record Sniffed(MediaType type, int width, int height) {}

  private Intake() {}

  /**
   * The type and header size of {@code bytes}.
   *
   * @param maxPixels the most pixels an image may have
   * @throws Refused naming why the file is not taken
   */
  public static Sniffed sniff(byte[] bytes, long maxPixels) throws Refused {
    if (bytes.length == 0) {
      throw new Refused("the file is empty", ErrorCode.BAD_REQUEST);
    }
    if (startsWith(bytes, PNG)) {
      return pixels(MediaType.PNG, png(bytes), maxPixels);
    }
    if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8 && (bytes[2] & 0xff) == 0xff) {
      return pixels(MediaType.JPEG, jpeg(bytes), maxPixels);
    }
    if (startsWith(bytes, new byte[] {'I', 'I', 42, 0}) || startsWith(bytes, new byte[] {'M', 'M', 0, 42})) {
      return pixels(MediaType.TIFF, tiff(bytes), maxPixels);
    }
    if (startsWith(bytes, "%PDF-".getBytes(StandardCharsets.US_ASCII))) {
      return new Sniffed(MediaType.PDF, 0, 0);
    }
    throw new Refused(whatElse(bytes) + "; accepted are PNG, JPEG, TIFF and PDF (the type is read from the bytes, not the name)",
        ErrorCode.UNSUPPORTED_MEDIA_TYPE);
  }

  private static Sniffed pixels(MediaType type, int[] size, long maxPixels) throws Refused {
    long pixels = (long) size[0] * size[1];
    if (size[0] <= 0 || size[1] <= 0) {
      throw new Refused("the " + type.name() + " header gives no size (" + size[0] + " × " + size[1] + ")", ErrorCode.UNPROCESSABLE);
    }
    if (pixels > maxPixels) {
      throw new Refused("the image is " + size[0] + " × " + size[1] + " pixels (" + pixels + "); the limit is " + maxPixels
          + " pixels", ErrorCode.PAYLOAD_TOO_LARGE);
    }
    return new Sniffed(type, size[0], size[1]);
  }

  /** IHDR is the first chunk: width and height, big-endian, right after the signature and the chunk header. */
  private static int[] png(byte[] b) throws Refused {
    if (b.length < PNG_IHDR_END || !new String(b, 12, 4, StandardCharsets.US_ASCII).equals("IHDR")) {
      throw new Refused("the PNG is truncated or corrupt: it has no IHDR header", ErrorCode.UNPROCESSABLE);
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
    // the chunks, by their lengths, up to IEND: a file cut short ends inside one (nothing is inflated for this)
    long at = 8;
    while (true) {
      if (at + 8 > b.length) {
        throw new Refused("the PNG is truncated: it ends at byte " + b.length + " before its IEND chunk", ErrorCode.UNPROCESSABLE);
      }
      long length = bb.getInt((int) at) & 0xffffffffL;
      String type = new String(b, (int) at + 4, 4, StandardCharsets.US_ASCII);
      at += 12 + length;
      if (at > b.length) {
        throw new Refused("the PNG is truncated: its " + type + " chunk runs past the end of the file", ErrorCode.UNPROCESSABLE);
      }
      if (type.equals("IEND")) {
        break;
      }
    }
    return new int[] {bb.getInt(16), bb.getInt(20)};
  }

  /** The first start-of-frame marker gives the size; markers before it are skipped by their lengths. */
  private static int[] jpeg(byte[] b) throws Refused {
    int i = 2;
    while (i + 4 <= b.length) {
      if ((b[i] & 0xff) != 0xff) {
        throw new Refused("the JPEG is corrupt: no marker at byte " + i, ErrorCode.UNPROCESSABLE);
      }
      int marker = b[i + 1] & 0xff;
      if (marker == 0xff) {
        i++;
        continue;
      }
      int length = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
      boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
      if (sof) {
        if (i + 9 > b.length) {
          break;
        }
        int h = ((b[i + 5] & 0xff) << 8) | (b[i + 6] & 0xff);
        int w = ((b[i + 7] & 0xff) << 8) | (b[i + 8] & 0xff);
        return new int[] {w, h};
      }
      if (marker == 0xd9 || marker == 0xda) {
        break;
      }
      i += 2 + length;
    }
    throw new Refused("the JPEG is truncated or corrupt: no frame header before its image data", ErrorCode.UNPROCESSABLE);
  }

  /** The first image file directory's width and length tags (256, 257). */
  private static int[] tiff(byte[] b) throws Refused {
    ByteBuffer bb = ByteBuffer.wrap(b).order(b[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    if (b.length < 8) {
      throw new Refused("the TIFF is truncated: no image directory", ErrorCode.UNPROCESSABLE);
    }
    long ifd = bb.getInt(4) & 0xffffffffL;
    if (ifd + 2 > b.length) {
      throw new Refused("the TIFF is truncated: its image directory lies beyond the end of the file", ErrorCode.UNPROCESSABLE);
    }
    int entries = bb.getShort((int) ifd) & 0xffff;
    int w = 0;
    int h = 0;
    for (int e = 0; e < entries; e++) {
      int at = (int) ifd + 2 + e * 12;
      if (at + 12 > b.length) {
        throw new Refused("the TIFF is truncated inside its image directory", ErrorCode.UNPROCESSABLE);
      }
      int tag = bb.getShort(at) & 0xffff;
      int type = bb.getShort(at + 2) & 0xffff;
      int value = type == 3 ? bb.getShort(at + 8) & 0xffff : bb.getInt(at + 8);
      if (tag == 256) {
        w = value;
      } else if (tag == 257) {
        h = value;
      }
    }
    return new int[] {w, h};
  }

  /** What the bytes look like instead, for the refusal. */
  private static String whatElse(byte[] b) {
    if (startsWith(b, new byte[] {'P', 'K', 3, 4}) || startsWith(b, new byte[] {'P', 'K', 5, 6})) {
      return "the file is a ZIP archive (or an Office document)";
    }
    if (startsWith(b, new byte[] {'G', 'I', 'F', '8'})) {
      return "the file is a GIF image";
    }
    if (startsWith(b, new byte[] {0x1f, (byte) 0x8b})) {
      return "the file is gzip-compressed";
    }
    if (startsWith(b, new byte[] {'R', 'I', 'F', 'F'})) {
      return "the file is a RIFF container (WebP, WAV or AVI)";
    }
    if (startsWith(b, new byte[] {0x7f, 'E', 'L', 'F'}) || startsWith(b, new byte[] {'M', 'Z'})) {
      return "the file is a program";
    }
    return "the file is not an image or PDF that can be read";
  }

  private static boolean startsWith(byte[] b, byte[] prefix) {
    if (b.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (b[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}

package io.nexus.financial.imports;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads a stream one line at a time, in bounded memory: a line longer than the limit is
 * skipped to its end and reported, never held. Lines end at LF (a CR before it is dropped); a
 * UTF-8 byte order mark at the start is skipped; each line is decoded as strict UTF-8. Counts
 * bytes and hashes them (SHA-256) as they pass.
 */
final class LineReader {
  /** One line: its 1-based number and its text, or why it has none. */
  record Line(long number, String text, String error) {}

  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buf = new byte[64 * 1024];
  private int pos;
  private int lim;
  private byte[] line = new byte[1024];
  private int len;
  private long number;
  private long bytes;
  private boolean eof;
  private boolean started;
  private final MessageDigest sha;
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

  /** The longest line read; also the longest CSV row a quoted field spanning lines may make. */
  int maxLineBytes() {
    return maxLineBytes;
  }

  LineReader(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next line, or null at the end of the stream. */
  Line next() throws IOException {
    len = 0;
    boolean tooLong = false;
    boolean any = false;
    while (true) {
      if (pos == lim && !fill()) {
        if (!any) {
          return null;
        }
        break;
      }
      any = true;
      int start = pos;
      int nl = -1;
      for (int i = pos; i < lim; i++) {
        if (buf[i] == '\n') {
          nl = i;
          break;
        }
      }
      int end = nl < 0 ? lim : nl;
      if (!tooLong) {
        int n = end - start;
        if (len + n > maxLineBytes) {
          tooLong = true;
        } else {
          append(start, n);
        }
      }
      pos = nl < 0 ? lim : nl + 1;
      if (nl >= 0) {
        break;
      }
    }
    number++;
    if (tooLong) {
      return new Line(number, null, "the line is longer than " + maxLineBytes + " bytes");
    }
    if (len > 0 && line[len - 1] == '\r') {
      len--;
    }
    return decode();
  }

  private Line decode() {
    boolean ascii = true;
    for (int i = 0; i < len; i++) {
      if (line[i] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new Line(number, new String(line, 0, len, StandardCharsets.ISO_8859_1), null);
    }
    try {
      return new Line(number, utf8.decode(ByteBuffer.wrap(line, 0, len)).toString(), null);
    } catch (CharacterCodingException e) {
      return new Line(number, null, "not valid UTF-8 text (save the file as UTF-8)");
    }
  }

  private void append(int start, int n) {
    if (len + n > line.length) {
      byte[] bigger = new byte[Math.max(line.length * 2, len + n)];
      System.arraycopy(line, 0, bigger, 0, len);
      line = bigger;
    }
    System.arraycopy(buf, start, line, len, n);
    len += n;
  }

  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    int n = in.read(buf, 0, buf.length);
    if (n < 0) {
      eof = true;
      return false;
    }
    sha.update(buf, 0, n);
    bytes += n;
    pos = 0;
    lim = n;
    if (!started) {
      started = true;
      if (n >= 3 && (buf[0] & 0xff) == 0xEF && (buf[1] & 0xff) == 0xBB && (buf[2] & 0xff) == 0xBF) {
        pos = 3;
      }
    }
    return true;
  }

  /** Bytes read so far. */
  long bytes() {
    return bytes;
  }

  /** The SHA-256 of everything read, in hex; call once at the end. */
  String sha256() {
    return HexFormat.of().formatHex(sha.digest());
  }
}

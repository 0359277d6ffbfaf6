package io.nexus.vision.ocr;

import io.nexus.contracts.vision.Vision.Box;
import io.nexus.contracts.vision.Vision.Word;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * OCR by the {@code tesseract} command (Debian's {@code tesseract-ocr}, with the English and
 * German data): one process per page, the page passed on its standard input as an uncompressed
 * gray PGM, its words read back from the TSV output with their confidences and boxes. Each
 * process is held to one thread ({@code OMP_THREAD_LIMIT=1}: concurrency is the caller's
 * worker pool) and to a timeout, after which it is killed. A separate process keeps a crash or
 * a runaway page out of the node's memory.
 */
public final class Tesseract {
  /** Why a page could not be read. */
  public static final class Failed extends Exception {
    public Failed(String message) {
      super(message, null, false, false);
    }
  }

  private static final int TSV_COLUMNS = 12;
  private static final int WORD_LEVEL = 5;
  private static final int MAX_STDERR_CHARS = 300;

  private final String command;
  private final String languages;

  /**
   * @param command the executable ({@code tesseract}, or a path)
   * @param languages the language data to read with, {@code eng+deu}
   */
  public Tesseract(String command, String languages) {
    this.command = command;
    this.languages = languages;
  }

  /** The version line when the command runs and has every language asked for; empty when it cannot be used. */
  public java.util.Optional<String> probe() {
    try {
      Process p = new ProcessBuilder(command, "--list-langs").redirectErrorStream(true).start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        return java.util.Optional.empty();
      }
      var have = java.util.Set.of(out.split("\\s+"));
      for (String lang : languages.split("\\+")) {
        if (!have.contains(lang)) {
          return java.util.Optional.empty();
        }
      }
      Process v = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
      String version;
      try (InputStream in = v.getInputStream()) {
        version = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse(command);
      }
      v.waitFor(30, TimeUnit.SECONDS);
      return java.util.Optional.of(version.trim());
    } catch (IOException e) {
      return java.util.Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Optional.empty();
    }
  }

  /**
   * The page's lines of words, in reading order, boxes in the image's pixels and confidences 0-1.
   *
   * @throws Failed when the command fails or runs past {@code timeoutMs}
   */
  public List<List<Word>> read(BufferedImage gray, long timeoutMs) throws Failed {
    if (gray.getType() != BufferedImage.TYPE_BYTE_GRAY) {
      throw new IllegalArgumentException("the page must be 8-bit gray");
    }
    var pb = new ProcessBuilder(command, "stdin", "stdout", "-l", languages, "--psm", "3", "tsv");
    pb.environment().put("OMP_THREAD_LIMIT", "1");
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new Failed("tesseract cannot be started: " + e.getMessage());
    }
    try {
      var stdout = new ByteArrayOutputStream();
      var stderr = new ByteArrayOutputStream();
      Thread out = drain(p.getInputStream(), stdout);
      Thread err = drain(p.getErrorStream(), stderr);
      try (OutputStream in = p.getOutputStream()) {
        writePgm(gray, in);
      } catch (IOException e) {
        // tesseract stopped reading: its exit code and message below say why
      }
      if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
        throw new Failed("OCR of the page took longer than " + timeoutMs + " ms and was stopped");
      }
      out.join(timeoutMs);
      err.join(timeoutMs);
      if (p.exitValue() != 0) {
        String why = stderr.toString(StandardCharsets.UTF_8).strip();
        throw new Failed("tesseract failed (exit " + p.exitValue() + ")" + (why.isEmpty() ? ""
            : ": " + why.substring(0, Math.min(why.length(), MAX_STDERR_CHARS))));
      }
      return parseTsv(stdout.toString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Failed("OCR was interrupted");
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  private static Thread drain(InputStream in, ByteArrayOutputStream to) {
    Thread t = new Thread(() -> {
      try (in) {
        in.transferTo(to);
      } catch (IOException e) {
        // the process went away; what it wrote so far is kept
      }
    }, "tesseract-output");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Binary PGM (P5): a header and the raw gray bytes, which Leptonica reads without decompressing anything. */
  static void writePgm(BufferedImage gray, OutputStream out) throws IOException {
    out.write(("P5\n" + gray.getWidth() + " " + gray.getHeight() + "\n255\n").getBytes(StandardCharsets.US_ASCII));
    var raster = gray.getRaster();
    if (raster.getDataBuffer() instanceof DataBufferByte data && raster.getParent() == null
        && data.getData().length == gray.getWidth() * gray.getHeight()) {
      out.write(data.getData());
      return;
    }
    byte[] row = new byte[gray.getWidth()];
    int[] px = new int[gray.getWidth()];
    for (int y = 0; y < gray.getHeight(); y++) {
      raster.getPixels(0, y, gray.getWidth(), 1, px);
      for (int x = 0; x < px.length; x++) {
        row[x] = (byte) px[x];
      }
      out.write(row);
    }
  }

  /** Tesseract's TSV: level, page, block, paragraph, line, word, left, top, width, height, confidence, text. */
  static List<List<Word>> parseTsv(String tsv) {
    Map<String, List<Word>> lines = new LinkedHashMap<>();
    for (String row : tsv.split("\n")) {
      String[] c = row.split("\t", -1);
      if (c.length < TSV_COLUMNS || !c[0].equals(String.valueOf(WORD_LEVEL))) {
        continue;
      }
      String text = c[11].strip();
      double conf;
      try {
        conf = Double.parseDouble(c[10]);
      } catch (NumberFormatException e) {
        continue;
      }
      if (text.isEmpty() || conf < 0) {
        continue;
      }
      var box = new Box(Integer.parseInt(c[6]), Integer.parseInt(c[7]), Integer.parseInt(c[8]), Integer.parseInt(c[9]));
      lines.computeIfAbsent(c[2] + "/" + c[3] + "/" + c[4], k -> new ArrayList<>())
          .add(new Word(text, Math.min(1.0, conf / 100.0), box));
    }
    return rows(new ArrayList<>(lines.values()));
  }

  /**
   * Joins lines Tesseract put in different blocks that stand side by side on the same row ("Total"
   * on the left of a receipt, "12.50" on the right): a row is what reads across the page.
   */
  static List<List<Word>> rows(List<List<Word>> lines) {
    var rows = new ArrayList<List<Word>>();
    var sorted = new ArrayList<>(lines);
    sorted.sort(java.util.Comparator.comparingInt(l -> top(l)));
    for (List<Word> line : sorted) {
      List<Word> joined = null;
      for (List<Word> row : rows) {
        if (sameRow(row, line)) {
          joined = row;
          break;
        }
      }
      if (joined == null) {
        rows.add(new ArrayList<>(line));
      } else {
        joined.addAll(line);
        joined.sort(java.util.Comparator.comparingInt(w -> w.box().x()));
      }
    }
    return rows;
  }

  private static boolean sameRow(List<Word> a, List<Word> b) {
    int aTop = top(a);
    int aBottom = bottom(a);
    int bTop = top(b);
    int bBottom = bottom(b);
    int overlap = Math.min(aBottom, bBottom) - Math.max(aTop, bTop);
    int smaller = Math.min(aBottom - aTop, bBottom - bTop);
    if (smaller <= 0 || overlap < smaller / 2) {
      return false;
    }
    int aLeft = a.stream().mapToInt(w -> w.box().x()).min().orElse(0);
    int aRight = a.stream().mapToInt(w -> w.box().x() + w.box().width()).max().orElse(0);
    int bLeft = b.stream().mapToInt(w -> w.box().x()).min().orElse(0);
    int bRight = b.stream().mapToInt(w -> w.box().x() + w.box().width()).max().orElse(0);
    return bLeft >= aRight || aLeft >= bRight;
  }

  private static int top(List<Word> line) {
    return line.stream().mapToInt(w -> w.box().y()).min().orElse(0);
  }

  private static int bottom(List<Word> line) {
    return line.stream().mapToInt(w -> w.box().y() + w.box().height()).max().orElse(0);
  }
}

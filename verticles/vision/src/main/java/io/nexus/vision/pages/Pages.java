package io.nexus.vision.pages;

import io.nexus.contracts.vision.Vision.Box;
import io.nexus.contracts.vision.Vision.MediaType;
import io.nexus.contracts.vision.Vision.Word;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.graphics.PDXObject;
import org.apache.pdfbox.pdmodel.graphics.form.PDFormXObject;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;

/**
 * A document's pages as images to analyse, one at a time, never more than the page limit and
 * never larger than the pixel budget: an image is decoded subsampled when it is larger (so a
 * 50-megapixel photo costs the memory of a 12-megapixel one), a PDF page is rendered at the
 * resolution that fits, and a PDF's own text layer is kept with its words' boxes. The size of
 * every image is read from its header, and every image a PDF page draws from its dictionary,
 * before anything is decoded.
 */
public final class Pages implements AutoCloseable {
  /**
   * @param maxPixels the most pixels an image (or an image inside a PDF) may have; larger is refused
   * @param maxPages the pages analysed at most; a longer document is analysed up to it
   * @param renderDpi the resolution PDF pages are rendered at, when their size allows
   * @param analysisPixels the pixels a page is analysed at, at most (larger images are subsampled)
   */
  public record Limits(long maxPixels, int maxPages, int renderDpi, long analysisPixels) {}

  /** Why a document cannot be opened or a page not read: the message says it to the uploader. */
  public static final class Unreadable extends Exception {
    public Unreadable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * One page ready for analysis.
   *
   * @param image the page, gray, at most {@link Limits#analysisPixels} pixels
   * @param textLayer a PDF page's own words, boxes in the image's pixels; empty for an image or a scanned page
   */
  public record Page(int number, BufferedImage image, List<List<Word>> textLayer) {}

  /** Fewer letters and digits than this in a PDF page's text layer and the page is read by OCR instead. */
  private static final int TEXT_LAYER_MIN_CHARS = 20;
  private static final int FORM_DEPTH = 4;

  private final Limits limits;
  private final MediaType type;
  private final PDDocument pdf;
  private final ImageReader reader;
  private final ImageInputStream stream;
  private final int pageCount;

  private Pages(Limits limits, MediaType type, PDDocument pdf, ImageReader reader, ImageInputStream stream, int pageCount) {
    this.limits = limits;
    this.type = type;
    this.pdf = pdf;
    this.reader = reader;
    this.stream = stream;
    this.pageCount = pageCount;
  }

  /** Opens a document of a sniffed type: a PDF's cross-references parsed, an image's header read. */
  public static Pages open(byte[] bytes, MediaType type, Limits limits) throws Unreadable {
    if (type == MediaType.PDF) {
      try {
        PDDocument doc = Loader.loadPDF(bytes);
        if (doc.isEncrypted() && !doc.getCurrentAccessPermission().canExtractContent()) {
          doc.close();
          throw new Unreadable("the PDF is encrypted");
        }
        return new Pages(limits, type, doc, null, null, doc.getNumberOfPages());
      } catch (org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException e) {
        throw new Unreadable("the PDF is protected by a password");
      } catch (IOException e) {
        throw new Unreadable("the PDF cannot be read: " + plain(e));
      }
    }
    try {
      ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes));
      Iterator<ImageReader> readers = ImageIO.getImageReadersByMIMEType(type.mime());
      if (!readers.hasNext()) {
        throw new Unreadable("no reader for " + type.mime());
      }
      ImageReader r = readers.next();
      r.setInput(in, false, true);
      // a TIFF may hold several pages; the others are single images
      int n = type == MediaType.TIFF ? r.getNumImages(true) : 1;
      if (n < 1) {
        throw new Unreadable("the " + type.name() + " holds no image");
      }
      return new Pages(limits, type, null, r, in, n);
    } catch (IOException | RuntimeException e) {
      throw new Unreadable("the " + type.name() + " cannot be read: " + plain(e));
    }
  }

  /** The pages the document has. */
  public int pageCount() {
    return pageCount;
  }

  /** The pages that will be analysed: all, up to the limit. */
  public int pagesToAnalyse() {
    return Math.min(pageCount, limits.maxPages());
  }

  /** Page {@code number} (from 1), decoded or rendered. */
  public Page page(int number) throws Unreadable {
    if (number < 1 || number > pagesToAnalyse()) {
      throw new IllegalArgumentException("page " + number + " of " + pagesToAnalyse());
    }
    return pdf != null ? pdfPage(number) : imagePage(number);
  }

  private Page imagePage(int number) throws Unreadable {
    try {
      int w = reader.getWidth(number - 1);
      int h = reader.getHeight(number - 1);
      long pixels = (long) w * h;
      if (pixels > limits.maxPixels()) {
        throw new Unreadable("page " + number + " is " + w + " × " + h + " pixels; the limit is " + limits.maxPixels());
      }
      ImageReadParam param = reader.getDefaultReadParam();
      int step = subsampling(pixels, limits.analysisPixels());
      if (step > 1) {
        param.setSourceSubsampling(step, step, 0, 0);
      }
      return new Page(number, gray(reader.read(number - 1, param)), List.of());
    } catch (IOException | RuntimeException e) {
      throw new Unreadable("page " + number + " of the " + type.name() + " cannot be decoded: " + plain(e));
    }
  }

  private Page pdfPage(int number) throws Unreadable {
    try {
      PDPage page = pdf.getPage(number - 1);
      checkImages(page.getResources(), number, 0);
      PDRectangle box = page.getCropBox();
      double points = (double) box.getWidth() * box.getHeight();
      if (points <= 0) {
        throw new Unreadable("page " + number + " of the PDF has no area");
      }
      // the resolution that keeps the page within the pixel budget (a poster-sized page is rendered coarser)
      double dpi = Math.min(limits.renderDpi(), 72 * Math.sqrt(limits.analysisPixels() / points));
      float scale = (float) (dpi / 72);
      BufferedImage image = new PDFRenderer(pdf).renderImage(number - 1, scale, ImageType.GRAY);
      return new Page(number, image, textLayer(number, scale));
    } catch (IOException | RuntimeException e) {
      throw new Unreadable("page " + number + " of the PDF cannot be rendered: " + plain(e));
    }
  }

  /** Refuses a page that draws an image larger than the limit, before PDFBox would decode it. */
  private void checkImages(PDResources resources, int page, int depth) throws IOException, Unreadable {
    if (resources == null || depth > FORM_DEPTH) {
      return;
    }
    for (COSName name : resources.getXObjectNames()) {
      PDXObject x = resources.getXObject(name);
      if (x instanceof PDImageXObject img) {
        long pixels = (long) img.getWidth() * img.getHeight();
        if (pixels > limits.maxPixels()) {
          throw new Unreadable("page " + page + " of the PDF draws an image of " + img.getWidth() + " × " + img.getHeight()
              + " pixels; the limit is " + limits.maxPixels());
        }
      } else if (x instanceof PDFormXObject form) {
        checkImages(form.getResources(), page, depth + 1);
      }
    }
  }

  /** The page's own text as lines of words with boxes in the rendered image's pixels; empty when it has too little. */
  private List<List<Word>> textLayer(int number, float scale) throws IOException {
    var stripper = new WordStripper(scale);
    stripper.setSortByPosition(true);
    stripper.setStartPage(number);
    stripper.setEndPage(number);
    stripper.getText(pdf);
    long chars = stripper.lines.stream().flatMap(List::stream).mapToLong(w -> w.text().codePoints()
        .filter(Character::isLetterOrDigit).count()).sum();
    return chars < TEXT_LAYER_MIN_CHARS ? List.of() : stripper.lines;
  }

  /** Collects the words of each line PDFBox writes, with the box around their glyphs. */
  private static final class WordStripper extends PDFTextStripper {
    final List<List<Word>> lines = new ArrayList<>();
    private final float scale;
    private List<Word> line = new ArrayList<>();

    WordStripper(float scale) throws IOException {
      this.scale = scale;
    }

    @Override
    protected void writeString(String text, List<TextPosition> positions) {
      var word = new StringBuilder();
      float x0 = Float.MAX_VALUE;
      float y0 = Float.MAX_VALUE;
      float x1 = 0;
      float y1 = 0;
      for (TextPosition p : positions) {
        String u = p.getUnicode();
        if (u == null || u.isBlank()) {
          flush(word, x0, y0, x1, y1);
          word.setLength(0);
          x0 = Float.MAX_VALUE;
          y0 = Float.MAX_VALUE;
          x1 = 0;
          y1 = 0;
          continue;
        }
        word.append(u);
        x0 = Math.min(x0, p.getXDirAdj());
        y0 = Math.min(y0, p.getYDirAdj() - p.getHeightDir());
        x1 = Math.max(x1, p.getXDirAdj() + p.getWidthDirAdj());
        y1 = Math.max(y1, p.getYDirAdj());
      }
      flush(word, x0, y0, x1, y1);
    }

    private void flush(StringBuilder word, float x0, float y0, float x1, float y1) {
      if (word.length() == 0) {
        return;
      }
      line.add(new Word(word.toString(), 1.0, new Box(Math.max(0, Math.round(x0 * scale)), Math.max(0, Math.round(y0 * scale)),
          Math.max(0, Math.round((x1 - x0) * scale)), Math.max(0, Math.round((y1 - y0) * scale)))));
    }

    @Override
    protected void writeLineSeparator() {
      if (!line.isEmpty()) {
        lines.add(line);
        line = new ArrayList<>();
      }
    }

    @Override
    protected void endPage(PDPage page) {
      writeLineSeparator();
    }
  }

  /** The smallest whole step that brings {@code pixels} within {@code budget}. */
  static int subsampling(long pixels, long budget) {
    int step = 1;
    while (pixels / ((long) step * step) > budget) {
      step++;
    }
    return step;
  }

  /** The image in 8-bit gray (what OCR, codes and hashes read), drawn over white so transparency reads as paper. */
  static BufferedImage gray(BufferedImage img) {
    if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
      return img;
    }
    var out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
    var g = out.createGraphics();
    g.setColor(java.awt.Color.WHITE);
    g.fillRect(0, 0, out.getWidth(), out.getHeight());
    g.drawImage(img, 0, 0, null);
    g.dispose();
    return out;
  }

  /** An exception's message without class names or paths. */
  private static String plain(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e instanceof java.io.EOFException ? "it ends too early" : "it is corrupt";
    }
    return m.length() > 200 ? m.substring(0, 200) : m;
  }

  @Override
  public void close() {
    try {
      if (pdf != null) {
        pdf.close();
      }
      if (reader != null) {
        reader.dispose();
      }
      if (stream != null) {
        stream.close();
      }
    } catch (IOException e) {
      // nothing is written: closing a reader over bytes in memory cannot lose anything
    }
  }
}

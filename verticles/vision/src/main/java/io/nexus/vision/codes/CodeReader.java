package io.nexus.vision.codes;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.LuminanceSource;
import com.google.zxing.MultiFormatReader;
import com.google.zxing.NotFoundException;
import com.google.zxing.ReaderException;
import com.google.zxing.Result;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.GlobalHistogramBinarizer;
import com.google.zxing.common.HybridBinarizer;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Finds the codes on a page: QR (EPC payment codes among them), EAN-13 and Code 128, with
 * ZXing 3.5.4. ZXing alone copes with quarter turns and clean scans; a photographed or scanned
 * receipt also comes turned by odd angles, too small or too large, noisy or blurred by JPEG. So
 * when a plain look finds nothing, the page is looked at again, in a fixed order, until one view
 * reads: the other binariser; turned by 45° and by ±22.5°; scaled up for small prints, down for
 * large scans; smoothed against noise.
 */
public final class CodeReader {
  /**
   * A code found on a page.
   *
   * @param view the view that read it
   * @param box where it is on the page, when the view that read it was the page as is (else null)
   */
  public record Code(BarcodeFormat format, String text, String view, io.nexus.contracts.vision.Vision.Box box) {}

  private static final Map<DecodeHintType, Object> HINTS = new EnumMap<>(DecodeHintType.class);
  /** The pixels a page is scaled to, at most, before it is looked at (larger scans are shrunk first). */
  static final int MAX_SIDE = 2400;

  static {
    HINTS.put(DecodeHintType.POSSIBLE_FORMATS, List.of(BarcodeFormat.QR_CODE, BarcodeFormat.EAN_13, BarcodeFormat.CODE_128));
    HINTS.put(DecodeHintType.TRY_HARDER, Boolean.TRUE);
    HINTS.put(DecodeHintType.CHARACTER_SET, "UTF-8");
  }

  private record View(String name, UnaryOperator<BufferedImage> make) {}

  private static final List<View> VIEWS = List.of(
      new View("as is", UnaryOperator.identity()),
      new View("turned 45°", img -> rotate(img, 45)),
      new View("turned 22.5°", img -> rotate(img, 22.5)),
      new View("turned -22.5°", img -> rotate(img, -22.5)),
      new View("scaled up", img -> scale(img, 2.0)),
      new View("smoothed", CodeReader::smooth),
      new View("smoothed, turned 45°", img -> rotate(smooth(img), 45)),
      new View("scaled down", img -> scale(img, 0.5)));

  private CodeReader() {}

  /** Traces of a code (QR finder patterns, bar guards) the first look must see before the other views are tried. */
  static final int TRACES = 3;

  /**
   * The first code any view reads, or null when none does. The other views (turned, scaled,
   * smoothed) cost several times the first look, so they are tried only when the first look saw
   * traces of a code it could not read (a QR code turned 45° shows its finder patterns; a page of
   * plain text shows fewer than {@value #TRACES}).
   */
  public static Code read(BufferedImage page) {
    BufferedImage base = fit(page);
    var traces = new java.util.concurrent.atomic.AtomicInteger();
    for (View v : VIEWS) {
      if (v != VIEWS.get(0) && traces.get() < TRACES) {
        return null;
      }
      BufferedImage img = v.make().apply(base);
      Result r = decode(img, v == VIEWS.get(0) ? traces : null);
      if (r != null) {
        return new Code(r.getBarcodeFormat(), r.getText(), v.name(), v == VIEWS.get(0)
            ? box(r, (double) page.getWidth() / base.getWidth()) : null);
      }
    }
    return null;
  }

  /** The rectangle around a result's points, in the page's pixels. */
  private static io.nexus.contracts.vision.Vision.Box box(Result r, double scale) {
    var points = r.getResultPoints();
    if (points == null || points.length == 0) {
      return null;
    }
    float x0 = Float.MAX_VALUE;
    float y0 = Float.MAX_VALUE;
    float x1 = 0;
    float y1 = 0;
    for (var p : points) {
      if (p == null) {
        continue;
      }
      x0 = Math.min(x0, p.getX());
      y0 = Math.min(y0, p.getY());
      x1 = Math.max(x1, p.getX());
      y1 = Math.max(y1, p.getY());
    }
    if (x0 == Float.MAX_VALUE) {
      return null;
    }
    return new io.nexus.contracts.vision.Vision.Box((int) Math.max(0, Math.round(x0 * scale)), (int) Math.max(0, Math.round(y0 * scale)),
        (int) Math.round((x1 - x0) * scale), (int) Math.round((y1 - y0) * scale));
  }

  /** @param traces counts the points the readers report on their way (finder patterns, guards), or null */
  private static Result decode(BufferedImage img, java.util.concurrent.atomic.AtomicInteger traces) {
    LuminanceSource source = new BufferedImageLuminanceSource(img);
    var reader = new MultiFormatReader();
    if (traces == null) {
      reader.setHints(HINTS);
    } else {
      var hints = new EnumMap<>(HINTS);
      hints.put(DecodeHintType.NEED_RESULT_POINT_CALLBACK, (com.google.zxing.ResultPointCallback) p -> traces.incrementAndGet());
      reader.setHints(hints);
    }
    // a first look that saw no trace of a code is over after one binariser
    boolean quick = traces != null;
    BinaryBitmap[] looks = {new BinaryBitmap(new HybridBinarizer(source)), new BinaryBitmap(new GlobalHistogramBinarizer(source))};
    for (int i = 0; i < looks.length; i++) {
      BinaryBitmap bitmap = looks[i];
      if (i > 0 && quick && traces.get() < TRACES) {
        return null;
      }
      try {
        return reader.decodeWithState(bitmap);
      } catch (NotFoundException e) {
        // the next binariser
      } catch (ReaderException e) {
        // found but unreadable in this view: the next
      } finally {
        reader.reset();
      }
    }
    return null;
  }

  private static BufferedImage fit(BufferedImage page) {
    int side = Math.max(page.getWidth(), page.getHeight());
    BufferedImage gray = side > MAX_SIDE ? scale(page, (double) MAX_SIDE / side) : page;
    if (gray.getType() == BufferedImage.TYPE_BYTE_GRAY) {
      return gray;
    }
    var out = new BufferedImage(gray.getWidth(), gray.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
    out.getGraphics().drawImage(gray, 0, 0, null);
    return out;
  }

  static BufferedImage rotate(BufferedImage img, double degrees) {
    double r = Math.toRadians(degrees);
    double sin = Math.abs(Math.sin(r));
    double cos = Math.abs(Math.cos(r));
    int w = (int) Math.ceil(img.getWidth() * cos + img.getHeight() * sin);
    int h = (int) Math.ceil(img.getHeight() * cos + img.getWidth() * sin);
    var out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = out.createGraphics();
    g.setColor(java.awt.Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    var t = new AffineTransform();
    t.translate(w / 2.0, h / 2.0);
    t.rotate(r);
    t.translate(-img.getWidth() / 2.0, -img.getHeight() / 2.0);
    g.drawImage(img, t, null);
    g.dispose();
    return out;
  }

  static BufferedImage scale(BufferedImage img, double f) {
    int w = Math.max(1, (int) Math.round(img.getWidth() * f));
    int h = Math.max(1, (int) Math.round(img.getHeight() * f));
    var out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, f < 1 ? RenderingHints.VALUE_INTERPOLATION_BILINEAR
        : RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
    g.drawImage(img, 0, 0, w, h, null);
    g.dispose();
    return out;
  }

  static BufferedImage smooth(BufferedImage img) {
    float[] k = new float[9];
    java.util.Arrays.fill(k, 1f / 9);
    var out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
    new ConvolveOp(new Kernel(3, 3, k), ConvolveOp.EDGE_NO_OP, null).filter(img, out);
    return out;
  }

  /** Every view's name, in the order they are tried (for reports). */
  public static List<String> views() {
    var out = new ArrayList<String>();
    VIEWS.forEach(v -> out.add(v.name()));
    return out;
  }
}

package io.nexus.bench;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.client.j2se.BufferedImageLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import io.nexus.contracts.vision.Vision.MediaType;
import io.nexus.vision.Analyser;
import io.nexus.vision.demo.Receipts;
import io.nexus.vision.demo.Receipts.Layout;
import io.nexus.vision.demo.Receipts.Receipt;
import io.nexus.vision.ocr.Tesseract;
import io.nexus.vision.pages.Pages;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * The vision benchmark, on one core (one page at a time), in A/B pairs:
 *
 * <ul>
 *   <li>pages analysed per second by the service's pipeline — PNG decoded, perceptual hashes, codes
 *       (ZXing with its retries), OCR by the tesseract command, key fields — against the bare
 *       {@code tesseract} command on the same PNG files, same languages and page mode, one process
 *       per page with {@code OMP_THREAD_LIMIT=1}: what the pipeline adds to OCR itself;</li>
 *   <li>QR-only documents (an EPC payment code on white) per second through the same pipeline
 *       without OCR against ZXing's QR reader in a plain loop on the same images (PNG decoded in
 *       both).</li>
 * </ul>
 */
public final class VisionBench {
  private static final int PAIRS = 3;
  private static final int PAGES = 8;
  private static final int CODES = 60;
  private static final Pages.Limits LIMITS = new Pages.Limits(50_000_000, 10, 300, 12_000_000);

  private VisionBench() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    var ocr = new Tesseract("tesseract", "eng+deu");
    String version = ocr.probe().orElseThrow(() -> new IllegalStateException("tesseract with eng+deu is not installed"));
    var rnd = new Random(14);
    var pages = new ArrayList<byte[]>();
    var files = new ArrayList<Path>();
    Path dir = Files.createTempDirectory("nexus-vision-bench");
    for (int i = 0; i < PAGES; i++) {
      Receipt r = Receipts.random(rnd, i % 2 == 0 ? Layout.RECEIPT : Layout.INVOICE);
      byte[] png = Receipts.png(Receipts.render(r));
      pages.add(png);
      Path f = dir.resolve("page-" + i + ".png");
      Files.write(f, png);
      files.add(f);
    }
    var codes = new ArrayList<byte[]>();
    for (int i = 0; i < CODES; i++) {
      codes.add(Receipts.png(Receipts.paymentCode(Receipts.random(rnd, Layout.INVOICE), 360 + 40 * (i % 5))));
    }
    var pipeline = new Analyser(LIMITS, ocr, 60_000);
    var codesOnly = new Analyser(LIMITS, null, 60_000);
    var ocrPairs = AB.pairs("vision pages: pipeline vs bare tesseract", PAIRS, true,
        () -> PAGES / seconds(() -> {
          for (byte[] p : pages) {
            pipeline.analyse(p, MediaType.PNG, (s, a, b) -> { });
          }
        }),
        () -> PAGES / seconds(() -> {
          for (Path f : files) {
            tesseract(f);
          }
        }));
    int[] decoded = new int[2];
    var qrPairs = AB.pairs("vision QR-only: pipeline vs ZXing loop", PAIRS, true,
        () -> CODES / seconds(() -> {
          int n = 0;
          for (byte[] c : codes) {
            n += pipeline(codesOnly, c);
          }
          decoded[0] = n;
        }),
        () -> CODES / seconds(() -> {
          int n = 0;
          for (byte[] c : codes) {
            n += zxing(c);
          }
          decoded[1] = n;
        }));
    for (Path f : files) {
      Files.deleteIfExists(f);
    }
    Files.deleteIfExists(dir);
    var report = new JsonObject().put("scenario", "vision").put("at", Instant.now().toString()).put("tesseract", version)
        .put("pages", PAGES).put("codes", CODES).put("ocr", ocrPairs).put("qr", qrPairs)
        .put("codesReadByPipeline", decoded[0]).put("codesReadByZxing", decoded[1]);
    Files.writeString(out.resolve("vision.json"), report.encodePrettily());
    String md = String.format(Locale.ROOT, """
        # Vision (%s)

        One core, one page at a time, %d A/B pairs (a warm-up pair first; pairs where other processes used more than
        %.0f %% of a core are left out: %d and %d disturbed). Tesseract %s, `eng+deu`, `--psm 3`, `OMP_THREAD_LIMIT=1`.

        | | pipeline (median) | baseline (median) | ratio | aim |
        |---|---|---|---|---|
        | pages/s: codes + OCR + fields vs bare `tesseract` on the same %d PNGs | %.2f | %.2f | %.2f× | ≥ 0.8× |
        | QR-only documents/s: pipeline without OCR vs ZXing `QRCodeReader` loop (%d codes; read %d and %d) | %.1f | %.1f | %.2f× | |
        """, report.getString("at"), PAIRS, AB.DISTURBED_PERCENT, ocrPairs.getInteger("disturbedPairs"),
        qrPairs.getInteger("disturbedPairs"), version, PAGES, ocrPairs.getDouble("candidateMedian"),
        ocrPairs.getDouble("baselineMedian"), ocrPairs.getDouble("ratio"), CODES, decoded[0], decoded[1],
        qrPairs.getDouble("candidateMedian"), qrPairs.getDouble("baselineMedian"), qrPairs.getDouble("ratio"));
    Files.writeString(out.resolve("vision.md"), md);
    System.out.println(md);
  }

  private static int pipeline(Analyser a, byte[] png) throws Exception {
    return a.analyse(png, MediaType.PNG, (s, x, y) -> { }).codes().isEmpty() ? 0 : 1;
  }

  private static int zxing(byte[] png) throws Exception {
    var img = ImageIO.read(new ByteArrayInputStream(png));
    try {
      new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new BufferedImageLuminanceSource(img))),
          Map.of(DecodeHintType.CHARACTER_SET, "UTF-8"));
      return 1;
    } catch (com.google.zxing.ReaderException e) {
      return 0;
    }
  }

  /** The bare command on one file, as an operator would run it; its TSV read to the end. */
  private static void tesseract(Path file) throws Exception {
    var pb = new ProcessBuilder(List.of("tesseract", file.toString(), "stdout", "-l", "eng+deu", "--psm", "3", "tsv"));
    pb.environment().put("OMP_THREAD_LIMIT", "1");
    pb.redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p = pb.start();
    p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("tesseract failed on " + file);
    }
  }

  @FunctionalInterface
  private interface Work {
    void run() throws Exception;
  }

  private static double seconds(Work w) throws Exception {
    long t0 = System.nanoTime();
    w.run();
    return (System.nanoTime() - t0) / 1e9;
  }
}

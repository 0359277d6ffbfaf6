package io.nexus.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nexus.contracts.vision.Vision.MediaType;
import io.nexus.vision.hash.ImageHash;
import io.nexus.vision.demo.Receipts;
import io.nexus.vision.demo.Receipts.Layout;
import io.nexus.vision.demo.Receipts.Receipt;
import io.nexus.vision.ocr.Tesseract;
import io.nexus.vision.pages.Pages;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Duplicate claims, judged as the service judges them (perceptual hash of the first page plus the
 * fields OCR read): the same receipt rescaled, JPEG-recompressed and cropped 3 % is found; 50
 * different receipts of one vendor (one layout, one font) raise no duplicate among them.
 */
class DuplicatesTest {
  private static final Pages.Limits LIMITS = new Pages.Limits(50_000_000, 10, 300, 12_000_000);

  @Test
  @DisplayName("a resubmitted receipt (rescaled, recompressed, cropped 3 %) is a duplicate; 50 receipts of one vendor are not")
  void duplicatesAreFoundAndOnlyThey() throws Exception {
    var ocr = new Tesseract("tesseract", "eng+deu");
    assumeTrue(ocr.probe().isPresent() || System.getenv("CI") != null, "tesseract with eng+deu is not installed");
    var analyser = new Analyser(LIMITS, ocr, 60_000);
    var rnd = new Random(50);
    Receipt template = Receipts.random(rnd, Layout.RECEIPT);
    var receipts = new ArrayList<Analyser.Analysis>();
    var distances = new ArrayList<Integer>();
    for (int i = 0; i < 50; i++) {
      Receipt other = Receipts.random(rnd, Layout.RECEIPT);
      // the vendor's own receipts: its name, address, VAT id, layout and font; other days, items and numbers
      Receipt r = new Receipt(template.vendor(), template.street(), template.city(), other.date(), other.invoiceNumber(),
          template.vatId(), template.iban(), other.items(), "EUR", template.german(), Layout.RECEIPT, template.font(), false);
      receipts.add(analyser.analyse(png(Receipts.render(r)), MediaType.PNG, (s, p, n) -> { }));
    }
    int falsePairs = 0;
    for (int i = 0; i < receipts.size(); i++) {
      for (int j = i + 1; j < receipts.size(); j++) {
        distances.add(ImageHash.distance(receipts.get(i).phash(), receipts.get(j).phash()));
        if (Duplicates.same(candidate(receipts.get(i)), candidate(receipts.get(j))) >= 0) {
          falsePairs++;
        }
      }
    }
    BufferedImage original = Receipts.render(Receipts.random(new Random(51), Layout.RECEIPT));
    var first = analyser.analyse(png(original), MediaType.PNG, (s, p, n) -> { });
    var copies = List.of(
        analyser.analyse(png(scaled(original, 0.6)), MediaType.PNG, (s, p, n) -> { }),
        analyser.analyse(jpeg(original, 0.5f), MediaType.JPEG, (s, p, n) -> { }),
        analyser.analyse(png(Receipts.cropped(original, 0.03)), MediaType.PNG, (s, p, n) -> { }),
        analyser.analyse(jpeg(Receipts.cropped(scaled(original, 0.8), 0.03), 0.6f), MediaType.JPEG, (s, p, n) -> { }));
    var copyDistances = new ArrayList<Integer>();
    int found = 0;
    for (var c : copies) {
      copyDistances.add(ImageHash.distance(first.phash(), c.phash()));
      if (Duplicates.same(candidate(first), candidate(c)) >= 0) {
        found++;
      }
    }
    distances.sort(null);
    System.out.printf("duplicates: %d of %d copies found (pHash distances %s); %d false pairs among 1225 pairs of one vendor's "
        + "50 receipts (pHash distance min %d, median %d)%n", found, copies.size(), copyDistances, falsePairs, distances.get(0),
        distances.get(distances.size() / 2));
    assertThat(found).isEqualTo(copies.size());
    assertThat(falsePairs).isZero();
  }

  private static Duplicates.Candidate candidate(Analyser.Analysis a) {
    return Duplicates.Candidate.of("d", a.phash(), a.dhash(), a.fields());
  }

  private static BufferedImage scaled(BufferedImage img, double f) {
    var out = new BufferedImage((int) (img.getWidth() * f), (int) (img.getHeight() * f), BufferedImage.TYPE_BYTE_GRAY);
    var g = out.createGraphics();
    g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(img, 0, 0, out.getWidth(), out.getHeight(), null);
    g.dispose();
    return out;
  }

  private static byte[] png(BufferedImage img) {
    return Receipts.png(img);
  }

  private static byte[] jpeg(BufferedImage img, float quality) {
    return Receipts.jpeg(img, quality);
  }
}

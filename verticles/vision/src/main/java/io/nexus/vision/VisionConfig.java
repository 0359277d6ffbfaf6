package io.nexus.vision;

import io.nexus.kernel.config.Conf;
import io.nexus.vision.pages.Pages;
import io.vertx.core.json.JsonObject;

/**
 * The {@code vision} section of the node's config.
 *
 * @param financialTimeoutMs how long a call to the Financial Examiner may take
 * @param analysisThreads documents analysed at once by this instance (OCR is one process per page, one thread each)
 * @param limits pixels, pages and resolution of what is analysed
 * @param pageTimeoutMs how long OCR of one page may take before its process is killed
 * @param staleAfterMs a document claimed this long ago and not finished is taken again (its instance stopped)
 * @param ocrCommand the tesseract executable; empty turns OCR off
 * @param ocrLanguages the language data OCR reads with, {@code eng+deu}
 */
record VisionConfig(int financialTimeoutMs, int analysisThreads, Pages.Limits limits, int pageTimeoutMs, int staleAfterMs,
    String ocrCommand, String ocrLanguages, int breakerMaxFailures, int breakerResetMs) {
  static VisionConfig from(JsonObject config) {
    Conf c = Conf.of(config).section("vision");
    Conf b = c.section("breaker");
    var limits = new Pages.Limits(c.integer("maxPixels", 1_000_000, 500_000_000, 50_000_000), c.integer("maxPages", 1, 1000, 10),
        c.integer("renderDpi", 72, 600, 300), c.integer("analysisPixels", 1_000_000, 100_000_000, 12_000_000));
    return new VisionConfig(c.integer("financialTimeoutMs", 100, 120_000, 3000), c.integer("analysisThreads", 1, 64, 2), limits,
        c.integer("pageTimeoutMs", 1000, 600_000, 60_000), c.integer("staleAfterMs", 10_000, 86_400_000, 300_000),
        c.string("ocrCommand", "tesseract"), c.string("ocrLanguages", "eng+deu"),
        b.integer("maxFailures", 1, 1000, 5), b.integer("resetTimeoutMs", 100, 600_000, 5000));
  }
}

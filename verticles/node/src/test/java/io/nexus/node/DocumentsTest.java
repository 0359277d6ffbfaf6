package io.nexus.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.nexus.vision.demo.Receipts;
import io.nexus.vision.demo.Receipts.Layout;
import io.nexus.vision.demo.Receipts.Receipt;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vision service behind {@code /api/v1/documents}: an invoice uploaded is stored by its
 * hash, analysed in the background (codes, OCR by the real Tesseract, key fields) and served
 * back; identical bytes are stored once; the same receipt resubmitted is a duplicate; another
 * organisation, a viewer and bad files are refused, and a refused file leaves nothing behind.
 */
class DocumentsTest extends NodeSpec {
  private static final Duration ANALYSED_WITHIN = Duration.ofSeconds(90);
  private static String analyst;
  private static String viewer;
  private static String ledger;
  private static Receipt invoice;
  private static byte[] invoicePng;
  private static String invoiceId;

  @BeforeAll
  static void setUp() {
    analyst = signedIn("analyst");
    viewer = signedIn("viewer");
    ledger = http.post("/api/v1/ledgers", new JsonObject().put("name", "Receipts").put("currency", "EUR"), admin).json()
        .getString("id");
    var rnd = new Random(7);
    Receipt r;
    do {
      r = Receipts.random(rnd, Layout.INVOICE);
    } while (!r.epc() || r.german());
    invoice = r;
    invoicePng = DocumentFiles.png(Receipts.render(invoice));
    var up = http.upload("/api/v1/documents", "../../invoice.png", invoicePng, analyst, "ledgerId", ledger);
    assertThat(up.status()).as(up.toString()).isEqualTo(202);
    invoiceId = up.json().getString("id");
  }

  private static JsonObject analysed(String id, String token) {
    return Awaitility.await("document " + id + " analysed").atMost(ANALYSED_WITHIN).pollInterval(Duration.ofMillis(200))
        .until(() -> http.get("/api/v1/documents/" + id, token).json(), d -> !d.getString("status").equals("received")
            && !d.getString("status").equals("analysing"));
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  @DisplayName("an uploaded invoice is stored by its SHA-256 and analysed: its EPC code, its key fields with spans and boxes, its words")
  void anInvoiceIsAnalysed() throws Exception {
    var d = analysed(invoiceId, viewer);
    assertThat(d.getString("status")).as(d.encode()).isEqualTo("analysed");
    assertThat(d.getString("sha256")).isEqualTo(sha256(invoicePng));
    assertThat(d.getString("mediaType")).isEqualTo("png");
    assertThat(d.getString("fileName")).isEqualTo("invoice.png");
    assertThat(d.getString("ledgerId")).isEqualTo(ledger);
    assertThat(d.getInteger("pages")).isEqualTo(1);
    JsonObject epc = d.getJsonArray("codes").getJsonObject(0).getJsonObject("epc");
    assertThat(epc.getString("iban")).isEqualTo(invoice.iban());
    assertThat(new BigDecimal(epc.getString("amount"))).isEqualByComparingTo(invoice.total());
    JsonObject f = d.getJsonObject("fields");
    assertThat(new BigDecimal(f.getJsonObject("total").getString("value"))).isEqualByComparingTo(invoice.total());
    assertThat(f.getJsonObject("total").getDouble("confidence")).isBetween(0.5, 1.0);
    assertThat(f.getJsonObject("total").getJsonObject("source").getJsonObject("box").getInteger("width")).isPositive();
    JsonObject span = f.getJsonObject("date").getJsonObject("source");
    assertThat(d.getString("text").substring(span.getInteger("start"), span.getInteger("end"))).isEqualTo(Receipts.date(invoice));
    assertThat(f.getJsonObject("date").getString("value")).isEqualTo(invoice.date().toString());
    assertThat(f.getJsonObject("vatId").getString("value")).isEqualTo(invoice.vatId());
    assertThat(f.getJsonObject("iban").getString("value")).isEqualTo(invoice.iban());
    assertThat(f.getJsonObject("invoiceNumber").getString("value")).isEqualTo(invoice.invoiceNumber());
    assertThat(d.getJsonArray("disagreements")).isEmpty();
    JsonObject page = d.getJsonArray("layout").getJsonObject(0);
    assertThat(page.getString("source")).isEqualTo("ocr");
    assertThat(page.getJsonArray("words").size()).isGreaterThan(20);
    var list = http.get("/api/v1/documents?ledger=" + ledger, viewer).json().getJsonArray("documents");
    assertThat(list.stream().map(o -> ((JsonObject) o).getString("id"))).contains(invoiceId);
  }

  @Test
  @DisplayName("the stored bytes come back as they were, with their sniffed type and headers that keep a browser from running them")
  void theContentIsServed() {
    var r = http.bytes("/api/v1/documents/" + invoiceId + "/content", viewer);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(invoicePng);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(r.headers().firstValue("Content-Security-Policy").orElse("")).contains("sandbox");
  }

  @Test
  @DisplayName("identical bytes uploaded again are recognised: stored once, the new upload names the first and is its duplicate")
  void identicalBytesAreStoredOnce() throws Exception {
    var again = http.upload("/api/v1/documents", "copy.png", invoicePng, analyst);
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json().getString("duplicateOf")).isEqualTo(invoiceId);
    assertThat(again.json().getString("sha256")).isEqualTo(sha256(invoicePng));
    assertThat(count("SELECT count(*) FROM vision.contents WHERE sha256 = '" + sha256(invoicePng) + "'")).isEqualTo(1);
    analysed(invoiceId, viewer);
    var d = analysed(again.json().getString("id"), viewer);
    assertThat(d.getJsonArray("duplicates").stream().map(o -> ((JsonObject) o).getString("id"))).contains(invoiceId);
  }

  @Test
  @DisplayName("the same receipt rescaled, JPEG-recompressed and cropped 3 % is found as a duplicate of the first upload")
  void aResubmittedReceiptIsADuplicate() {
    Receipt r = Receipts.random(new Random(99), Layout.RECEIPT);
    BufferedImage img = Receipts.render(r);
    String first = http.upload("/api/v1/documents", "r.png", DocumentFiles.png(img), analyst).json().getString("id");
    analysed(first, viewer);
    byte[] copy = DocumentFiles.jpeg(Receipts.cropped(DocumentFiles.scaled(img, 0.8), 0.03), 0.6f);
    String second = http.upload("/api/v1/documents", "r.jpg", copy, analyst).json().getString("id");
    var d = analysed(second, viewer);
    assertThat(d.getString("mediaType")).isEqualTo("jpeg");
    assertThat(d.getJsonArray("duplicates").stream().map(o -> ((JsonObject) o).getString("id"))).as(d.encode()).contains(first);
    // and the first now names the second
    assertThat(http.get("/api/v1/documents/" + first, viewer).json().getJsonArray("duplicates").stream()
        .map(o -> ((JsonObject) o).getString("id"))).contains(second);
  }

  @Test
  @DisplayName("a PDF with a text layer is read from it, not by OCR; a 10,000-page PDF is analysed up to the page limit and says so")
  void pdfs() {
    byte[] pdf = DocumentFiles.pdf(1, "Kanzlei Weber & Partner", "Invoice no: INV-2026-00042", "Invoice date: 14 Mar 2026",
        "Consulting hours 1,190.00", "Total due 1,190.00 EUR", "VAT ID: DE136695976");
    var d = analysed(http.upload("/api/v1/documents", "weber.pdf", pdf, analyst).json().getString("id"), viewer);
    assertThat(d.getString("mediaType")).isEqualTo("pdf");
    assertThat(d.getJsonArray("layout").getJsonObject(0).getString("source")).isEqualTo("text-layer");
    JsonObject f = d.getJsonObject("fields");
    assertThat(f.getJsonObject("total").getString("value")).isEqualTo("1190.00");
    assertThat(f.getJsonObject("date").getString("value")).isEqualTo("2026-03-14");
    assertThat(f.getJsonObject("invoiceNumber").getString("value")).isEqualTo("INV-2026-00042");
    assertThat(f.getJsonObject("vatId").getString("value")).isEqualTo("DE136695976");
    assertThat(f.getJsonObject("vatId").getValue("problem")).isNull();

    byte[] longPdf = DocumentFiles.pdf(10_000, "Page one of a very long document");
    var up = http.upload("/api/v1/documents", "long.pdf", longPdf, analyst);
    assertThat(up.status()).isEqualTo(202);
    var l = analysed(up.json().getString("id"), viewer);
    assertThat(l.getString("status")).isEqualTo("analysed");
    assertThat(l.getInteger("pageCount")).isEqualTo(10_000);
    assertThat(l.getInteger("pages")).isEqualTo(10);
    assertThat(l.getString("error")).contains("10000 pages").contains("first 10");
    assertThat(http.get("/health/live", null).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("a VAT id whose check digit is wrong is read and named as invalid, not accepted")
  void aBadVatIdIsNamed() {
    byte[] pdf = DocumentFiles.pdf(1, "Druckerei Fischer", "Rechnungsnr.: RE-2026-00007", "Rechnungsdatum: 02.03.2026",
        "Gesamtbetrag 238,00 EUR", "USt-IdNr.: DE136695975");
    var d = analysed(http.upload("/api/v1/documents", "fischer.pdf", pdf, analyst).json().getString("id"), viewer);
    JsonObject vat = d.getJsonObject("fields").getJsonObject("vatId");
    assertThat(vat.getString("value")).isEqualTo("DE136695975");
    assertThat(vat.getString("problem")).contains("check digit");
    assertThat(d.getJsonObject("fields").getJsonObject("total").getString("value")).isEqualTo("238.00");
    assertThat(d.getJsonObject("fields").getJsonObject("date").getString("value")).isEqualTo("2026-03-02");
  }

  @Test
  @DisplayName("another organisation sees none of it: the document, its content and its listing are 404 or empty")
  void anotherOrganisationSeesNothing() {
    String other = tenant().getString("token");
    assertThat(http.get("/api/v1/documents/" + invoiceId, other).status()).isEqualTo(404);
    assertThat(http.bytes("/api/v1/documents/" + invoiceId + "/content", other).statusCode()).isEqualTo(404);
    assertThat(http.get("/api/v1/documents", other).json().getJsonArray("documents")).isEmpty();
    assertThat(http.get("/api/v1/documents?ledger=" + ledger, other).json().getJsonArray("documents")).isEmpty();
    // nor can it file a document under this organisation's ledger
    var up = http.upload("/api/v1/documents", "x.png", invoicePng, other, "ledgerId", ledger);
    assertThat(up.status()).as(up.toString()).isEqualTo(404);
  }

  @Test
  @DisplayName("a viewer cannot upload (403), nobody unauthenticated can read (401), and a forged token gets nothing")
  void rolesAndTokens() {
    var byViewer = http.upload("/api/v1/documents", "x.png", invoicePng, viewer);
    assertThat(byViewer.status()).isEqualTo(403);
    assertThat(byViewer.json().getString("detail")).contains("analyst");
    assertThat(http.upload("/api/v1/documents", "x.png", invoicePng, null).status()).isEqualTo(401);
    assertThat(http.get("/api/v1/documents/" + invoiceId, null).status()).isEqualTo(401);
    assertThat(http.bytes("/api/v1/documents/" + invoiceId + "/content", null).statusCode()).isEqualTo(401);
    String forged = analyst.substring(0, analyst.lastIndexOf('.') + 1) + "AAAA";
    assertThat(http.upload("/api/v1/documents", "x.png", invoicePng, forged).status()).isEqualTo(401);
  }

  static Stream<Arguments> badUploads() {
    byte[] png = DocumentFiles.png(Receipts.render(Receipts.random(new Random(3), Layout.RECEIPT)));
    return Stream.of(
        Arguments.of("an empty file", "empty.png", new byte[0], 400, "empty"),
        Arguments.of("a truncated PNG", "cut.png", java.util.Arrays.copyOf(png, png.length / 2), 422, "truncated"),
        Arguments.of("a 50,000 × 50,000 pixel PNG of a few hundred bytes", "bomb.png", DocumentFiles.pngClaiming(50_000, 50_000),
            413, "50000 × 50000"),
        Arguments.of("a ZIP renamed .png", "invoice.png", DocumentFiles.zip(), 415, "ZIP"),
        Arguments.of("a text file", "notes.pdf", "Total 12.50".getBytes(java.nio.charset.StandardCharsets.UTF_8), 415, "accepted are"),
        Arguments.of("a PDF that is not one", "broken.pdf", "%PDF-1.7\n garbage".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            422, "PDF"));
  }

  @ParameterizedTest(name = "{0} is refused with {3}, and nothing is stored")
  @MethodSource("badUploads")
  void badFilesAreRefused(String what, String name, byte[] bytes, int status, String says) {
    long documents = count("SELECT count(*) FROM vision.documents");
    long contents = count("SELECT count(*) FROM vision.contents");
    var r = http.upload("/api/v1/documents", name, bytes, analyst);
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.header("Content-Type")).contains("application/problem+json");
    assertThat(r.json().getString("detail")).contains(says);
    assertThat(count("SELECT count(*) FROM vision.documents")).isEqualTo(documents);
    assertThat(count("SELECT count(*) FROM vision.contents")).isEqualTo(contents);
  }

  @Test
  @DisplayName("a 100 MB upload is refused with 413 — at once when announced, mid-stream when not — and nothing is stored")
  void aHundredMegabytesAreRefused() {
    long documents = count("SELECT count(*) FROM vision.documents");
    byte[] big = new byte[100 * 1024 * 1024];
    var announced = http.upload("/api/v1/documents", "big.png", big, analyst);
    assertThat(announced.status()).isEqualTo(413);
    var streamed = http.send(http.request("/api/v1/documents", analyst).header("Content-Type", "multipart/form-data; boundary=b")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.SequenceInputStream(
            new java.io.ByteArrayInputStream(("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            new java.io.ByteArrayInputStream(big)))));
    assertThat(streamed.status()).as(streamed.toString()).isEqualTo(413);
    assertThat(streamed.json().getString("detail")).contains("limit");
    assertThat(count("SELECT count(*) FROM vision.documents")).isEqualTo(documents);
  }

  @Test
  @DisplayName("a request that is not multipart, or puts the file in another field, is refused with a problem naming the field")
  void malformedRequests() {
    var json = http.post("/api/v1/documents", new JsonObject().put("file", "aGVsbG8="), analyst);
    assertThat(json.status()).isEqualTo(415);
    assertThat(json.json().getString("detail")).contains("multipart/form-data");
    var badLedger = http.upload("/api/v1/documents", "x.png", invoicePng, analyst, "ledgerId", "not a ledger!");
    assertThat(badLedger.status()).isEqualTo(400);
    assertThat(badLedger.json().getString("detail")).contains("ledgerId");
    assertThat(http.get("/api/v1/documents/not-a-document", viewer).status()).isEqualTo(404);
    assertThat(http.get("/api/v1/documents?status=lost", viewer).status()).isEqualTo(400);
  }
}

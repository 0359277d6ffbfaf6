package io.nexus.vision;

import io.nexus.contracts.vision.Vision.Box;
import io.nexus.contracts.vision.Vision.CodeFormat;
import io.nexus.contracts.vision.Vision.CodeView;
import io.nexus.contracts.vision.Vision.Disagreement;
import io.nexus.contracts.vision.Vision.EpcView;
import io.nexus.contracts.vision.Vision.Field;
import io.nexus.contracts.vision.Vision.KeyFields;
import io.nexus.contracts.vision.Vision.MediaType;
import io.nexus.contracts.vision.Vision.PageLayout;
import io.nexus.contracts.vision.Vision.QrBillView;
import io.nexus.contracts.vision.Vision.TextSource;
import io.nexus.contracts.vision.Vision.Word;
import io.nexus.vision.codes.CodeReader;
import io.nexus.vision.codes.EpcPayment;
import io.nexus.vision.codes.SwissQrBill;
import io.nexus.vision.fields.DocumentText;
import io.nexus.vision.fields.FieldReader;
import io.nexus.vision.hash.ImageHash;
import io.nexus.vision.ocr.Tesseract;
import io.nexus.vision.pages.Pages;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * A document's analysis, blocking, on the caller's thread (a worker): its pages one at a time —
 * codes read, text taken from the PDF's text layer or by OCR — then the key fields of the whole
 * text, where a payment code and the printed text disagree, and the first page's perceptual
 * hashes. Pure: no bus, no database; what it needs is passed in.
 */
public final class Analyser {
  /** Told of each stage as it starts: {@code stage} with the page (from 1) and the pages to analyse. */
  public interface Progress {
    void stage(String stage, int page, int pages);
  }

  /**
   * What the analysis found.
   *
   * @param notes what could not be done and why (a page OCR could not read, OCR not installed), for the document's error
   */
  public record Analysis(int pageCount, int pages, List<CodeView> codes, List<PageLayout> layout, String text, KeyFields fields,
      List<Disagreement> disagreements, long phash, long dhash, List<String> notes) {}

  private final Pages.Limits limits;
  private final Tesseract ocr;
  private final long pageTimeoutMs;

  /** @param ocr the OCR command, or null when there is none (pages without a text layer then have no text) */
  public Analyser(Pages.Limits limits, Tesseract ocr, long pageTimeoutMs) {
    this.limits = limits;
    this.ocr = ocr;
    this.pageTimeoutMs = pageTimeoutMs;
  }

  public Analysis analyse(byte[] bytes, MediaType type, Progress progress) throws Pages.Unreadable {
    try (Pages doc = Pages.open(bytes, type, limits)) {
      int n = doc.pagesToAnalyse();
      var codes = new ArrayList<CodeView>();
      var layout = new ArrayList<PageLayout>();
      var text = new DocumentText();
      var notes = new ArrayList<String>();
      long phash = 0;
      long dhash = 0;
      for (int i = 1; i <= n; i++) {
        progress.stage("reading", i, n);
        Pages.Page page = doc.page(i);
        if (i == 1) {
          phash = ImageHash.phash(page.image());
          dhash = ImageHash.dhash(page.image());
        }
        progress.stage("codes", i, n);
        CodeReader.Code code = CodeReader.read(page.image());
        if (code != null) {
          codes.add(view(code, i));
        }
        List<List<Word>> lines = page.textLayer();
        TextSource source = TextSource.TEXT_LAYER;
        if (lines.isEmpty()) {
          source = TextSource.NONE;
          if (ocr != null) {
            progress.stage("ocr", i, n);
            try {
              lines = ocr.read(page.image(), pageTimeoutMs);
              source = TextSource.OCR;
            } catch (Tesseract.Failed e) {
              notes.add("page " + i + ": " + e.getMessage());
            }
          } else if (i == 1) {
            notes.add("no OCR on this node (tesseract is not installed): only codes and PDF text layers were read");
          }
        }
        text.page(i, lines);
        layout.add(new PageLayout(i, page.image().getWidth(), page.image().getHeight(), source,
            lines.stream().flatMap(List::stream).toList()));
      }
      if (doc.pageCount() > n) {
        notes.add("the document has " + doc.pageCount() + " pages; the first " + n + " were analysed");
      }
      progress.stage("fields", n, n);
      KeyFields fields = withCodes(FieldReader.read(text), codes);
      return new Analysis(doc.pageCount(), n, codes, layout, text.text(), fields, disagreements(fields, codes, text), phash, dhash,
          notes);
    }
  }

  private static CodeView view(CodeReader.Code code, int page) {
    CodeFormat format = switch (code.format()) {
      case EAN_13 -> CodeFormat.EAN_13;
      case CODE_128 -> CodeFormat.CODE_128;
      default -> CodeFormat.QR_CODE;
    };
    EpcView epc = null;
    if (format == CodeFormat.QR_CODE && EpcPayment.looksLike(code.text())) {
      try {
        EpcPayment p = EpcPayment.parse(code.text());
        String problem = p.ibanProblem() != null ? "IBAN: " + p.ibanProblem()
            : p.referenceProblem() != null ? "reference: " + p.referenceProblem() : null;
        epc = new EpcView(p.iban(), p.bic(), p.name(), p.amount() == null ? null : p.amount().toPlainString(), p.currency(),
            p.reference(), p.remittance(), p.purpose(), problem);
      } catch (EpcPayment.NotEpc e) {
        // a QR code that begins like one but is not: kept as text
      }
    }
    QrBillView bill = null;
    if (format == CodeFormat.QR_CODE && SwissQrBill.looksLike(code.text())) {
      try {
        SwissQrBill b = SwissQrBill.parse(code.text());
        String problem = b.ibanProblem() != null ? "IBAN: " + b.ibanProblem()
            : b.referenceProblem() != null ? "reference: " + b.referenceProblem() : null;
        bill = new QrBillView(b.iban(), b.creditorName(), b.creditorTown(), b.creditorCountry(),
            b.amount() == null ? null : b.amount().toPlainString(), b.currency(), b.debtorName(), b.referenceType(), b.reference(),
            b.message(), problem);
      } catch (SwissQrBill.NotQrBill e) {
        // a QR code that begins like a bill but is not one: kept as text
      }
    }
    Box box = code.box();
    return new CodeView(format, page, code.text(), epc, box, bill);
  }

  /** The payment a code orders, EPC or Swiss QR-bill alike. */
  private record Payment(String iban, String name, String amount, String currency, String problem) {
    static Payment of(CodeView c) {
      if (c.epc() != null) {
        return new Payment(c.epc().iban(), c.epc().name(), c.epc().amount(), c.epc().currency(), c.epc().problem());
      }
      if (c.qrBill() != null) {
        QrBillView b = c.qrBill();
        return new Payment(b.iban(), b.name(), b.amount(), b.currency(), b.problem());
      }
      return null;
    }
  }

  /** Fields the text lacks, taken from a payment code (an IBAN, an amount): the code is read exactly. */
  private static KeyFields withCodes(KeyFields f, List<CodeView> codes) {
    Payment epc = codes.stream().map(Payment::of).filter(e -> e != null && e.problem() == null).findFirst().orElse(null);
    if (epc == null) {
      return f;
    }
    Field iban = f.iban() != null ? f.iban() : new Field(epc.iban(), 1.0, null, null);
    Field total = f.total() != null || epc.amount() == null ? f.total() : new Field(epc.amount(), 1.0, null, null);
    Field currency = f.currency() != null || epc.currency() == null ? f.currency() : new Field(epc.currency(), 1.0, null, null);
    Field vendor = f.vendor() != null ? f.vendor() : new Field(epc.name(), 0.9, null, null);
    return new KeyFields(total, currency, f.date(), vendor, f.vatId(), iban, f.invoiceNumber());
  }

  /** Where a payment code says one thing and the print another: the IBAN, the amount. */
  private static List<Disagreement> disagreements(KeyFields f, List<CodeView> codes, DocumentText text) {
    var out = new ArrayList<Disagreement>();
    for (CodeView c : codes) {
      Payment epc = Payment.of(c);
      if (epc == null) {
        continue;
      }
      if (f.iban() != null && f.iban().source() != null && !f.iban().value().equals(epc.iban())) {
        out.add(new Disagreement("iban", epc.iban(), f.iban().value()));
      }
      if (epc.amount() != null && f.total() != null && f.total().source() != null
          && new BigDecimal(epc.amount()).compareTo(new BigDecimal(f.total().value())) != 0) {
        out.add(new Disagreement("total", epc.amount(), f.total().value()));
      }
    }
    return out;
  }
}

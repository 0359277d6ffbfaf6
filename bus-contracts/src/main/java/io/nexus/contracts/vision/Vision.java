package io.nexus.contracts.vision;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.nexus.contracts.Endpoint;
import io.nexus.contracts.EventType;
import io.nexus.contracts.Example;
import io.nexus.contracts.Fields;
import io.nexus.contracts.Nullable;
import io.nexus.contracts.Role;
import io.nexus.contracts.Topic;
import io.nexus.contracts.Wire;
import io.nexus.contracts.financial.Financial;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The AI Vision service's surface: documents (scanned invoices, photographed receipts, PDFs)
 * stored content-addressed per organisation, analysed in the background — payment codes, text
 * with its words and boxes, key fields, duplicates — with progress on {@link #documentProgress}
 * and the outcome in the log. It checks ledgers over Financial's contract, never its tables.
 */
public final class Vision {
  private Vision() {}

  /**
   * The largest document accepted, in bytes: the gateway stops reading an upload beyond it
   * (413) and the service refuses a larger one. A fact of the interface, so it is written once.
   */
  public static final int MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

  /**
   * Stores an uploaded document and queues it for analysis (analyst): the reply (202) comes as
   * soon as its bytes are committed. The type is sniffed from the bytes; pixels and pages are
   * checked from the headers before anything is decoded. Identical bytes are stored once: a
   * second upload names the first in {@code duplicateOf}.
   */
  public static final Endpoint<StoreDocument, DocumentReceipt> STORE_DOCUMENT =
      Endpoint.command("nexus.vision.store-document", StoreDocument.class, DocumentReceipt.class, Role.ANALYST);

  /** The organisation's documents, newest first, a page at a time (viewer). */
  public static final Endpoint<DocumentSearch, DocumentPage> LIST_DOCUMENTS =
      Endpoint.query("nexus.vision.list-documents", DocumentSearch.class, DocumentPage.class, Role.VIEWER);

  /** One document with everything its analysis found (viewer); another organisation's is 404. */
  public static final Endpoint<DocumentRef, DocumentView> GET_DOCUMENT =
      Endpoint.query("nexus.vision.get-document", DocumentRef.class, DocumentView.class, Role.VIEWER);

  /** A document's stored bytes and their type (viewer); another organisation's is 404. */
  public static final Endpoint<DocumentRef, DocumentContent> DOCUMENT_CONTENT =
      Endpoint.query("nexus.vision.document-content", DocumentRef.class, DocumentContent.class, Role.VIEWER);

  /**
   * Reconciles a ledger's analysed documents with its entries over a period, as a job (examiner):
   * each document matched to at most one entry (invoice number against document number, amount,
   * date window, counterparty name); what does not tie becomes findings in Financial —
   * document-without-entry, entry-without-document (payments at or above the organisation's
   * {@code documentRequiredAbove}), amount-mismatch, iban-mismatch, duplicate-claim. The reply
   * (202) is the running job; matches also follow documents and entries as they arrive.
   */
  public static final Endpoint<StartReconciliation, ReconciliationView> START_RECONCILIATION =
      Endpoint.command("nexus.vision.start-reconciliation", StartReconciliation.class, ReconciliationView.class, Role.EXAMINER);

  /** A reconciliation job's status and counts (viewer); another organisation's is 404. */
  public static final Endpoint<ReconciliationRef, ReconciliationView> GET_RECONCILIATION =
      Endpoint.query("nexus.vision.get-reconciliation", ReconciliationRef.class, ReconciliationView.class, Role.VIEWER);

  public static final List<Endpoint<?, ?>> ENDPOINTS = List.of(STORE_DOCUMENT, LIST_DOCUMENTS, GET_DOCUMENT, DOCUMENT_CONTENT,
      START_RECONCILIATION, GET_RECONCILIATION);

  /** Analysis progress is published on {@code ui.org.<org>.documents.<id>} as {@link DocumentProgress}. */
  public static String documentProgress(String org, String documentId) {
    return "ui.org." + org + ".documents." + documentId;
  }

  // ---- events of the log ----

  /** A document was stored (stream {@code document-<id>}). */
  public static final EventType<DocumentReceived> DOCUMENT_RECEIVED =
      new EventType<>("vision.document-received", DocumentReceived.class, "document", Role.VIEWER);

  /** A document's analysis ended, analysed or failed (stream {@code document-<id>}). */
  public static final EventType<DocumentAnalysed> DOCUMENT_ANALYSED =
      new EventType<>("vision.document-analysed", DocumentAnalysed.class, "document", Role.VIEWER);

  /** A document was matched to the ledger entry that pays it (stream {@code document-<id>}). */
  public static final EventType<MatchFound> MATCH_FOUND =
      new EventType<>("vision.match-found", MatchFound.class, "document", Role.VIEWER);

  /** A reconciliation job ended, completed or failed, with its counts (stream {@code reconciliation-<id>}). */
  public static final EventType<ReconciliationView> RECONCILIATION_ENDED =
      new EventType<>("vision.reconciliation-ended", ReconciliationView.class, "reconciliation", Role.VIEWER);

  public static final List<EventType<?>> EVENTS = List.of(DOCUMENT_RECEIVED, DOCUMENT_ANALYSED, MATCH_FOUND, RECONCILIATION_ENDED);

  public static final List<Topic<?>> TOPICS = List.of();

  // ---- states and kinds ----

  /** Where a document stands: stored and queued, being analysed, analysed, or failed (the reason in {@code error}). */
  public enum DocumentStatus implements Wire {
    RECEIVED, ANALYSING, ANALYSED, FAILED;

    @Override
    public String toString() {
      return wire();
    }
  }

  /** Where a reconciliation job stands. */
  public enum ReconciliationStatus implements Wire {
    RUNNING, COMPLETED, FAILED;

    @Override
    public String toString() {
      return wire();
    }
  }

  /** The kinds of file accepted, as sniffed from their bytes. */
  public enum MediaType implements Wire {
    PNG("image/png"), JPEG("image/jpeg"), TIFF("image/tiff"), PDF("application/pdf");

    private final String mime;

    MediaType(String mime) {
      this.mime = mime;
    }

    /** The IANA media type, as the content is served. */
    public String mime() {
      return mime;
    }

    @Override
    public String toString() {
      return wire();
    }
  }

  /** The symbologies read. */
  public enum CodeFormat implements Wire {
    QR_CODE, EAN_13, CODE_128;

    @Override
    public String toString() {
      return wire();
    }
  }

  /** Where a page's text came from: the PDF's own text layer, or OCR of its image. */
  public enum TextSource implements Wire {
    TEXT_LAYER, OCR, NONE;

    @Override
    public String toString() {
      return wire();
    }
  }

  // ---- messages ----

  /**
   * @param ledgerId the ledger the document belongs to, when known (checked to be the organisation's)
   * @param fileName the name it was uploaded under, kept for display only (the type comes from the bytes)
   * @param content the bytes, at most {@link #MAX_DOCUMENT_BYTES}
   */
  public record StoreDocument(
      @Nullable @Fields.Id String ledgerId,
      @Nullable @Size(max = 255) String fileName,
      @Example("iVBORw0KGgo=") byte[] content) {

    @Override
    public boolean equals(Object o) {
      return o instanceof StoreDocument s && Objects.equals(ledgerId, s.ledgerId) && Objects.equals(fileName, s.fileName)
          && Arrays.equals(content, s.content);
    }

    @Override
    public int hashCode() {
      return Objects.hash(ledgerId, fileName, Arrays.hashCode(content));
    }

    @Override
    public String toString() {
      return "StoreDocument[ledgerId=" + ledgerId + ", fileName=" + fileName + ", bytes=" + (content == null ? 0 : content.length) + "]";
    }
  }

  /**
   * @param sha256 the content's SHA-256, hex
   * @param duplicateOf the organisation's earlier document with the very same bytes, if any
   */
  public record DocumentReceipt(
      @Fields.Id String id,
      @Pattern(regexp = "^[0-9a-f]{64}$") @Example("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08") String sha256,
      DocumentStatus status,
      @Nullable String duplicateOf) {}

  /**
   * @param ledger only the documents of this ledger
   * @param cursor the {@code next} of the previous page
   */
  public record DocumentSearch(
      @Nullable @Fields.Id String ledger,
      @Nullable DocumentStatus status,
      @Nullable @Min(1) @Max(200) Integer limit,
      @Nullable @Size(max = 200) String cursor) {}

  /** A document in a list: what it is and where it stands, without its analysis. */
  public record DocumentSummary(
      @Fields.Id String id,
      @Nullable String ledgerId,
      @Nullable String fileName,
      MediaType mediaType,
      @Min(0) long bytes,
      DocumentStatus status,
      @Nullable Field total,
      @Nullable Field vendor,
      @Nullable Field date,
      String receivedAt) {}

  public record DocumentPage(List<DocumentSummary> documents, @Nullable String next) {}

  public record DocumentRef(@Fields.Id String documentId) {}

  /** A rectangle on a page, in the pixels of the page as analysed (see {@link PageLayout}). */
  public record Box(@Min(0) int x, @Min(0) int y, @Min(0) int width, @Min(0) int height) {}

  /**
   * A field's place in the document's {@code text}: characters {@code [start, end)}, on a page,
   * with the box around the words it came from (null for a field read from a code).
   */
  public record Span(@Min(1) int page, @Min(0) int start, @Min(0) int end, @Nullable Box box) {}

  /**
   * A key field as read.
   *
   * @param value normalised: an amount as a decimal string, a date as yyyy-MM-dd, an IBAN without spaces
   * @param confidence 0-1: how sure the reading is (the words' OCR confidence and how the field was found)
   * @param source where it was read: a span of the text, or null when it came from a payment code
   * @param problem what is wrong with it when it fails its own check (an IBAN's or VAT id's check digits)
   */
  public record Field(
      @Size(min = 1, max = 500) String value,
      @jakarta.validation.constraints.DecimalMin("0") @jakarta.validation.constraints.DecimalMax("1") double confidence,
      @Nullable Span source,
      @Nullable String problem) {}

  /** The key fields of an invoice or receipt; a field not found is null. */
  public record KeyFields(
      @Nullable Field total,
      @Nullable Field currency,
      @Nullable Field date,
      @Nullable Field vendor,
      @Nullable Field vatId,
      @Nullable Field iban,
      @Nullable Field invoiceNumber) {}

  /** The fields of an EPC069-12 (SEPA credit transfer) payment code; amount null when the code leaves it open. */
  public record EpcView(
      String iban,
      @Nullable String bic,
      String name,
      @Nullable String amount,
      @Nullable String currency,
      @Nullable String reference,
      @Nullable String remittance,
      @Nullable String purpose,
      @Nullable String problem) {}

  /**
   * A code found on a page.
   *
   * @param text the decoded text as it is
   * @param epc the payment it orders when it is an EPC payment code, else null
   * @param qrBill the payment it orders when it is a Swiss QR-bill's code, else null (left out)
   */
  public record CodeView(CodeFormat format, @Min(1) int page, String text, @Nullable EpcView epc, @Nullable Box box,
      @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable QrBillView qrBill) {}

  /**
   * A Swiss QR-bill's payment.
   *
   * @param iban the creditor's account (a QR-IBAN with a QRR reference)
   * @param referenceType {@code QRR} (27 digits with a check digit), {@code SCOR} (an RF creditor reference) or {@code NON}
   * @param problem what fails its check: the IBAN, a QR-IBAN without QRR (or the reverse), the reference's check digits
   */
  public record QrBillView(
      String iban,
      String name,
      @Nullable String town,
      @Nullable String country,
      @Nullable String amount,
      String currency,
      @Nullable String debtor,
      String referenceType,
      @Nullable String reference,
      @Nullable String message,
      @Nullable String problem) {}

  /** A word as OCR read it (or the text layer gave it: confidence 1). */
  public record Word(String text, double confidence, Box box) {}

  /**
   * One analysed page.
   *
   * @param width the page image's width in pixels (a PDF page as rendered)
   */
  public record PageLayout(@Min(1) int page, @Min(1) int width, @Min(1) int height, TextSource source, List<Word> words) {}

  /**
   * Where a payment code and the printed text disagree: itself a signal.
   *
   * @param field {@code iban} or {@code total}
   */
  public record Disagreement(String field, String code, String printed) {}

  /** Another document of the organisation that looks like the same receipt; distance: bits of the 64-bit perceptual hash. */
  public record DuplicateView(@Fields.Id String id, @Min(0) @Max(64) int distance) {}

  /**
   * The ledger entry a document was matched to.
   *
   * @param score how well they agree, 0-1 (invoice number, amount, date, name)
   * @param difference the document's total minus the entry's amount, when both are known and differ
   */
  public record MatchView(@Fields.Id String entryId, @DecimalMin("0") @DecimalMax("1") double score,
      @Nullable @Example("100.00") String difference) {}

  /**
   * A document with its analysis.
   *
   * @param pages the pages analysed
   * @param pageCount the pages the document has (more than {@code pages} when it is longer than the limit)
   * @param text the text of the pages analysed, page after page
   * @param layout each analysed page's size, text source and words
   */
  public record DocumentView(
      @Fields.Id String id,
      @Nullable String ledgerId,
      @Pattern(regexp = "^[0-9a-f]{64}$") @Example("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08") String sha256,
      @Nullable String fileName,
      MediaType mediaType,
      @Min(0) long bytes,
      DocumentStatus status,
      @Nullable String error,
      @Min(0) int pages,
      @Min(0) int pageCount,
      List<CodeView> codes,
      String text,
      KeyFields fields,
      List<Disagreement> disagreements,
      List<DuplicateView> duplicates,
      List<MatchView> matches,
      List<PageLayout> layout,
      @Nullable String duplicateOf,
      String uploadedBy,
      String receivedAt,
      @Nullable String analysedAt) {}

  /** A document's bytes as stored. */
  public record DocumentContent(MediaType mediaType, @Nullable String fileName, @Example("iVBORw0KGgo=") byte[] content) {
    @Override
    public boolean equals(Object o) {
      return o instanceof DocumentContent c && mediaType == c.mediaType && Objects.equals(fileName, c.fileName)
          && Arrays.equals(content, c.content);
    }

    @Override
    public int hashCode() {
      return Objects.hash(mediaType, fileName, Arrays.hashCode(content));
    }

    @Override
    public String toString() {
      return "DocumentContent[mediaType=" + mediaType + ", bytes=" + (content == null ? 0 : content.length) + "]";
    }
  }

  /** @param stage queued, reading, codes, ocr (with the page), fields, duplicates, done or failed */
  public record DocumentProgress(@Fields.Id String documentId, DocumentStatus status, String stage, @Min(0) int page,
      @Min(0) int pages) {}

  public record DocumentReceived(
      @Fields.Id String documentId,
      @Nullable String ledgerId,
      String sha256,
      MediaType mediaType,
      @Min(0) long bytes,
      @Nullable String fileName,
      @Nullable String duplicateOf,
      String by) {}

  /** What an analysis found, in brief (the whole of it is {@link #GET_DOCUMENT}). */
  public record DocumentAnalysed(
      @Fields.Id String documentId,
      @Nullable String ledgerId,
      DocumentStatus status,
      @Nullable String error,
      @Min(0) int pages,
      @Min(0) int codes,
      KeyFields fields,
      List<DuplicateView> duplicates) {}

  public record MatchFound(
      @Fields.Id String documentId,
      @Fields.Id String ledgerId,
      @Fields.Id String entryId,
      @DecimalMin("0") @DecimalMax("1") double score,
      @Nullable String difference) {}

  /**
   * @param from first day of the period (documents dated, and entries booked, from it)
   * @param to last day of the period (inclusive)
   */
  public record StartReconciliation(@Fields.Id String ledgerId, @Fields.IsoDate String from, @Fields.IsoDate String to) {}

  public record ReconciliationRef(@Fields.Id String ledgerId, @Fields.Id String reconciliationId) {}

  /** How many findings of a rule a reconciliation produced. */
  public record RuleCount(Financial.RuleId rule, @Min(1) int count) {}

  /**
   * @param documents the ledger's analysed documents of the period it read
   * @param entries the entries of the period (and the window around it) it read
   * @param matched documents matched to an entry
   * @param findings the findings it produced, per rule (sent to Financial, where one already raised is not raised twice)
   */
  public record ReconciliationView(
      @Fields.Id String id,
      @Fields.Id String ledgerId,
      @Fields.IsoDate String from,
      @Fields.IsoDate String to,
      ReconciliationStatus status,
      @Min(0) int documents,
      @Min(0) int entries,
      @Min(0) int matched,
      List<RuleCount> findings,
      @Nullable String error,
      String startedBy,
      String startedAt,
      @Nullable String finishedAt) {}
}

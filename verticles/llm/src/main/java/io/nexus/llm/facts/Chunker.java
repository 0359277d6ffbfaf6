package io.nexus.llm.facts;

import io.nexus.contracts.Codec;
import io.nexus.contracts.financial.Financial.EntryView;
import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.FindingChanged;
import io.nexus.contracts.financial.Financial.FindingView;
import io.nexus.contracts.financial.Financial.Line;
import io.nexus.contracts.llm.Llm.ChunkKind;
import io.nexus.contracts.vision.Vision.DocumentView;
import io.nexus.contracts.vision.Vision.Field;
import io.nexus.contracts.vision.Vision.KeyFields;
import io.nexus.contracts.vision.Vision.PageLayout;
import io.nexus.contracts.vision.Vision.Word;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns facts into chunks: the words a fact is found by and cited with. An entry says its date,
 * description, counterparty, document number, amount and accounts; a finding its rule, severity,
 * status, explanation and figures; a comment its finding and text; a document one chunk per page
 * of its text, the first with the key fields read from it. Amounts are written as plain decimals
 * with their currency, so an answer quoting them can be checked.
 */
public final class Chunker {
  /** A page's text beyond this is cut: the embedding model reads 256 word pieces, the index the rest is noise. */
  static final int MAX_PAGE_CHARS = 4000;
  /** How a finding's body begins: its rule, severity and status, then its explanation. */
  public static final String FINDING_PREFIX = "Finding of rule ";

  private Chunker() {}

  /** An entry's chunk. */
  public static Chunk entry(UUID org, EntryView e) {
    var body = new StringBuilder();
    body.append("Entry booked ").append(e.bookingDate());
    if (e.time() != null) {
      body.append(' ').append(e.time());
    }
    body.append(": ").append(e.description()).append('.');
    if (e.counterparty() != null) {
      body.append(" Counterparty: ").append(e.counterparty()).append('.');
    }
    if (e.documentNumber() != null) {
      body.append(" Document number: ").append(e.documentNumber()).append('.');
    }
    Map<String, BigDecimal> totals = totals(e.lines());
    for (var t : totals.entrySet()) {
      body.append(" Amount: ").append(t.getValue().toPlainString()).append(' ').append(t.getKey()).append('.');
    }
    var debits = new ArrayList<String>();
    var credits = new ArrayList<String>();
    for (Line l : e.lines()) {
      if (l.debit() != null) {
        debits.add(l.account() + " " + l.debit() + " " + l.currency());
      } else {
        credits.add(l.account() + " " + l.credit() + " " + l.currency());
      }
    }
    body.append(" Debit ").append(String.join(", ", debits)).append("; credit ").append(String.join(", ", credits)).append('.');
    if (e.reverses() != null) {
      body.append(" Reverses entry ").append(e.reverses()).append('.');
    }
    if (e.reversedBy() != null) {
      body.append(" Reversed by entry ").append(e.reversedBy()).append('.');
    }
    String title = e.description() + (e.counterparty() == null ? "" : " — " + e.counterparty());
    String meaning = title + (e.documentNumber() == null ? "" : ", document " + e.documentNumber())
        + (e.reverses() != null ? ", a reversal" : e.reversedBy() != null ? ", reversed" : "");
    return new Chunk(org, UUID.fromString(e.ledgerId()), ChunkKind.ENTRY, e.id(), null, title, body.toString(), meaning,
        Codec.toJson(e));
  }

  /** The entry's chunk once it is reversed. */
  public static Chunk reversed(Chunk entry, String reversedBy) {
    EntryView e = Codec.fromJson(entry.source(), EntryView.class);
    return entry(entry.org(), new EntryView(e.id(), e.ledgerId(), e.bookingDate(), e.description(), e.counterparty(),
        e.documentNumber(), e.postedBy(), e.postedAt(), e.reverses(), reversedBy, e.lines(), e.time()));
  }

  /** Per currency, the total of the debit lines: what the entry moved. */
  static Map<String, BigDecimal> totals(List<Line> lines) {
    var totals = new LinkedHashMap<String, BigDecimal>();
    for (Line l : lines) {
      if (l.debit() != null) {
        totals.merge(l.currency(), new BigDecimal(l.debit()), BigDecimal::add);
      }
    }
    return totals;
  }

  /** A finding's chunk. Its comments and history are not part of it: comments are chunks of their own. */
  public static Chunk finding(UUID org, FindingView f) {
    var body = new StringBuilder();
    body.append(FINDING_PREFIX).append(f.rule().wire()).append(", severity ").append(f.severity().wire())
        .append(", status ").append(f.status().wire()).append(". ").append(f.explanation());
    if (!f.explanation().endsWith(".")) {
      body.append('.');
    }
    if (!f.figures().isEmpty()) {
      body.append(" Figures: ");
      var parts = new ArrayList<String>();
      for (Figure fig : f.figures()) {
        parts.add(fig.name() + " " + fig.value());
      }
      body.append(String.join("; ", parts)).append('.');
    }
    if (!f.entryIds().isEmpty()) {
      body.append(" Evidence: ").append(f.entryIds().size()).append(f.entryIds().size() == 1 ? " entry" : " entries").append('.');
    }
    if (f.documentIds() != null && !f.documentIds().isEmpty()) {
      body.append(" Documents: ").append(f.documentIds().size()).append('.');
    }
    if (f.assignee() != null) {
      body.append(" Assigned to ").append(f.assignee()).append('.');
    }
    if (!f.tags().isEmpty()) {
      body.append(" Tags: ").append(String.join(", ", f.tags())).append('.');
    }
    JsonObject source = Codec.toJson(f);
    source.put("comments", new JsonArray()).put("history", new JsonArray());
    String meaning = f.title() + ". " + f.explanation();
    return new Chunk(org, UUID.fromString(f.ledgerId()), ChunkKind.FINDING, f.id(), null, f.title(), body.toString(), meaning,
        source);
  }

  /** The finding's chunk after a change of status, assignee or tags. */
  public static Chunk changed(Chunk finding, FindingChanged c) {
    FindingView f = Codec.fromJson(finding.source(), FindingView.class);
    var status = c.status() == null ? f.status()
        : io.nexus.contracts.Wire.parse(io.nexus.contracts.financial.Financial.FindingStatus.class, c.status().to());
    String assignee = c.assignee() == null ? f.assignee() : c.assignee().to();
    List<String> tags = c.tags() == null ? f.tags() : c.tags().to() == null ? List.of() : c.tags().to();
    return finding(finding.org(), new FindingView(f.id(), f.ledgerId(), f.examinationId(), f.rule(), f.severity(), f.score(),
        f.title(), f.explanation(), f.entryIds(), f.figures(), status, assignee, tags, f.comments(), f.history(), f.version(),
        f.raisedAt(), f.updatedAt(), f.distribution(), f.documentIds()));
  }

  /** A comment's chunk: {@code <finding>#<seq>}, titled by its finding. */
  public static Chunk comment(UUID org, UUID ledger, String findingId, String findingTitle, int seq, String author, String text) {
    var source = new JsonObject().put("findingId", findingId).put("seq", seq).put("author", author).put("text", text);
    return new Chunk(org, ledger, ChunkKind.COMMENT, findingId + "#" + seq, null, "Comment on: " + findingTitle,
        "Comment by " + author + " on finding " + findingId + ": " + text, "Comment on " + findingTitle + ": " + text, source);
  }

  /** A document's chunks, one per page with text (its key fields on the first). */
  public static List<Chunk> document(UUID org, DocumentView d) {
    var chunks = new ArrayList<Chunk>();
    UUID ledger = d.ledgerId() == null ? null : UUID.fromString(d.ledgerId());
    String title = title(d);
    String fields = fields(d.fields());
    for (PageLayout page : d.layout()) {
      var text = new StringBuilder();
      for (Word w : page.words()) {
        if (text.length() > 0) {
          text.append(' ');
        }
        text.append(w.text());
        if (text.length() >= MAX_PAGE_CHARS) {
          break;
        }
      }
      String body = (page.page() == 1 && !fields.isEmpty() ? fields + "\n" : "") + text;
      if (body.isBlank()) {
        continue;
      }
      var source = new JsonObject().put("documentId", d.id()).put("fileName", d.fileName()).put("page", page.page())
          .put("pages", d.pages());
      chunks.add(new Chunk(org, ledger, ChunkKind.DOCUMENT, d.id(), page.page(), title, body, title + "\n" + text, source));
    }
    if (chunks.isEmpty() && !fields.isEmpty()) {
      chunks.add(new Chunk(org, ledger, ChunkKind.DOCUMENT, d.id(), 1, title, fields, title + "\n" + fields,
          new JsonObject().put("documentId", d.id()).put("fileName", d.fileName()).put("page", 1).put("pages", d.pages())));
    }
    return chunks;
  }

  private static String title(DocumentView d) {
    KeyFields f = d.fields();
    var parts = new ArrayList<String>();
    if (f.vendor() != null) {
      parts.add(f.vendor().value());
    }
    if (f.invoiceNumber() != null) {
      parts.add("invoice " + f.invoiceNumber().value());
    }
    if (parts.isEmpty()) {
      return d.fileName() != null ? d.fileName() : "Document " + d.id();
    }
    return "Document: " + String.join(", ", parts);
  }

  private static String fields(KeyFields f) {
    var parts = new ArrayList<String>();
    add(parts, "Vendor", f.vendor());
    add(parts, "Invoice number", f.invoiceNumber());
    add(parts, "Date", f.date());
    if (f.total() != null) {
      parts.add("Total: " + f.total().value() + (f.currency() != null ? " " + f.currency().value() : ""));
    }
    add(parts, "IBAN", f.iban());
    add(parts, "VAT id", f.vatId());
    return parts.isEmpty() ? "" : String.join(". ", parts) + ".";
  }

  private static void add(List<String> parts, String name, Field f) {
    if (f != null && f.value() != null && !f.value().isBlank()) {
      parts.add(name + ": " + f.value());
    }
  }
}

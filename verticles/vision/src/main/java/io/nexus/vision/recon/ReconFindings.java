package io.nexus.vision.recon;

import io.nexus.contracts.financial.Financial.ExternalFinding;
import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.financial.Financial.Severity;
import io.nexus.vision.recon.Reconciler.Doc;
import io.nexus.vision.recon.Reconciler.DuplicatePair;
import io.nexus.vision.recon.Reconciler.Entry;
import io.nexus.vision.recon.Reconciler.IbanConflict;
import io.nexus.vision.recon.Reconciler.Match;
import io.nexus.vision.recon.Reconciler.Outcome;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * What reconciliation found, as findings in Financial's terms. Each finding's key is what it is
 * about (the document, the entry, the pair of documents), so Financial raises it once however
 * often reconciliation finds it again.
 */
public final class ReconFindings {
  /** An amount mismatch of at least this share of the amount, or of a whole unit, is high. */
  private static final BigDecimal HIGH_SHARE = new BigDecimal("0.01");

  private ReconFindings() {}

  /** Every finding of an outcome; {@code positiveOnly}: leave out the absences (a job over the period decides those). */
  public static List<ExternalFinding> of(Outcome o, boolean positiveOnly) {
    var out = new ArrayList<ExternalFinding>();
    o.amountMismatches().forEach(m -> out.add(amountMismatch(m)));
    o.ibanConflicts().forEach(c -> out.add(ibanMismatch(c)));
    o.duplicateClaims().forEach(p -> out.add(duplicateClaim(p)));
    if (!positiveOnly) {
      o.withoutEntry().forEach(d -> out.add(documentWithoutEntry(d)));
      o.withoutDocument().forEach(e -> out.add(entryWithoutDocument(e)));
    }
    return out;
  }

  static ExternalFinding amountMismatch(Match m) {
    BigDecimal diff = m.difference();
    BigDecimal abs = diff.abs();
    boolean high = abs.compareTo(BigDecimal.ONE) >= 0 || m.entry().amount().signum() != 0
        && abs.divide(m.entry().amount().abs(), 6, RoundingMode.HALF_UP).compareTo(HIGH_SHARE) >= 0;
    return new ExternalFinding(RuleId.AMOUNT_MISMATCH, m.doc().id(), high ? Severity.HIGH : Severity.LOW, abs.doubleValue(),
        "Document total " + m.doc().total().toPlainString() + " but entry paid " + m.entry().amount().toPlainString(),
        "The document " + describe(m.doc()) + " is paid by entry " + m.entry().id() + " (" + why(m) + "), which booked "
            + m.entry().amount().toPlainString() + " " + m.entry().currency() + " against the document's total of "
            + m.doc().total().toPlainString() + ": a difference of " + diff.toPlainString() + ".",
        List.of(m.entry().id()), List.of(new Figure("documentTotal", m.doc().total().toPlainString()),
            new Figure("entryAmount", m.entry().amount().toPlainString()), new Figure("difference", diff.toPlainString())),
        List.of(m.doc().id()));
  }

  static ExternalFinding ibanMismatch(IbanConflict c) {
    return new ExternalFinding(RuleId.IBAN_MISMATCH, c.doc().id(), Severity.HIGH, 1,
        "Another bank account on a document of " + name(c.doc().vendor()),
        "The document " + describe(c.doc()) + " asks for payment to " + Reconciler.compact(c.doc().iban()) + ": " + c.why()
            + ". A changed bank account on an invoice is how payments are diverted; confirm it with the vendor.",
        List.of(), List.of(new Figure("iban", Reconciler.compact(c.doc().iban())), new Figure("expected", c.expected())),
        List.of(c.doc().id()));
  }

  static ExternalFinding duplicateClaim(DuplicatePair p) {
    var entries = new ArrayList<String>();
    String first = p.firstEntry();
    String second = p.secondEntry();
    if (first != null) {
      entries.add(first);
    }
    if (second != null && !second.equals(first)) {
      entries.add(second);
    }
    return new ExternalFinding(RuleId.DUPLICATE_CLAIM, p.first() + ":" + p.second(), entries.size() == 2 ? Severity.HIGH
        : Severity.MEDIUM, p.distance(), "The same receipt submitted twice",
        "Documents " + p.first() + " and " + p.second() + " are the same receipt (their pictures differ by " + p.distance()
            + " of 64 bits and their total, date and number agree). " + (entries.size() == 2 ? "Both were paid: entries "
            + entries.get(0) + " and " + entries.get(1) + "." : entries.size() == 1 ? "One was paid: entry " + entries.get(0) + "."
            : "Neither is paid yet."),
        entries, List.of(new Figure("distance", String.valueOf(p.distance()))), List.of(p.first(), p.second()));
  }

  static ExternalFinding documentWithoutEntry(Doc d) {
    return new ExternalFinding(RuleId.DOCUMENT_WITHOUT_ENTRY, d.id(), d.total() == null ? Severity.LOW : Severity.MEDIUM,
        d.total() == null ? 0 : d.total().doubleValue(), "A document no entry pays: " + describe(d),
        "No entry of the ledger within the window of the document's date matches it by number, or by amount and name: "
            + describe(d) + ". It may be unpaid, paid from another ledger, or booked under another amount or name.",
        List.of(), d.total() == null ? List.of() : List.of(new Figure("documentTotal", d.total().toPlainString())),
        List.of(d.id()));
  }

  static ExternalFinding entryWithoutDocument(Entry e) {
    return new ExternalFinding(RuleId.ENTRY_WITHOUT_DOCUMENT, e.id(), Severity.MEDIUM, e.amount().doubleValue(),
        "A payment of " + e.amount().toPlainString() + " " + e.currency() + " to " + name(e.counterparty()) + " without a document",
        "Entry " + e.id() + " of " + e.date() + " paid " + e.amount().toPlainString() + " " + e.currency() + " to "
            + name(e.counterparty()) + (e.documentNumber() == null ? "" : " (document number " + e.documentNumber() + ")")
            + ", at or above the organisation's threshold for a document, and no document of the ledger matches it.",
        List.of(e.id()), List.of(new Figure("entryAmount", e.amount().toPlainString())), List.of());
  }

  private static String why(Match m) {
    var parts = new ArrayList<String>();
    if (Reconciler.sameNumber(m.doc().invoiceNumber(), m.entry().documentNumber())) {
      parts.add("same number " + m.entry().documentNumber());
    }
    parts.add(String.format(java.util.Locale.ROOT, "names %.0f %% alike", 100 * Reconciler.similarity(m.doc().vendor(),
        m.entry().counterparty())));
    if (m.doc().date() != null) {
      parts.add("dated " + m.doc().date() + ", booked " + m.entry().date());
    }
    return String.join(", ", parts);
  }

  private static String describe(Doc d) {
    var s = new StringBuilder(d.id());
    var parts = new ArrayList<String>();
    if (d.vendor() != null) {
      parts.add(d.vendor());
    }
    if (d.invoiceNumber() != null) {
      parts.add("no. " + d.invoiceNumber());
    }
    if (d.date() != null) {
      parts.add("of " + d.date());
    }
    if (d.total() != null) {
      parts.add("total " + d.total().toPlainString() + (d.currency() == null ? "" : " " + d.currency()));
    }
    if (!parts.isEmpty()) {
      s.append(" (").append(String.join(", ", parts)).append(')');
    }
    return s.toString();
  }

  private static String name(String vendor) {
    return vendor == null || vendor.isBlank() ? "an unnamed vendor" : vendor;
  }
}

package io.nexus.vision;

import io.nexus.contracts.vision.Vision.KeyFields;
import io.nexus.vision.hash.ImageHash;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Objects;

/**
 * When two documents are the same receipt submitted twice: their pictures alike (perceptual
 * hash) and their facts not in conflict. A rescaled, re-compressed or slightly cropped copy
 * keeps its pHash within a few bits; receipts of one vendor share a layout, so a near hash alone
 * is not enough — a different total or invoice number says they are different receipts, and a
 * looser hash match needs the same total and date or invoice number.
 */
final class Duplicates {
  /** Bits of pHash within which two pages are the same picture, unless their facts conflict. */
  static final int SAME_PICTURE_BITS = 6;
  /** Bits within which two pages are the same receipt when their total and date or number agree. */
  static final int SAME_RECEIPT_BITS = 14;
  /** The dHash prefilter: candidates differ in at most this many bits (or share the total or number). */
  static final int PREFILTER_BITS = 20;

  /** What a document is compared on. */
  record Candidate(String id, long phash, long dhash, BigDecimal total, LocalDate date, String invoiceNumber) {
    /** A document as its analysis read it (a field that does not parse counts as absent). */
    static Candidate of(String id, long phash, long dhash, KeyFields f) {
      BigDecimal total = null;
      LocalDate date = null;
      try {
        total = f.total() == null ? null : new BigDecimal(f.total().value());
      } catch (NumberFormatException e) {
        // absent
      }
      try {
        date = f.date() == null ? null : LocalDate.parse(f.date().value());
      } catch (java.time.DateTimeException e) {
        // absent
      }
      return new Candidate(id, phash, dhash, total, date, f.invoiceNumber() == null ? null : f.invoiceNumber().value());
    }
  }

  private Duplicates() {}

  /** The pHash distance when {@code a} and {@code b} are the same receipt, else -1. */
  static int same(Candidate a, Candidate b) {
    int d = ImageHash.distance(a.phash(), b.phash());
    boolean totalsConflict = a.total() != null && b.total() != null && a.total().compareTo(b.total()) != 0;
    boolean numbersConflict = a.invoiceNumber() != null && b.invoiceNumber() != null
        && !a.invoiceNumber().equalsIgnoreCase(b.invoiceNumber());
    boolean datesConflict = a.date() != null && b.date() != null && !a.date().equals(b.date());
    if (totalsConflict || numbersConflict) {
      return -1;
    }
    if (d <= SAME_PICTURE_BITS && !datesConflict) {
      return d;
    }
    boolean sameTotal = a.total() != null && b.total() != null;
    boolean sameDateOrNumber = a.date() != null && Objects.equals(a.date(), b.date())
        || a.invoiceNumber() != null && b.invoiceNumber() != null;
    return d <= SAME_RECEIPT_BITS && sameTotal && sameDateOrNumber ? d : -1;
  }
}

package io.nexus.predictive.risk;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import io.nexus.contracts.financial.Financial.EntryView;
import io.nexus.contracts.financial.Financial.Line;

/**
 * What risk scoring reads of a posted entry.
 *
 * @param entryId the entry's id
 * @param date its booking date
 * @param time the time its source system recorded it, or null when unknown
 * @param counterparty who was paid or paid, or null
 * @param document its document number, or null
 * @param amount its size: the sum of its debits in the ledger's currency
 * @param debitAccount the account of its largest debit line
 * @param creditAccount the account of its largest credit line
 */
public record Payment(String entryId, LocalDate date, LocalTime time, String counterparty, String document, double amount,
    String debitAccount, String creditAccount) {

  /**
   * What scoring reads of an entry: its time is the one its source recorded (imports), else the
   * time of day it was posted (UTC), the moment it entered the books.
   */
  public static Payment of(EntryView e) {
    double debits = 0;
    double largestDebit = -1;
    double largestCredit = -1;
    String debit = null;
    String credit = null;
    for (Line l : e.lines()) {
      if (l.debit() != null) {
        double d = Double.parseDouble(l.debit());
        debits += d;
        if (d > largestDebit) {
          largestDebit = d;
          debit = l.account();
        }
      }
      if (l.credit() != null) {
        double c = Double.parseDouble(l.credit());
        if (c > largestCredit) {
          largestCredit = c;
          credit = l.account();
        }
      }
    }
    LocalTime time = e.time() != null ? LocalTime.parse(e.time())
        : OffsetDateTime.parse(e.postedAt()).withOffsetSameInstant(ZoneOffset.UTC).toLocalTime();
    return new Payment(e.id(), LocalDate.parse(e.bookingDate()), time, e.counterparty(), e.documentNumber(), debits,
        debit == null ? "" : debit, credit == null ? "" : credit);
  }
}

package io.nexus.predictive.risk;

import java.time.LocalDate;
import java.time.LocalTime;

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
    String debitAccount, String creditAccount) {}

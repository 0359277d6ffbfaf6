package io.nexus.financial;

import io.nexus.contracts.Principal;
import io.nexus.contracts.Wire;
import io.nexus.contracts.financial.Financial.AccountHistory;
import io.nexus.contracts.financial.Financial.AccountHistoryQuery;
import io.nexus.contracts.financial.Financial.AccountSeries;
import io.nexus.contracts.financial.Financial.AccountSeriesQuery;
import io.nexus.contracts.financial.Financial.AccountType;
import io.nexus.contracts.financial.Financial.BalancePoint;
import io.nexus.contracts.financial.Financial.EntryPage;
import io.nexus.contracts.financial.Financial.EntrySearch;
import io.nexus.contracts.financial.Financial.EntryView;
import io.nexus.contracts.financial.Financial.ImportEntriesQuery;
import io.nexus.contracts.financial.Financial.SeriesPeriod;
import io.nexus.contracts.financial.Financial.SeriesPoint;
import io.nexus.kernel.bus.BusFailure;
import io.nexus.kernel.bus.Call;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Reading a ledger's entries: search with keyset pagination (newest booking date first; the
 * cursor is the last entry's date and id, so pages stay stable while entries are posted), and an
 * account's balance after each booking date.
 */
final class EntrySearchQuery {
  private static final int DEFAULT_LIMIT = 50;
  private static final int IMPORT_PAGE = 500;

  private final Pool pool;
  private final Ledger ledger;

  EntrySearchQuery(Pool pool, Ledger ledger) {
    this.pool = pool;
    this.ledger = ledger;
  }

  Future<EntryPage> search(EntrySearch q, Call call) {
    Principal p = call.requirePrincipal();
    int limit = q.limit() == null ? DEFAULT_LIMIT : q.limit();
    LocalDate from = q.from() == null ? null : Ledger.date("from", q.from());
    LocalDate to = q.to() == null ? null : Ledger.date("to", q.to());
    BigDecimal min = q.minAmount() == null ? null : new BigDecimal(q.minAmount());
    BigDecimal max = q.maxAmount() == null ? null : new BigDecimal(q.maxAmount());
    After after = After.of(q.cursor());
    String like = contains(q.text());
    String party = contains(q.counterparty());
    var args = Arrays.<Object>asList(null, q.account(), party, min, max, from, to, like, after.date(), after.id(), limit + 1);
    return pool.withConnection(c -> ledger.ownLedger(c, p, q.ledgerId())
        .compose(l -> {
          args.set(0, l);
          return c.preparedQuery("SELECT e.id FROM entries e WHERE e.ledger_id = $1 "
                  + "AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM entry_lines x JOIN accounts a ON a.id = x.account_id "
                  + "  WHERE x.entry_id = e.id AND a.code = $2)) "
                  + "AND ($3::text IS NULL OR e.counterparty ILIKE $3) "
                  + "AND (($4::numeric IS NULL AND $5::numeric IS NULL) OR EXISTS (SELECT 1 FROM entry_lines x "
                  + "  WHERE x.entry_id = e.id AND ($4::numeric IS NULL OR x.debit + x.credit >= $4) "
                  + "  AND ($5::numeric IS NULL OR x.debit + x.credit <= $5))) "
                  + "AND ($6::date IS NULL OR e.booking_date >= $6) AND ($7::date IS NULL OR e.booking_date <= $7) "
                  + "AND ($8::text IS NULL OR e.description ILIKE $8 OR e.document_number ILIKE $8) "
                  + "AND ($9::date IS NULL OR (e.booking_date, e.id) < ($9, $10)) "
                  + "ORDER BY e.booking_date DESC, e.id DESC LIMIT $11")
              .execute(Tuple.from(args))
              .compose(rows -> page(c, l, rows, limit));
        }));
  }

  /** An import's entries in booking order, a page at a time (see {@code Financial.IMPORT_ENTRIES}). */
  Future<EntryPage> importEntries(ImportEntriesQuery q, Call call) {
    Principal p = call.requirePrincipal();
    int limit = q.limit() == null ? IMPORT_PAGE : q.limit();
    UUID importId = Ledger.uuid(q.importId());
    if (importId == null) {
      throw BusFailure.notFound("no import " + q.importId());
    }
    After after = After.of(q.cursor());
    var args = Arrays.<Object>asList(null, importId, after.date(), after.id(), limit + 1);
    return pool.withConnection(c -> ledger.ownLedger(c, p, q.ledgerId())
        .compose(l -> c.preparedQuery("SELECT 1 FROM imports WHERE id = $1 AND ledger_id = $2").execute(Tuple.of(importId, l))
            .compose(found -> {
              if (found.size() == 0) {
                return Future.failedFuture(BusFailure.notFound("no import " + q.importId() + " in this ledger"));
              }
              args.set(0, l);
              return c.preparedQuery("SELECT id FROM entries WHERE import_id = $2 AND ledger_id = $1 "
                      + "AND ($3::date IS NULL OR (booking_date, id) > ($3, $4)) ORDER BY booking_date, id LIMIT $5")
                  .execute(Tuple.from(args));
            })
            .compose(rows -> page(c, l, rows, limit))));
  }

  Future<AccountHistory> history(AccountHistoryQuery q, Call call) {
    Principal p = call.requirePrincipal();
    LocalDate from = q.from() == null ? LocalDate.of(1, 1, 1) : Ledger.date("from", q.from());
    LocalDate to = q.to() == null ? LocalDate.now() : Ledger.date("to", q.to());
    return pool.withConnection(c -> ledger.ownLedger(c, p, q.ledgerId())
        .compose(l -> c.preparedQuery("SELECT id FROM accounts WHERE ledger_id = $1 AND code = $2").execute(Tuple.of(l, q.account()))
            .compose(acc -> {
              if (acc.size() == 0) {
                return Future.failedFuture(BusFailure.notFound("no account " + q.account() + " in this ledger"));
              }
              // running balance from the first entry, reported for the dates in the period
              return c.preparedQuery("SELECT d, currency, running FROM (SELECT e.booking_date AS d, x.currency, "
                      + "sum(sum(x.debit - x.credit)) OVER (PARTITION BY x.currency ORDER BY e.booking_date) AS running "
                      + "FROM entry_lines x JOIN entries e ON e.id = x.entry_id WHERE x.account_id = $1 AND e.booking_date <= $3 "
                      + "GROUP BY e.booking_date, x.currency) t WHERE d >= $2 ORDER BY d, currency")
                  .execute(Tuple.of(acc.iterator().next().getUUID("id"), from, to));
            }))
        .map(rows -> {
          var points = new ArrayList<BalancePoint>();
          for (Row r : rows) {
            points.add(new BalancePoint(r.getLocalDate("d").toString(), r.getString("currency"),
                Money.format(r.getBigDecimal("running"), r.getString("currency"))));
          }
          return new AccountHistory(q.ledgerId(), q.account(), points);
        }));
  }

  /** An account's net movement per period in the ledger's currency, gaps as 0 (see {@code Financial.ACCOUNT_SERIES}). */
  Future<AccountSeries> series(AccountSeriesQuery q, Call call) {
    Principal p = call.requirePrincipal();
    LocalDate from = q.from() == null ? null : Ledger.date("from", q.from());
    LocalDate to = q.to() == null ? LocalDate.now() : Ledger.date("to", q.to());
    if (from != null && to.isBefore(from)) {
      throw BusFailure.badRequest("to: " + to + " is before from: " + from);
    }
    if ((q.account() == null) == (q.counterparty() == null)) {
      throw BusFailure.badRequest("account, counterparty: give one of them");
    }
    LocalDate since = from == null ? LocalDate.of(1, 1, 1) : from;
    return pool.withConnection(c -> ledger.ownLedger(c, p, q.ledgerId())
        .compose(l -> {
          if (q.counterparty() != null) {
            // a counterparty's payments: the size of each entry with it (its debits) in the ledger's currency
            return c.preparedQuery("SELECT currency FROM ledgers WHERE id = $1").execute(Tuple.of(l))
                .compose(cur -> {
                  String currency = cur.iterator().next().getString("currency");
                  return c.preparedQuery("SELECT e.booking_date AS d, sum(x.debit) AS net FROM entries e "
                          + "JOIN entry_lines x ON x.entry_id = e.id WHERE e.ledger_id = $1 AND e.counterparty = $2 "
                          + "AND x.currency = $3 AND e.booking_date >= $4 AND e.booking_date <= $5 GROUP BY e.booking_date ORDER BY d")
                      .execute(Tuple.of(l, q.counterparty(), currency, since, to))
                      .compose(rows -> rows.size() == 0 && from == null
                          ? Future.failedFuture(BusFailure.notFound("no entries with counterparty " + q.counterparty()
                              + " in this ledger"))
                          : Future.succeededFuture(points(q, from, to, currency, rows, false)))
                      .map(points -> new AccountSeries(q.ledgerId(), null, null, q.period(), currency, points, q.counterparty()));
                });
          }
          return c.preparedQuery("SELECT a.id, a.type, g.currency FROM accounts a JOIN ledgers g ON g.id = a.ledger_id "
                  + "WHERE a.ledger_id = $1 AND a.code = $2").execute(Tuple.of(l, q.account()))
              .compose(acc -> {
                if (acc.size() == 0) {
                  return Future.failedFuture(BusFailure.notFound("no account " + q.account() + " in this ledger"));
                }
                Row a = acc.iterator().next();
                AccountType type = Wire.parse(AccountType.class, a.getString("type"));
                String currency = a.getString("currency");
                return c.preparedQuery("SELECT e.booking_date AS d, sum(x.debit - x.credit) AS net FROM entry_lines x "
                        + "JOIN entries e ON e.id = x.entry_id WHERE x.account_id = $1 AND x.currency = $2 "
                        + "AND e.booking_date >= $3 AND e.booking_date <= $4 GROUP BY e.booking_date ORDER BY d")
                    .execute(Tuple.of(a.getUUID("id"), currency, since, to))
                    .map(rows -> new AccountSeries(q.ledgerId(), q.account(), type, q.period(), currency,
                        points(q, from, to, currency, rows, type.creditNormal()), null));
              });
        }));
  }

  /** Daily sums into periods, every period from the first (or {@code from}) to the last (or {@code to}) present, empty ones 0. */
  private static List<SeriesPoint> points(AccountSeriesQuery q, LocalDate from, LocalDate to, String currency,
      io.vertx.sqlclient.RowSet<Row> rows, boolean negate) {
    SeriesPeriod period = q.period();
    var sums = new java.util.TreeMap<LocalDate, BigDecimal>();
    for (Row r : rows) {
      BigDecimal net = r.getBigDecimal("net");
      sums.merge(period.start(r.getLocalDate("d")), negate ? net.negate() : net, BigDecimal::add);
    }
    var points = new ArrayList<SeriesPoint>();
    LocalDate first = from != null ? period.start(from) : sums.isEmpty() ? null : sums.firstKey();
    LocalDate last = q.to() != null ? period.start(to) : sums.isEmpty() ? null : sums.lastKey();
    if (first != null && last != null) {
      for (LocalDate d = first; !d.isAfter(last); d = period.next(d)) {
        points.add(new SeriesPoint(period.label(d), d.toString(), Money.format(sums.getOrDefault(d, BigDecimal.ZERO), currency)));
      }
    }
    return points;
  }

  /** A page of entries from their ids, one more than {@code limit} asked for to know whether a next page exists. */
  private Future<EntryPage> page(io.vertx.sqlclient.SqlConnection c, UUID l, io.vertx.sqlclient.RowSet<Row> rows, int limit) {
    var ids = new ArrayList<UUID>();
    rows.forEach(r -> ids.add(r.getUUID("id")));
    boolean more = ids.size() > limit;
    var page = more ? ids.subList(0, limit) : ids;
    return ledger.entries(c, l, page, false).map(entries -> new EntryPage(entries,
        more ? cursor(entries.get(entries.size() - 1)) : null));
  }

  /** Where a page starts: after the entry of this booking date and id (both null on the first page). */
  private record After(LocalDate date, UUID id) {
    static After of(String cursor) {
      if (cursor == null) {
        return new After(null, null);
      }
      try {
        String[] c = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
        return new After(LocalDate.parse(c[0]), UUID.fromString(c[1]));
      } catch (RuntimeException e) {
        throw BusFailure.badRequest("cursor: not a cursor from a previous page");
      }
    }
  }

  private static String cursor(EntryView last) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((last.bookingDate() + "|" + last.id()).getBytes(StandardCharsets.UTF_8));
  }

  /** An ILIKE pattern for "contains {@code text}" with its own wildcards and the escape character taken literally. */
  static String contains(String text) {
    return text == null ? null : "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }
}

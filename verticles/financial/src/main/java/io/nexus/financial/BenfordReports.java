package io.nexus.financial;

import io.nexus.contracts.Principal;
import io.nexus.contracts.financial.Financial.BenfordQuery;
import io.nexus.contracts.financial.Financial.BenfordReport;
import io.nexus.kernel.bus.Call;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;

/**
 * Benford's law on demand over a ledger (the rule of the same name runs inside examinations).
 * The leading digits are counted in PostgreSQL, so a ledger of any size costs one grouped query
 * and a few hundred bytes here.
 */
final class BenfordReports {

  private final Pool pool;
  private final Ledger ledger;

  BenfordReports(Pool pool, Ledger ledger) {
    this.pool = pool;
    this.ledger = ledger;
  }

  Future<BenfordReport> benford(BenfordQuery q, Call call) {
    Principal p = call.requirePrincipal();
    int digits = q.digits() == null ? 1 : q.digits();
    // the examinations' default minimum: one definition (Settings) for the report and the rule
    int minSample = q.minSample() != null ? q.minSample() : io.nexus.financial.exam.Settings.DEFAULTS.benfordMinSample(digits);
    LocalDate from = q.from() == null ? LocalDate.of(1, 1, 1) : Ledger.date("from", q.from());
    LocalDate to = q.to() == null ? LocalDate.of(9999, 12, 31) : Ledger.date("to", q.to());
    return pool.withConnection(c -> ledger.ownLedger(c, p, q.ledgerId())
        .compose(l -> c.preparedQuery("SELECT left(replace((x.debit + x.credit)::text, '.', ''), $5)::int AS lead, count(*) AS n "
                + "FROM entry_lines x JOIN entries e ON e.id = x.entry_id "
                + (q.account() == null ? "" : "JOIN accounts a ON a.id = x.account_id AND a.code = $6 ")
                + "WHERE e.ledger_id = $1 AND e.booking_date BETWEEN $2 AND $3 AND x.debit + x.credit >= $4 GROUP BY 1")
            .execute(q.account() == null ? Tuple.of(l, from, to, java.math.BigDecimal.TEN, digits)
                : Tuple.of(l, from, to, java.math.BigDecimal.TEN, digits, q.account()))))
        .map(rows -> {
          int lo = digits == 1 ? 1 : 10;
          long[] observed = new long[digits == 1 ? 9 : 90];
          for (Row r : rows) {
            int lead = r.getInteger("lead");
            if (lead < lo || lead >= lo + observed.length) {
              throw new IllegalStateException( "unexpected leading digits " + lead);
            }
            observed[lead - lo] += r.getLong("n");
          }
          var result = Benford.fromCounts(observed, digits, minSample);
          var buckets = result.buckets().stream().map(Benford.Bucket::view).toList();
          return new BenfordReport(q.ledgerId(), digits, result.sampleSize(), result.mad(), result.conformity(),
              Double.isNaN(result.chiSquare()) ? null : result.chiSquare(), Double.isNaN(result.pValue()) ? null : result.pValue(),
              buckets);
        });
  }
}

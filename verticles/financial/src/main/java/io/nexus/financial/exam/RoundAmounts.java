package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.financial.Financial.Severity;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The {@code round-amount} rule. */
final class RoundAmounts extends Rule {
  RoundAmounts() {
    super(RuleId.ROUND_AMOUNT);
  }

  /** A counterparty most of whose amounts are round. */
  @Override
  Future<List<Draft>> find(Rules x) {
    return x.c.preparedQuery("SELECT cp, count(*) AS n, count(*) FILTER (WHERE amount >= $1 AND mod(amount, $1) = 0) AS round, "
            + "(array_agg(id ORDER BY d, id) FILTER (WHERE amount >= $1 AND mod(amount, $1) = 0)) AS ids FROM " + Rules.TABLE
            + " WHERE cp IS NOT NULL GROUP BY cp HAVING count(*) FILTER (WHERE amount >= $1 AND mod(amount, $1) = 0) >= $2 "
            + "ORDER BY cp")
        .execute(Tuple.of(x.s.roundUnit(), x.s.roundMinCount()))
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            long n = r.getLong("n");
            long round = r.getLong("round");
            double share = (double) round / n;
            if (share < x.s.roundMinShare()) {
              continue;
            }
            String pct = String.format(Locale.ROOT, "%.0f %%", share * 100);
            out.add(new Draft(RuleId.ROUND_AMOUNT, r.getString("cp") + "|" + x.from + "|" + x.to, share >= 0.8 ? Severity.HIGH : Severity.MEDIUM, share,
                pct + " of the amounts of " + r.getString("cp") + " are round",
                round + " of the " + n + " entries with " + r.getString("cp") + " are multiples of " + x.money(x.s.roundUnit())
                    + ". Real invoices rarely come to round sums; estimates, made-up invoices and kickbacks often do.",
                Rules.ids(r), List.of(new Figure("roundEntries", String.valueOf(round)), new Figure("entries", String.valueOf(n)),
                    new Figure("share", String.format(Locale.ROOT, "%.3f", share)), new Figure("unit", x.money(x.s.roundUnit())))));
          }
          return out;
        });
  }
}

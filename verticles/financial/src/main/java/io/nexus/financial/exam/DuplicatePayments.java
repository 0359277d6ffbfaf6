package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.financial.Financial.Severity;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The {@code duplicate-payment} rule. */
final class DuplicatePayments extends Rule {
  DuplicatePayments() {
    super(RuleId.DUPLICATE_PAYMENT);
  }

  /** Same counterparty and amount within the window: every such entry, grouped by counterparty and amount. */
  @Override
  Future<List<Draft>> find(Rules x) {
    return x.c.preparedQuery("SELECT cp, amount, array_agg(id ORDER BY d, id) AS ids, min(d) AS first, max(d) AS last "
            + "FROM (SELECT id, cp, amount, d, d - lag(d) OVER w AS before, lead(d) OVER w - d AS after FROM " + Rules.TABLE
            + " WHERE cp IS NOT NULL AND paid WINDOW w AS (PARTITION BY cp, amount ORDER BY d, id)) z "
            + "WHERE before <= $1 OR after <= $1 GROUP BY cp, amount ORDER BY cp, amount")
        .execute(Tuple.of(x.s.duplicateWindowDays()))
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            List<UUID> ids = Rules.ids(r);
            BigDecimal amount = r.getBigDecimal("amount");
            String a = x.money(amount);
            out.add(new Draft(RuleId.DUPLICATE_PAYMENT, r.getString("cp") + "|" + a,
                ids.size() >= 3 || amount.compareTo(x.s.approvalThreshold()) >= 0 ? Severity.HIGH : Severity.MEDIUM, ids.size(),
                ids.size() + " payments of " + a + " to " + r.getString("cp") + " within " + x.s.duplicateWindowDays() + " days",
                r.getString("cp") + " was paid " + a + " " + ids.size() + " times between " + r.getLocalDate("first") + " and "
                    + r.getLocalDate("last") + ", each within " + x.s.duplicateWindowDays()
                    + " days of another. Paying the same amount to the same party twice in a short time is the typical "
                    + "pattern of a duplicate payment; check that each has its own invoice and delivery.",
                ids, List.of(new Figure("amount", a), new Figure("payments", String.valueOf(ids.size())),
                    new Figure("windowDays", String.valueOf(x.s.duplicateWindowDays())))));
          }
          return out;
        });
  }
}

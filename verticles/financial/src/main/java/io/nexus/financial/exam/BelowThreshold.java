package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.financial.Financial.Severity;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** The {@code below-threshold} rule. */
final class BelowThreshold extends Rule {
  BelowThreshold() {
    super(RuleId.BELOW_THRESHOLD);
  }

  /** Amounts in the band just below the approval threshold, by counterparty. */
  @Override
  Future<List<Draft>> find(Rules x) {
    BigDecimal floor = x.s.thresholdFloor();
    return x.c.preparedQuery("SELECT coalesce(cp, '(no counterparty)') AS who, array_agg(id ORDER BY d, id) AS ids, "
            + "array_agg(amount ORDER BY d, id) AS amounts FROM " + Rules.TABLE + " WHERE paid AND amount >= $1 AND amount < $2 "
            + "GROUP BY 1 ORDER BY 1")
        .execute(Tuple.of(floor, x.s.approvalThreshold()))
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            List<UUID> ids = Rules.ids(r);
            String amounts = String.join(", ", Arrays.stream(r.getArrayOfBigDecimals("amounts")).map(x::money).toList());
            out.add(new Draft(RuleId.BELOW_THRESHOLD, r.getString("who") + "|" + x.from + "|" + x.to, ids.size() >= 3 ? Severity.HIGH : Severity.MEDIUM,
                ids.size(), ids.size() + " amount" + (ids.size() == 1 ? "" : "s") + " to " + r.getString("who")
                    + " just below the approval threshold of " + x.money(x.s.approvalThreshold()),
                r.getString("who") + " has " + ids.size() + " entr" + (ids.size() == 1 ? "y" : "ies") + " between "
                    + x.money(floor) + " and " + x.money(x.s.approvalThreshold()) + " (" + amounts + "). Amounts kept just under an "
                    + "approval limit suggest the limit is being avoided.",
                ids, List.of(new Figure("threshold", x.money(x.s.approvalThreshold())), new Figure("from", x.money(floor)),
                    new Figure("amounts", amounts))));
          }
          return out;
        });
  }
}

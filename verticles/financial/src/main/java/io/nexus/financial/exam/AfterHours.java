package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.financial.Financial.Severity;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** The {@code after-hours} rule. */
final class AfterHours extends Rule {
  AfterHours() {
    super(RuleId.AFTER_HOURS);
  }

  @Override
  Future<List<Draft>> find(Rules x) {
    return x.c.preparedQuery("SELECT d, array_agg(id ORDER BY t, id) AS ids, array_agg(t::text ORDER BY t, id) AS times, "
            + "sum(amount) AS total FROM " + Rules.TABLE + " WHERE t IS NOT NULL AND (t < $1 OR t >= $2) GROUP BY d ORDER BY d")
        .execute(Tuple.of(x.s.businessHoursStart(), x.s.businessHoursEnd()))
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            List<UUID> ids = Rules.ids(r);
            String times = String.join(", ", Arrays.stream(r.getArrayOfStrings("times")).map(t -> t.substring(0, 5)).toList());
            out.add(new Draft(RuleId.AFTER_HOURS, r.getLocalDate("d").toString(), Severity.LOW, ids.size(),
                ids.size() + " entr" + (ids.size() == 1 ? "y" : "ies") + " recorded outside business hours on " + r.getLocalDate("d"),
                "On " + r.getLocalDate("d") + ", " + ids.size() + " entr" + (ids.size() == 1 ? "y was" : "ies were")
                    + " recorded at " + times + ", outside business hours (" + x.s.businessHoursStart() + "–"
                    + x.s.businessHoursEnd() + "), together " + x.money(r.getBigDecimal("total")) + ".",
                ids, List.of(new Figure("times", times), new Figure("businessHours", x.s.businessHoursStart() + "-"
                    + x.s.businessHoursEnd()), new Figure("total", x.money(r.getBigDecimal("total"))))));
          }
          return out;
        });
  }
}

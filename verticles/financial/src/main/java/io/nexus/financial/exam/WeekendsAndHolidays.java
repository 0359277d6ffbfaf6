package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.financial.Financial.Severity;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/** The {@code weekend-holiday} rule. */
final class WeekendsAndHolidays extends Rule {
  WeekendsAndHolidays() {
    super(RuleId.WEEKEND_HOLIDAY);
  }

  @Override
  Future<List<Draft>> find(Rules x) {
    return x.c.preparedQuery("SELECT d, array_agg(id ORDER BY id) AS ids, sum(amount) AS total FROM " + Rules.TABLE
            + " WHERE extract(isodow FROM d) IN (6, 7) OR d = ANY($1) GROUP BY d ORDER BY d")
        .execute(Tuple.of((Object) x.s.holidays().toArray(new LocalDate[0])))
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            LocalDate d = r.getLocalDate("d");
            List<UUID> ids = Rules.ids(r);
            boolean holiday = x.s.holidays().contains(d);
            String day = holiday ? "the holiday " + d : d.getDayOfWeek().getDisplayName(java.time.format.TextStyle.FULL,
                Locale.ENGLISH) + " " + d;
            BigDecimal total = r.getBigDecimal("total");
            out.add(new Draft(RuleId.WEEKEND_HOLIDAY, d.toString(), total.compareTo(x.s.approvalThreshold()) >= 0 ? Severity.MEDIUM : Severity.LOW,
                ids.size(), ids.size() + " entr" + (ids.size() == 1 ? "y" : "ies") + " booked on " + day,
                ids.size() + " entr" + (ids.size() == 1 ? "y was" : "ies were") + " booked on " + day + ", together "
                    + x.money(total) + ". Postings on days the business is closed escape the usual review.",
                ids, List.of(new Figure("date", d.toString()), new Figure("kind", holiday ? "holiday"
                    : d.getDayOfWeek() == DayOfWeek.SATURDAY ? "saturday" : "sunday"), new Figure("total", x.money(total)))));
          }
          return out;
        });
  }
}

package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.financial.Financial.Severity;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;

/** The {@code structuring} rule. */
final class Structuring extends Rule {
  Structuring() {
    super(RuleId.STRUCTURING);
  }

  /** Payments below the threshold to one counterparty within the window that together reach it. */
  @Override
  Future<List<Draft>> find(Rules x) {
    return x.c.preparedQuery("SELECT cp, d, id, amount, sum(amount) OVER w AS total, count(*) OVER w AS n FROM " + Rules.TABLE
            + " WHERE cp IS NOT NULL AND paid AND amount < $1 "
            + "WINDOW w AS (PARTITION BY cp ORDER BY d RANGE BETWEEN $2::int * interval '1 day' PRECEDING AND CURRENT ROW) "
            + "ORDER BY cp, d, id")
        .execute(Tuple.of(x.s.approvalThreshold(), x.s.structuringWindowDays()))
        .map(rows -> {
          // per counterparty: the entries of every window that reaches the threshold, overlapping windows merged
          var byCp = new LinkedHashMap<String, List<Payment>>();
          var hits = new LinkedHashMap<String, List<LocalDate>>();
          for (Row r : rows) {
            String cp = r.getString("cp");
            byCp.computeIfAbsent(cp, k -> new ArrayList<>()).add(new Payment(r.getUUID("id"), r.getLocalDate("d"),
                r.getBigDecimal("amount")));
            if (r.getLong("n") >= 2 && r.getBigDecimal("total").compareTo(x.s.approvalThreshold()) >= 0) {
              hits.computeIfAbsent(cp, k -> new ArrayList<>()).add(r.getLocalDate("d"));
            }
          }
          var out = new ArrayList<Draft>();
          for (var h : hits.entrySet()) {
            List<Payment> all = byCp.get(h.getKey());
            LocalDate start = null;
            LocalDate end = null;
            for (LocalDate windowEnd : h.getValue()) {
              LocalDate windowStart = windowEnd.minusDays(x.s.structuringWindowDays());
              if (start != null && !windowStart.isAfter(end)) {
                end = windowEnd;
                continue;
              }
              if (start != null) {
                out.add(cluster(x, h.getKey(), all, start, end));
              }
              start = windowStart;
              end = windowEnd;
            }
            out.add(cluster(x, h.getKey(), all, start, end));
          }
          return out;
        });
  }

  /** The structuring finding for the payments of {@code cp} from {@code start} to {@code end}. */
  private static Draft cluster(Rules x, String cp, List<Payment> all, LocalDate start, LocalDate end) {
    var ids = new ArrayList<UUID>();
    var amounts = new ArrayList<String>();
    BigDecimal total = BigDecimal.ZERO;
    LocalDate first = null;
    for (Payment p : all) {
      if (!p.d().isBefore(start) && !p.d().isAfter(end)) {
        ids.add(p.id());
        amounts.add(x.money(p.amount()));
        total = total.add(p.amount());
        first = first == null ? p.d() : first;
      }
    }
    ids.sort(Comparator.naturalOrder());
    return new Draft(RuleId.STRUCTURING, cp + "|" + first, Severity.HIGH, total.divide(x.s.approvalThreshold(), 4, RoundingMode.HALF_EVEN)
        .doubleValue(), ids.size() + " payments to " + cp + " below the threshold add up to " + x.money(total),
        cp + " received " + ids.size() + " payments (" + String.join(", ", amounts) + ") within " + x.s.structuringWindowDays()
            + " days from " + first + ", each under the approval threshold of " + x.money(x.s.approvalThreshold())
            + " and together " + x.money(total) + ". Splitting one payment into several small ones avoids approval.",
        ids, List.of(new Figure("total", x.money(total)), new Figure("threshold", x.money(x.s.approvalThreshold())),
            new Figure("payments", String.valueOf(ids.size())), new Figure("windowDays",
                String.valueOf(x.s.structuringWindowDays()))));
  }

  private record Payment(UUID id, LocalDate d, BigDecimal amount) {}
}

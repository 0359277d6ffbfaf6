package io.nexus.financial.exam;

import io.nexus.contracts.financial.Financial.Figure;
import io.nexus.contracts.financial.Financial.RuleId;
import io.nexus.contracts.financial.Financial.Severity;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/** The {@code new-counterparty} rule. */
final class NewCounterparties extends Rule {
  NewCounterparties() {
    super(RuleId.NEW_COUNTERPARTY);
  }

  /** A counterparty whose first payment in the whole ledger falls in the period and is large. */
  @Override
  Future<List<Draft>> find(Rules x) {
    return x.c.preparedQuery("WITH pay AS (SELECT e.counterparty AS cp, e.id, e.booking_date AS d, x.credit AS amount "
            + "FROM entries e JOIN entry_lines x ON x.entry_id = e.id WHERE e.ledger_id = $1 AND e.counterparty IS NOT NULL "
            + "AND e.reverses IS NULL AND e.reversed_by IS NULL AND x.credit > 0 AND x.account_id = ANY($4)), "
            + "first AS (SELECT DISTINCT ON (cp) cp, id, d FROM pay ORDER BY cp, d, id) "
            + "SELECT f.cp, f.id, f.d, (SELECT sum(amount) FROM pay WHERE pay.id = f.id) AS amount FROM first f "
            + "WHERE f.d BETWEEN $2 AND $3 ORDER BY f.cp")
        .execute(Tuple.of(x.ledger, x.from, x.to, x.paymentAccounts))
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            BigDecimal amount = r.getBigDecimal("amount");
            if (amount.compareTo(x.s.newCounterpartyAmount()) < 0) {
              continue;
            }
            out.add(new Draft(RuleId.NEW_COUNTERPARTY, r.getString("cp") + "|", amount.compareTo(x.s.newCounterpartyAmount().multiply(
                BigDecimal.valueOf(3))) >= 0 ? Severity.HIGH : Severity.MEDIUM, amount.divide(x.s.newCounterpartyAmount(), 4,
                RoundingMode.HALF_EVEN).doubleValue(),
                "First payment to " + r.getString("cp") + " is " + x.money(amount),
                r.getString("cp") + " is paid for the first time on " + r.getLocalDate("d") + ", " + x.money(amount)
                    + ", at or above " + x.money(x.s.newCounterpartyAmount()) + ". A large first payment to an unknown party is how "
                    + "fictitious vendors are paid; check the vendor's master data and approval.",
                List.of(r.getUUID("id")), List.of(new Figure("amount", x.money(amount)), new Figure("firstDate",
                    r.getLocalDate("d").toString()), new Figure("limit", x.money(x.s.newCounterpartyAmount())))));
          }
          return out;
        });
  }
}

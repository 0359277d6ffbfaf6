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

/** The {@code suspense-account} rule. */
final class SuspenseAccounts extends Rule {
  SuspenseAccounts() {
    super(RuleId.SUSPENSE_ACCOUNT);
  }

  /** Entries on suspense or clearing accounts, and what is left on them at the end of the period. */
  @Override
  Future<List<Draft>> find(Rules x) {
    return x.c.preparedQuery("SELECT a.code, a.name, (SELECT coalesce(sum(x.debit - x.credit), 0) FROM entry_lines x "
            + "JOIN entries e ON e.id = x.entry_id WHERE x.account_id = a.id AND e.booking_date <= $3) AS balance, "
            + "(SELECT array_agg(DISTINCT x.entry_id) FROM entry_lines x JOIN " + Rules.TABLE + " t ON t.id = x.entry_id "
            + "WHERE x.account_id = a.id) AS ids FROM accounts a WHERE a.ledger_id = $1 AND (a.code = ANY($2) "
            + "OR a.name ~* '(suspense|clearing|sundry|unallocated)') ORDER BY a.code")
        .execute(Tuple.of(x.ledger, x.s.suspenseAccounts().toArray(new String[0]), x.to))
        .map(rows -> {
          var out = new ArrayList<Draft>();
          for (Row r : rows) {
            List<UUID> ids = Rules.ids(r);
            if (ids.isEmpty()) {
              continue;
            }
            BigDecimal balance = r.getBigDecimal("balance");
            boolean open = balance.signum() != 0;
            out.add(new Draft(RuleId.SUSPENSE_ACCOUNT, r.getString("code") + "|" + x.from + "|" + x.to, open ? Severity.HIGH : Severity.LOW,
                ids.size(), ids.size() + " entr" + (ids.size() == 1 ? "y" : "ies") + " on suspense account " + r.getString("code")
                    + (open ? ", " + x.money(balance.abs()) + " not cleared" : ""),
                "Account " + r.getString("code") + " (" + r.getString("name") + ") is a suspense or clearing account; "
                    + ids.size() + " entr" + (ids.size() == 1 ? "y" : "ies") + " in the period used it"
                    + (open ? " and its balance on " + x.to + " is " + x.money(balance) + ", not zero"
                        : " and it was cleared by " + x.to) + ". Amounts parked there have not been explained yet.",
                ids.size() > Rules.MAX_EVIDENCE ? ids.subList(0, Rules.MAX_EVIDENCE) : ids, List.of(new Figure("account", r.getString("code")),
                    new Figure("entries", String.valueOf(ids.size())), new Figure("balance", x.money(balance)))));
          }
          return out;
        });
  }
}
